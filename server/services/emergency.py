"""Emergency mode (issue 7): start, account for the roster, end; each in the school's lock.

Starting cancels every scheduled, pending and waiting pass (one event each), freezes the roster
of students out of class, and sets `schools.emergency_id`, which every later pass decision
reads under the same lock (`SchoolFacts.emergency`): no pass can start after the emergency
began, whatever was in flight. Ending ends the roster's passes (`ended_by` emergency) and
clears the column; the admin's `passes_enabled` switch is never touched. Every change bumps
the emergency's revision and is announced after commit to every process's hub, which sends
each socket its audience's view (server/services/emergency_views.py).
"""

from __future__ import annotations

import logging
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from server import runtime
from server.auth.principal import Principal
from server.enums import STAFF_ROLES, EmergencyKind, EndedBy, PassState, ReportStatus, Role
from server.errors import ErrorCode, HallpassError, forbidden, not_found
from server.models import (
    Emergency,
    EmergencyReport,
    Location,
    Pass,
    RosterEntry,
    School,
    User,
)
from server.notify import enqueue_emergency
from server.services.emergency_views import staff_view, summary, view_for
from server.services.passes import compare_and_set, serialise
from server.services.transaction import SchoolTransaction, school_transaction

log = logging.getLogger("hallpass.emergency")

# Who may start one (DESIGN.md section 4): the people who see the danger first.
STARTERS = frozenset({Role.ADMIN, Role.SECURITY})
# Who may end one and read the past record: the one who answers for the all-clear.
ENDERS = frozenset({Role.ADMIN})
# Who may mark a roster student present: any staff member who has them in sight.
MARKERS = STAFF_ROLES
CANCELLED_AT_START = (PassState.SCHEDULED, PassState.PENDING, PassState.WAITING)
# A past-emergency list is short (a few drills a term); this bounds a response anyway.
MAX_LISTED = 200


async def _announce(school_id: int, state: dict[str, Any]) -> None:
    # The listeners of the app this change ran in (server/runtime.py): its hub.
    for hook in runtime.current().emergency_listeners:
        try:
            await hook(school_id, state)
        except Exception:
            # Committed: screens that missed it read it on their next connect or GET.
            log.exception("emergency listener %r failed", hook)


def wrapped(principal: Principal, state: dict[str, Any] | None) -> dict[str, Any]:
    """Return GET /api/emergency's body: whether one is on, and the caller's view of it."""
    if state is None:
        return {"active": False, "emergency": None}
    return {"active": bool(state["active"]), "emergency": view_for(principal.actor, state)}


def invalid(field: str, message: str) -> HallpassError:
    """Return the 422 naming one bad field."""
    return HallpassError(
        ErrorCode.VALIDATION_ERROR,
        f"Invalid request: {field}.",
        details={"fields": [{"field": field, "message": message}]},
    )


def no_emergency() -> HallpassError:
    """Return the 409 for an action that needs an emergency in force."""
    return HallpassError(ErrorCode.NO_EMERGENCY, "No emergency is in force.")


async def load_state(conn: BaseDBAsyncClient | None, emergency_id: int) -> dict[str, Any]:
    """Read an emergency's whole record as staff see it (three queries)."""
    emergency = (
        await Emergency.filter(id=emergency_id)
        .using_db(conn)
        .select_related("started_by", "ended_by")
        .get()
    )
    entries = (
        await RosterEntry.filter(emergency_id=emergency_id)
        .using_db(conn)
        .select_related("student", "origin", "destination")
    )
    entries.sort(key=lambda e: (e.student.last_name, e.student.first_name, e.student_id))
    reports = (
        await EmergencyReport.filter(emergency_id=emergency_id)
        .using_db(conn)
        .select_related("by", "location")
        .order_by("at", "id")
    )
    return staff_view(emergency, entries, reports)


async def current_state(conn: BaseDBAsyncClient | None, school: School) -> dict[str, Any] | None:
    """Return the school's emergency in force as staff see it, or None."""
    if school.emergency_id is None:
        return None
    return await load_state(conn, school.emergency_id)


async def read_current(principal: Principal) -> dict[str, Any]:
    """Return whether an emergency is on and the caller's view of it (every role)."""
    school = await School.get(id=principal.actor.school_id)
    return wrapped(principal, await current_state(None, school))


def _last_known(hall_pass: Pass) -> str:
    name = hall_pass.destination.name
    return name if hall_pass.arrived_at is not None else f"on the way to {name}"


async def start_emergency(principal: Principal, kind: EmergencyKind) -> dict[str, Any]:
    """Start an emergency: cancel passes not yet out, freeze the roster, tell every staff
    member; all in one transaction under the school's lock."""
    actor = principal.actor
    if actor.role not in STARTERS:
        raise forbidden("Only an administrator or security can start an emergency.")
    async with school_transaction(actor.school_id) as tx:
        if tx.school.emergency_id is not None:
            raise HallpassError(
                ErrorCode.EMERGENCY_ACTIVE,
                "An emergency is already in force; end it before starting another.",
            )
        now = tx.now
        emergency = await Emergency.create(
            using_db=tx.conn,
            school_id=tx.school.id,
            kind=kind,
            started_at=now,
            started_by_id=actor.user_id,
        )
        tx.school.emergency_id = emergency.id
        await School.filter(id=tx.school.id).using_db(tx.conn).update(emergency_id=emergency.id)
        await _cancel_not_yet_out(tx, actor.user_id)
        out = (
            await Pass.filter(school_id=tx.school.id, state=PassState.ACTIVE)
            .using_db(tx.conn)
            .select_related("destination")
            .order_by("id")
        )
        if out:
            await RosterEntry.bulk_create(
                [
                    RosterEntry(
                        emergency_id=emergency.id,
                        student_id=p.student_id,
                        hall_pass_id=p.id,
                        origin_id=p.origin_id,
                        destination_id=p.destination_id,
                        started_at=p.started_at or now,
                        arrived_at=p.arrived_at,
                        last_known=_last_known(p),
                    )
                    for p in out
                ],
                using_db=tx.conn,
            )
        await _queue_notices(tx, emergency, "started", len(out))
        state = await load_state(tx.conn, emergency.id)
    await _announce(actor.school_id, state)
    return wrapped(principal, state)


async def _cancel_not_yet_out(tx: SchoolTransaction, actor_id: int) -> None:
    """Cancel every scheduled, pending and waiting pass, each with one event (invariant 4)."""
    waiting = (
        await Pass.filter(school_id=tx.school.id, state__in=list(CANCELLED_AT_START))
        .using_db(tx.conn)
        .order_by("id")
    )
    for hall_pass in waiting:
        await compare_and_set(
            tx,
            hall_pass,
            {
                "state": PassState.CANCELLED,
                "ended_at": tx.now,
                "ended_by": EndedBy.EMERGENCY,
                "open_student_id": None,
                "offer_expires_at": None,
            },
        )
        body = await serialise(tx, hall_pass.id)
        await tx.append_event("pass.cancelled", hall_pass, actor_id, tx.now, body)


async def _queue_notices(
    tx: SchoolTransaction, emergency: Emergency, phase: str, roster_size: int
) -> None:
    await enqueue_emergency(
        tx.conn, tx.school, emergency.id, str(emergency.kind), phase, roster_size, tx.now
    )
    tx.queued = True


async def _in_force(tx: SchoolTransaction) -> Emergency:
    if tx.school.emergency_id is None:
        raise no_emergency()
    return await Emergency.filter(id=tx.school.emergency_id).using_db(tx.conn).get()


async def _place(tx: SchoolTransaction, location_id: int | None) -> int | None:
    """Check a reported place is one of the school's (422 naming `location_id` if not)."""
    if location_id is None:
        return None
    found = await Location.filter(id=location_id, school_id=tx.school.id).using_db(tx.conn).exists()
    if not found:
        raise invalid("location_id", "no such place in your school")
    return location_id


async def _record(
    tx: SchoolTransaction,
    emergency: Emergency,
    student_id: int,
    by_id: int,
    status: ReportStatus,
    location_id: int | None,
    note: str,
) -> dict[str, Any]:
    entry = (
        await RosterEntry.filter(emergency_id=emergency.id, student_id=student_id)
        .using_db(tx.conn)
        .get_or_none()
    )
    if entry is None:
        raise HallpassError(
            ErrorCode.NOT_ON_ROSTER,
            "Only students who were out of class when the emergency began are on its roster.",
        )
    location_id = await _place(tx, location_id)
    await EmergencyReport.create(
        using_db=tx.conn,
        emergency_id=emergency.id,
        entry_id=entry.id,
        status=status,
        location_id=location_id,
        note=note,
        by_id=by_id,
        at=tx.now,
    )
    emergency.revision += 1
    await emergency.save(using_db=tx.conn, update_fields=["revision"])
    return await load_state(tx.conn, emergency.id)


async def report_self(
    principal: Principal, status: ReportStatus, location_id: int | None, note: str
) -> dict[str, Any]:
    """Record a roster student's own word: safe or in need of help, where, and a note."""
    actor = principal.actor
    if actor.role is not Role.STUDENT:
        raise forbidden("Only a student on the roster reports for themselves; staff mark them.")
    async with school_transaction(actor.school_id) as tx:
        emergency = await _in_force(tx)
        state = await _record(
            tx, emergency, actor.user_id, actor.user_id, status, location_id, note
        )
    await _announce(actor.school_id, state)
    return wrapped(principal, state)


async def mark_present(
    principal: Principal, student_id: int, location_id: int, note: str
) -> dict[str, Any]:
    """Record that a staff member has a roster student with them, in a room."""
    actor = principal.actor
    if actor.role not in MARKERS:
        raise forbidden("Only staff can mark a student present.")
    async with school_transaction(actor.school_id) as tx:
        emergency = await _in_force(tx)
        student = (
            await User.filter(id=student_id, school_id=actor.school_id, role=Role.STUDENT)
            .using_db(tx.conn)
            .exists()
        )
        if not student:
            raise not_found("student")
        state = await _record(
            tx, emergency, student_id, actor.user_id, ReportStatus.PRESENT, location_id, note
        )
    await _announce(actor.school_id, state)
    return wrapped(principal, state)


async def end_emergency(principal: Principal) -> dict[str, Any]:
    """End the emergency: end the roster's passes (`ended_by` emergency), keep the record,
    let passes start again (the admin's own switch stays as it was), tell every staff member."""
    actor = principal.actor
    if actor.role not in ENDERS:
        raise forbidden("Only an administrator can end an emergency.")
    async with school_transaction(actor.school_id) as tx:
        emergency = await _in_force(tx)
        pass_ids = (
            await RosterEntry.filter(emergency_id=emergency.id)
            .using_db(tx.conn)
            .values_list("hall_pass_id", flat=True)
        )
        out = (
            await Pass.filter(id__in=[i for i in pass_ids if i], state=PassState.ACTIVE)
            .using_db(tx.conn)
            .order_by("id")
        )
        for hall_pass in out:
            await compare_and_set(
                tx,
                hall_pass,
                {
                    "state": PassState.ENDED,
                    "ended_at": tx.now,
                    "ended_by": EndedBy.EMERGENCY,
                    "open_student_id": None,
                },
            )
            body = await serialise(tx, hall_pass.id)
            await tx.append_event("pass.ended", hall_pass, actor.user_id, tx.now, body)
        emergency.ended_at = tx.now
        emergency.ended_by_id = actor.user_id
        emergency.revision += 1
        await emergency.save(
            using_db=tx.conn, update_fields=["ended_at", "ended_by_id", "revision"]
        )
        tx.school.emergency_id = None
        await School.filter(id=tx.school.id).using_db(tx.conn).update(emergency_id=None)
        await _queue_notices(tx, emergency, "ended", len(pass_ids))
        state = await load_state(tx.conn, emergency.id)
    await _announce(actor.school_id, state)
    return wrapped(principal, state)


def require_role(principal: Principal, roles: frozenset[Role], what: str) -> None:
    """Refuse (403) a caller whose role is not among `roles`."""
    if principal.actor.role not in roles:
        raise forbidden(what)


async def list_past(principal: Principal) -> list[dict[str, Any]]:
    """Return the school's emergencies, newest first, without their rosters (admins)."""
    require_role(principal, ENDERS, "Only an administrator can read past emergencies.")
    rows = (
        await Emergency.filter(school_id=principal.actor.school_id)
        .order_by("-started_at", "-id")
        .limit(MAX_LISTED)
        .only("id")
    )
    return [summary(await load_state(None, row.id)) for row in rows]


async def read_record(
    principal: Principal, emergency_id: int, readers: frozenset[Role] = ENDERS
) -> dict[str, Any]:
    """Return one emergency's whole record (404 for another school's)."""
    require_role(principal, readers, "Your role can't read this emergency's record.")
    found = await Emergency.filter(id=emergency_id, school_id=principal.actor.school_id).exists()
    if not found:
        raise not_found("emergency")
    return await load_state(None, emergency_id)
