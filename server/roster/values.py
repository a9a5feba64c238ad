"""The values roster files hold: grade codes, ISO dates, booleans, e-mail addresses, lists."""

from __future__ import annotations

import re
from datetime import date

# CEDS grade-level codes (what OneRoster `grades` holds) and the grade number we keep. Years
# before kindergarten, "ungraded" and "Other" are valid but have no number; transitional
# kindergarten counts as kindergarten (0). Numbers without the leading zero and "K" are common
# in hand-made files, so they are read too.
_NO_NUMBER = ("IT", "PR", "PK", "PS", "UG", "OTHER")
GRADES: dict[str, int | None] = {
    **dict.fromkeys(_NO_NUMBER, None),
    "KG": 0,
    "TK": 0,
    "K": 0,
    **{f"{n:02d}": n for n in range(1, 14)},
    **{str(n): n for n in range(0, 14)},
}

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# One address, no spaces, a dot in the domain: enough to catch a name typed into the column.
_EMAIL = re.compile(r"[^@\s,;]+@[^@\s,;]+\.[^@\s,;.]+")
_TRUE = "true"
_FALSE = "false"


def grade(code: str) -> int | None:
    """Return the grade number of a grade code (None: a valid code without one).

    Raises ValueError for a code that is not one.
    """
    try:
        return GRADES[code.strip().upper()]
    except KeyError:
        raise ValueError(code) from None


def iso_date(text: str) -> date:
    """Return the date written `YYYY-MM-DD`; raises ValueError for anything else."""
    if not _DATE.fullmatch(text):
        raise ValueError(text)
    return date.fromisoformat(text)


def boolean(text: str) -> bool:
    """Return `true` or `false` (any case) as a bool; raises ValueError for anything else."""
    lowered = text.lower()
    if lowered == _TRUE:
        return True
    if lowered == _FALSE:
        return False
    raise ValueError(text)


def is_email(text: str) -> bool:
    """Say whether the text looks like one e-mail address."""
    return _EMAIL.fullmatch(text) is not None


def split_list(text: str) -> list[str]:
    """Return the items of a comma-separated list cell, trimmed, empty ones left out."""
    if "," not in text:
        return [text] if text else []
    return [item for item in (part.strip() for part in text.split(",")) if item]
