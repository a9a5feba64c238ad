"""One way to say a time of day: the 12-hour clock a US school reads, in the school's zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from server.rules.localtime import time_of_day

CHICAGO = ZoneInfo("America/Chicago")


@pytest.mark.parametrize(
    ("utc", "said"),
    [
        (datetime(2025, 3, 4, 13, 20, tzinfo=UTC), "7:20 AM"),  # no leading zero
        (datetime(2025, 3, 4, 18, 5, tzinfo=UTC), "12:05 PM"),  # noon is PM
        (datetime(2025, 3, 4, 6, 15, tzinfo=UTC), "12:15 AM"),  # midnight is 12, not 0
        (datetime(2025, 3, 4, 21, 45, tzinfo=UTC), "3:45 PM"),
    ],
)
def test_a_time_is_said_on_the_12_hour_clock_in_the_schools_zone(utc: datetime, said: str) -> None:
    assert time_of_day(utc, CHICAGO) == said


def test_seconds_are_said_only_when_asked_for() -> None:
    assert (
        time_of_day(datetime(2025, 3, 4, 15, 0, 30, tzinfo=UTC), CHICAGO, seconds=True)
        == "9:00:30 AM"
    )
