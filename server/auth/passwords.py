"""Password hashing with Argon2id (argon2-cffi), off the event loop."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

hasher = PasswordHasher()

# Verified against when the login is unknown, so a wrong login costs as long as a wrong
# password and response times do not reveal which logins exist.
_DUMMY_HASH = hasher.hash("not a real password")


async def hash_password(password: str) -> str:
    """Return an Argon2id hash of the password (computed in a worker thread)."""
    return await asyncio.to_thread(hasher.hash, password)


def _verify(password_hash: str | None, password: str) -> bool:
    try:
        return hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


async def verify_password(password_hash: str | None, password: str) -> bool:
    """Say whether the password matches; a None hash always fails in constant-ish time."""
    return await asyncio.to_thread(_verify, password_hash, password)
