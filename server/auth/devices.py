"""Device cookies: a browser that signed into a login before is trusted on that login.

OWASP's "Slow Down Online Guessing Attacks with Device Cookies": a successful sign-in leaves
a long-lived cookie naming the login, signed with the deployment's secret. A later sign-in on
that login that presents it is a *trusted device*: the login's hold (earned by failures from
clients that never signed in as its owner) does not apply to it, and its own failures count on
a key of its own instead (server/auth/ratelimit.py). So someone guessing a teacher's password
from the same school NAT can hold that login for everyone else, never for the teacher's own
laptop (docs/adr/0003-auth.md has the threat model).

One cookie holds the newest few entries, one per login (a shared Chromebook: several
students). An entry is `<nonce>.<issued>.<mac>`: a random nonce that tells devices apart and
names the device's own limit, the issue time in epoch seconds, and a truncated HMAC-SHA256 of
both and the normalised login. The login itself is not in the cookie (a student number is
trivially guessed from a plain hash); an entry is checked by recomputing its MAC for the login
being tried. Nothing secret is in it: forging one needs the server's secret key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

COOKIE_NAME: Final = "hallpass_device"
# Only the sign-in endpoint needs it: no other request carries it, or could leak it.
COOKIE_PATH: Final = "/api/session"
LIFETIME: Final = timedelta(days=365)
# A shared Chromebook on a cart sees a few students a day; ten entries of 56 characters keep
# the cookie near half a kilobyte, sent only to the sign-in endpoint.
MAX_ENTRIES: Final = 10
NONCE_BYTES: Final = 16
MAC_BYTES: Final = 16  # 128 bits: forging one is an online guess against 2**128
# Domain separation: this key signs device cookies and nothing else.
_KEY_LABEL: Final = b"hallpass device cookie v1"
_ENTRY: Final = re.compile(r"([A-Za-z0-9_-]{22})\.([0-9]{1,12})\.([A-Za-z0-9_-]{22})")


@dataclass(frozen=True)
class Entry:
    """One login's device entry: its nonce, when it was issued and its MAC (base64url)."""

    nonce: str
    issued: int
    mac: str

    def text(self) -> str:
        """Return the entry as it is written in the cookie."""
        return f"{self.nonce}.{self.issued}.{self.mac}"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _mac(secret: str, login: str, nonce: str, issued: int) -> str:
    key = hmac.new(secret.encode(), _KEY_LABEL, hashlib.sha256).digest()
    # The nonce and time hold no "." (the pattern above), so the login after them is unambiguous.
    message = f"{nonce}.{issued}.{login}".encode()
    return _b64(hmac.new(key, message, hashlib.sha256).digest()[:MAC_BYTES])


def parse(value: str | None) -> list[Entry]:
    """Return the well-formed entries of a device cookie, newest first (at most MAX_ENTRIES)."""
    entries: list[Entry] = []
    for piece in (value or "").split("~")[:MAX_ENTRIES]:
        match = _ENTRY.fullmatch(piece)
        if match is not None:
            entries.append(Entry(match[1], int(match[2]), match[3]))
    return entries


def _fresh(entry: Entry, now: datetime) -> bool:
    return now.timestamp() - entry.issued < LIFETIME.total_seconds()


def _for(entry: Entry, login: str, secret: str) -> bool:
    return hmac.compare_digest(entry.mac, _mac(secret, login, entry.nonce, entry.issued))


def trusted_device(value: str | None, login: str, secret: str, now: datetime) -> str | None:
    """Return the nonce of this cookie's valid, unexpired entry for the login, or None."""
    for entry in parse(value):
        if _fresh(entry, now) and _for(entry, login, secret):
            return entry.nonce
    return None


def renewed(value: str | None, login: str, secret: str, now: datetime) -> str:
    """Return the cookie after signing into the login: a new entry first, the others after.

    The login's old entries and expired ones are dropped; the oldest fall off past MAX_ENTRIES.
    Entries for other logins can't be checked without their login, so they are kept as they
    are: a forged one is worthless and falls off in time.
    """
    issued = int(now.timestamp())
    nonce = _b64(secrets.token_bytes(NONCE_BYTES))
    newest = Entry(nonce, issued, _mac(secret, login, nonce, issued))
    others = [e for e in parse(value) if _fresh(e, now) and not _for(e, login, secret)]
    return "~".join(entry.text() for entry in [newest, *others][:MAX_ENTRIES])
