"""The deployment's VAPID key pair: made on first use, kept in the database, shared by all."""

from __future__ import annotations

import base64
import contextlib

from cryptography.hazmat.primitives import serialization
from py_vapid import Vapid02
from tortoise.exceptions import IntegrityError

from server.models import VapidKey

KEY_ID = 1


def b64url(data: bytes) -> str:
    """Return unpadded base64url, as Web Push writes keys."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _new_key() -> VapidKey:
    vapid = Vapid02()
    vapid.generate_keys()
    public = vapid.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return VapidKey(
        id=KEY_ID, private_pem=vapid.private_pem().decode("ascii"), public_key=b64url(public)
    )


async def vapid_key() -> VapidKey:
    """Return the key pair, creating it if this is the first use.

    Two processes may both find none: each inserts id 1, one wins, and the loser reads the
    winner's row back, so every process signs with the key browsers subscribed to.
    """
    found = await VapidKey.get_or_none(id=KEY_ID)
    if found is not None:
        return found
    with contextlib.suppress(IntegrityError):
        await _new_key().save(force_create=True)
    return await VapidKey.get(id=KEY_ID)


def signer(key: VapidKey) -> Vapid02:
    """Return the py_vapid signer of a stored key."""
    return Vapid02.from_pem(key.private_pem.encode("ascii"))
