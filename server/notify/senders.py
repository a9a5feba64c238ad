"""The three channels' one-shot senders: a Web Push, an email, a signed webhook.

Each sends once and reports what the peer said; retrying is the worker's business. All of them
run on the event loop with a timeout, so a dead peer costs a waiting task, never the loop.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import aiosmtplib
from py_vapid import Vapid02
from pywebpush import WebPusher

from server.config import SmtpSettings
from server.contract.categories import Urgency
from server.notify.signing import HEADER, signature

# A push service or webhook that has not answered in 10 s is treated as down (and retried).
TIMEOUT_SECONDS = 10.0
# Web Push TTL: a routine notice is stale after 15 minutes (the student is back); a safety
# alert is worth showing for 4 hours (a phone switched on later still learns of it).
ROUTINE_TTL = timedelta(minutes=15)
SAFETY_TTL = timedelta(hours=4)
# VAPID tokens may live 24 h (RFC 8292 section 2); 12 h leaves room for clock skew.
VAPID_LIFETIME_SECONDS = 12 * 3600


@dataclass(frozen=True, slots=True)
class Answer:
    """What a peer said to one attempt: a status, or the error when none came."""

    status: int | None
    error: str = ""
    retry_after: str | None = None
    # Nothing left to send to (a removed device or webhook): give up without retrying.
    final: bool = False


def ttl_of(urgency: str) -> int:
    """Return the Web Push TTL in seconds for an urgency."""
    ttl = SAFETY_TTL if urgency == Urgency.HIGH else ROUTINE_TTL
    return int(ttl.total_seconds())


def ttl_until(urgency: str, expires_at: datetime | None, now: datetime) -> int | None:
    """Return the TTL of a push sent at `now`: the urgency's, never past `expires_at`.

    None when the notice has expired (an offered place lapsed): it must not be sent at all.
    A push service keeps the message no longer than the TTL, so a phone switched on after
    the place lapsed never shows "your turn".
    """
    ttl = ttl_of(urgency)
    if expires_at is None:
        return ttl
    left = math.floor((expires_at - now).total_seconds())
    return None if left <= 0 else min(ttl, left)


def _problem(exc: BaseException) -> str:
    return (f"{exc.__class__.__name__}: {exc}" if str(exc) else exc.__class__.__name__)[:300]


async def send_push(
    session: aiohttp.ClientSession,
    vapid: Vapid02,
    subject: str,
    subscription: dict[str, Any],
    payload: dict[str, Any],
    *,
    urgency: str,
    topic: str,
    ttl: int | None = None,
) -> Answer:
    """Encrypt (RFC 8291 aes128gcm) and POST one push message with VAPID (RFC 8292)."""
    endpoint = urlsplit(str(subscription["endpoint"]))
    claims = {
        "aud": f"{endpoint.scheme}://{endpoint.netloc}",
        "exp": int(time.time()) + VAPID_LIFETIME_SECONDS,
        "sub": subject,
    }
    headers = {**vapid.sign(claims), "Urgency": urgency, "Topic": topic}
    pusher = WebPusher(subscription, aiohttp_session=session)
    try:
        response = await pusher.send_async(
            json.dumps(payload, separators=(",", ":")),
            headers,
            ttl=ttl_of(urgency) if ttl is None else ttl,
            content_encoding="aes128gcm",
            timeout=aiohttp.ClientTimeout(total=TIMEOUT_SECONDS),
        )
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        return Answer(None, _problem(exc))
    assert not isinstance(response, str)  # only curl=True returns text
    return Answer(response.status, "", response.headers.get("Retry-After"))


async def send_email(smtp: SmtpSettings, to: str, payload: dict[str, Any]) -> Answer:
    """Send one notice as a plain-text email."""
    message = EmailMessage()
    message["From"] = smtp.sender
    message["To"] = to
    message["Subject"] = str(payload.get("title", "Hallpass"))
    message.set_content(f"{payload.get('body', '')}\n\nOpen Hallpass: {payload.get('url', '/')}\n")
    try:
        await aiosmtplib.send(
            message,
            hostname=smtp.host,
            port=smtp.port,
            start_tls=smtp.starttls,
            username=smtp.user,
            password=smtp.password,
            timeout=TIMEOUT_SECONDS,
        )
    except aiosmtplib.SMTPResponseException as exc:
        return Answer(exc.code, _problem(exc))
    except (aiosmtplib.SMTPException, TimeoutError, OSError) as exc:
        return Answer(None, _problem(exc))
    return Answer(250)


async def send_webhook(
    session: aiohttp.ClientSession, url: str, secret: str, payload: dict[str, Any]
) -> Answer:
    """POST the event's notices to a school's webhook, signed with its secret."""
    body = json.dumps(payload, separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json",
        HEADER: signature(secret, int(time.time()), body),
    }
    try:
        async with session.post(
            url, data=body, headers=headers, timeout=aiohttp.ClientTimeout(total=TIMEOUT_SECONDS)
        ) as response:
            await response.read()
            return Answer(response.status, "", response.headers.get("Retry-After"))
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        return Answer(None, _problem(exc))
