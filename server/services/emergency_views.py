"""An emergency as each audience may see it: staff the whole roster, a student their own entry,
a kiosk that one is on and its kind. Pure functions of the staff view (a dict), so the API and
every process's hub (which holds only the staff view a broker notice carried) cut it the same
way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from server.enums import ACCOUNTED_STATUSES, EmergencyKind, ReportStatus, Role
from server.models import Emergency, EmergencyReport, RosterEntry, User
from server.rules.permissions import Actor
from server.services.views import iso

# A roster student nobody has reported on yet.
MISSING = "missing"


def person(user: User | None, *, role: bool = False) -> dict[str, Any] | None:
    """Return `{"id", "name"}` of a user (with `role`, for who made a report), or None."""
    if user is None:
        return None
    body: dict[str, Any] = {"id": user.id, "name": user.display_name}
    if role:
        body["role"] = str(user.role)
    return body


def report_json(report: EmergencyReport) -> dict[str, Any]:
    """Serialise a report whose `by` and `location` are loaded: who, when, what."""
    location = report.location
    return {
        "id": report.id,
        "status": str(report.status),
        "location": None if location is None else {"id": location.id, "name": location.name},
        "note": report.note,
        "at": iso(report.at),
        "by": person(report.by, role=True),
    }


def entry_json(entry: RosterEntry, reports: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Serialise a roster entry (student, origin, destination loaded) with its reports, oldest
    first; its status is the latest report's, or `missing`."""
    status = reports[-1]["status"] if reports else MISSING
    return {
        "student": {"id": entry.student.id, "name": entry.student.display_name},
        "pass_id": entry.hall_pass_id,
        "origin": {"id": entry.origin.id, "name": entry.origin.name},
        "destination": {"id": entry.destination.id, "name": entry.destination.name},
        "started_at": iso(entry.started_at),
        "arrived_at": iso(entry.arrived_at),
        "last_known": entry.last_known,
        "status": status,
        "accounted": status in {str(s) for s in ACCOUNTED_STATUSES},
        "reports": list(reports),
    }


def staff_view(
    emergency: Emergency, entries: Iterable[RosterEntry], reports: Iterable[EmergencyReport]
) -> dict[str, Any]:
    """Return the whole record: the emergency, the roster with every report, the counter."""
    by_entry: dict[int, list[dict[str, Any]]] = {}
    for report in reports:
        by_entry.setdefault(report.entry_id, []).append(report_json(report))
    roster = [entry_json(e, by_entry.get(e.id, [])) for e in entries]
    return {
        "audience": "staff",
        "id": emergency.id,
        "kind": str(emergency.kind),
        "drill": emergency.kind is EmergencyKind.DRILL,
        "active": emergency.ended_at is None,
        "started_at": iso(emergency.started_at),
        "started_by": person(emergency.started_by),
        "ended_at": iso(emergency.ended_at),
        "ended_by": person(emergency.ended_by),
        "revision": emergency.revision,
        "counts": {
            "total": len(roster),
            "accounted": sum(1 for e in roster if e["accounted"]),
            "missing": sum(1 for e in roster if e["status"] == MISSING),
            "need_help": sum(1 for e in roster if e["status"] == ReportStatus.NEED_HELP),
        },
        "missing": [e["student"] for e in roster if not e["accounted"]],
        "roster": roster,
    }


def student_view(staff: dict[str, Any], student_id: int) -> dict[str, Any]:
    """Return what a student sees: that an emergency is on, its kind, and their own entry."""
    own = [e for e in staff["roster"] if e["student"]["id"] == student_id]
    return {
        "audience": "student",
        "id": staff["id"],
        "kind": staff["kind"],
        "drill": staff["drill"],
        "active": staff["active"],
        "started_at": staff["started_at"],
        "ended_at": staff["ended_at"],
        "revision": staff["revision"],
        "you": own[0] if own else None,
    }


def kiosk_view(staff: dict[str, Any]) -> dict[str, Any]:
    """Return what a shared kiosk shows: that an emergency is on (or has ended) and its kind,
    so a drill says DRILL at the door as on every other screen; never a name."""
    return {
        "audience": "kiosk",
        "id": staff["id"],
        "kind": staff["kind"],
        "drill": staff["drill"],
        "active": staff["active"],
        "started_at": staff["started_at"],
        "ended_at": staff["ended_at"],
        "revision": staff["revision"],
    }


def view_for(actor: Actor, staff: dict[str, Any]) -> dict[str, Any]:
    """Return the emergency as this caller may see it."""
    if actor.role is Role.STUDENT:
        return student_view(staff, actor.user_id)
    if actor.role is Role.KIOSK:
        return kiosk_view(staff)
    return staff


def summary(staff: dict[str, Any]) -> dict[str, Any]:
    """Return a past emergency as a list shows it: the record without the roster."""
    return {k: v for k, v in staff.items() if k not in ("roster", "missing", "audience")}
