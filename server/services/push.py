"""Web Push subscriptions: register a device, remove it, check what a browser sent."""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec

from server.auth.principal import Principal
from server.enums import Role
from server.errors import ErrorCode, HallpassError, forbidden, not_found
from server.models import PushSubscription
from server.services.views import iso

# The browsers' push services (Chrome/Edge/Android, Firefox, Safari, legacy Edge). Anything
# else must be listed in HALLPASS_PUSH_HOSTS: the server POSTs to these URLs, so an arbitrary
# one would let any user make it call into the school's network.
PUSH_SERVICES = (
    "fcm.googleapis.com",
    "push.services.mozilla.com",
    "push.apple.com",
    "notify.windows.com",
)


def bad(field: str, message: str) -> HallpassError:
    """Return the 422 naming one field."""
    return HallpassError(
        ErrorCode.VALIDATION_ERROR,
        f"Invalid request: {field}.",
        details={"fields": [{"field": field, "message": message}]},
    )


def _unb64(value: str) -> bytes:
    return base64.urlsafe_b64decode(value.rstrip("=") + "=" * (-len(value.rstrip("=")) % 4))


def check_endpoint(endpoint: str, extra_hosts: tuple[str, ...]) -> None:
    """Refuse an endpoint that is not an absolute URL of a push service we may call."""
    parts = urlsplit(endpoint)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("https", "http") or not host:
        raise bad("endpoint", "an absolute https URL")
    if host in extra_hosts:
        return  # listed by the operator: a self-hosted push service (or a test's), http allowed
    if parts.scheme != "https":
        raise bad("endpoint", "an absolute https URL")
    if not any(host == s or host.endswith("." + s) for s in PUSH_SERVICES):
        raise bad("endpoint", "not a known push service")


def check_keys(p256dh: str, auth: str) -> None:
    """Refuse keys that can't encrypt a message (RFC 8291: a P-256 point, 16 secret bytes)."""
    try:
        point = _unb64(p256dh)
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except (ValueError, binascii.Error):
        raise bad("keys.p256dh", "an uncompressed P-256 public key, base64url") from None
    try:
        secret = _unb64(auth)
    except (ValueError, binascii.Error):
        secret = b""
    if len(secret) != 16:
        raise bad("keys.auth", "16 bytes, base64url")


def _require_person(principal: Principal) -> None:
    # A kiosk is a shared door device: nobody's notifications belong on it.
    if principal.actor.role is Role.KIOSK:
        raise forbidden("A kiosk can't receive notifications.")


async def subscribe(
    principal: Principal, endpoint: str, p256dh: str, auth: str, extra_hosts: tuple[str, ...]
) -> dict[str, Any]:
    """Register the caller's device; an endpoint registered before moves to the caller.

    Only the page a user has signed in to can read its browser's subscription, so the caller
    holds the device now; the previous user (a shared Chromebook) stops getting its pushes.
    """
    _require_person(principal)
    check_endpoint(endpoint, extra_hosts)
    check_keys(p256dh, auth)
    actor = principal.actor
    sub, _ = await PushSubscription.update_or_create(
        endpoint=endpoint,
        defaults={
            "school_id": actor.school_id,
            "user_id": actor.user_id,
            "p256dh": p256dh,
            "auth": auth,
        },
    )
    return {"endpoint": sub.endpoint, "created_at": iso(sub.created_at)}


async def unsubscribe(principal: Principal, endpoint: str) -> None:
    """Remove one of the caller's devices (another user's endpoint is 404: not yours)."""
    _require_person(principal)
    deleted = await PushSubscription.filter(
        endpoint=endpoint, user_id=principal.actor.user_id
    ).delete()
    if not deleted:
        raise not_found("push subscription")
