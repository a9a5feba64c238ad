"""Appointments for a group: staff schedule one pass per student in one request, all or none.

The students are a list of ids, a grade or a student group (the names policies use). Every
student is checked before anything is written, so a bad id, a student the caller may not make
passes for, or a destination passes can't go to refuses the whole request and names who or
what; otherwise each student gets a scheduled pass and its own `pass.created` event, in one
school transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from server.auth.principal import Principal
from server.contract.passes import PassOut
from server.enums import Approval, PassKind, PassState, Role
from server.errors import forbidden, not_found
from server.models import Location, Pass, User
from server.rules import Outcome, PassRequest, decide_request
from server.rules.decision import FieldProblem
from server.rules.lifecycle import needs_approval
from server.rules.permissions import Action, PassTarget, may, may_schedule
from server.rules.timetable import Placement
from server.services.facts import accommodated, load_facts, place_of
from server.services.passes import MAX_SCHEDULE_AHEAD, refusal, serialise
from server.services.placement import placements_of
from server.services.transaction import SchoolTransaction, school_transaction
from server.services.validation import invalid

# The same bound as the request schema's list: a grade or group may not exceed it either.
MAX_GROUP = 200


@dataclass(frozen=True, slots=True)
class Selection:
    """Whom a group request is for: exactly one of a list of ids, a grade, a student group."""

    student_ids: tuple[int, ...] | None = None
    grade: int | None = None
    group: str | None = None

    def field(self) -> str | FieldProblem:
        """Return the one field that selects, or the problem when there are none or several."""
        given = [
            name
            for name, value in (
                ("student_ids", self.student_ids),
                ("grade", self.grade),
                ("group", self.group),
            )
            if value is not None
        ]
        if len(given) == 1:
            return given[0]
        message = "send one of `student_ids`, `grade` or `group`"
        return FieldProblem(given[1] if given else "student_ids", message)


async def schedule_group(
    principal: Principal,
    *,
    destination_id: int,
    selection: Selection,
    start_at: datetime,
    remind_minutes: int | None,
) -> list[PassOut]:
    """Schedule one pass per selected student, all or none; return them in the students' order."""
    actor = principal.actor
    if not may_schedule(actor):
        raise forbidden("Only staff can schedule passes.")
    field = selection.field()
    if isinstance(field, FieldProblem):
        raise invalid([field])
    start_at = start_at.astimezone(UTC)  # in UTC like every stored time
    async with school_transaction(actor.school_id) as tx:
        now = tx.now
        if start_at <= now:
            raise invalid([FieldProblem("start_at", "must be in the future")])
        if start_at > now + MAX_SCHEDULE_AHEAD:
            raise invalid([FieldProblem("start_at", "at most a year ahead")])
        destination = (
            await Location.filter(id=destination_id, school_id=actor.school_id)
            .using_db(tx.conn)
            .get_or_none()
        )
        if destination is None:
            raise not_found("location")
        students = await _selected(tx, actor.school_id, selection, field)
        # Each student leaves from where they are when the pass starts (its period's room).
        placed = await placements_of(tx.conn, tx.school, students, start_at, with_teachers=False)
        targets = _targets(principal, students, placed, destination, field)
        facts = await load_facts(tx.conn, tx.school, now)  # staff-made: no limits to read
        place = place_of(destination)
        bodies = []
        for target in targets:
            accepts = may(actor, Action.APPROVE, _accepting(target))
            request = PassRequest(
                target.student_id,
                target.origin_id,
                destination.id,
                True,
                start_at,
                accepts,
                section_id=target.section_id,
            )
            decision = decide_request(facts, request)
            if decision.outcome is Outcome.DENIED:  # the destination: the same for everyone
                raise refusal(decision, principal)
            assert decision.state is PassState.SCHEDULED
            hall_pass = await Pass.create(
                using_db=tx.conn,
                school_id=actor.school_id,
                student_id=target.student_id,
                origin_id=target.origin_id,
                section_id=target.section_id,
                period=placed[target.student_id].period,
                destination_id=destination.id,
                kind=PassKind.SCHEDULED,
                state=PassState.SCHEDULED,
                open_student_id=None,
                created_by_id=actor.user_id,
                # The maker's word is the approval, unless the destination's staff must accept.
                decided_by_id=None if needs_approval(place, request) else actor.user_id,
                requested_at=now,
                start_at=start_at,
                remind_minutes=remind_minutes,
                minutes=destination.default_minutes,
                # An accommodation goes with every pass the student gets (ADR 0005), as in
                # `create_pass`: at its start a full place puts it at the front of the line.
                line_priority=await accommodated(tx.conn, actor.school_id, target.student_id),
            )
            body = await serialise(tx, hall_pass.id)
            grant_id = principal.grant_for(target.section_id, target.origin_id, destination.id)
            await tx.append_event(
                "pass.created", hall_pass, actor.user_id, now, body, grant_id=grant_id
            )
            bodies.append(body)
        return bodies


def _targets(
    principal: Principal,
    students: list[User],
    placed: Mapping[int, Placement],
    destination: Location,
    field: str,
) -> list[PassTarget]:
    """Return each student's pass as authorisation sees it, or raise naming who can't go."""
    actor = principal.actor
    targets: list[PassTarget] = []
    homeless: list[FieldProblem] = []
    for index, student in enumerate(students):
        placement = placed[student.id]
        if placement.room_id is None:
            homeless.append(_about(field, index, student.id, "has no classroom to leave from"))
            continue
        targets.append(
            PassTarget(
                actor.school_id,
                student.id,
                placement.room_id,
                destination.id,
                destination.approval,
                section_id=placement.section_id,
            )
        )
    if homeless:
        raise invalid(homeless, "A student has no classroom to leave from.")
    refused = [t.student_id for t in targets if not may(actor, Action.ISSUE, t)]
    if refused:
        listed = ", ".join(str(i) for i in refused[:10])
        raise forbidden(f"You can't make passes to this place for student(s) {listed}.")
    return targets


def _accepting(target: PassTarget) -> PassTarget:
    """Return the target as a visit the destination's staff accept: may the caller accept it?"""
    return replace(target, approval=Approval.DESTINATION_STAFF)


def _about(field: str, index: int, student_id: int, message: str) -> FieldProblem:
    """Name a student's problem: by position in `student_ids`, else on the grade or group."""
    if field == "student_ids":
        return FieldProblem(f"student_ids[{index}]", f"{message} ({student_id})")
    return FieldProblem(field, f"student {student_id} {message}")


async def _selected(
    tx: SchoolTransaction, school_id: int, selection: Selection, field: str
) -> list[User]:
    """Return the selected active students of the school, or raise naming what is wrong."""
    students = User.filter(school_id=school_id, role=Role.STUDENT, active=True).using_db(tx.conn)
    if selection.student_ids is not None:
        ids = selection.student_ids
        repeated = [
            FieldProblem(f"student_ids[{i}]", f"repeats student {sid}")
            for i, sid in enumerate(ids)
            if sid in ids[:i]
        ]
        if repeated:
            raise invalid(repeated)
        found = {s.id: s for s in await students.filter(id__in=ids)}
        # Another school's student is as unknown as a made-up id (never say it exists).
        missing = [(i, sid) for i, sid in enumerate(ids) if sid not in found]
        if missing:
            raise invalid(
                [
                    FieldProblem(f"student_ids[{i}]", f"no such student ({sid})")
                    for i, sid in missing
                ],
                f"No such student: {', '.join(str(sid) for _, sid in missing[:10])}.",
            )
        return [found[sid] for sid in ids]
    if selection.grade is not None:
        chosen = list(await students.filter(grade=selection.grade).order_by("id"))
    else:
        # Group names live in a JSON list per student: filtered here, portably across backends.
        chosen = [s for s in await students.order_by("id") if selection.group in (s.groups or [])]
    if not chosen:
        raise invalid([FieldProblem(field, "no active students")])
    if len(chosen) > MAX_GROUP:
        raise invalid([FieldProblem(field, f"more than {MAX_GROUP} students")])
    return chosen
