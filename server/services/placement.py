"""Where students are at a moment, and who a teacher has in a period: the timetable, loaded.

A student's active sections come in two indexed queries (their enrollments with each section's
room, meetings and term; then the sections' teachers), the bells in two more only when they
have a section; server/rules/timetable.py decides. A school without sections costs one query
that finds nothing, and every student is in their home room all day, as before sections.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from server.auth.principal import Principal
from server.clock import utcnow
from server.enums import EnrollmentRole
from server.errors import forbidden
from server.models import Enrollment, Location, School, Section, User
from server.rules.decision import FieldProblem
from server.rules.localtime import local_date
from server.rules.permissions import Actor
from server.rules.schedule import Day, Status, day_at
from server.rules.timetable import Enrolled, Fallback, Meeting, Placement, meets, place_at, runs_on
from server.services.facts import load_schedule, zone_of
from server.services.validation import invalid

# Where School.settings keeps where students are outside their periods (a Fallback value).
OUTSIDE_PERIODS = "outside_periods"

# The section columns a placement reads, through the enrollment.
_SECTION_COLUMNS = (
    "section_id",
    "section__title",
    "section__location_id",
    "section__meetings",
    "section__homeroom",
    "section__starts_on",
    "section__ends_on",
    "begins_on",
    "ends_on",
)


def fallback_of(school: School) -> Fallback:
    """Return where the school's students are outside their periods (homeroom by default)."""
    raw = (school.settings or {}).get(OUTSIDE_PERIODS)
    return Fallback(raw) if raw in {f.value for f in Fallback} else Fallback.HOMEROOM


def meetings_of(raw: object) -> tuple[Meeting, ...]:
    """Return a section's stored meetings (its JSON column) as the timetable rules take them."""
    if not isinstance(raw, list):
        return ()
    return tuple(
        Meeting(str(m["period"]), m["day_type"] if isinstance(m.get("day_type"), str) else None)
        for m in raw
        if isinstance(m, dict) and isinstance(m.get("period"), str)
    )


def _enrolled(row: Mapping[str, Any], teachers: Mapping[int, tuple[int, ...]]) -> Enrolled:
    return Enrolled(
        section_id=row["section_id"],
        title=row["section__title"],
        room_id=row["section__location_id"],
        meetings=meetings_of(row["section__meetings"]),
        teacher_ids=teachers.get(row["section_id"], ()),
        homeroom=row["section__homeroom"],
        starts_on=row["section__starts_on"],
        ends_on=row["section__ends_on"],
        begins_on=row["begins_on"],
        until=row["ends_on"],
    )


async def teachers_of(
    conn: BaseDBAsyncClient | None, school_id: int, section_ids: Iterable[int]
) -> dict[int, tuple[int, ...]]:
    """Return each section's teachers (active teacher enrollments), by section (one query)."""
    ids = sorted(set(section_ids))
    if not ids:
        return {}
    rows = (
        await Enrollment.filter(
            school_id=school_id, section_id__in=ids, role=EnrollmentRole.TEACHER, active=True
        )
        .using_db(conn)
        .values("section_id", "user_id")
    )
    found: dict[int, list[int]] = {}
    for row in rows:
        found.setdefault(row["section_id"], []).append(row["user_id"])
    return {section: tuple(sorted(users)) for section, users in found.items()}


async def enrolled_of(
    conn: BaseDBAsyncClient | None,
    school_id: int,
    user_ids: Sequence[int],
    role: EnrollmentRole = EnrollmentRole.STUDENT,
    *,
    with_teachers: bool = True,
) -> dict[int, list[Enrolled]]:
    """Return the users' active sections (as students, or as teachers), by user: one query, and
    one more for the sections' teachers unless `with_teachers` is False."""
    if not user_ids:
        return {}
    rows = (
        await Enrollment.filter(
            school_id=school_id,
            user_id__in=sorted(set(user_ids)),
            active=True,
            role=role,
            section__active=True,
        )
        .using_db(conn)
        .values("user_id", *_SECTION_COLUMNS)
    )
    if not rows:
        return {}
    teachers = (
        await teachers_of(conn, school_id, (row["section_id"] for row in rows))
        if with_teachers
        else {}
    )
    found: dict[int, list[Enrolled]] = {}
    for row in rows:
        found.setdefault(row["user_id"], []).append(_enrolled(row, teachers))
    return found


async def day_of(conn: BaseDBAsyncClient | None, school: School, at: datetime) -> Day:
    """Return the school-local day of `at` by the school's bells (no schedule: no school)."""
    zone = zone_of(school.timezone)
    on = local_date(at, zone)
    schedule = await load_schedule(conn, school.id, (on,))
    if schedule is None:
        return Day(on, None, (), Status.NO_SCHOOL)
    return day_at(schedule, at, zone)


async def placements_of(
    conn: BaseDBAsyncClient | None,
    school: School,
    students: Sequence[User],
    at: datetime,
    *,
    with_teachers: bool = True,
) -> dict[int, Placement]:
    """Return where each student is at `at`, by id (their home room when they have no section).

    Without `with_teachers` the placements name no teachers (a pass needs only its section)."""
    sections = await enrolled_of(
        conn, school.id, [s.id for s in students], with_teachers=with_teachers
    )
    day = await day_of(conn, school, at) if sections else None
    fallback = fallback_of(school)
    placed: dict[int, Placement] = {}
    for student in students:
        mine = sections.get(student.id)
        if day is None or not mine:
            placed[student.id] = Placement(student.home_location_id)
        else:
            placed[student.id] = place_at(day, mine, student.home_location_id, fallback)
    return placed


async def placement_of(
    conn: BaseDBAsyncClient | None,
    school: School,
    student: User,
    at: datetime,
    *,
    with_teachers: bool = True,
) -> Placement:
    """Return where a student is at `at`: the room a pass of theirs leaves, and its section."""
    placed = await placements_of(conn, school, [student], at, with_teachers=with_teachers)
    return placed[student.id]


@dataclass(frozen=True, slots=True)
class Seat:
    """A student on a teacher's list: the section and room they are listed for."""

    section_id: int
    section_title: str
    room_id: int | None


@dataclass(frozen=True, slots=True)
class ClassList:
    """The students a teacher has in a period of today.

    `seats` None: no section of theirs meets then (or it is outside the periods), so the list
    is the homeroom students of their rooms (their `home_location`, as before sections) and of
    the homeroom sections they teach (`homeroom_seats`).
    """

    period: str | None
    day: date
    seats: dict[int, Seat] | None
    homeroom_seats: dict[int, Seat]


def period_named(day: Day, name: str) -> str:
    """Return today's period of that name (ignoring case and spaces), or the 422 naming it."""
    for bell in day.bells:
        if bell.period.name.strip().casefold() == name.strip().casefold():
            return bell.period.name
    known = ", ".join(bell.period.name for bell in day.bells) or "none today"
    raise invalid([FieldProblem("period", f"not a period of today's bells ({known})")])


async def _students_of(
    conn: BaseDBAsyncClient | None, school_id: int, sections: Sequence[Enrolled], on: date
) -> dict[int, Seat]:
    """Return the students of the sections on a date, by id (the lowest section id first)."""
    if not sections:
        return {}
    by_id = {s.section_id: s for s in sections}
    rows = (
        await Enrollment.filter(
            school_id=school_id,
            section_id__in=sorted(by_id),
            role=EnrollmentRole.STUDENT,
            active=True,
        )
        .using_db(conn)
        .order_by("section_id")
        .values("user_id", "section_id", "begins_on", "ends_on")
    )
    seats: dict[int, Seat] = {}
    for row in rows:
        section = by_id[row["section_id"]]
        theirs = Enrolled(0, "", None, (), begins_on=row["begins_on"], until=row["ends_on"])
        if row["user_id"] in seats or not runs_on(theirs, on):
            continue
        seats[row["user_id"]] = Seat(section.section_id, section.title, section.room_id)
    return seats


async def class_list(
    conn: BaseDBAsyncClient | None,
    school: School,
    actor: Actor,
    at: datetime,
    period: str | None = None,
) -> ClassList:
    """Return the students a teacher has in a period today: the current one unless named.

    The students of their sections meeting then; outside the periods, or when none of their
    sections meets, the homeroom students (server/rules/timetable.py's fallback, as today).
    A period name not in today's bells is a 422.
    """
    day = await day_of(conn, school, at)
    name = period_named(day, period) if period is not None else None
    if name is None and day.status is Status.IN_PERIOD and day.current is not None:
        name = day.current.period.name
    taught = (await enrolled_of(conn, school.id, [actor.user_id], EnrollmentRole.TEACHER)).get(
        actor.user_id, []
    )
    if name is not None:
        meeting = [s for s in taught if meets(s, day.day_type, name, day.date)]
        if meeting:
            seats = await _students_of(conn, school.id, meeting, day.date)
            return ClassList(name, day.date, seats, {})
    homerooms = [s for s in taught if s.homeroom and runs_on(s, day.date)]
    return ClassList(name, day.date, None, await _students_of(conn, school.id, homerooms, day.date))


async def where_now(principal: Principal) -> dict[str, Any]:
    """Return where the signed-in student is now (GET /api/placement): room, section, period
    and teachers, so their screen can say "From Room 102". Students only (403 otherwise)."""
    if not principal.is_student:
        raise forbidden("Only a student has a place in the timetable.")
    school = await School.get(id=principal.actor.school_id)
    return await placement_json(await placement_of(None, school, principal.user, utcnow()))


async def placement_json(placed: Placement) -> dict[str, Any]:
    """Serialise a placement as GET /api/placement answers: room, section, period, teachers."""
    rooms = await Location.filter(id=placed.room_id or 0).values("id", "name")
    section = (
        await Section.filter(id=placed.section_id).values("id", "title")
        if placed.section_id is not None
        else []
    )
    teachers = (
        await User.filter(id__in=list(placed.teacher_ids)).order_by("last_name", "first_name", "id")
        if placed.teacher_ids
        else []
    )
    return {
        "room": rooms[0] if rooms else None,
        "section": {"id": section[0]["id"], "name": section[0]["title"]} if section else None,
        "period": placed.period,
        "teachers": [{"id": t.id, "name": t.display_name} for t in teachers],
    }
