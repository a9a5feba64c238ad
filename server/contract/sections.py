"""Bodies of sections (classes), their rosters per period, and a student's day."""

from __future__ import annotations

from pydantic import Field

from server.contract.common import Out
from server.contract.encounters import NamedRef


class Meeting(Out):
    """When a section meets: a bell period, on one day type or (null) on every day type."""

    day_type: str | None
    period: str


class SectionPerson(Out):
    """A teacher or student of a section, as staff see them."""

    id: int
    name: str
    student_number: str | None = None
    primary: bool = False


class SectionOut(Out):
    """A section with its room, meetings, teachers and (in the detail) its students."""

    id: int
    source_id: str | None
    title: str
    code: str
    room: NamedRef | None
    meetings: list[Meeting]
    homeroom: bool
    active: bool
    teachers: list[SectionPerson]
    student_count: int
    students: list[SectionPerson] | None = Field(
        default=None, description="The roster: only in `GET /api/sections/{id}`."
    )


class SectionList(Out):
    """Sections of the school (or the teacher's own), optionally those meeting in one period."""

    sections: list[SectionOut]
    total: int = Field(0, description="Sections matching the filters, on every page.")
    limit: int = 100
    offset: int = 0
    period: str | None = Field(None, description="The period the list is for, if one was asked.")
    day_type: str | None = Field(
        None, description="The day type whose period it is (today's unless one was asked)."
    )


class Slot(Out):
    """Where a student is in one period of a day: the section, its room and teachers."""

    period: str
    start: str = Field(description="School-local wall-clock time, `HH:MM`.")
    end: str
    section: NamedRef | None = Field(description="Null: no section, so the homeroom applies.")
    room: NamedRef | None
    teachers: list[NamedRef]


class DaySchedule(Out):
    """A student's day: each period of the date's day type, and where they are."""

    student: NamedRef
    date: str
    day_type: str | None
    homeroom: NamedRef | None
    slots: list[Slot]


class Placement(Out):
    """Where a student is now, as the rules see it: their room and its teachers."""

    room: NamedRef | None
    section: NamedRef | None
    period: str | None
    teachers: list[NamedRef]
