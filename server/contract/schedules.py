"""The bell schedule: day types, periods, overrides, and today's bells."""

from __future__ import annotations

from datetime import date as CalendarDate
from typing import Annotated, Literal

from pydantic import (
    Field,
    StringConstraints,
)

from server.contract.common import NO_NUL, Out, Strict
from server.contract.policies import (
    MAX_DAY_TYPES,
    MAX_OVERRIDES,
    MAX_PERIODS,
    Clock,
    DayTypeName,
    PeriodName,
)


class PeriodIn(Strict):
    """A period: its name and school-local start and end (24-hour HH:MM)."""

    name: PeriodName
    start: Clock
    end: Clock


class DayTypeIn(Strict):
    """A day type's periods, in order, not overlapping."""

    periods: list[PeriodIn] = Field(min_length=1, max_length=MAX_PERIODS)


class WeekdaysIn(Strict):
    """The day type of each school weekday; null or left out: no school."""

    monday: DayTypeName | None = None
    tuesday: DayTypeName | None = None
    wednesday: DayTypeName | None = None
    thursday: DayTypeName | None = None
    friday: DayTypeName | None = None


class OverrideIn(Strict):
    """A date that follows another day type, or has no school (`day_type` null)."""

    date: CalendarDate
    day_type: DayTypeName | None
    note: Annotated[str, StringConstraints(max_length=200, pattern=NO_NUL)] = ""


class ScheduleIn(Strict):
    """A whole bell schedule: day types, each weekday's, and dates that differ."""

    day_types: dict[DayTypeName, DayTypeIn] = Field(max_length=MAX_DAY_TYPES)
    weekdays: WeekdaysIn = Field(default_factory=WeekdaysIn)
    overrides: list[OverrideIn] = Field(default_factory=list, max_length=MAX_OVERRIDES)


class PeriodOut(Out):
    """A period of a day type."""

    name: str
    start: str = Field(description="School-local HH:MM.")
    end: str = Field(description="School-local HH:MM.")


class DayTypeOut(Out):
    """A day type's periods."""

    periods: list[PeriodOut]


class OverrideOut(Out):
    """A date that follows another day type (null: no school)."""

    date: str
    day_type: str | None
    note: str


class ScheduleOut(Out):
    """The school's whole bell schedule."""

    timezone: str = Field(description="The school's IANA timezone: every time is local to it.")
    day_types: dict[str, DayTypeOut]
    weekdays: dict[str, str | None] = Field(description="monday to friday; null: no school.")
    overrides: list[OverrideOut]
    updated_at: str | None


class BellOut(Out):
    """A period of today."""

    name: str
    start: str = Field(description="School-local HH:MM.")
    end: str = Field(description="School-local HH:MM.")
    starts_at: str = Field(description="The same moment in UTC.")
    ends_at: str
    current: bool


class TodayOut(Out):
    """Today at school: its day type, its periods, and where the present falls."""

    timezone: str
    date: str = Field(description="Today's school-local date.")
    now: str
    day_type: str | None = Field(description="null: no school today.")
    status: Literal["no_school", "before_school", "in_period", "passing", "after_school"]
    current: str | None = Field(description="The current period's name.")
    next: str | None = Field(description="The next period's name.")
    periods: list[BellOut]
