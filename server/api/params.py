"""Path and query parameters: ids are positive 32-bit integers in ASCII digits; bad ones are 422."""

from __future__ import annotations

from datetime import UTC, datetime

from server.contract.times import RANGE_TEXT, in_range
from server.rules.decision import FieldProblem
from server.services.validation import invalid

MAX_ID = 2**31 - 1
# More digits than any id has. Checked before int(): Python refuses to parse numbers of more
# than 4,300 digits, which would be a 500 instead of a 404.
MAX_ID_DIGITS = len(str(MAX_ID))


def positive_id(raw: str) -> int | None:
    """Return a positive 32-bit id written in ASCII digits, else None."""
    if not (raw.isascii() and raw.isdigit() and len(raw) <= MAX_ID_DIGITS):
        return None
    number = int(raw)
    return number if 1 <= number <= MAX_ID else None


def query_int(raw: str | None, name: str, *, default: int, low: int, high: int) -> int:
    """Parse an integer query parameter within [low, high], or raise the 422 naming it."""
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit() and len(raw) <= MAX_ID_DIGITS) or not (
        low <= int(raw) <= high
    ):
        raise invalid([FieldProblem(name, f"a whole number from {low} to {high}")])
    return int(raw)


def query_bool(raw: str | None, name: str) -> bool | None:
    """Parse `true` or `false`; absent is None; anything else is the 422 naming it."""
    if raw is None:
        return None
    if raw not in ("true", "false"):
        raise invalid([FieldProblem(name, "true or false")])
    return raw == "true"


def query_text(raw: str | None, name: str, *, max_length: int) -> str | None:
    """Return a trimmed text query parameter (None when absent or blank), or the 422 naming it."""
    if raw is None or not raw.strip():
        return None
    if len(raw) > max_length or "\x00" in raw:
        raise invalid([FieldProblem(name, f"at most {max_length} characters")])
    return raw.strip()


def query_time(raw: str | None, name: str) -> datetime | None:
    """Parse an ISO 8601 time with its offset, in the years requests may name, as UTC; or 422."""
    if raw is None:
        return None
    try:
        moment = datetime.fromisoformat(raw)
        if moment.tzinfo is None:
            raise ValueError("no offset")  # a naive time means nothing without the school's zone
        # Stored times are UTC, and SQLite compares them as text.
        return in_range(moment).astimezone(UTC)
    except ValueError:
        problem = f"ISO 8601 with an offset, e.g. 2025-03-04T08:00:00Z, {RANGE_TEXT}"
        raise invalid([FieldProblem(name, problem)]) from None
