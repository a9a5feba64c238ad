"""The pass service: create a pass, and move one through its states, each as compare-and-set.

Every change runs in a school transaction (server/services/transaction.py) that also appends
exactly one event per changed pass; nothing is written when a rule or a check says no (but
the log row of an encounter a group prevented, which `school_transaction` keeps).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError

from server.auth.principal import Principal
from server.clock import utcnow
from server.contract.passes import PassOut
from server.enums import Approval, EndedBy, LineReason, PassKind, PassState, Role
from server.errors import ErrorCode, HallpassError, forbidden, not_found
from server.models import Location, Pass, User
from server.rules import OpenPass, Outcome, PassRequest, SchoolFacts, admit, decide_request
from server.rules.decision import Decision
from server.rules.lifecycle import needs_approval
from server.rules.line import offers, take
from server.rules.permissions import (
    Action,
    Actor,
    PassTarget,
    may,
    may_manage_encounters,
    may_override,
    may_schedule,
    sees_full_names,
)
from server.services.encounters import keep_prevented, log_alerts, log_prevented
from server.services.facts import accommodated, load_facts, open_pass_of, place_of
from server.services.idempotency import CREATE, conflict, recall, remember, replay
from server.services.line import offer_deadlines
from server.services.placement import placement_of
from server.services.transaction import SchoolTransaction, school_transaction
from server.services.views import iso, line_positions, pass_view

# Staff may schedule passes up to a school year ahead; further is surely a typo.
MAX_SCHEDULE_AHEAD = timedelta(days=366)


@dataclass(frozen=True, slots=True)
class Verb:
    """A transition the API exposes: who may, from which states."""

    action: Action
    from_states: frozenset[PassState]


VERBS: dict[str, Verb] = {
    "approve": Verb(Action.APPROVE, frozenset({PassState.PENDING})),
    "deny": Verb(Action.DENY, frozenset({PassState.PENDING})),
    "cancel": Verb(
        Action.CANCEL, frozenset({PassState.SCHEDULED, PassState.PENDING, PassState.WAITING})
    ),
    "arrive": Verb(Action.ARRIVE, frozenset({PassState.ACTIVE})),
    "end": Verb(Action.END, frozenset({PassState.ACTIVE})),
    # Take the place offered to a waiting pass (the fair line): it goes out.
    "take": Verb(Action.TAKE, frozenset({PassState.WAITING})),
}


@dataclass(frozen=True, slots=True)
class Created:
    """A create call's result: the pass, and False when an idempotency key replayed it."""

    body: PassOut
    created: bool


def already_out() -> HallpassError:
    """Return the 409 for a second open pass caught by the database's unique index."""
    return HallpassError(ErrorCode.ALREADY_OUT, "The student already has a pass.")


def target_of(hall_pass: Pass, destination: Location) -> PassTarget:
    """Return the authorisation facts of a pass."""
    return PassTarget(
        school_id=hall_pass.school_id,
        student_id=hall_pass.student_id,
        origin_id=hall_pass.origin_id,
        destination_id=hall_pass.destination_id,
        approval=destination.approval,
        section_id=hall_pass.section_id,
    )


def refusal(decision: Decision, principal: Principal) -> HallpassError:
    """Turn a denial into the error the caller may hear.

    A student (or their door's kiosk) hears the ordinary code and words, never staff detail;
    staff hear the rule; only those who may see encounter groups (admins, security) hear which
    group (DESIGN.md invariant 5).
    """
    assert decision.code is not None
    actor = principal.actor
    if principal.is_student or actor.role is Role.KIOSK:
        return HallpassError(decision.student_code or decision.code, decision.detail)
    message = decision.staff_detail or decision.detail
    if may_manage_encounters(actor):
        message = decision.group_detail or message
    return HallpassError(decision.code, message)


async def serialise(tx: SchoolTransaction, pass_id: int, *, full_names: bool = True) -> PassOut:
    """Reload a pass with its names inside the transaction and return its view."""
    hall_pass = (
        await Pass.filter(id=pass_id)
        .using_db(tx.conn)
        .select_related("student", "origin", "destination", "section")
        .get()
    )
    position = None
    if hall_pass.state is PassState.WAITING:
        line = await Pass.filter(
            school_id=hall_pass.school_id,
            destination_id=hall_pass.destination_id,
            state=PassState.WAITING,
        ).using_db(tx.conn)
        position = line_positions(line, tx.now).get(hall_pass.id)
    return pass_view(hall_pass, position=position, full_names=full_names)


def lifecycle_fields(
    state: PassState, now: datetime, minutes: int, reason: LineReason | None = None
) -> dict[str, Any]:
    """Return the columns a pass entering `state` sets (`reason`: why it waits in line)."""
    fields: dict[str, Any] = {"state": state}
    if state is PassState.ACTIVE:
        fields.update(
            started_at=now,
            due_at=now + timedelta(minutes=minutes),
            queued_at=None,
            offer_expires_at=None,
            line_reason=None,
        )
    elif state is PassState.WAITING:
        fields.update(
            queued_at=now,
            offer_expires_at=None,
            line_reason=None if reason is None else reason.value,
        )
    return fields


async def create_pass(
    principal: Principal,
    *,
    destination_id: int,
    student_id: int | None = None,
    start_at: datetime | None = None,
    remind_minutes: int | None = None,
    idempotency_key: str | None = None,
    override_reason: str | None = None,
    minutes: int | None = None,
) -> Created:
    """Create a pass: a student's request, or a pass staff issue or schedule for a student.

    With `override_reason`, staff who may send the student past their limits and ahead of a
    line (ADR 0005, overrides); the reason and what the student would have heard are recorded.
    """
    actor = principal.actor
    now = utcnow()
    if start_at is not None and not may_schedule(actor):
        raise forbidden("Only staff can schedule passes.")
    if minutes is not None and (principal.is_student or actor.role is Role.KIOSK):
        raise forbidden("Only staff can choose a pass's minutes.")
    if override_reason is not None and (principal.is_student or actor.role is Role.KIOSK):
        raise forbidden("Only staff can override a student's limits.")
    if override_reason is not None and start_at is not None:
        raise HallpassError(
            ErrorCode.VALIDATION_ERROR,
            "An override is for a pass now, not a scheduled one.",
            details={"fields": [{"field": "override", "message": "not with start_at"}]},
        )
    if start_at is not None and start_at > now + MAX_SCHEDULE_AHEAD:
        raise HallpassError(
            ErrorCode.VALIDATION_ERROR,
            "start_at is more than a year ahead.",
            details={"fields": [{"field": "start_at", "message": "at most a year ahead"}]},
        )
    async with school_transaction(actor.school_id) as tx:
        now = tx.now  # read under the school lock, so the line's order is the commit order
        if idempotency_key is not None:
            previous = await recall(tx, actor.user_id, idempotency_key)
            if previous is not None:
                if previous.verb != CREATE:
                    raise conflict()
                body = await serialise(tx, previous.hall_pass_id, full_names=sees_full_names(actor))
                asked = (destination_id, student_id or body.student.id)
                if asked != (body.destination.id, body.student.id):
                    raise conflict()
                return Created(body, created=False)
        student = await _student_for(tx, principal, student_id)
        # Where the student is when the pass starts (now, or a scheduled pass's start): the
        # current period's section and room, else the school's fallback (rules/timetable.py).
        placement = await placement_of(
            tx.conn, tx.school, student, start_at or now, with_teachers=False
        )
        if actor.role is Role.KIOSK and placement.room_id not in actor.location_ids:
            # A door kiosk knows only the students in its rooms now: another room's is as
            # unknown to it as an id that does not exist (one 404, never a 403).
            raise not_found("student")
        destination = (
            await Location.filter(id=destination_id, school_id=actor.school_id)
            .using_db(tx.conn)
            .get_or_none()
        )
        if destination is None:
            raise not_found("location")
        origin_id = placement.room_id
        if origin_id is None:
            raise HallpassError(
                ErrorCode.NO_HOME_ROOM, "This student has no classroom to leave from."
            )
        target = PassTarget(
            actor.school_id,
            student.id,
            origin_id,
            destination.id,
            destination.approval,
            section_id=placement.section_id,
        )
        staff_made = actor.role is not Role.STUDENT and actor.role is not Role.KIOSK
        if not may(
            actor, Action.ISSUE if actor.role is not Role.STUDENT else Action.REQUEST, target
        ):
            raise forbidden("You can't make a pass for this student to this place.")
        if override_reason is not None and not may_override(actor, target):
            raise forbidden(
                "Only an administrator, security or the student's teacher can override."
            )
        accepts = may(actor, Action.APPROVE, replace(target, approval=Approval.DESTINATION_STAFF))
        request = PassRequest(
            student.id,
            origin_id,
            destination.id,
            staff_made,
            start_at,
            destination_accepts=accepts,
            section_id=placement.section_id,
        )
        # A student's own request (or a kiosk's) is held to their limits; staff-made passes
        # are not, so their history isn't even read (unless an override must record what the
        # student would have heard).
        held = not staff_made or override_reason is not None
        facts = await load_facts(
            tx.conn,
            tx.school,
            now,
            requester=student if held else None,
            places=(origin_id, destination.id),
        )
        decision = decide_request(facts, request)
        override = None
        if override_reason is not None and decision.outcome is not Outcome.DENIED:
            override = override_record(facts, request, actor.user_id, override_reason, now)
        candidate = OpenPass(
            0,
            student.id,
            origin_id,
            destination.id,
            PassState.PENDING,
            section_id=placement.section_id,
        )
        if decision.outcome is Outcome.DENIED:
            keep_prevented(tx, facts, candidate, facts.holding())  # if a group blocked it
            raise refusal(decision, principal)
        assert decision.state is not None
        kind = (
            PassKind.SCHEDULED
            if decision.state is PassState.SCHEDULED
            else PassKind.KIOSK
            if actor.role is Role.KIOSK
            else PassKind.ISSUED
            if staff_made
            else PassKind.REQUESTED
        )
        # The maker's word is the approval the pass needs (a scheduled pass keeps it for its
        # start); a pending pass waits for someone else's.
        approved_by_maker = (
            staff_made
            and decision.state is not PassState.PENDING
            and not needs_approval(place_of(destination), request)
        )
        lasts = destination.default_minutes if minutes is None else minutes
        try:
            hall_pass = await Pass.create(
                using_db=tx.conn,
                school_id=actor.school_id,
                student_id=student.id,
                origin_id=origin_id,
                section_id=placement.section_id,
                period=placement.period,
                destination_id=destination.id,
                kind=kind,
                open_student_id=student.id if decision.state.is_open else None,
                created_by_id=actor.user_id,
                decided_by_id=actor.user_id if approved_by_maker else None,
                requested_at=now,
                start_at=start_at if decision.state is PassState.SCHEDULED else None,
                remind_minutes=remind_minutes if decision.state is PassState.SCHEDULED else None,
                minutes=lasts,
                line_priority=override is not None
                or await accommodated(tx.conn, actor.school_id, student.id),
                override=override,
                **lifecycle_fields(decision.state, now, lasts, decision.line_reason),
            )
        except IntegrityError as exc:  # invariant 1 held by the database itself
            raise already_out() from exc
        if decision.state is PassState.ACTIVE:
            await log_alerts(tx, facts, replace(candidate, id=hall_pass.id), facts.active())
        elif decision.state is PassState.WAITING:
            # A student's request a blocking group holds back waits in line like one a full
            # hallway holds: the same writes now, and its log row only after the answer.
            in_line = replace(candidate, id=hall_pass.id)
            keep_prevented(tx, facts, in_line, facts.holding(), waiting=True)
        body = await serialise(tx, hall_pass.id)
        # A substitute's pass is theirs, marked with the grant they made it under.
        grant_id = principal.grant_for(placement.section_id, origin_id, destination.id)
        await tx.append_event(
            "pass.created", hall_pass, actor.user_id, now, body, grant_id=grant_id
        )
        if idempotency_key is not None:
            await remember(tx, actor.user_id, idempotency_key, CREATE, hall_pass.id)
        if not sees_full_names(actor):
            body = await serialise(tx, hall_pass.id, full_names=False)
        return Created(body, created=True)


def override_record(
    facts: SchoolFacts, request: PassRequest, by: int, reason: str, now: datetime
) -> dict[str, Any]:
    """Return the record of an override: who, when, why, and what it went past.

    What it went past is the decision the student's own request would have had now: a limit,
    a cooldown or a no-fly time, or a full place (a line).
    """
    own = decide_request(facts, replace(request, issued_by_staff=False))
    past = own.code if own.outcome is not Outcome.ALLOWED else None
    return {
        "by": by,
        "at": iso(now),
        "reason": reason,
        "would_have": None
        if past is None
        else {"code": str(past), "detail": own.staff_detail or own.detail},
    }


async def _student_for(tx: SchoolTransaction, principal: Principal, student_id: int | None) -> User:
    actor = principal.actor
    if principal.is_student:
        if student_id is not None and student_id != actor.user_id:
            raise forbidden("Students can only request passes for themselves.")
        return principal.user
    if student_id is None:
        raise HallpassError(
            ErrorCode.VALIDATION_ERROR,
            "student_id is required when staff make a pass.",
            details={"fields": [{"field": "student_id", "message": "required"}]},
        )
    query = User.filter(id=student_id, school_id=actor.school_id, role=Role.STUDENT, active=True)
    student = await query.using_db(tx.conn).get_or_none()
    if student is None:
        raise not_found("student")
    return student


async def visible_pass(
    tx: SchoolTransaction, actor: Actor, pass_id: int
) -> tuple[Pass, PassTarget]:
    """Read a pass of the caller's school and what the rules decide on, or 404 if not visible.

    Not 403: a pass the caller may not see is as unknown to them as one that doesn't exist.
    """
    hall_pass = (
        await Pass.filter(id=pass_id, school_id=actor.school_id).using_db(tx.conn).get_or_none()
    )
    if hall_pass is None:
        raise not_found("pass")
    destination = await Location.filter(id=hall_pass.destination_id).using_db(tx.conn).get()
    target = target_of(hall_pass, destination)
    if not may(actor, Action.VIEW, target):
        raise not_found("pass")
    return hall_pass, target


async def transition(
    principal: Principal, pass_id: int, verb_name: str, *, idempotency_key: str | None = None
) -> PassOut:
    """Apply one verb (approve, deny, cancel, arrive, end, take) to a pass, or raise why not.

    With an idempotency key already used for this verb on this pass, answer what the first
    request answered and change nothing (server/services/idempotency.py).
    """
    verb = VERBS[verb_name]
    actor = principal.actor
    async with school_transaction(actor.school_id) as tx:
        now = tx.now
        if idempotency_key is not None:
            stored = await replay(tx, actor.user_id, idempotency_key, verb_name, pass_id)
            if stored is not None:
                return stored
        hall_pass, target = await visible_pass(tx, actor, pass_id)
        if not may(actor, verb.action, target):
            raise forbidden(f"Your role can't {verb_name} this pass.")
        state = PassState(hall_pass.state)
        if state not in verb.from_states or (verb_name == "arrive" and hall_pass.arrived_at):
            raise HallpassError(
                ErrorCode.INVALID_TRANSITION,
                f"This pass is {state}: it can't be {_past(verb_name)}.",
                # A verb replayed from an offline queue reads here whether its work is already
                # done (the pass ended meanwhile): then it is no error to the student.
                details={"state": str(state), "arrived": hall_pass.arrived_at is not None},
            )
        held_a_place = state is PassState.ACTIVE or hall_pass.offer_expires_at is not None
        changes = await _changes(tx, principal, hall_pass, verb_name, now)
        await compare_and_set(tx, hall_pass, changes)
        body = await serialise(tx, hall_pass.id)
        grant_id = principal.grant_for(
            hall_pass.section_id, hall_pass.origin_id, hall_pass.destination_id
        )
        await tx.append_event(
            f"pass.{_past(verb_name)}", hall_pass, actor.user_id, now, body, grant_id=grant_id
        )
        if held_a_place and not PassState(changes["state"]).is_open:
            await offer_places(tx, now)  # the place it held (out, or offered) is free
        if not sees_full_names(actor):
            body = await serialise(tx, hall_pass.id, full_names=False)
        if idempotency_key is not None:
            await remember(tx, actor.user_id, idempotency_key, verb_name, hall_pass.id, body)
        return body


def _past(verb: str) -> str:
    return {
        "approve": "approved",
        "deny": "denied",
        "cancel": "cancelled",
        "arrive": "arrived",
        "end": "ended",
        "take": "taken",
    }[verb]


async def _changes(
    tx: SchoolTransaction, principal: Principal, hall_pass: Pass, verb: str, now: datetime
) -> dict[str, Any]:
    actor = principal.actor
    if verb == "approve":
        facts = await load_facts(
            tx.conn, tx.school, now, places=(hall_pass.origin_id, hall_pass.destination_id)
        )
        candidate = open_pass_of(hall_pass)
        decision = admit(facts, candidate)
        if decision.outcome is Outcome.DENIED:
            holding = tuple(p for p in facts.holding() if p.id != candidate.id)
            keep_prevented(tx, facts, candidate, holding)  # if a group blocked it
            raise refusal(decision, principal)
        assert decision.state is not None
        if decision.state is PassState.ACTIVE:
            others = tuple(p for p in facts.active() if p.id != candidate.id)
            await log_alerts(tx, facts, candidate, others)
        return {
            "decided_by_id": actor.user_id,
            **lifecycle_fields(decision.state, now, hall_pass.minutes, decision.line_reason),
        }
    if verb == "take":
        facts = await load_facts(tx.conn, tx.school, now)
        candidate = open_pass_of(hall_pass)
        others = tuple(p for p in facts.holding() if p.id != candidate.id)
        decision = take(facts, candidate)
        if decision.outcome is Outcome.DENIED:
            keep_prevented(tx, facts, candidate, others)  # if a group blocked it
            raise refusal(decision, principal)
        await log_alerts(tx, facts, candidate, facts.active())
        return lifecycle_fields(PassState.ACTIVE, now, hall_pass.minutes)
    if verb == "deny":
        return {
            "state": PassState.DENIED,
            "decided_by_id": actor.user_id,
            "ended_at": now,
            "open_student_id": None,
        }
    if verb == "cancel":
        return {"state": PassState.CANCELLED, "ended_at": now, "open_student_id": None}
    if verb == "arrive":
        return {"state": PassState.ACTIVE, "arrived_at": now}
    by_student = actor.role in (Role.STUDENT, Role.KIOSK)
    return {
        "state": PassState.ENDED,
        "ended_at": now,
        "open_student_id": None,
        "ended_by": EndedBy.STUDENT if by_student else EndedBy.STAFF,
    }


async def compare_and_set(tx: SchoolTransaction, hall_pass: Pass, changes: dict[str, Any]) -> None:
    """Write the changes only if the pass is still in the state and version we read."""
    try:
        updated = (
            await Pass.filter(id=hall_pass.id, state=hall_pass.state, version=hall_pass.version)
            .using_db(tx.conn)
            .update(version=hall_pass.version + 1, **changes)
        )
    except IntegrityError as exc:  # invariant 1 held by the database itself
        raise already_out() from exc
    if updated != 1:
        raise HallpassError(ErrorCode.INVALID_TRANSITION, "The pass changed meanwhile. Reload it.")
    hall_pass.version += 1


async def offer_places(tx: SchoolTransaction, now: datetime) -> list[int]:
    """Offer the places free now to the first in line who may go; return the passes offered.

    Each offer is a compare-and-set (`offer_expires_at` set, the pass stays waiting) with one
    `pass.offered` event. A student an encounter group holds back is skipped and the
    prevented encounter logged, as when they ask.
    """
    line = Pass.filter(school_id=tx.school.id, state=PassState.WAITING).using_db(tx.conn)
    if not await line.exists():
        return []  # the usual case: nobody in line, so no facts to load
    facts = await load_facts(tx.conn, tx.school, now, places=())  # the line: open passes
    move = offers(facts)
    by_id = {p.id: p for p in facts.open_passes}
    for pass_id in move.skipped:
        await log_prevented(tx, facts, by_id[pass_id], facts.holding())
    deadlines = await offer_deadlines(tx.conn, tx.school.id, (by_id[i] for i in move.offered), now)
    for pass_id in move.offered:
        hall_pass = await Pass.filter(id=pass_id).using_db(tx.conn).get()
        await compare_and_set(tx, hall_pass, {"offer_expires_at": deadlines[pass_id]})
        body = await serialise(tx, pass_id)
        await tx.append_event("pass.offered", hall_pass, None, now, body)
    return list(move.offered)
