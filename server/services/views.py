"""Pass views as each audience may see them (DESIGN.md section 4, invariant 5).

A pass leaves the server only as a `PassOut` (server/contract/passes.py), built here from the
row and serialised with `wire`: the REST answers, the event log (and so the /ws events) and
the /ws snapshot are one model, and the contract, not the ORM, names the fields.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from server import runtime
from server.auth.pass_marks import check_code
from server.contract.common import NamedRef
from server.contract.passes import PassOut, PersonRef, PlaceRef
from server.enums import EndedBy, LineReason, LocationKind, PassKind, PassState
from server.models import Location, Pass, Section, User
from server.names import short_name
from server.rules.line import positions
from server.services.facts import open_pass_of


def iso(value: datetime | None) -> str | None:
    """Return an ISO 8601 UTC timestamp, or None."""
    return None if value is None else value.isoformat().replace("+00:00", "Z")


def student_name(user: User, *, full: bool) -> str:
    """Return the name a screen may show: full for staff, the kiosk's short name otherwise."""
    return user.display_name if full else short_name(user.first_name, user.last_name)


def place_ref(location: Location) -> PlaceRef:
    """Return a location as a pass names it."""
    return PlaceRef(id=location.id, name=location.name, kind=LocationKind(location.kind))


def section_ref(hall_pass: Pass) -> NamedRef | None:
    """Return the section a pass left, by id and title (loaded with the pass), or None."""
    if hall_pass.section_id is None:
        return None
    section = hall_pass.section
    title = section.title if isinstance(section, Section) else ""
    return NamedRef(id=hall_pass.section_id, name=title)


def pass_view(hall_pass: Pass, *, position: int | None = None, full_names: bool = True) -> PassOut:
    """Return the view of a pass whose student, origin, destination and section are loaded."""
    student = hall_pass.student
    requested_at = iso(hall_pass.requested_at)
    assert requested_at is not None  # the column is not nullable
    return PassOut(
        id=hall_pass.id,
        state=PassState(hall_pass.state),
        kind=PassKind(hall_pass.kind),
        student=PersonRef(
            id=student.id,
            name=student_name(student, full=full_names),
            # What a door kiosk shows, carried in every pass (and so in the event log) so the
            # hub's kiosk frames need not split a full name, which can't be done right.
            short_name=student_name(student, full=False),
        ),
        origin=place_ref(hall_pass.origin),
        destination=place_ref(hall_pass.destination),
        section=section_ref(hall_pass),
        period=hall_pass.period,
        minutes=hall_pass.minutes,
        ended_by=None if hall_pass.ended_by is None else EndedBy(hall_pass.ended_by),
        position=position,
        offer_expires_at=iso(hall_pass.offer_expires_at),
        line_reason=None
        if hall_pass.state is not PassState.WAITING or hall_pass.line_reason is None
        else LineReason(hall_pass.line_reason),
        version=hall_pass.version,
        requested_at=requested_at,
        start_at=iso(hall_pass.start_at),
        started_at=iso(hall_pass.started_at),
        arrived_at=iso(hall_pass.arrived_at),
        due_at=iso(hall_pass.due_at),
        ended_at=iso(hall_pass.ended_at),
        delayed_at=iso(hall_pass.delayed_at),
        remind_minutes_before=hall_pass.remind_minutes,
        reminded_at=iso(hall_pass.reminded_at),
        overdue_at=iso(hall_pass.overdue_at),
        # For the student and staff, who check it in the hallway; not for a shared door kiosk.
        check_code=check_code(runtime.current().check_key, hall_pass.id) if full_names else None,
    )


def line_positions(waiting: Iterable[Pass], now: datetime) -> dict[int, int]:
    """Return each waiting pass's 1-based place in its destination's line (offered first)."""
    return positions((open_pass_of(p) for p in waiting), now)
