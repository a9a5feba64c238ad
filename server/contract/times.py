"""Times a request may name: aware, and within years a school's passes can be about."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime

# Far wider than any pass, schedule or report needs, and far enough inside datetime's own
# limits (years 1 to 9999) that converting to UTC, or adding a pass's minutes, can't overflow:
# `0001-01-01T00:00:00+23:59` parses, but its UTC time lies before year 1 (an OverflowError).
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
RANGE_TEXT = "a time in the years 2000 to 2099 (UTC)"


def in_range(moment: datetime) -> datetime:
    """Return an aware time as it is if its UTC time is in [EARLIEST, LATEST); else ValueError."""
    try:
        utc = moment.astimezone(UTC)
    except OverflowError:
        raise ValueError(RANGE_TEXT) from None
    if not EARLIEST <= utc < LATEST:
        raise ValueError(RANGE_TEXT)
    return moment


# Every date-time a body names: ISO 8601 with an offset, in years 2000 to 2099 once in UTC.
Moment = Annotated[AwareDatetime, AfterValidator(in_range)]
