"""The staff's student lookup: who a teacher may issue a pass to, found by name or number.

Teachers and substitutes see the students whose classroom is one of their rooms; security,
the nurse, the counselor and admins see every student of the school; students and kiosks see
nobody. Each student comes with minimal fields and whether they hold an open pass: never an
accommodation, never an encounter group (DESIGN.md invariant 5 keeps those to admins).
"""

from __future__ import annotations

from typing import Any

from server.auth.principal import Principal
from server.enums import CLASSROOM_STAFF, STAFF_ROLES, Role
from server.errors import forbidden, not_found
from server.models import Location, Pass, User
from server.services.users import search


def student_json(student: User, open_pass: bool) -> dict[str, Any]:
    """Serialise a student as staff look them up (home location loaded)."""
    home = student.home_location
    return {
        "id": student.id,
        "name": student.display_name,
        "login": student.login,
        "student_number": student.student_number,
        "grade": student.grade,
        "home_location": None if home is None else {"id": home.id, "name": home.name},
        "has_open_pass": open_pass,
    }


async def find_students(
    principal: Principal, *, q: str | None, location_id: int | None, limit: int
) -> list[dict[str, Any]]:
    """Return the active students the caller may look up, matching the search, by name."""
    actor = principal.actor
    if actor.role not in STAFF_ROLES:
        raise forbidden("Only staff can look students up.")
    query = User.filter(search(q), school_id=actor.school_id, role=Role.STUDENT, active=True)
    if actor.role in CLASSROOM_STAFF:
        if location_id is not None and location_id not in actor.location_ids:
            raise forbidden("This room is not one of yours.")
        rooms = [location_id] if location_id is not None else sorted(actor.location_ids)
        query = query.filter(home_location_id__in=rooms)
    elif location_id is not None:
        if not await Location.exists(id=location_id, school_id=actor.school_id):
            raise not_found("location")
        query = query.filter(home_location_id=location_id)
    students = (
        await query.order_by("last_name", "first_name", "id")
        .limit(limit)
        .select_related("home_location")
    )
    rows = await Pass.filter(open_student_id__in=[s.id for s in students]).values("open_student_id")
    out = {int(row["open_student_id"]) for row in rows}
    return [student_json(s, s.id in out) for s in students]
