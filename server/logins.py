"""The one form of a login: what is stored, looked up, compared and rate-limited."""

from __future__ import annotations

import unicodedata

# The users table's column; a login longer than this once normalised can't be stored.
MAX_LOGIN = 120


def normalize_login(login: str) -> str:
    """Return the login in its one form: NFKC, case-folded, without surrounding whitespace.

    NFKC folds compatibility forms (the long s U+017F to "s", full-width digits to digits)
    and casefold is Unicode's caseless match ("ß" and "ss"); NFKC again, because case folding
    can leave a string that is not in NFKC. Every path that stores, finds or counts a login
    uses this, so two spellings of one login can't be two accounts or two rate-limit keys.
    """
    folded = unicodedata.normalize("NFKC", login).casefold()
    return unicodedata.normalize("NFKC", folded).strip()
