"""Webhook signatures: HMAC-SHA256 over "<timestamp>.<body>", sent as X-Hallpass-Signature."""

from __future__ import annotations

import hashlib
import hmac

HEADER = "X-Hallpass-Signature"
# A receiver should refuse a signature older than this: a replayed request is stale.
TOLERANCE_SECONDS = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """Return the header value `t=<unix>,v1=<hex>` for a body sent at `timestamp`."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(secret: str, header: str, body: bytes, now: int) -> bool:
    """Say whether a header signs this body with the secret, recently enough."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > TOLERANCE_SECONDS:
        return False
    expected = signature(secret, timestamp, body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))
