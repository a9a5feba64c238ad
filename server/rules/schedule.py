"""The bell schedule: the day type a date follows, where in the day a moment falls, and the
no-fly windows derived from the periods.

Periods are school-local wall-clock times; everything this module returns is a UTC instant of
one date, so a bell at 08:00 is 14:00 UTC in winter and 13:00 UTC in summer in Chicago.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from enum import StrEnum

from server.rules.facts import BellSchedule, Period
from server.rules.localtime import at_local, local_date

# The weekdays a schedule gives a default day type to (weekends have none: a Saturday event
# is a date override).
SCHOOL_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")


class Status(StrEnum):
    """Where a moment falls in the school day."""

    NO_SCHOOL = "no_school"
    BEFORE_SCHOOL = "before_school"
    IN_PERIOD = "in_period"
    PASSING = "passing"  # between two periods
    AFTER_SCHOOL = "after_school"


class WindowKind(StrEnum):
    """Why a no-fly window is there."""

    AFTER_START = "after_start"  # the first minutes of a period
    BEFORE_END = "before_end"  # the last minutes of a period
    WHOLE_PERIOD = "whole_period"  # a period without passes


@dataclass(frozen=True, slots=True)
class Bell:
    """A period on one date, from its start to its end as UTC instants."""

    period: Period
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class Day:
    """A school day at one moment: its day type, its bells, and where the moment falls."""

    date: date
    day_type: str | None
    bells: tuple[Bell, ...]
    status: Status
    current: Bell | None = None
    next: Bell | None = None


@dataclass(frozen=True, slots=True)
class Window:
    """A stretch of time in which students can't start passes: [start, end)."""

    start: datetime
    end: datetime
    kind: WindowKind
    period: str
    minutes: int = 0  # the setting that made it (0 for a whole period)


def day_type_on(schedule: BellSchedule, day: date) -> str | None:
    """Return the day type a date follows: its override, else its weekday's (None: no school)."""
    if day in schedule.overrides:
        return schedule.overrides[day]
    return schedule.weekdays[day.weekday()]


def bells_on(schedule: BellSchedule, day: date, zone: tzinfo) -> tuple[Bell, ...]:
    """Return the day's periods as UTC instants, first first."""
    name = day_type_on(schedule, day)
    periods = () if name is None else schedule.day_types.get(name, ())
    bells = []
    for period in periods:
        start = at_local(day, period.start, zone)
        # A start in the hour spring-forward skips reads as an hour later: never past the end.
        end = max(start, at_local(day, period.end, zone))
        bells.append(Bell(period, start, end))
    return tuple(bells)


def day_at(schedule: BellSchedule, now: datetime, zone: tzinfo) -> Day:
    """Return the school-local day of `now`, its bells, and the current or next period."""
    day = local_date(now, zone)
    bells = bells_on(schedule, day, zone)
    current = next((bell for bell in bells if bell.start <= now < bell.end), None)
    upcoming = next((bell for bell in bells if bell.start > now), None)
    if not bells:
        status = Status.NO_SCHOOL
    elif current is not None:
        status = Status.IN_PERIOD
    elif now < bells[0].start:
        status = Status.BEFORE_SCHOOL
    elif upcoming is None:
        status = Status.AFTER_SCHOOL
    else:
        status = Status.PASSING
    return Day(day, day_type_on(schedule, day), bells, status, current, upcoming)


def no_fly_windows(
    bells: Iterable[Bell], after_start: int, before_end: int, closed: Iterable[str] = ()
) -> tuple[Window, ...]:
    """Return the windows without passes, in order of start.

    The first `after_start` and last `before_end` minutes of each period, and the whole of
    each closed period (matched by name, ignoring case and surrounding spaces).
    """
    closed_names = {name.strip().casefold() for name in closed}
    windows: list[Window] = []
    for bell in bells:
        name = bell.period.name
        if name.casefold() in closed_names:
            windows.append(Window(bell.start, bell.end, WindowKind.WHOLE_PERIOD, name))
            continue  # the whole period covers its first and last minutes
        if after_start:
            end = min(bell.end, bell.start + timedelta(minutes=after_start))
            windows.append(Window(bell.start, end, WindowKind.AFTER_START, name, after_start))
        if before_end:
            start = max(bell.start, bell.end - timedelta(minutes=before_end))
            windows.append(Window(start, bell.end, WindowKind.BEFORE_END, name, before_end))
    return tuple(sorted(windows, key=lambda window: (window.start, window.end)))


def covering(at: datetime, windows: Iterable[Window]) -> tuple[Window, ...]:
    """Return the windows `at` falls in."""
    return tuple(window for window in windows if window.start <= at < window.end)


def reopens_at(at: datetime, windows: Sequence[Window]) -> datetime:
    """Return the first moment from `at` on that no window covers (windows in order of start).

    Windows that touch or overlap chain: the last minutes of one period and a closed period
    right after it end together.
    """
    for window in windows:
        if window.start <= at < window.end:
            at = window.end
    return at


def schedule_problems(
    day_types: Mapping[str, Sequence[Period]],
    weekdays: Mapping[str, str | None],
    overrides: Sequence[tuple[date, str | None]],
) -> list[tuple[str, str]]:
    """Return each (field, message) that makes a schedule unusable; empty when it is sound.

    Periods end after they start, come in order without overlapping (one may start as the
    one before ends), and have distinct names; every day type named exists; no date twice.
    """
    problems: list[tuple[str, str]] = []
    for name, periods in day_types.items():
        seen: set[str] = set()
        for i, period in enumerate(periods):
            where = f"day_types.{name}.periods[{i}]"
            if period.end <= period.start:
                problems.append((f"{where}.end", f"must be after the start ({period.start:%H:%M})"))
            if i and period.start < periods[i - 1].end:
                before = f"{periods[i - 1].end:%H:%M}"
                problems.append((f"{where}.start", f"overlaps the period before (ends {before})"))
            if period.name.casefold() in seen:
                problems.append((f"{where}.name", f"repeats the period name {period.name!r}"))
            seen.add(period.name.casefold())
    for weekday, day_type in weekdays.items():
        if day_type is not None and day_type not in day_types:
            problems.append((f"weekdays.{weekday}", f"no day type {day_type!r}"))
    dates: set[date] = set()
    for i, (day, day_type) in enumerate(overrides):
        if day in dates:
            problems.append((f"overrides[{i}].date", f"repeats {day.isoformat()}"))
        dates.add(day)
        if day_type is not None and day_type not in day_types:
            problems.append((f"overrides[{i}].day_type", f"no day type {day_type!r}"))
    return problems
