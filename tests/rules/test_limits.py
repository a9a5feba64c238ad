"""Pass limits: per day, per week, the cooldown, exempt places, and what the student is told.

The school is in America/Chicago; days start at local midnight and weeks on Monday. Times in
the rows are local: `at(4, 10, 30)` is Tuesday 4 March 2025, 10:30 in Chicago (16:30 UTC).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from server.enums import PolicyScope
from server.errors import ErrorCode
from server.rules import PassRequest, PolicyRow, Requester, SchoolFacts, decide_request
from server.rules.limits import limits_check, standing
from server.rules.localtime import (
    ceil_minute,
    day_start,
    describe,
    next_day,
    next_week,
    week_start,
)
from tests.rules.school import (
    GOES_OUT,
    LIBRARY,
    NURSE,
    PENDING,
    RESTROOM,
    ROOM_101,
    SCHEDULED,
    Verdict,
    block,
    case,
    denied,
    out,
    row,
    school,
    verdict,
)

CHICAGO = ZoneInfo("America/Chicago")
STUDENT = 1001
FRIEND = 1002
LIMIT = denied(ErrorCode.LIMIT_REACHED)
COOLDOWN = denied(ErrorCode.COOLDOWN)


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """Return a school-local time in March 2025 (3rd is a Monday, 9th the Sunday DST begins)."""
    return datetime(2025, 3, day, hour, minute, second, tzinfo=CHICAGO)


NOW = at(4, 10, 30)  # Tuesday morning


def per_day(n: int | None) -> PolicyRow:
    """Return the school's row limiting passes per day."""
    return row(PolicyScope.SCHOOL, passes_per_day=n)


def cooldown(minutes: int) -> PolicyRow:
    """Return the school's row with a cooldown."""
    return row(PolicyScope.SCHOOL, cooldown_minutes=minutes)


def facts(
    *policies: PolicyRow,
    passes: Iterable[datetime] = (),
    last_ended: datetime | None = None,
    now: datetime = NOW,
    requester: bool = True,
    base: SchoolFacts | None = None,
) -> SchoolFacts:
    """Return the school at `now`, with STUDENT's counted passes (their request times)."""
    me = Requester(STUDENT, 10, frozenset({"IEP"}), tuple(passes), last_ended)
    return replace(
        base or school(),
        now=now,
        zone=CHICAGO,
        policies=policies,
        requester=me if requester else None,
    )


def ask(
    to: int = RESTROOM.id, *, staff: bool = False, start_at: datetime | None = None
) -> PassRequest:
    """Return STUDENT's request (to the restroom unless told); `staff`: a staff-issued pass."""
    return PassRequest(STUDENT, ROOM_101.id, to, issued_by_staff=staff, start_at=start_at)


def times(*hours: tuple[int, int]) -> tuple[datetime, ...]:
    """Return passes at (day, hour) local times."""
    return tuple(at(day, hour) for day, hour in hours)


THREE_TODAY = times((4, 8), (4, 9), (4, 10))
FOUR_TODAY = times((4, 8), (4, 9), (4, 9), (4, 10))
EXEMPT_LIBRARY = row(PolicyScope.DESTINATION, LIBRARY.id, exempt=True)


@pytest.mark.parametrize(
    ("facts_", "request_", "expected"),
    [
        # Per day
        case("no policy: no limit",
             facts(passes=FOUR_TODAY), ask(), GOES_OUT),
        case("under the daily limit",
             facts(per_day(4), passes=THREE_TODAY), ask(), GOES_OUT),
        case("the daily limit used up",
             facts(per_day(4), passes=FOUR_TODAY), ask(), LIMIT),
        case("over the limit (lowered during the day) is still used up",
             facts(per_day(2), passes=THREE_TODAY), ask(), LIMIT),
        case("yesterday's passes don't count today",
             facts(per_day(1), passes=times((3, 14))), ask(), GOES_OUT),
        case("a pass at 23:59 local yesterday counts for yesterday, though it is today in UTC",
             facts(per_day(1), passes=(at(3, 23, 59),)), ask(), GOES_OUT),
        case("a pass at 00:01 local today counts for today, though it is 06:01 UTC",
             facts(per_day(1), passes=(at(4, 0, 1),)), ask(), LIMIT),
        case("a limit of zero: no pass the student starts",
             facts(per_day(0)), ask(), LIMIT),
        # Per week (from Monday)
        case("the weekly limit used up across the week's days",
             facts(row(PolicyScope.SCHOOL, passes_per_week=3),
                   passes=times((3, 9), (3, 13), (4, 8))),
             ask(), LIMIT),
        case("last week's passes don't count (Sunday is the week before)",
             facts(row(PolicyScope.SCHOOL, passes_per_week=1), passes=times((2, 23))), ask(),
             GOES_OUT),
        case("the daily limit binds even with weekly room left",
             facts(row(PolicyScope.SCHOOL, passes_per_day=1, passes_per_week=10),
                   passes=times((4, 8))), ask(), LIMIT),
        # Cooldown (from the end of the last counted pass)
        case("in the cooldown",
             facts(cooldown(15), last_ended=at(4, 10, 20)), ask(), COOLDOWN),
        case("the cooldown is over",
             facts(cooldown(15), last_ended=at(4, 10, 10)), ask(), GOES_OUT),
        case("exactly at the cooldown's end: free to go",
             facts(cooldown(15), last_ended=at(4, 10, 15)), ask(), GOES_OUT),
        case("no earlier pass: no cooldown",
             facts(cooldown(15)), ask(), GOES_OUT),
        case("a cooldown of zero is none",
             facts(cooldown(0), last_ended=at(4, 10, 29)), ask(), GOES_OUT),
        case("a cooldown from yesterday evening still runs past midnight",
             facts(cooldown(60), last_ended=at(3, 23, 45), now=at(4, 0, 30)), ask(), COOLDOWN),
        # Who and where is held
        case("staff-issued passes are never held",
             facts(per_day(0), cooldown(15), last_ended=at(4, 10, 20)), ask(staff=True),
             GOES_OUT),
        case("staff may schedule a pass whatever the student's limits",
             facts(per_day(0)), ask(staff=True, start_at=NOW + timedelta(hours=2)), SCHEDULED),
        case("facts without a requester (a staff-made pass): nothing to check",
             facts(per_day(0), requester=False), ask(), GOES_OUT),
        case("an exempt destination is never held",
             facts(per_day(4), cooldown(15), EXEMPT_LIBRARY, passes=FOUR_TODAY,
                   last_ended=at(4, 10, 20)),
             ask(LIBRARY.id), GOES_OUT),
        case("an exempt destination doesn't exempt the others",
             facts(per_day(4), EXEMPT_LIBRARY, passes=FOUR_TODAY), ask(), LIMIT),
        case("an accommodation: neither the daily limit nor the cooldown holds the student",
             facts(per_day(4), cooldown(15), row(PolicyScope.STUDENT, STUDENT, accommodation=True),
                   passes=FOUR_TODAY, last_ended=at(4, 10, 20)),
             ask(), GOES_OUT),
        case("an accommodation set to false is none",
             facts(per_day(4), row(PolicyScope.STUDENT, STUDENT, accommodation=False),
                   passes=FOUR_TODAY), ask(), LIMIT),
        case("another student's accommodation doesn't lift this one's limit",
             facts(per_day(4), row(PolicyScope.STUDENT, FRIEND, accommodation=True),
                   passes=FOUR_TODAY), ask(), LIMIT),
        case("a destination's own limit applies to passes there",
             facts(per_day(10), row(PolicyScope.DESTINATION, RESTROOM.id, passes_per_day=3),
                   passes=THREE_TODAY), ask(), LIMIT),
        case("the student's override lifts the school's limit",
             facts(per_day(4), row(PolicyScope.STUDENT, STUDENT, passes_per_day=None),
                   passes=FOUR_TODAY), ask(), GOES_OUT),
        case("the student's override raises it",
             facts(per_day(4), row(PolicyScope.STUDENT, STUDENT, passes_per_day=5),
                   passes=FOUR_TODAY), ask(), GOES_OUT),
        case("a pass that needs approval is held before it is asked for",
             facts(per_day(4), passes=FOUR_TODAY), ask(NURSE.id), LIMIT),
        case("under the limit, a pass that needs approval still waits for it",
             facts(per_day(5), passes=FOUR_TODAY), ask(NURSE.id), PENDING),
        # Order: what the student hears first
        case("already out is said before the limit",
             facts(per_day(0), base=school(out(1, STUDENT, LIBRARY))), ask(),
             denied(ErrorCode.ALREADY_OUT)),
        case("the limit is said before a neutral encounter block (it says when to come back)",
             facts(per_day(0), base=school(out(1, FRIEND, LIBRARY),
                                           encounters=(block("g", STUDENT, FRIEND),))),
             ask(), LIMIT),
    ],
)  # fmt: skip
def test_limits_in_decide_request(
    facts_: SchoolFacts, request_: PassRequest, expected: Verdict
) -> None:
    assert verdict(decide_request(facts_, request_)) == expected


@pytest.mark.parametrize(
    ("facts_", "detail", "staff_detail"),
    [
        case("the daily limit",
             facts(per_day(4), passes=FOUR_TODAY),
             "You have used your 4 passes for today. Your next pass is possible tomorrow.",
             "Limit of 4 passes per day (set by the school) reached: 4 today. "
             "Next pass possible tomorrow."),
        case("one pass a day",
             facts(row(PolicyScope.GROUP, "IEP", passes_per_day=1), passes=times((4, 8))),
             "You have used your 1 pass for today. Your next pass is possible tomorrow.",
             "Limit of 1 pass per day (set by group 'IEP') reached: 1 today. "
             "Next pass possible tomorrow."),
        case("the weekly limit on a Tuesday: back on Monday",
             facts(row(PolicyScope.GRADE, 10, passes_per_week=2), passes=times((3, 9), (4, 8))),
             "You have used your 2 passes for this week. Your next pass is possible on Monday.",
             "Limit of 2 passes per week (set by grade 10) reached: 2 this week. "
             "Next pass possible on Monday."),
        case("the weekly limit on a Sunday (the day DST begins): back tomorrow",
             facts(row(PolicyScope.SCHOOL, passes_per_week=1), passes=times((9, 9)),
                   now=at(9, 10)),
             "You have used your 1 pass for this week. Your next pass is possible tomorrow.",
             "Limit of 1 pass per week (set by the school) reached: 1 this week. "
             "Next pass possible tomorrow."),
        case("both limits used up: the week's says when, since it lifts last",
             facts(row(PolicyScope.SCHOOL, passes_per_day=1, passes_per_week=2),
                   passes=times((3, 9), (4, 8))),
             "You have used your 2 passes for this week. Your next pass is possible on Monday.",
             "Limit of 2 passes per week (set by the school) reached: 2 this week. "
             "Next pass possible on Monday."),
        case("the daily limit and a cooldown: the limit lifts last",
             facts(row(PolicyScope.SCHOOL, passes_per_day=1, cooldown_minutes=15),
                   passes=times((4, 10)), last_ended=at(4, 10, 20)),
             "You have used your 1 pass for today. Your next pass is possible tomorrow.",
             "Limit of 1 pass per day (set by the school) reached: 1 today. "
             "Next pass possible tomorrow."),
        case("no passes at all: only staff",
             facts(per_day(0)),
             "You can't start a pass yourself. Please ask your teacher.",
             "No passes per day (set by the school): only staff can give this student a pass."),
        case("the cooldown says the local time",
             facts(row(PolicyScope.STUDENT, STUDENT, cooldown_minutes=15),
                   last_ended=at(4, 10, 20)),
             "Please wait 15 minutes between passes. Next pass possible at 10:35 AM.",
             "Cooldown of 15 minutes (set by this student); the last pass ended at 10:20 AM. "
             "Next pass possible at 10:35 AM."),
        case("seconds round the time up: never too early",
             facts(cooldown(15), last_ended=at(4, 10, 20, 30)),
             "Please wait 15 minutes between passes. Next pass possible at 10:36 AM.",
             "Cooldown of 15 minutes (set by the school); the last pass ended at 10:20 AM. "
             "Next pass possible at 10:36 AM."),
        case("one minute",
             facts(row(PolicyScope.DESTINATION, RESTROOM.id, cooldown_minutes=1),
                   last_ended=at(4, 10, 29, 45)),
             "Please wait 1 minute between passes. Next pass possible at 10:31 AM.",
             "Cooldown of 1 minute (set by Restroom North); the last pass ended at 10:29 AM. "
             "Next pass possible at 10:31 AM."),
        case("a cooldown past midnight",
             facts(cooldown(30), last_ended=at(4, 23, 45), now=at(4, 23, 50)),
             "Please wait 30 minutes between passes. Next pass possible tomorrow at 12:15 AM.",
             "Cooldown of 30 minutes (set by the school); the last pass ended at 11:45 PM. "
             "Next pass possible tomorrow at 12:15 AM."),
    ],
)  # fmt: skip
def test_denials_say_what_the_student_can_do_next(
    facts_: SchoolFacts, detail: str, staff_detail: str
) -> None:
    decision = limits_check(facts_, ask())
    assert decision is not None
    assert (decision.detail, decision.staff_detail) == (detail, staff_detail)


@pytest.mark.parametrize(
    ("facts_", "destination", "counts", "next_possible"),
    [
        case("nothing used, nothing held",
             facts(per_day(4)), None, (0, 0), None),
        case("counts today and this week (Monday's too, not last Sunday's)",
             facts(per_day(4), passes=times((2, 9), (3, 9), (4, 8), (4, 9))), None, (2, 3), None),
        case("held by the daily limit until local midnight",
             facts(per_day(2), passes=times((4, 8), (4, 9))), None, (2, 2), at(5, 0)),
        case("held by the cooldown until its end",
             facts(cooldown(15), last_ended=at(4, 10, 20)), None, (0, 0), at(4, 10, 35)),
        case("held for good by a zero limit: no time to wait for",
             facts(per_day(0)), None, (0, 0), None),
        case("an exempt destination: counts still shown, nothing held",
             facts(per_day(1), EXEMPT_LIBRARY, passes=times((4, 9))), LIBRARY.id, (1, 1), None),
    ],
)  # fmt: skip
def test_standing_explains_counts_and_the_next_chance(
    facts_: SchoolFacts,
    destination: int | None,
    counts: tuple[int, int],
    next_possible: datetime | None,
) -> None:
    assert facts_.requester is not None
    result = standing(facts_, facts_.requester, destination)
    assert (result.today, result.this_week) == counts
    assert result.next_possible_at == next_possible


def test_a_zero_limit_is_held_without_a_time() -> None:
    zero = facts(per_day(0))
    assert zero.requester is not None
    result = standing(zero, zero.requester, None)
    assert result.hold is not None
    assert (result.hold.code, result.hold.until) == (ErrorCode.LIMIT_REACHED, None)


@pytest.mark.parametrize(
    ("now", "day", "week", "tomorrow", "monday"),
    [
        case("a Tuesday morning",
             at(4, 10, 30), at(4, 0), at(3, 0), at(5, 0), at(10, 0)),
        case("just before local midnight: still that day, though tomorrow in UTC",
             at(4, 23, 59), at(4, 0), at(3, 0), at(5, 0), at(10, 0)),
        case("a Monday at midnight starts both the day and the week",
             at(3, 0), at(3, 0), at(3, 0), at(4, 0), at(10, 0)),
        case("a Sunday is the last day of the week",
             at(9, 12), at(9, 0), at(3, 0), at(10, 0), at(10, 0)),
        case("UTC input is read in the school's zone (04:00 UTC is 22:00 the day before)",
             datetime(2025, 3, 5, 4, 0, tzinfo=UTC), at(4, 0), at(3, 0), at(5, 0), at(10, 0)),
    ],
)  # fmt: skip
def test_days_and_weeks_are_the_schools(
    now: datetime, day: datetime, week: datetime, tomorrow: datetime, monday: datetime
) -> None:
    assert day_start(now, CHICAGO) == day
    assert week_start(now, CHICAGO) == week
    assert next_day(now, CHICAGO) == tomorrow
    assert next_week(now, CHICAGO) == monday


def test_the_day_dst_begins_is_23_hours_long() -> None:
    sunday = at(9, 12)
    assert next_day(sunday, CHICAGO) - day_start(sunday, CHICAGO) == timedelta(hours=23)
    assert next_day(sunday, CHICAGO).tzinfo is UTC  # so that sums and comparisons are exact


@pytest.mark.parametrize(
    ("when", "said"),
    [
        case("later today", at(4, 10, 42), "at 10:42 AM"),
        case("seconds round up", at(4, 10, 41, 1), "at 10:42 AM"),
        case("already past (a caller's clock): still a time", at(4, 9, 0), "at 9:00 AM"),
        case("tomorrow's start", at(5, 0), "tomorrow"),
        case("tomorrow at a time", at(5, 0, 15), "tomorrow at 12:15 AM"),
        case("a later day's start: its name", at(10, 0), "on Monday"),
        case("a later day at a time", at(6, 7, 55), "on Thursday at 7:55 AM"),
    ],
)  # fmt: skip
def test_describe_says_when_in_local_time(when: datetime, said: str) -> None:
    assert describe(when.astimezone(UTC), NOW.astimezone(UTC), CHICAGO) == said


def test_ceil_minute_keeps_whole_minutes() -> None:
    assert ceil_minute(at(4, 10, 42)) == at(4, 10, 42)
    assert ceil_minute(at(4, 10, 42, 0) + timedelta(microseconds=1)) == at(4, 10, 43)
