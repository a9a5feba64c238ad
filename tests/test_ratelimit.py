"""The limiters: sign-ins per login and address, per address, kiosk lookups; windows slide."""

from __future__ import annotations

from server.auth.ratelimit import (
    KIOSK_LOOKUPS,
    KIOSK_WINDOW_SECONDS,
    PER_ADDRESS_FAILURES,
    PER_KEY_FAILURES,
    SWEEP_AT_KEYS,
    WINDOW_SECONDS,
    KioskLimiter,
    LoginLimiter,
)


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_login_is_held_after_its_failures_and_released_when_the_window_slides() -> None:
    clock = FakeClock()
    limiter = LoginLimiter(clock=clock)
    for _ in range(PER_KEY_FAILURES):
        assert limiter.retry_after("1003", "10.0.0.5") is None
        limiter.failed("1003", "10.0.0.5")
    wait = limiter.retry_after("1003", "10.0.0.5")
    assert wait is not None
    assert 0 < wait <= WINDOW_SECONDS + 1
    assert limiter.retry_after("1003", "10.0.0.6") is None  # another device is not held
    clock.now += WINDOW_SECONDS + 1
    assert limiter.retry_after("1003", "10.0.0.5") is None


def test_one_address_spraying_many_logins_is_held() -> None:
    limiter = LoginLimiter(clock=FakeClock())
    for i in range(PER_ADDRESS_FAILURES):
        limiter.failed(f"user{i}", "10.0.0.9")
    assert limiter.retry_after("someone-new", "10.0.0.9") is not None
    assert limiter.retry_after("someone-new", "10.0.0.10") is None


def test_a_success_forgets_that_logins_failures() -> None:
    limiter = LoginLimiter(clock=FakeClock())
    for _ in range(PER_KEY_FAILURES - 1):
        limiter.failed("1003", "10.0.0.5")
    limiter.succeeded("1003", "10.0.0.5")
    limiter.failed("1003", "10.0.0.5")
    assert limiter.retry_after("1003", "10.0.0.5") is None


def test_logins_that_are_never_retried_do_not_pile_up() -> None:
    clock = FakeClock()
    limiter = LoginLimiter(clock=clock)
    for i in range(SWEEP_AT_KEYS // 2):
        limiter.failed(f"made-up-{i}", f"10.1.{i // 250}.{i % 250}")
    clock.now += WINDOW_SECONDS + 1
    limiter.failed("one-more", "10.9.9.9")  # over the limit of keys: the stale ones go
    assert limiter.tracked() == 2


def test_a_kiosk_is_held_after_its_lookups_and_another_kiosk_is_not() -> None:
    clock = FakeClock()
    limiter = KioskLimiter(clock=clock)
    for _ in range(KIOSK_LOOKUPS):
        assert limiter.retry_after(7) is None
        limiter.looked_up(7)
    wait = limiter.retry_after(7)
    assert wait is not None
    assert 0 < wait <= KIOSK_WINDOW_SECONDS + 1
    assert limiter.retry_after(8) is None
    clock.now += KIOSK_WINDOW_SECONDS + 1
    assert limiter.retry_after(7) is None
