"""The bell schedule: which day type a date follows, where a moment falls, no-fly windows.

The school is in America/Chicago. March 2025: the 3rd is a Monday, DST begins on Sunday the
9th (02:00 becomes 03:00), so Monday the 10th's 08:00 is 13:00 UTC where the 3rd's was 14:00.
It ends on Sunday 2 November 2025 (02:00 becomes 01:00 again).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from server.rules import BellSchedule, Period
from server.rules.schedule import (
    Bell,
    Status,
    Window,
    WindowKind,
    bells_on,
    covering,
    day_at,
    day_type_on,
    no_fly_windows,
    reopens_at,
    schedule_problems,
)
from tests.rules.school import case

CHICAGO = ZoneInfo("America/Chicago")


def at(day: int, hour: int, minute: int = 0, second: int = 0, month: int = 3) -> datetime:
    """Return a school-local time in 2025 (March unless told)."""
    return datetime(2025, month, day, hour, minute, second, tzinfo=CHICAGO)


def period(name: str, start: str, end: str) -> Period:
    """Return a period from HH:MM texts."""
    return Period(name, time.fromisoformat(start), time.fromisoformat(end))


REGULAR = (
    period("Period 1", "08:00", "08:50"),
    period("Period 2", "08:55", "09:45"),
    period("Period 3", "09:50", "10:40"),
    period("Lunch", "10:40", "11:10"),  # right after period 3: no passing time
    period("Period 4", "11:15", "12:05"),
)
ASSEMBLY = (
    period("Period 1", "08:00", "08:35"),
    period("Assembly", "08:40", "09:40"),
    period("Period 2", "09:45", "10:20"),
)
TESTING = (period("Testing", "08:00", "11:00"),)
# A night event on the Sunday DST begins: 01:30 CST to 03:30 CDT is one hour.
VIGIL = (period("Vigil", "01:30", "03:30"),)
# A period that starts in the hour spring-forward skips.
SKIPPED = (period("Ghost", "02:30", "03:00"),)
# On the Sunday DST ends, 01:00 CDT to 02:00 CST is two hours.
FALL_BACK = (period("Long", "01:00", "02:00"),)

SCHEDULE = BellSchedule(
    day_types={
        "regular": REGULAR,
        "assembly": ASSEMBLY,
        "testing": TESTING,
        "vigil": VIGIL,
        "fall-back": FALL_BACK,
    },
    weekdays=("regular",) * 5 + (None, None),
    overrides={
        date(2025, 3, 5): "assembly",  # Wednesday
        date(2025, 3, 6): None,  # Thursday: no school (a snow day)
        date(2025, 3, 7): "testing",  # Friday
        date(2025, 3, 9): "vigil",  # the Sunday DST begins
        date(2025, 3, 12): "retired",  # a day type since deleted
        date(2025, 11, 2): "fall-back",  # the Sunday DST ends
    },
)


@pytest.mark.parametrize(
    ("day", "day_type"),
    [
        case("a weekday follows its default", date(2025, 3, 4), "regular"),
        case("an override names another day type", date(2025, 3, 5), "assembly"),
        case("an override to no school beats the weekday", date(2025, 3, 6), None),
        case("a Saturday has no school", date(2025, 3, 8), None),
        case("a Sunday with an override has school", date(2025, 3, 9), "vigil"),
        case("an override names the day type even if it is gone", date(2025, 3, 12), "retired"),
    ],
)  # fmt: skip
def test_day_type_on(day: date, day_type: str | None) -> None:
    assert day_type_on(SCHEDULE, day) == day_type


@pytest.mark.parametrize(
    ("now", "status", "current", "upcoming", "day_type"),
    [
        case("before the first bell",
             at(4, 7, 30), Status.BEFORE_SCHOOL, None, "Period 1", "regular"),
        case("exactly at the first bell: in period 1",
             at(4, 8, 0), Status.IN_PERIOD, "Period 1", "Period 2", "regular"),
        case("a second before the end: still in the period",
             at(4, 8, 49, 59), Status.IN_PERIOD, "Period 1", "Period 2", "regular"),
        case("exactly at the end: passing time",
             at(4, 8, 50), Status.PASSING, None, "Period 2", "regular"),
        case("between two periods",
             at(4, 8, 52), Status.PASSING, None, "Period 2", "regular"),
        case("a period that starts as the one before ends: no passing time",
             at(4, 10, 40), Status.IN_PERIOD, "Lunch", "Period 4", "regular"),
        case("the last period: nothing next",
             at(4, 12, 0), Status.IN_PERIOD, "Period 4", None, "regular"),
        case("exactly at the last bell: after school",
             at(4, 12, 5), Status.AFTER_SCHOOL, None, None, "regular"),
        case("a modified day: the assembly day's bells",
             at(5, 9, 0), Status.IN_PERIOD, "Assembly", "Period 2", "assembly"),
        case("the same time on a regular day is period 2",
             at(4, 9, 0), Status.IN_PERIOD, "Period 2", "Period 3", "regular"),
        case("an override to no school",
             at(6, 9, 0), Status.NO_SCHOOL, None, None, None),
        case("a weekend",
             at(8, 9, 0), Status.NO_SCHOOL, None, None, None),
        case("a day type that no longer exists: no bells",
             at(12, 9, 0), Status.NO_SCHOOL, None, None, "retired"),
        case("UTC in winter: 14:00 UTC is 08:00 in Chicago",
             datetime(2025, 3, 3, 14, 0, tzinfo=UTC), Status.IN_PERIOD, "Period 1", "Period 2",
             "regular"),
        case("UTC in winter: 13:59 UTC is still before school",
             datetime(2025, 3, 3, 13, 59, tzinfo=UTC), Status.BEFORE_SCHOOL, None, "Period 1",
             "regular"),
        case("UTC after DST began: 13:00 UTC is already 08:00",
             datetime(2025, 3, 10, 13, 0, tzinfo=UTC), Status.IN_PERIOD, "Period 1", "Period 2",
             "regular"),
        case("the day DST begins: 03:15 CDT is inside a period that began at 01:30 CST",
             at(9, 3, 15), Status.IN_PERIOD, "Vigil", None, "vigil"),
        case("the day DST ends: the repeated 01:30 (second time, CST) is still in the period",
             datetime(2025, 11, 2, 7, 30, tzinfo=UTC), Status.IN_PERIOD, "Long", None,
             "fall-back"),
        case("late evening in Chicago is the next day in UTC: still the local day",
             datetime(2025, 3, 5, 4, 0, tzinfo=UTC), Status.AFTER_SCHOOL, None, None, "regular"),
    ],
)  # fmt: skip
def test_day_at(
    now: datetime,
    status: Status,
    current: str | None,
    upcoming: str | None,
    day_type: str | None,
) -> None:
    day = day_at(SCHEDULE, now.astimezone(UTC), CHICAGO)
    assert day.status is status
    assert (None if day.current is None else day.current.period.name) == current
    assert (None if day.next is None else day.next.period.name) == upcoming
    assert day.day_type == day_type
    assert day.date == now.astimezone(CHICAGO).date()


@pytest.mark.parametrize(
    ("day", "spans"),
    [
        case("a winter day: local bells are UTC-6",
             date(2025, 3, 4), (datetime(2025, 3, 4, 14, 0, tzinfo=UTC),
                                datetime(2025, 3, 4, 14, 50, tzinfo=UTC))),
        case("a summer-time day: UTC-5",
             date(2025, 3, 10), (datetime(2025, 3, 10, 13, 0, tzinfo=UTC),
                                 datetime(2025, 3, 10, 13, 50, tzinfo=UTC))),
        case("across spring-forward, 01:30 to 03:30 lasts one hour",
             date(2025, 3, 9), (datetime(2025, 3, 9, 7, 30, tzinfo=UTC),
                                datetime(2025, 3, 9, 8, 30, tzinfo=UTC))),
        case("across fall-back, 01:00 to 02:00 lasts two hours",
             date(2025, 11, 2), (datetime(2025, 11, 2, 6, 0, tzinfo=UTC),
                                 datetime(2025, 11, 2, 8, 0, tzinfo=UTC))),
    ],
)  # fmt: skip
def test_first_bell_in_utc(day: date, spans: tuple[datetime, datetime]) -> None:
    first = bells_on(SCHEDULE, day, CHICAGO)[0]
    assert (first.start, first.end) == spans
    assert first.start.tzinfo is UTC


def test_a_start_in_the_hour_dst_skips_makes_an_empty_period_never_a_negative_one() -> None:
    # 02:30 doesn't exist on 9 March: read with the winter offset, it is 03:30 CDT, after the
    # 03:00 end. The period is empty (it holds no one) rather than ending before it starts.
    odd = BellSchedule({"skipped": SKIPPED}, overrides={date(2025, 3, 9): "skipped"})
    (ghost,) = bells_on(odd, date(2025, 3, 9), CHICAGO)
    assert ghost.start == ghost.end == datetime(2025, 3, 9, 8, 30, tzinfo=UTC)


def bell(name: str, start: str, end: str, day: date = date(2025, 3, 4)) -> Bell:
    """Return a period on a Tuesday as a bell."""
    p = period(name, start, end)
    return Bell(p, datetime.combine(day, p.start, CHICAGO).astimezone(UTC),
                datetime.combine(day, p.end, CHICAGO).astimezone(UTC))  # fmt: skip


BELLS = tuple(bell(p.name, f"{p.start:%H:%M}", f"{p.end:%H:%M}") for p in REGULAR)
W = WindowKind


Span = tuple[WindowKind, str, time, time]


def span(kind: WindowKind, name: str, start: tuple[int, int], end: tuple[int, int]) -> Span:
    """Return a window's (kind, period, local start, local end) for comparing."""
    return (kind, name, time(*start), time(*end))


def spans(windows: tuple[Window, ...]) -> list[Span]:
    """Return windows as (kind, period, local start, local end)."""
    return [
        (w.kind, w.period, w.start.astimezone(CHICAGO).time(), w.end.astimezone(CHICAGO).time())
        for w in windows
    ]


@pytest.mark.parametrize(
    ("bells", "after", "before", "closed", "expected"),
    [
        case("nothing set: no windows",
             BELLS, 0, 0, (), []),
        case("the first minutes of each period",
             BELLS[:2], 10, 0, (),
             [span(W.AFTER_START, "Period 1", (8, 0), (8, 10)),
              span(W.AFTER_START, "Period 2", (8, 55), (9, 5))]),
        case("the last minutes of each period",
             BELLS[:2], 0, 5, (),
             [span(W.BEFORE_END, "Period 1", (8, 45), (8, 50)),
              span(W.BEFORE_END, "Period 2", (9, 40), (9, 45))]),
        case("both, in order of start",
             BELLS[:1], 10, 5, (),
             [span(W.AFTER_START, "Period 1", (8, 0), (8, 10)),
              span(W.BEFORE_END, "Period 1", (8, 45), (8, 50))]),
        case("minutes longer than the period stay inside it",
             (bell("Short", "08:00", "08:20"),), 30, 30, (),
             [span(W.AFTER_START, "Short", (8, 0), (8, 20)),
              span(W.BEFORE_END, "Short", (8, 0), (8, 20))]),
        case("a closed period is one window, whatever the minutes",
             BELLS[2:4], 10, 0, ("Lunch",),
             [span(W.AFTER_START, "Period 3", (9, 50), (10, 0)),
              span(W.WHOLE_PERIOD, "Lunch", (10, 40), (11, 10))]),
        case("closed names match ignoring case and spaces",
             BELLS[3:4], 0, 0, (" lunch ",),
             [span(W.WHOLE_PERIOD, "Lunch", (10, 40), (11, 10))]),
        case("a closed name the day doesn't have closes nothing",
             BELLS[:1], 0, 0, ("Assembly",), []),
    ],
)  # fmt: skip
def test_no_fly_windows(
    bells: tuple[Bell, ...], after: int, before: int, closed: tuple[str, ...], expected: list[Span]
) -> None:
    assert spans(no_fly_windows(bells, after, before, closed)) == expected


CHAIN = no_fly_windows(BELLS[2:4], 0, 10, ("Lunch",))  # 10:30-10:40, then Lunch to 11:10


@pytest.mark.parametrize(
    ("now", "reopens"),
    [
        case("outside every window: now", at(4, 10, 0), at(4, 10, 0)),
        case("in a window: its end", at(4, 11, 0), at(4, 11, 10)),
        case("in a window that touches the next: the end of the chain",
             at(4, 10, 35), at(4, 11, 10)),
        case("exactly at a window's end: now", at(4, 11, 10), at(4, 11, 10)),
        case("exactly at a window's start: inside it", at(4, 10, 30), at(4, 11, 10)),
    ],
)  # fmt: skip
def test_reopens_at(now: datetime, reopens: datetime) -> None:
    assert reopens_at(now.astimezone(UTC), CHAIN) == reopens.astimezone(UTC)


def test_covering_lists_every_window_the_moment_is_in() -> None:
    overlapping = no_fly_windows((bell("Short", "08:00", "08:35"),), 30, 30)
    assert len(covering(at(4, 8, 10), overlapping)) == 2
    assert covering(at(4, 8, 40), overlapping) == ()


def test_overlapping_windows_chain_to_the_latest_end() -> None:
    overlapping = no_fly_windows((bell("Short", "08:00", "08:35"),), 30, 30)
    assert reopens_at(at(4, 8, 1).astimezone(UTC), overlapping) == at(4, 8, 35)


def p(name: str, start: str, end: str) -> Period:
    """Return a period (short, for the table below)."""
    return period(name, start, end)


GOOD = {"regular": (p("1", "08:00", "08:50"), p("2", "08:50", "09:40"))}
WEEK = {"monday": "regular", "tuesday": None}


@pytest.mark.parametrize(
    ("day_types", "weekdays", "overrides", "problems"),
    [
        case("a sound schedule: touching periods are fine",
             GOOD, WEEK, [(date(2025, 3, 5), "regular"), (date(2025, 3, 6), None)], []),
        case("an end before the start",
             {"regular": (p("1", "09:00", "08:00"),)}, {}, [],
             [("day_types.regular.periods[0].end", "must be after the start (09:00)")]),
        case("an end equal to the start",
             {"regular": (p("1", "09:00", "09:00"),)}, {}, [],
             [("day_types.regular.periods[0].end", "must be after the start (09:00)")]),
        case("periods out of order",
             {"regular": (p("2", "09:00", "09:50"), p("1", "08:00", "08:50"))}, {}, [],
             [("day_types.regular.periods[1].start", "overlaps the period before (ends 09:50)")]),
        case("overlapping periods",
             {"regular": (p("1", "08:00", "08:50"), p("2", "08:45", "09:35"))}, {}, [],
             [("day_types.regular.periods[1].start", "overlaps the period before (ends 08:50)")]),
        case("a name twice in one day type (case ignored)",
             {"regular": (p("Lunch", "08:00", "08:50"), p("lunch", "09:00", "09:50"))}, {}, [],
             [("day_types.regular.periods[1].name", "repeats the period name 'lunch'")]),
        case("the same name in two day types is the point",
             {"a": (p("1", "08:00", "08:50"),), "b": (p("1", "09:00", "09:50"),)}, {}, [], []),
        case("a weekday naming a day type that doesn't exist",
             GOOD, {"friday": "short"}, [], [("weekdays.friday", "no day type 'short'")]),
        case("an override naming a day type that doesn't exist",
             GOOD, {}, [(date(2025, 3, 5), "assembly")],
             [("overrides[0].day_type", "no day type 'assembly'")]),
        case("a date twice",
             GOOD, {}, [(date(2025, 3, 5), None), (date(2025, 3, 5), "regular")],
             [("overrides[1].date", "repeats 2025-03-05")]),
    ],
)  # fmt: skip
def test_schedule_problems(
    day_types: dict[str, tuple[Period, ...]],
    weekdays: dict[str, str | None],
    overrides: list[tuple[date, str | None]],
    problems: list[tuple[str, str]],
) -> None:
    assert schedule_problems(day_types, weekdays, overrides) == problems


def test_the_same_bell_is_an_hour_earlier_in_utc_once_dst_begins() -> None:
    before = bells_on(SCHEDULE, date(2025, 3, 3), CHICAGO)[0].start
    after = bells_on(SCHEDULE, date(2025, 3, 10), CHICAGO)[0].start
    assert after - before == timedelta(days=7) - timedelta(hours=1)
