"""A student's day for the hall monitor: where the timetable has them now, and today's passes.

Security and admins only: they see every pass of the school anyway (rules/permissions.py
SCHOOL_WIDE), so the answer shows nothing they could not already find on the live map.
"""

from __future__ import annotations

from typing import Any

from server.auth.principal import Principal
from server.clock import utcnow
from server.contract.common import wire
from server.enums import SCHOOL_WIDE, Role
from server.errors import forbidden, not_found
from server.models import Pass, School, User
from server.rules.localtime import day_start
from server.services.facts import zone_of
from server.services.placement import placement_json, placement_of
from server.services.students import student_json
from server.services.visibility import visible_passes


async def student_day(principal: Principal, student_id: int) -> dict[str, Any]:
    """Return one student of the caller's school: where they should be now, today's passes."""
    actor = principal.actor
    if actor.role not in SCHOOL_WIDE:
        raise forbidden("Only security and admins can look up a student's day.")
    student = (
        await User.filter(id=student_id, school_id=actor.school_id, role=Role.STUDENT)
        .select_related("home_location")
        .get_or_none()
    )
    if student is None:
        raise not_found("student")
    school = await School.get(id=actor.school_id)
    now = utcnow()
    passes = await visible_passes(
        actor, student_id=student.id, requested_since=day_start(now, zone_of(school.timezone))
    )
    open_pass = await Pass.exists(open_student_id=student.id)
    placed = await placement_of(None, school, student, now)
    return {
        "student": student_json(student, open_pass),
        "expected": await placement_json(placed),
        "passes": [wire(p) for p in passes],
    }
