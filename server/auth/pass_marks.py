"""What makes a pass shown on a phone hard to fake: its check code and the school's live mark.

A hall monitor checks a student's screen at a glance. A screenshot of someone else's pass, or
of yesterday's, must look wrong, so two things come from the deployment's secret key by HMAC,
which neither reveals nor lets anyone derive the key:

- the **check code**: three letters per pass, the same on the student's card and the monitor's
  panel (a pass id alone would be easy to guess or forge);
- the **live mark seed**: one per school per school-local day; the PWA turns it and the server
  clock into a colour and shape that change every few seconds, so a still picture goes stale.

Each purpose has its own key derived from the secret, so the values of one say nothing about
the values of the other.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date

# No I, O or U: nothing that reads as a digit or spells a word by accident as easily.
CHECK_LETTERS = "ABCDEFGHJKLMNPQRSTVWXYZ"
CHECK_LENGTH = 3
# 64 bits: enough that the PWA's marks never repeat across the day's steps by chance.
SEED_HEX_CHARS = 16


def derive_key(secret_key: str, purpose: str) -> bytes:
    """Return a key for one purpose, derived from the deployment's secret."""
    return hmac.new(secret_key.encode(), f"hallpass:{purpose}".encode(), hashlib.sha256).digest()


def check_key(secret_key: str) -> bytes:
    """Return the key pass check codes are made with."""
    return derive_key(secret_key, "pass-check-code")


def check_code(key: bytes, pass_id: int) -> str:
    """Return a pass's three-letter check code ("KXT")."""
    digest = hmac.new(key, f"pass:{pass_id}".encode(), hashlib.sha256).digest()
    number = int.from_bytes(digest[:8], "big")
    letters = []
    for _ in range(CHECK_LENGTH):
        number, index = divmod(number, len(CHECK_LETTERS))
        letters.append(CHECK_LETTERS[index])
    return "".join(letters)


def live_mark_seed(secret_key: str, school_id: int, day: date) -> str:
    """Return a school's live-mark seed for one school-local day (16 hex characters)."""
    key = derive_key(secret_key, "live-mark")
    message = f"school:{school_id}:day:{day.isoformat()}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:SEED_HEX_CHARS]
