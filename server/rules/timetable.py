"""Which section a student is in at a moment, and where they are outside their periods.

Pure: the caller loads the student's enrollments (server/services/placement.py) and the day
(server/rules/schedule.py `day_at`); this module decides. A period is matched by its name, so
"Period 2" of an assembly day is the same class as "Period 2" of a regular day unless a
section names the day type it meets on.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from server.rules.schedule import Bell, Day, Status


class Fallback(StrEnum):
    """Where a student is outside the periods of their sections (a school setting)."""

    # Their homeroom or advisory: a homeroom section's room, else their home room.
    HOMEROOM = "homeroom"
    # In passing time and at lunch, the room of the period that just ended (the teacher who
    # last had them answers for them); before school, their homeroom as above.
    PREVIOUS_PERIOD = "previous_period"


@dataclass(frozen=True, slots=True)
class Meeting:
    """A bell period a section meets in, on one day type or (None) on every day type."""

    period: str
    day_type: str | None = None


@dataclass(frozen=True, slots=True)
class Enrolled:
    """One active section of a student: where it meets, when, and who teaches it."""

    section_id: int
    title: str
    room_id: int | None
    meetings: tuple[Meeting, ...]
    teacher_ids: tuple[int, ...] = ()
    homeroom: bool = False
    starts_on: date | None = None
    ends_on: date | None = None
    # The enrollment's own dates (a student who joined the class mid-term).
    begins_on: date | None = None
    until: date | None = None


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a student is at a moment: the room their pass leaves from, and its teachers.

    `section_id` None means the homeroom (or a school without sections): the room's assigned
    staff answer for the student, as before sections existed.
    """

    room_id: int | None
    section_id: int | None = None
    period: str | None = None
    teacher_ids: tuple[int, ...] = ()


def _same(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


def runs_on(enrolled: Enrolled, on: date) -> bool:
    """Say whether the section (and the student's place in it) runs on the date."""
    firsts = [d for d in (enrolled.starts_on, enrolled.begins_on) if d is not None]
    lasts = [d for d in (enrolled.ends_on, enrolled.until) if d is not None]
    return all(on >= d for d in firsts) and all(on <= d for d in lasts)


def meets(enrolled: Enrolled, day_type: str | None, period: str, on: date) -> bool:
    """Say whether the section meets in the named period of a day of that day type."""
    if day_type is None or not runs_on(enrolled, on):
        return False
    return any(
        _same(m.period, period) and (m.day_type is None or _same(m.day_type, day_type))
        for m in enrolled.meetings
    )


def section_in(
    sections: Iterable[Enrolled], day_type: str | None, period: str, on: date
) -> Enrolled | None:
    """Return the section the student is in during a period, or None.

    Two sections in one period (a data error the import reports but a school may live with):
    a class before a homeroom, then the lowest id, so every screen picks the same one.
    """
    found = [s for s in sections if meets(s, day_type, period, on)]
    found.sort(key=lambda s: (s.homeroom, s.section_id))
    return found[0] if found else None


def _placed(section: Enrolled, period: str | None) -> Placement:
    return Placement(section.room_id, section.section_id, period, section.teacher_ids)


def homeroom_of(sections: Iterable[Enrolled], homeroom_id: int | None, on: date) -> Placement:
    """Return the student's homeroom on a date: a homeroom section that runs then and has a
    room (the lowest id, so every screen picks the same one), else their home room."""
    rooms = sorted(
        (s for s in sections if s.homeroom and s.room_id is not None and runs_on(s, on)),
        key=lambda s: s.section_id,
    )
    return _placed(rooms[0], None) if rooms else Placement(homeroom_id)


def _bell_before(day: Day) -> Bell | None:
    """Return the bell that ended last: before the current one (lunch), or before the next
    one (passing time)."""
    # place_at asks only in a period or in passing time, so one of the two is always set.
    upcoming = day.current or day.next
    assert upcoming is not None
    index = day.bells.index(upcoming)
    return day.bells[index - 1] if index > 0 else None


def place_at(
    day: Day, sections: Sequence[Enrolled], homeroom_id: int | None, fallback: Fallback
) -> Placement:
    """Return where the student is at the moment `day` was taken (server/rules/schedule.py
    `day_at`): in a period, the section they have then (its room, period and teachers).

    Outside one (before or after school, passing time, a period they have no section in, a
    day without school, a section without a room) the school's `fallback` decides: their
    homeroom (`homeroom_of`), or with PREVIOUS_PERIOD, in passing time and in a period of
    theirs without a class (lunch), the section of the bell that just ended, if they had one.
    """
    if day.status is Status.IN_PERIOD and day.current is not None:
        name = day.current.period.name
        found = section_in(sections, day.day_type, name, day.date)
        if found is not None and found.room_id is not None:
            return _placed(found, name)
    if fallback is Fallback.PREVIOUS_PERIOD and day.status in (Status.IN_PERIOD, Status.PASSING):
        before = _bell_before(day)
        if before is not None:
            name = before.period.name
            found = section_in(sections, day.day_type, name, day.date)
            if found is not None and found.room_id is not None:
                return _placed(found, name)
    return homeroom_of(sections, homeroom_id, day.date)
