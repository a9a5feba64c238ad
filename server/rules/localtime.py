"""School-local time: days, weeks and wall-clock times in the school's zone, compared in UTC.

Every function returns UTC datetimes: Python compares two times of one zone by their wall
clocks, which is wrong in the hour a DST change repeats, and sums across a change are off by
an hour. Wall-clock values (a bell at 08:00) become UTC for one date and one zone only.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def at_local(day: date, clock: time, zone: tzinfo) -> datetime:
    """Return the UTC instant of a school-local wall-clock time on a date.

    A time the spring-forward skips (02:30) is read with the offset before the change, so it
    lands one hour later on the new clock; a time the fall-back repeats means its first pass.
    """
    return datetime.combine(day, clock, zone).astimezone(UTC)


def midnight(day: date, zone: tzinfo) -> datetime:
    """Return the school-local midnight that begins `day`, in UTC."""
    return at_local(day, time(0), zone)


def local_date(at: datetime, zone: tzinfo) -> date:
    """Return the school-local date of `at`."""
    return at.astimezone(zone).date()


def day_start(at: datetime, zone: tzinfo) -> datetime:
    """Return the school-local midnight that began the day of `at`."""
    return midnight(local_date(at, zone), zone)


def week_start(at: datetime, zone: tzinfo) -> datetime:
    """Return the school-local midnight that began the week (on Monday) of `at`."""
    day = local_date(at, zone)
    return midnight(day - timedelta(days=day.weekday()), zone)


def next_day(at: datetime, zone: tzinfo) -> datetime:
    """Return the school-local midnight that begins the day after `at`."""
    return midnight(local_date(at, zone) + timedelta(days=1), zone)


def next_week(at: datetime, zone: tzinfo) -> datetime:
    """Return the school-local midnight that begins the next Monday after `at`."""
    day = local_date(at, zone)
    return midnight(day + timedelta(days=7 - day.weekday()), zone)


def ceil_minute(at: datetime) -> datetime:
    """Return `at` rounded up to a whole minute, so "at 10:42" is never a little too early."""
    whole = at.replace(second=0, microsecond=0)
    return whole if whole == at else whole + timedelta(minutes=1)


def time_of_day(at: datetime, zone: tzinfo, *, seconds: bool = False) -> str:
    """Say a school-local time on a 12-hour clock, as US schools do: "7:20 AM", "12:05:09 PM"."""
    # By hand rather than %I/%p: those follow the C locale of the process and pad with a zero.
    local = at.astimezone(zone)
    clock = f"{local.hour % 12 or 12}:{local:%M}" + (f":{local:%S}" if seconds else "")
    return f"{clock} {'AM' if local.hour < 12 else 'PM'}"


def describe(at: datetime, now: datetime, zone: tzinfo) -> str:
    """Say when, in school-local time: "at 10:42 AM", "tomorrow", "on Monday at 7:55 AM"."""
    local = ceil_minute(at).astimezone(zone)
    days = (local.date() - local_date(now, zone)).days
    clock = time_of_day(local, zone)
    if days <= 0:
        return f"at {clock}"
    day = "tomorrow" if days == 1 else f"on {WEEKDAYS[local.weekday()]}"
    return day if local.time() == time(0) else f"{day} at {clock}"
