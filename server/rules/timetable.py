"""Which section a student is in at a moment, and where they are outside their periods.

Pure: the caller loads the student's enrollments (server/services/placement.py) and the day
(server/rules/schedule.py `day_at`); this module decides. A period is matched by its name, so
"Period 2" of an assembly day is the same class as "Period 2" of a regular day unless a
section names the day type it meets on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


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
