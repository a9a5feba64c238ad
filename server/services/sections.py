"""Sections as staff read them: the list (per period), one section's roster, a student's day.

Who sees what: admins, security and counselors every section of the school; teachers and
substitutes the sections they teach or that meet in one of their rooms (the rooms they answer
for passes from); students only their own day; anyone else nothing. A section or student the
caller may not see is the same 404 as one that does not exist.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from tortoise.expressions import Q
from tortoise.functions import Count

from server.auth.principal import Principal
from server.clock import utcnow
from server.enums import CLASSROOM_STAFF, EnrollmentRole, Role
from server.errors import forbidden, not_found
from server.models import Enrollment, Location, School, Section, User
from server.rules.localtime import local_date
from server.rules.schedule import bells_on, day_type_on
from server.rules.timetable import Enrolled, homeroom_of, meets, section_in
from server.services.facts import load_schedule, zone_of
from server.services.placement import enrolled_of, meetings_of

# Staff who read every section of the school and any student's day.
SCHOOL_SECTIONS = frozenset({Role.ADMIN, Role.SECURITY, Role.COUNSELOR})


@dataclass(frozen=True, slots=True)
class SectionFilter:
    """What GET /api/sections asks for: a period (of a day type), a search, a page."""

    period: str | None = None
    day_type: str | None = None
    q: str | None = None
    limit: int = 100
    offset: int = 0


def require_section_reader(principal: Principal) -> None:
    """Refuse anyone who reads no section at all: students, kiosks, the nurse (403)."""
    role = principal.actor.role
    if role not in SCHOOL_SECTIONS and role not in CLASSROOM_STAFF:
        raise forbidden("Only administrators, security, counselors and teachers read sections.")


async def _own_section_ids(principal: Principal) -> set[int]:
    """Return the active sections a teacher or substitute teaches or that meet in their rooms."""
    actor = principal.actor
    taught = await Enrollment.filter(
        school_id=actor.school_id, user_id=actor.user_id, role=EnrollmentRole.TEACHER, active=True
    ).values("section_id")
    found = {int(row["section_id"]) for row in taught}
    if actor.location_ids:
        roomed = await Section.filter(
            school_id=actor.school_id, location_id__in=sorted(actor.location_ids)
        ).values("id")
        found |= {int(row["id"]) for row in roomed}
    return found


def timetable_of(section: Section) -> Enrolled:
    """Return the rules' view of a section: when and where it meets, and its term."""
    return Enrolled(
        section_id=section.id,
        title=section.title,
        room_id=section.location_id,
        meetings=meetings_of(section.meetings),
        homeroom=section.homeroom,
        starts_on=section.starts_on,
        ends_on=section.ends_on,
    )


def _ref(row: Location | Section | None, name: str | None = None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {"id": row.id, "name": name if name is not None else getattr(row, "name", "")}


async def _teachers(section_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """Return each section's active teachers, the primary first, then by name."""
    rows = (
        await Enrollment.filter(
            section_id__in=list(section_ids), role=EnrollmentRole.TEACHER, active=True
        )
        .select_related("user")
        .order_by("-primary", "user__last_name", "user__first_name", "user_id")
    )
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        found[row.section_id].append(
            {"id": row.user_id, "name": row.user.display_name, "primary": row.primary}
        )
    return found


async def _student_counts(section_ids: Iterable[int]) -> dict[int, int]:
    rows = (
        await Enrollment.filter(
            section_id__in=list(section_ids), role=EnrollmentRole.STUDENT, active=True
        )
        .annotate(n=Count("id"))
        .group_by("section_id")
        .values("section_id", "n")
    )
    return {int(row["section_id"]): int(row["n"]) for row in rows}


def section_json(
    section: Section, teachers: list[dict[str, Any]], student_count: int
) -> dict[str, Any]:
    """Serialise a section as staff see it (its room loaded), without its roster."""
    return {
        "id": section.id,
        "source_id": section.source_id,
        "title": section.title,
        "code": section.code,
        "room": _ref(section.location),
        "meetings": [
            {"day_type": m.day_type, "period": m.period} for m in meetings_of(section.meetings)
        ],
        "homeroom": section.homeroom,
        "active": section.active,
        "teachers": teachers,
        "student_count": student_count,
    }


async def _school_today(school_id: int) -> tuple[School, date]:
    school = await School.get(id=school_id)
    return school, local_date(utcnow(), zone_of(school.timezone))


async def list_sections(principal: Principal, wanted: SectionFilter) -> dict[str, Any]:
    """Return a page of the active sections the caller may read, optionally of one period."""
    require_section_reader(principal)
    school_id = principal.actor.school_id
    query = Section.filter(school_id=school_id, active=True)
    if principal.actor.role in CLASSROOM_STAFF:
        query = query.filter(id__in=sorted(await _own_section_ids(principal)))
    for word in (wanted.q or "").split():
        query = query.filter(Q(title__icontains=word) | Q(code__icontains=word))
    ordered = query.select_related("location").order_by("title", "id")
    day_type = wanted.day_type
    if wanted.period is None:
        total = await query.count()
        page = await ordered.offset(wanted.offset).limit(wanted.limit)
    else:
        # Which sections meet in a period is the rules' to say (names matched case and spaces
        # aside, terms, day types): they judge every active section of the school, in memory.
        _, today = await _school_today(school_id)
        if day_type is None:
            schedule = await load_schedule(None, school_id, (today,))
            day_type = None if schedule is None else day_type_on(schedule, today)
        period = wanted.period
        meeting = [s for s in await ordered if meets(timetable_of(s), day_type, period, today)]
        total = len(meeting)
        page = meeting[wanted.offset : wanted.offset + wanted.limit]
    ids = [s.id for s in page]
    teachers, counts = await _teachers(ids), await _student_counts(ids)
    return {
        "sections": [section_json(s, teachers.get(s.id, []), counts.get(s.id, 0)) for s in page],
        "total": total,
        "limit": wanted.limit,
        "offset": wanted.offset,
        "period": wanted.period,
        "day_type": day_type if wanted.period is not None else wanted.day_type,
    }


async def read_section(principal: Principal, section_id: int) -> dict[str, Any]:
    """Return one section with its roster (active students, by name)."""
    require_section_reader(principal)
    actor = principal.actor
    if actor.role in CLASSROOM_STAFF and section_id not in await _own_section_ids(principal):
        raise not_found("section")
    section = await Section.filter(id=section_id, school_id=actor.school_id).first()
    if section is None:
        raise not_found("section")
    await section.fetch_related("location")
    teachers, counts = await _teachers([section.id]), await _student_counts([section.id])
    students = (
        await Enrollment.filter(section_id=section.id, role=EnrollmentRole.STUDENT, active=True)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user_id")
    )
    body = section_json(section, teachers.get(section.id, []), counts.get(section.id, 0))
    body["students"] = [
        {
            "id": row.user_id,
            "name": row.user.display_name,
            "student_number": row.user.student_number,
            "primary": False,
        }
        for row in students
    ]
    return body


async def _may_read_day(principal: Principal, student: User) -> bool:
    """Say whether the caller may read this student's day (a teacher: one of theirs)."""
    actor = principal.actor
    if actor.role in SCHOOL_SECTIONS:
        return True
    if actor.role is Role.STUDENT:
        return student.id == actor.user_id
    if actor.role in CLASSROOM_STAFF:
        if student.home_location_id is not None and student.home_location_id in actor.location_ids:
            return True
        return await Enrollment.exists(
            user_id=student.id,
            role=EnrollmentRole.STUDENT,
            active=True,
            section_id__in=sorted(await _own_section_ids(principal)),
        )
    return False


async def student_day(
    principal: Principal, student_id: int | None, on: date | None
) -> dict[str, Any]:
    """Return a student's day: each period of the date's day type, their section and room.

    `student_id` None is the caller themselves (a student's own day).
    """
    actor = principal.actor
    if student_id is None:
        if actor.role is not Role.STUDENT:
            raise forbidden("Only a student has a day of their own; ask for a student by id.")
        student_id = actor.user_id
    if actor.role is not Role.STUDENT:
        require_section_reader(principal)
    student = await User.filter(id=student_id, school_id=actor.school_id, role=Role.STUDENT).first()
    if student is None or not await _may_read_day(principal, student):
        raise not_found("student")
    school, today = await _school_today(actor.school_id)
    day = today if on is None else on
    zone = zone_of(school.timezone)
    schedule = await load_schedule(None, actor.school_id, (day,))
    day_type = None if schedule is None else day_type_on(schedule, day)
    bells = () if schedule is None else bells_on(schedule, day, zone)
    # The same sections, read the same way, as where a pass leaves from (services/placement.py).
    found = await enrolled_of(None, actor.school_id, [student.id], with_teachers=False)
    enrolled = found.get(student.id, [])
    picked = {
        bell.period.name: section_in(enrolled, day_type, bell.period.name, day) for bell in bells
    }
    home = homeroom_of(enrolled, student.home_location_id, day)
    ids = {e.section_id for e in picked.values() if e is not None}
    sections = {
        s.id: s for s in await Section.filter(id__in=sorted(ids)).select_related("location")
    }
    teachers = await _teachers(ids)
    homeroom = None if home.room_id is None else await Location.get_or_none(id=home.room_id)
    slots = []
    for bell in bells:
        chosen = picked[bell.period.name]
        section = None if chosen is None else sections[chosen.section_id]
        slots.append(
            {
                "period": bell.period.name,
                "start": f"{bell.period.start:%H:%M}",
                "end": f"{bell.period.end:%H:%M}",
                "section": None if section is None else _ref(section, section.title),
                "room": None if section is None else _ref(section.location),
                "teachers": []
                if section is None
                else [{"id": t["id"], "name": t["name"]} for t in teachers.get(section.id, [])],
            }
        )
    return {
        "student": {"id": student.id, "name": student.display_name},
        "date": day.isoformat(),
        "day_type": day_type,
        "homeroom": _ref(homeroom),
        "slots": slots,
    }
