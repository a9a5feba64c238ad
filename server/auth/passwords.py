"""Password hashing with Argon2id (argon2-cffi), off the event loop."""

from __future__ import annotations

import asyncio
import functools

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

hasher = PasswordHasher()


@functools.cache
def _dummy_hash(profile: PasswordHasher) -> str:
    # Verified against when the login is unknown, so a wrong login costs as long as a wrong
    # password and response times do not reveal which logins exist. Made by the hasher in
    # use, so its cost is the same as the real hashes' (the tests swap in a cheap profile).
    return profile.hash("not a real password")


_dummy_hash(hasher)  # now, so that the first unknown login costs no more than the next


async def hash_password(password: str) -> str:
    """Return an Argon2id hash of the password (computed in a worker thread)."""
    return await asyncio.to_thread(hasher.hash, password)


def _verify(password_hash: str | None, password: str) -> bool:
    try:
        return (
            hasher.verify(password_hash or _dummy_hash(hasher), password)
            and password_hash is not None
        )
    except (VerificationError, InvalidHashError):
        return False


async def verify_password(password_hash: str | None, password: str) -> bool:
    """Say whether the password matches; a None hash always fails in constant-ish time."""
    return await asyncio.to_thread(_verify, password_hash, password)
