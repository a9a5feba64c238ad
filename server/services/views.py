"""Pass JSON as each audience may see it (DESIGN.md section 4, invariant 5)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from server.models import Location, Pass, User
from server.names import short_name
from server.rules.line import positions
from server.services.facts import open_pass_of


def iso(value: datetime | None) -> str | None:
    """Return an ISO 8601 UTC timestamp, or None."""
    return None if value is None else value.isoformat().replace("+00:00", "Z")


def student_name(user: User, *, full: bool) -> str:
    """Return the name a screen may show: full for staff, first name and initial on a kiosk."""
    return user.display_name if full else short_name(user.first_name, user.last_name)


def _place(location: Location) -> dict[str, Any]:
    return {"id": location.id, "name": location.name, "kind": str(location.kind)}


def pass_json(
    hall_pass: Pass, *, position: int | None = None, full_names: bool = True
) -> dict[str, Any]:
    """Serialise a pass whose student, origin and destination are loaded."""
    body: dict[str, Any] = {
        "id": hall_pass.id,
        "state": str(hall_pass.state),
        "kind": str(hall_pass.kind),
        "student": {
            "id": hall_pass.student.id,
            "name": student_name(hall_pass.student, full=full_names),
            # What a door kiosk shows, carried in every pass (and so in the event log) so the
            # hub's kiosk frames need not split a full name, which can't be done right.
            "short_name": student_name(hall_pass.student, full=False),
        },
        "origin": _place(hall_pass.origin),
        "destination": _place(hall_pass.destination),
        "minutes": hall_pass.minutes,
        "ended_by": None if hall_pass.ended_by is None else str(hall_pass.ended_by),
        "position": position,
        "offer_expires_at": iso(hall_pass.offer_expires_at),
        "version": hall_pass.version,
        "remind_minutes_before": hall_pass.remind_minutes,
    }
    body.update({name: iso(value) for name, value in hall_pass.timestamps().items()})
    return body


def line_positions(waiting: Iterable[Pass], now: datetime) -> dict[int, int]:
    """Return each waiting pass's 1-based place in its destination's line (offered first)."""
    return positions((open_pass_of(p) for p in waiting), now)
