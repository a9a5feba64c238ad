"""Password hashing with the production Argon2id parameters."""

from __future__ import annotations

import argon2

from server.auth import passwords


async def test_hashes_are_argon2id_with_the_library_defaults_and_verify() -> None:
    production = argon2.PasswordHasher()
    passwords_hasher = passwords.hasher
    passwords.hasher = production
    try:
        hashed = await passwords.hash_password("correct horse")
        assert hashed.startswith("$argon2id$")
        params = argon2.extract_parameters(hashed)
        assert params.memory_cost == production.memory_cost
        assert params.time_cost == production.time_cost
        assert await passwords.verify_password(hashed, "correct horse")
        assert not await passwords.verify_password(hashed, "wrong horse")
        assert not await passwords.verify_password(None, "correct horse")
        assert not await passwords.verify_password("not a hash", "correct horse")
    finally:
        passwords.hasher = passwords_hasher
