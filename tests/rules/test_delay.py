"""delay_until: when a delayed visit starts, or which field is wrong and why."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from server.rules.decision import FieldProblem
from server.rules.delay import MAX_DELAY_MINUTES, delay_until
from tests.rules.school import case

CHICAGO = ZoneInfo("America/Chicago")
# Tuesday 4 March 2025, 10:25:30 in Chicago (16:25:30 UTC): half a minute past the minute.
NOW = datetime(2025, 3, 4, 16, 25, 30, tzinfo=UTC)
LATE = datetime(2025, 3, 5, 5, 30, tzinfo=UTC)  # 23:30 in Chicago, still Tuesday there


def at(minutes: float, base: datetime = NOW) -> datetime:
    """Return `minutes` after `base`."""
    return base + timedelta(minutes=minutes)


@pytest.mark.parametrize(
    ("now", "until", "minutes", "expected"),
    [
        case("minutes: from now, rounded up to a whole minute (10:40, not 10:40:30 or 10:39)",
             NOW, None, 14, datetime(2025, 3, 4, 16, 40, tzinfo=UTC)),
        case("minutes on the minute stay on it",
             NOW.replace(second=0), None, 15, datetime(2025, 3, 4, 16, 40, tzinfo=UTC)),
        case("until: taken as given",
             NOW, at(15), None, at(15)),
        case("until with the school's offset: the same instant, in UTC",
             NOW, at(15).astimezone(CHICAGO), None, at(15)),
        case("the longest delay is allowed",
             NOW, None, MAX_DELAY_MINUTES, datetime(2025, 3, 4, 20, 26, tzinfo=UTC)),
        case("until exactly the longest delay ahead is allowed",
             NOW, at(MAX_DELAY_MINUTES), None, at(MAX_DELAY_MINUTES)),
        case("neither field: name the one a client most likely meant to send",
             NOW, None, None, FieldProblem("minutes", "send either `until` or `minutes`")),
        case("both fields: ambiguous, name `until`",
             NOW, at(10), 10, FieldProblem("until", "send either `until` or `minutes`")),
        case("zero minutes is not a delay",
             NOW, None, 0, FieldProblem("minutes", f"must be 1 to {MAX_DELAY_MINUTES}")),
        case("negative minutes",
             NOW, None, -5, FieldProblem("minutes", f"must be 1 to {MAX_DELAY_MINUTES}")),
        case("more than the longest delay",
             NOW, None, MAX_DELAY_MINUTES + 1,
             FieldProblem("minutes", f"must be 1 to {MAX_DELAY_MINUTES}")),
        case("until now is not in the future",
             NOW, NOW, None, FieldProblem("until", "must be in the future")),
        case("until in the past",
             NOW, at(-1), None, FieldProblem("until", "must be in the future")),
        case("until past the longest delay",
             NOW, at(MAX_DELAY_MINUTES + 1), None,
             FieldProblem("until", f"at most {MAX_DELAY_MINUTES} minutes ahead")),
        case("until after local midnight: tomorrow, though UTC has the same date",
             LATE, at(45, LATE), None, FieldProblem("until", "must be today (school-local)")),
        case("minutes that run past local midnight",
             LATE, None, 31, FieldProblem("minutes", "must be today (school-local)")),
        case("minutes up to local midnight's last minute stay today",
             LATE, None, 29, at(29, LATE)),
    ],
)  # fmt: skip
def test_delay_until(
    now: datetime, until: datetime | None, minutes: int | None, expected: object
) -> None:
    got = delay_until(now, CHICAGO, until=until, minutes=minutes)
    assert got == expected
    if isinstance(got, datetime):
        assert got.tzinfo is UTC
