"""The one place the server reads the time, so tests can move it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

_offset = timedelta(0)


def utcnow() -> datetime:
    """Return the current time in UTC (plus any offset a test has set)."""
    return datetime.now(UTC) + _offset


def advance(delta: timedelta) -> None:
    """Move the server's clock forward (tests and demos only)."""
    global _offset
    _offset += delta


def reset() -> None:
    """Put the server's clock back to real time."""
    global _offset
    _offset = timedelta(0)
