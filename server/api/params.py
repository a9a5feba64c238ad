"""Path and query parameters that name rows: ids are positive 32-bit integers in ASCII digits."""

from __future__ import annotations

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
