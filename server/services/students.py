"""The staff's student lookup: who a teacher may issue a pass to, found by name or number.

Teachers and substitutes see the students they have in a period of today (the current one, or
the one named): those of their sections meeting then, or outside the periods (or with no
section then) the homeroom students of their rooms and of the homeroom sections they teach, as
server/services/placement.py `class_list` says; each student says which period, section and
room they are listed for. Security, the nurse, the counselor and admins see every student of
the school; students and kiosks see nobody. Each student comes with minimal fields and
whether they hold an open pass: never an accommodation, never an encounter group (DESIGN.md
invariant 5 keeps those to admins).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tortoise.expressions import Q

from server.auth.principal import Principal
from server.clock import utcnow
from server.enums import CLASSROOM_STAFF, STAFF_ROLES, Role
from server.errors import forbidden, not_found
from server.models import Location, Pass, School, User
from server.services.placement import Seat, class_list
from server.services.users import search


def _ref(row_id: int | None, name: str | None) -> dict[str, Any] | None:
    return None if row_id is None or name is None else {"id": row_id, "name": name}


def student_json(student: User, open_pass: bool, listed: Listed | None = None) -> dict[str, Any]:
    """Serialise a student as staff look them up (home location loaded); `listed`: where a
    teacher's list has them."""
    home = student.home_location
    where = listed or Listed()
    return {
        "id": student.id,
        "name": student.display_name,
        "login": student.login,
        "student_number": student.student_number,
        "grade": student.grade,
        "home_location": None if home is None else {"id": home.id, "name": home.name},
        "has_open_pass": open_pass,
        "period": where.period,
        "section": _ref(where.section_id, where.section_title),
        "room": _ref(where.room_id, where.room_name),
    }


@dataclass(frozen=True, slots=True)
class Listed:
    """Where a teacher's list has a student: the period, section and room it is for."""

    period: str | None = None
    section_id: int | None = None
    section_title: str | None = None
    room_id: int | None = None
    room_name: str | None = None


async def find_students(
    principal: Principal,
    *,
    q: str | None,
    location_id: int | None,
    limit: int,
    period: str | None = None,
) -> list[dict[str, Any]]:
    """Return the active students the caller may look up, matching the search, by name.

    A teacher's or substitute's: those they have in `period` today (default: now).
    """
    actor = principal.actor
    if actor.role not in STAFF_ROLES:
        raise forbidden("Only staff can look students up.")
    query = User.filter(search(q), school_id=actor.school_id, role=Role.STUDENT, active=True)
    seats: Mapping[int, Seat] = {}
    listed_period: str | None = None
    if actor.role in CLASSROOM_STAFF:
        school = await School.get(id=actor.school_id)
        roster = await class_list(None, school, actor, utcnow(), period)
        # The period a list of sections is for; a homeroom list is for none.
        listed_period = roster.period if roster.seats is not None else None
        if roster.seats is not None:
            seats = roster.seats
            if location_id is not None:
                if location_id not in {s.room_id for s in seats.values()} | actor.location_ids:
                    raise forbidden("This room is not one of yours.")
                seats = {k: v for k, v in seats.items() if v.room_id == location_id}
            query = query.filter(id__in=sorted(seats) or [0])
        else:
            if location_id is not None and location_id not in actor.location_ids:
                raise forbidden("This room is not one of yours.")
            rooms = [location_id] if location_id is not None else sorted(actor.location_ids)
            seats = {
                k: v
                for k, v in roster.homeroom_seats.items()
                if location_id is None or v.room_id == location_id
            }
            query = query.filter(Q(home_location_id__in=rooms) | Q(id__in=sorted(seats) or [0]))
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
    if actor.role not in CLASSROOM_STAFF:
        return [student_json(s, s.id in out) for s in students]
    room_ids = {seat.room_id for seat in seats.values() if seat.room_id is not None}
    names = dict(await Location.filter(id__in=sorted(room_ids)).values_list("id", "name"))
    listed: list[dict[str, Any]] = []
    for student in students:
        seat = seats.get(student.id)
        if seat is None:  # a homeroom student of the teacher's room
            home = student.home_location
            where = Listed(listed_period)
            if home is not None:
                where = Listed(listed_period, room_id=home.id, room_name=home.name)
        else:
            where = Listed(
                listed_period,
                seat.section_id,
                seat.section_title,
                seat.room_id,
                names.get(seat.room_id) if seat.room_id is not None else None,
            )
        listed.append(student_json(student, student.id in out, where))
    return listed
