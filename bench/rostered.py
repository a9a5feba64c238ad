"""A full roster for the benches (`--roster`): a district in the bench school, classes now.

The district of tests/roster/samples.py `district` (20,000 users, 1,000 sections, 100,000
enrollments by default) is imported into ONE school, the bench's, with the import's own API
(`for_school`, `run_import`): its three orgs are folded into the school's org, so every
placement query runs against the whole enrollment table. Then the bench's own students get
a class that meets now: a day type with one period covering the day, given to today's and
tomorrow's dates by schedule overrides, and one section per room taught by the room's teacher
(so the section's teacher approves, as in a real school). Each bench student also sits in a
few district sections of other periods, like a district student. See bench/README.md.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

from tortoise import connections

from server.clock import utcnow
from server.enums import EnrollmentRole
from server.models import (
    BellSchedule,
    Enrollment,
    Location,
    ScheduleOverride,
    School,
    Section,
    User,
)
from server.roster.imports import run_import
from server.roster.read import read_path
from server.roster.records import Roster, SchoolRecord, Where
from server.roster.targets import for_school
from server.rules.localtime import local_date
from server.services.facts import zone_of
from tests.roster.samples import district

# The day type and period the bench's classes meet in: the whole school-local day, so every
# request of a run is in a period (a run across local midnight moves to tomorrow's override;
# only 23:59-00:00 is outside it).
DAY_TYPE = "bench"
PERIOD = "Bench"
WHOLE_DAY = [{"name": PERIOD, "start": "00:00", "end": "23:59"}]
# A district student has about five sections; a bench student has its class and these many more.
OTHER_SECTIONS = 4


@dataclass(frozen=True, slots=True)
class Seating:
    """One class that meets now: its room, its teacher, and its students (logins)."""

    room: str
    teacher: str
    students: tuple[str, ...]


def district_roster(
    folder: Path, users: int = 20_000, sections: int = 1_000, enrollments: int = 100_000
) -> Roster:
    """Write the district's OneRoster zip into `folder` and read it back."""
    started = time.perf_counter()
    roster = read_path(district(folder / "district.zip", users, sections, enrollments))
    if roster.problems:
        raise SystemExit(f"bench: the district has problems: {roster.problems[:5]}")
    print(
        f"bench: district of {len(roster.users)} users, {len(roster.sections)} sections, "
        f"{len(roster.enrollments)} enrollments written and read in "
        f"{time.perf_counter() - started:.1f}s",
        flush=True,
    )
    return roster


def folded(roster: Roster, org: SchoolRecord) -> Roster:
    """Return the roster with every org's people, sections and enrollments in `org`."""
    one = (org.source_id,)
    return Roster(
        format=roster.format,
        schools={org.source_id: org},
        users={k: replace(u, school_ids=one) for k, u in roster.users.items()},
        sections={k: replace(s, school_id=org.source_id) for k, s in roster.sections.items()},
        enrollments={k: replace(e, school_id=org.source_id) for k, e in roster.enrollments.items()},
        delta=roster.delta,
    )


async def import_into(school: School, roster: Roster) -> None:
    """Import the whole roster into the school, as `hallpass roster import --school` does."""
    org_id = school.source_id or f"bench-{school.slug}"
    org = SchoolRecord(org_id, school.name, Where("orgs.csv", 2))
    whole = folded(roster, org)
    target = await for_school(whole, school, org_id)
    outcome = await run_import(whole, [target], dry_run=False, source="bench-district.zip")
    if outcome.problems:
        raise SystemExit(f"bench: the roster import was refused: {outcome.problems[:5]}")


async def meet_now(school: School) -> None:
    """Give the school a day type with one all-day period, on today's and tomorrow's dates."""
    schedule, _ = await BellSchedule.get_or_create(school_id=school.id)
    schedule.day_types = {**schedule.day_types, DAY_TYPE: WHOLE_DAY}
    await schedule.save(update_fields=["day_types", "updated_at"])
    today = local_date(utcnow(), zone_of(school.timezone))
    for day in (today, today + timedelta(days=1)):
        await ScheduleOverride.update_or_create(
            defaults={"day_type": DAY_TYPE, "note": "bench"}, school_id=school.id, date=day
        )


async def seat(school: School, seatings: Sequence[Seating]) -> None:
    """Make each seating's section (meeting now) and put the other district sections around it."""
    others = [
        int(row["id"])
        for row in await Section.filter(
            school_id=school.id, active=True, source_id__not_isnull=True
        )
        .order_by("id")
        .values("id")
    ]
    rows: list[Enrollment] = []
    placed = 0
    for seating in seatings:
        room = await Location.get(school_id=school.id, name=seating.room)
        section = await Section.create(
            school_id=school.id,
            title=f"Bench class in {seating.room}",
            code=f"BENCH-{room.id}",
            location_id=room.id,
            meetings=[{"day_type": DAY_TYPE, "period": PERIOD}],
        )
        teacher = await User.get(school_id=school.id, login=seating.teacher)
        rows.append(
            Enrollment(
                school_id=school.id,
                section_id=section.id,
                user_id=teacher.id,
                role=EnrollmentRole.TEACHER,
                primary=True,
            )
        )
        students = await User.filter(school_id=school.id, login__in=seating.students).values("id")
        for student in students:
            student_id = int(student["id"])
            mine = {section.id}
            # Spread over the district's sections: other periods of the student's day.
            for k in range(OTHER_SECTIONS if others else 0):
                mine.add(others[(placed * 37 + k * 211) % len(others)])
            placed += 1
            rows += [
                Enrollment(
                    school_id=school.id,
                    section_id=section_id,
                    user_id=student_id,
                    role=EnrollmentRole.STUDENT,
                )
                for section_id in sorted(mine)
            ]
    await Enrollment.bulk_create(rows, batch_size=500)


async def roster_school(slug: str, roster: Roster, seatings: Sequence[Seating]) -> dict[str, int]:
    """Import the district into the school, seat the bench's classes now; return the counts."""
    school = await School.get(slug=slug)
    started = time.perf_counter()
    await import_into(school, roster)
    imported = time.perf_counter() - started
    await meet_now(school)
    await seat(school, seatings)
    conn = connections.get("default")
    if conn.capabilities.dialect == "postgres":
        # What autovacuum does within a minute of a bulk import: the planner's statistics
        # then know the school's 100,000 enrollments, and no run changes plans midway.
        await conn.execute_script("ANALYZE")
    counts = {
        "users": await User.filter(school_id=school.id).count(),
        "sections": await Section.filter(school_id=school.id, active=True).count(),
        "enrollments": await Enrollment.filter(school_id=school.id, active=True).count(),
        "locations": await Location.filter(school_id=school.id).count(),
    }
    print(
        f"bench: {school.name} rostered in {imported:.1f}s: "
        + ", ".join(f"{n} {what}" for what, n in counts.items()),
        flush=True,
    )
    return counts
