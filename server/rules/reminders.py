"""Reminders: a scheduled pass tells its student and their teacher N minutes before it starts.

Times are half-open like every window here: the reminder is due from `start_at - N` until
`start_at`, when the pass's own start (the sweep's `pass.started`) says more than a reminder
could. A pass made inside its window needs none: its `pass.created` was the notice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

# Two hours covers "before lunch" and "at the start of the day"; longer is a note, not a timer.
MAX_REMIND_MINUTES = 120
# What staff get when they don't say: enough to finish a sentence and pack a bag.
DEFAULT_REMIND_MINUTES = 5


@dataclass(frozen=True, slots=True)
class Remindable:
    """A scheduled pass as the reminder rule sees it."""

    id: int
    requested_at: datetime  # when it was made
    start_at: datetime
    remind_minutes: int | None  # None: no reminder
    reminded_at: datetime | None  # set once the reminder was sent


def reminder_at(hall_pass: Remindable) -> datetime | None:
    """Return when the pass's reminder is due, or None when it has none to send."""
    if hall_pass.remind_minutes is None or hall_pass.reminded_at is not None:
        return None
    at = hall_pass.start_at - timedelta(minutes=hall_pass.remind_minutes)
    if hall_pass.requested_at >= at:
        return None  # made inside its window: being told it was made is the reminder
    return at


def reminders_due(passes: Iterable[Remindable], now: datetime) -> tuple[int, ...]:
    """Return the passes whose reminder is due at `now`, earliest start first."""
    due = [p for p in passes if (at := reminder_at(p)) is not None and at <= now < p.start_at]
    return tuple(p.id for p in sorted(due, key=lambda p: (p.start_at, p.id)))
