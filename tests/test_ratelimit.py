"""The limiters: backoff per login, unknown logins per address, kiosk lookups; shared in Redis.

The counts are kept by the `limits` library, which reads the wall clock; `limits_clock`
(tests/conftest.py) moves that clock by hand (the one fake: the time itself).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator

import pytest

from server.auth import ratelimit
from server.auth.ratelimit import (
    KIOSK_LOOKUPS,
    LOGIN_FREE_FAILURES,
    LOGIN_MAX_HOLD_SECONDS,
    UNKNOWN_LOGINS_PER_ADDRESS,
    Counters,
    KioskLimiter,
    LoginLimiter,
    hold_seconds,
)
from tests.conftest import FakeClock
from tests.hub.conftest import IN_CI, REDIS_URL, redis_reason


@pytest.fixture
def redis_url() -> str:
    """Return the test Redis URL; skip without a server (fail under CI=true)."""
    reason = redis_reason()
    if reason is not None:
        if IN_CI:
            pytest.fail(f"CI=true needs Redis: {reason}")
        pytest.skip(reason)
    return REDIS_URL


@pytest.fixture
async def shared(redis_url: str) -> AsyncIterator[tuple[Counters, Counters]]:
    """Two processes' counters on one Redis, under a key prefix of this test's own."""
    prefix = f"hallpass-test:{uuid.uuid4().hex}"
    pair = (Counters(redis_url, key_prefix=prefix), Counters(redis_url, key_prefix=prefix))
    yield pair
    for counters in pair:
        if counters.shared is not None:
            await counters.shared.reset()  # this prefix's keys only
        await counters.close()


@pytest.mark.parametrize(
    ("failures", "hold"),
    [
        (1, None),
        (LOGIN_FREE_FAILURES - 1, None),
        (LOGIN_FREE_FAILURES, 15),
        (LOGIN_FREE_FAILURES + 1, 30),
        (LOGIN_FREE_FAILURES + 2, 60),
        (LOGIN_FREE_FAILURES + 4, 240),
        (LOGIN_FREE_FAILURES + 5, LOGIN_MAX_HOLD_SECONDS),
        (10_000, LOGIN_MAX_HOLD_SECONDS),
    ],
)
def test_each_failure_past_the_free_ones_doubles_the_hold_up_to_the_cap(
    failures: int, hold: int | None
) -> None:
    assert hold_seconds(failures) == hold


async def test_a_login_is_held_from_every_address_and_released_when_the_hold_ends(
    limits_clock: FakeClock,
) -> None:
    limiter = LoginLimiter(Counters(None))
    for n in range(LOGIN_FREE_FAILURES):
        assert await limiter.login_wait("1003") is None
        await limiter.failed("1003", f"10.0.0.{n}", known=True)  # a new address each time
    assert await limiter.login_wait("1003") == 15
    assert await limiter.login_wait("1004") is None  # another login is not held
    limits_clock.now += 15
    assert await limiter.login_wait("1003") is None
    await limiter.failed("1003", "10.0.0.9", known=True)
    assert await limiter.login_wait("1003") == 30  # the next failure doubles it


async def test_an_attacker_who_keeps_failing_holds_the_owner_at_most_the_cap(
    limits_clock: FakeClock,
) -> None:
    limiter = LoginLimiter(Counters(None))
    for _ in range(40):  # an attacker failing on purpose, as fast as the holds allow
        wait = await limiter.login_wait("teacher1@demo.school")
        assert wait is None or wait <= LOGIN_MAX_HOLD_SECONDS
        limits_clock.now += wait or 0
        await limiter.failed("teacher1@demo.school", "10.0.0.66", known=True)
    assert await limiter.login_wait("teacher1@demo.school") == LOGIN_MAX_HOLD_SECONDS
    limits_clock.now += LOGIN_MAX_HOLD_SECONDS
    assert await limiter.login_wait("teacher1@demo.school") is None  # the owner's turn


async def test_a_success_forgets_that_logins_failures(limits_clock: FakeClock) -> None:
    limiter = LoginLimiter(Counters(None))
    for _ in range(LOGIN_FREE_FAILURES - 1):
        await limiter.failed("1003", "10.0.0.5", known=True)
    await limiter.succeeded("1003")
    await limiter.failed("1003", "10.0.0.5", known=True)
    assert await limiter.login_wait("1003") is None


async def test_a_trusted_device_counts_on_its_own_key_apart_from_the_login(
    limits_clock: FakeClock,
) -> None:
    limiter = LoginLimiter(Counters(None))
    for _ in range(LOGIN_FREE_FAILURES):
        await limiter.failed("teacher1@demo.school", "10.0.0.66", known=True)
    assert await limiter.login_wait("teacher1@demo.school") == 15
    assert await limiter.login_wait("teacher1@demo.school", device="laptop") is None
    await limiter.succeeded("teacher1@demo.school", device="laptop")
    assert await limiter.login_wait("teacher1@demo.school") == 15  # still held for the rest
    for _ in range(LOGIN_FREE_FAILURES):
        await limiter.failed("teacher1@demo.school", "10.0.0.5", known=True, device="laptop")
    assert await limiter.login_wait("teacher1@demo.school", device="laptop") == 15
    assert await limiter.login_wait("teacher1@demo.school", device="phone") is None


async def test_an_address_is_limited_only_by_its_failures_on_unknown_logins(
    limits_clock: FakeClock,
) -> None:
    limiter = LoginLimiter(Counters(None))
    for i in range(UNKNOWN_LOGINS_PER_ADDRESS.amount):
        await limiter.failed(f"made-up-{i}", "10.0.0.9", known=True)  # known: not counted
    assert await limiter.address_wait("10.0.0.9") is None
    for i in range(UNKNOWN_LOGINS_PER_ADDRESS.amount):
        await limiter.failed(f"made-up-{i}", "10.0.0.9", known=False)
    wait = await limiter.address_wait("10.0.0.9")
    assert wait is not None
    assert 0 < wait <= UNKNOWN_LOGINS_PER_ADDRESS.get_expiry()
    assert await limiter.address_wait("10.0.0.10") is None
    limits_clock.now += UNKNOWN_LOGINS_PER_ADDRESS.get_expiry() + 1
    assert await limiter.address_wait("10.0.0.9") is None


async def test_a_kiosk_is_held_after_its_lookups_and_another_kiosk_is_not(
    limits_clock: FakeClock,
) -> None:
    limiter = KioskLimiter(Counters(None))
    for _ in range(KIOSK_LOOKUPS.amount):
        assert await limiter.look_up(7) is None
    wait = await limiter.look_up(7)
    assert wait is not None
    assert 0 < wait <= KIOSK_LOOKUPS.get_expiry()
    assert await limiter.look_up(8) is None
    limits_clock.now += KIOSK_LOOKUPS.get_expiry() + 1
    assert await limiter.look_up(7) is None


@pytest.mark.redis
async def test_with_redis_every_process_counts_on_the_same_limits(
    shared: tuple[Counters, Counters],
) -> None:
    one, two = LoginLimiter(shared[0]), LoginLimiter(shared[1])
    for n in range(LOGIN_FREE_FAILURES):
        limiter = one if n % 2 else two  # the failures land on either process
        await limiter.failed("1003", "10.0.0.5", known=True)
    for limiter in (one, two):
        wait = await limiter.login_wait("1003")
        assert wait is not None
        assert 0 < wait <= 15
    await two.succeeded("1003")
    assert await one.login_wait("1003") is None
    kiosk_one, kiosk_two = KioskLimiter(shared[0]), KioskLimiter(shared[1])
    for n in range(KIOSK_LOOKUPS.amount):
        assert await (kiosk_one if n % 2 else kiosk_two).look_up(7) is None
    assert await kiosk_one.look_up(7) is not None
    assert await kiosk_two.look_up(7) is not None


async def test_when_redis_is_down_the_limits_carry_on_in_memory_and_say_so_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()  # nothing listens on this port now
    counters = Counters(f"redis://127.0.0.1:{port}/0")
    limiter = LoginLimiter(counters)
    try:
        with caplog.at_level(logging.WARNING, logger=ratelimit.__name__):
            for _ in range(LOGIN_FREE_FAILURES):
                assert await limiter.login_wait("1003") is None
                await limiter.failed("1003", "10.0.0.5", known=True)
            assert await limiter.login_wait("1003") is not None  # still limited, in memory
    finally:
        await counters.close()
    assert [r.getMessage() for r in caplog.records if "Redis failed" in r.getMessage()] != []
    assert len(caplog.records) == 1
