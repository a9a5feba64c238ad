"""Password hashing with the production Argon2id parameters."""

from __future__ import annotations

import argon2

from server.auth.passwords import Passwords
from server.runtime import Runtime


async def test_hashes_are_argon2id_with_the_library_defaults_and_verify() -> None:
    production = argon2.PasswordHasher()
    passwords = Runtime().passwords  # what an app gets unless it is given another
    assert passwords.hasher.memory_cost == production.memory_cost
    hashed = await passwords.hash("correct horse")
    assert hashed.startswith("$argon2id$")
    params = argon2.extract_parameters(hashed)
    assert params.memory_cost == production.memory_cost
    assert params.time_cost == production.time_cost
    assert await passwords.verify(hashed, "correct horse")
    assert not await passwords.verify(hashed, "wrong horse")
    assert not await passwords.verify(None, "correct horse")
    assert not await passwords.verify("not a hash", "correct horse")


async def test_the_dummy_hash_of_unknown_logins_is_made_by_the_hasher_in_use() -> None:
    cheap = Passwords(argon2.PasswordHasher.from_parameters(argon2.profiles.CHEAPEST))
    production = Passwords()
    # Its cost is the real hashes' cost: an unknown login takes as long as a wrong password.
    for passwords in (cheap, production):
        dummy = argon2.extract_parameters(passwords._dummy_hash)
        assert dummy.memory_cost == passwords.hasher.memory_cost
        assert dummy.time_cost == passwords.hasher.time_cost
