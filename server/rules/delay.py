"""Delaying a visit: when the destination's staff say "not now, at 10:40" instead of yes or no.

A delayed visit becomes a scheduled pass that starts at the time given (docs/adr/0005, the
delay section). This module decides that time from what staff sent, or names the bad field.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo

from server.rules.decision import FieldProblem
from server.rules.localtime import ceil_minute, local_date

# Four hours is half a school day: a visit put off longer is a new appointment, which staff
# schedule (and the student hears about) as one.
MAX_DELAY_MINUTES = 240


def delay_until(
    now: datetime, zone: tzinfo, *, until: datetime | None, minutes: int | None
) -> datetime | FieldProblem:
    """Return when a delayed visit starts, or the field that is wrong.

    Exactly one of `until` and `minutes`. `minutes` counts from now and is rounded up to a
    whole minute, so the student hears a clock time that is never a little early. The time
    must be in the future, at most MAX_DELAY_MINUTES ahead, on the same school-local day: a
    pass that starts tomorrow would start before the student is even in class.
    """
    if (until is None) == (minutes is None):
        field = "until" if until is not None else "minutes"
        return FieldProblem(field, "send either `until` or `minutes`")
    if minutes is not None:
        if not 1 <= minutes <= MAX_DELAY_MINUTES:
            return FieldProblem("minutes", f"must be 1 to {MAX_DELAY_MINUTES}")
        at, field = ceil_minute(now + timedelta(minutes=minutes)), "minutes"
    else:
        assert until is not None
        # In UTC, as every stored time is: an UPDATE writes the value as given, and SQLite
        # compares stored text, so "10:40-06:00" would sort before "16:39+00:00".
        at, field = until.astimezone(UTC), "until"
        if at <= now:
            return FieldProblem("until", "must be in the future")
        if at - now > timedelta(minutes=MAX_DELAY_MINUTES):
            return FieldProblem("until", f"at most {MAX_DELAY_MINUTES} minutes ahead")
    if local_date(at, zone) != local_date(now, zone):
        return FieldProblem(field, "must be today (school-local)")
    return at
