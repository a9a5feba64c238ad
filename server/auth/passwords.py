"""Password hashing with Argon2id (argon2-cffi), off the event loop.

Each app has its own `Passwords` (on its runtime, server/runtime.py): the tests give theirs a
cheap profile without changing the hasher of anything else in the process.
"""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# The password hash of a substitute's account made by a grant (server/services/substitutes.py):
# not an Argon2 hash, so no password matches, and single sign-on never picks it either.
CODE_ONLY = "!substitute: signs in with a one-day code"


class Passwords:
    """Hashes and verifies passwords with one Argon2id profile."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self.hasher = hasher or PasswordHasher()
        # Verified against when the login is unknown, so a wrong login costs as long as a
        # wrong password and response times do not reveal which logins exist. Made by the
        # hasher in use, so its cost is the same as the real hashes'; made now, so that the
        # first unknown login costs no more than the next.
        self._dummy_hash = self.hasher.hash("not a real password")

    async def hash(self, password: str) -> str:
        """Return an Argon2id hash of the password (computed in a worker thread)."""
        return await asyncio.to_thread(self.hasher.hash, password)

    def _verify(self, password_hash: str | None, password: str) -> bool:
        try:
            return (
                self.hasher.verify(password_hash or self._dummy_hash, password)
                and password_hash is not None
            )
        except (VerificationError, InvalidHashError):
            return False

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """Say whether the password matches; a None hash always fails in constant-ish time."""
        return await asyncio.to_thread(self._verify, password_hash, password)
