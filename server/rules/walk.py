"""The typical walk from a classroom to a place, and when a student is expected to arrive."""

from __future__ import annotations

from datetime import datetime, timedelta

# Three minutes covers the longest walk in a typical building between bells; a school that
# needs another figure can change it here, and the app reads it from shared/constants.
WALK_MINUTES = 3


def expected_arrival(left_at: datetime, due_at: datetime | None) -> datetime:
    """Return when a student who left at `left_at` should arrive: one walk later, by `due_at`."""
    walked = left_at + timedelta(minutes=WALK_MINUTES)
    return walked if due_at is None else min(walked, due_at)
