"""A door kiosk's confirmation: the student saw "Are you Abigail L.?" and said yes.

`POST /api/kiosk/lookup` hands the kiosk a token `<student>.<expires>.<mac>`: the student's
id, when it stops being good (epoch seconds), and a truncated HMAC-SHA256 of both and the
kiosk's session id under the deployment's secret. `POST /api/kiosk/passes` accepts a pass only
with a token that is unexpired, made for this kiosk session and this student, so a number typed
wrong can't send a classmate out without the classmate's own "yes". Nothing secret is in it;
forging one needs the server's secret key, and a token taken to another kiosk (or kept past a
sign-out) fails because the session differs.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

# Long enough to read the name and tap "Yes, that's me" (the kiosk screen itself clears after
# 20 s idle), short enough that a token seen over a shoulder is soon worthless.
LIFETIME: Final = timedelta(minutes=2)
MAC_BYTES: Final = 16  # 128 bits: forging one is an online guess against 2**128
# Domain separation: this key signs kiosk confirmations and nothing else.
_KEY_LABEL: Final = b"hallpass kiosk confirmation v1"
_TOKEN: Final = re.compile(r"([0-9]{1,12})\.([0-9]{1,12})\.([A-Za-z0-9_-]{22})")


@dataclass(frozen=True)
class Confirmation:
    """A confirmation token and when it stops being good."""

    token: str
    expires_at: datetime


def _mac(secret: str, session_id: int, student_id: int, expires: int) -> str:
    key = hmac.new(secret.encode(), _KEY_LABEL, hashlib.sha256).digest()
    message = f"{session_id}.{student_id}.{expires}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()[:MAC_BYTES]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def issue(secret: str, session_id: int, student_id: int, now: datetime) -> Confirmation:
    """Return a confirmation of this student for this kiosk session, good for LIFETIME."""
    expires_at = now + LIFETIME
    expires = int(expires_at.timestamp())
    token = f"{student_id}.{expires}.{_mac(secret, session_id, student_id, expires)}"
    return Confirmation(token, expires_at)


def confirmed_student(secret: str, session_id: int, token: str, now: datetime) -> int | None:
    """Return the student id a valid, unexpired token of this session names, else None."""
    match = _TOKEN.fullmatch(token)
    if match is None:
        return None
    student_id, expires = int(match[1]), int(match[2])
    if now.timestamp() >= expires:
        return None
    if not hmac.compare_digest(match[3], _mac(secret, session_id, student_id, expires)):
        return None
    return student_id
