"""Webhook signatures: HMAC-SHA256 over "<timestamp>.<body>", sent as X-Hallpass-Signature.

Receivers verify it as docs/api.md shows, and refuse a timestamp more than 5 minutes off.
"""

from __future__ import annotations

import hashlib
import hmac

HEADER = "X-Hallpass-Signature"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """Return the header value `t=<unix>,v1=<hex>` for a body sent at `timestamp`."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"
