"""Rate limits on signing in and on a door kiosk's lookups, counted with the `limits` library.

The counts live in Redis when HALLPASS_REDIS_URL is set, so every worker and every server of a
deployment shares them, and in this process's memory otherwise (docs/adr/0003-auth.md has the
threat model). If Redis stops answering, the limits carry on in memory (per process) until it
answers again: a Redis outage must not make signing in impossible.

Signing in is limited in three ways, none of which lets one address lock out anyone else:
- per login (normalised, known or not), exponential backoff, for clients that never signed
  into it: a few free failures, then each further failure holds the login for twice as long
  as the last, capped at a few minutes, so a guesser gets a handful of tries an hour;
- per trusted device (a valid device cookie for the login, server/auth/devices.py), the same
  backoff on a key of its own: the login's hold does not apply to it, so its owner always
  gets in with the right password however long someone else keeps failing, and a stolen
  laptop still gets only a handful of tries an hour;
- per address, failures on logins that do not exist: past the limit that address's attempts
  on unknown logins are refused before any password hashing. It never applies to a login that
  exists, so a correct password is refused only while its own login is held.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Awaitable, Callable
from typing import Final, TypeVar

import redis.asyncio
from limits import RateLimitItem, RateLimitItemPerHour, RateLimitItemPerMinute
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from limits.errors import StorageError

log = logging.getLogger(__name__)
T = TypeVar("T")

# A student who mistypes a few times is never held; past that, each failure holds the login
# twice as long as the one before: 15 s, 30 s, 1 min, 2 min, 4 min, then 5 min at most. A
# guesser gets 5 + about 12 tries an hour per login, from any number of addresses; an attacker
# failing on purpose holds the login only for clients that never signed into it, and each
# trusted device (the owner's) counts the same backoff on its own failures.
LOGIN_FREE_FAILURES: Final = 5
LOGIN_FIRST_HOLD_SECONDS: Final = 15
LOGIN_MAX_HOLD_SECONDS: Final = 300
# A login's failures are remembered for an hour (counted up to 32: the hold is capped anyway).
# Every limit is a sliding window counter (two counters per key), not a moving window (a
# timestamp per hit): a spray of made-up logins makes a key each, and must stay cheap.
LOGIN_FAILURES: Final[RateLimitItem] = RateLimitItemPerHour(32)
# Failures on logins that do not exist, per address, in 5 minutes. A whole school can share one
# NAT address, and at the first bell students mistype their numbers; an attacker's spray of
# made-up logins stops here, before it costs a password hash each.
UNKNOWN_LOGINS_PER_ADDRESS: Final[RateLimitItem] = RateLimitItemPerMinute(300, multiples=5)
# A door kiosk serves one room: a student types their number going out and coming back, a
# handful a minute at the busiest. 10 a minute lets a queue at the door through and caps an
# enumeration of 4-digit student numbers at 14,400 a day, with every one logged as a request.
KIOSK_LOOKUPS: Final[RateLimitItem] = RateLimitItemPerMinute(10)
# Single sign-on starts per address in 5 minutes. Each writes a pending sign-in row and sends
# the browser to the provider; a whole school behind one NAT address signs in at the first
# bell, so the limit is wide, and it stops only a script filling the table.
SSO_STARTS_PER_ADDRESS: Final[RateLimitItem] = RateLimitItemPerMinute(600, multiples=5)
# Wrong substitute codes per address in 5 minutes. A code is 10 characters of a 31-letter
# alphabet (about 8 * 10**14 codes), so even a botnet's worth of addresses finds none; the limit
# stops one address from trying more than a few a minute. A school's NAT address is shared, and
# a substitute who mistypes a code twice must not lock out the next: 20 leaves room for that.
CODE_FAILURES_PER_ADDRESS: Final[RateLimitItem] = RateLimitItemPerMinute(20, multiples=5)
# After Redis fails, the limits stay in memory this long before Redis is tried again, so an
# outage costs one timeout per half minute rather than one per sign-in.
REDIS_RETRY_SECONDS: Final = 30.0
REDIS_TIMEOUT_SECONDS: Final = 0.5
DEFAULT_KEY_PREFIX: Final = "hallpass:limits"


def seconds_until(moment: float) -> int:
    """Return whole seconds (at least 1) from now until an epoch time, for Retry-After."""
    return max(1, math.ceil(moment - time.time()))


class Counters:
    """Where the limits are counted: Redis when configured, else (or while it is down) memory."""

    def __init__(self, redis_url: str | None, *, key_prefix: str = DEFAULT_KEY_PREFIX) -> None:
        self.memory = MemoryStorage()
        self._pool: redis.asyncio.ConnectionPool | None = None
        self.shared: Storage | None = None
        if redis_url is not None:
            self._pool = redis.asyncio.ConnectionPool.from_url(
                redis_url,
                socket_timeout=REDIS_TIMEOUT_SECONDS,
                socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            )
            self.shared = RedisStorage(
                "async+" + redis_url,
                implementation="redispy",
                key_prefix=key_prefix,
                wrap_exceptions=True,
                # Documented by limits ("connection_pool"), typed there as a plain option.
                connection_pool=self._pool,  # type: ignore[arg-type]
            )
        self._memory_until = 0.0  # monotonic time before which Redis is not tried again

    async def run(self, operation: Callable[[Storage], Awaitable[T]]) -> T:
        """Run a counting operation on Redis, falling back to memory while Redis fails."""
        if self.shared is not None and time.monotonic() >= self._memory_until:
            try:
                result = await operation(self.shared)
            except StorageError as exc:
                if self._memory_until == 0.0:  # once per outage, not once per sign-in
                    log.warning("rate limits: Redis failed (%s); counting in memory", exc)
                self._memory_until = time.monotonic() + REDIS_RETRY_SECONDS
            else:
                if self._memory_until != 0.0:
                    log.warning("rate limits: Redis answers again; counting there")
                    self._memory_until = 0.0
                return result
        return await operation(self.memory)

    async def close(self) -> None:
        """Close the Redis connections (at shutdown)."""
        if self._pool is not None:
            await self._pool.aclose()


class LoginLimiter:
    """Backoff per login and per trusted device, a limit per address on unknown logins (ADR 0003).

    `device` is the nonce of the caller's valid device cookie for the login, or None for a
    client that never signed into it: the two count on separate keys.
    """

    def __init__(self, counters: Counters) -> None:
        self.counters = counters

    async def login_wait(self, login: str, *, device: str | None = None) -> int | None:
        """Return seconds until this client may try the (normalised) login again, or None."""
        key = _hold_key(login, device)

        async def wait(storage: Storage) -> int | None:
            if await storage.get(key) <= 0:
                return None
            return seconds_until(await storage.get_expiry(key))

        return await self.counters.run(wait)

    async def address_wait(self, address: str) -> int | None:
        """Return seconds until the address may try unknown logins again, or None if it may."""

        async def wait(storage: Storage) -> int | None:
            window = SlidingWindowCounterRateLimiter(storage)
            if await window.test(UNKNOWN_LOGINS_PER_ADDRESS, "unknown", address):
                return None
            stats = await window.get_window_stats(UNKNOWN_LOGINS_PER_ADDRESS, "unknown", address)
            return seconds_until(stats.reset_time)

        return await self.counters.run(wait)

    async def failed(
        self, login: str, address: str, *, known: bool, device: str | None = None
    ) -> None:
        """Record a failed sign-in: on the login (or the device) and, if unknown, the address."""
        counted = _failures_key(login, device)
        hold_key = _hold_key(login, device)

        async def record(storage: Storage) -> None:
            window = SlidingWindowCounterRateLimiter(storage)
            await window.hit(LOGIN_FAILURES, *counted)
            stats = await window.get_window_stats(LOGIN_FAILURES, *counted)
            failures = LOGIN_FAILURES.amount - stats.remaining
            hold = hold_seconds(failures)
            if hold is not None:
                await storage.clear(hold_key)
                await storage.incr(hold_key, expiry=hold)
            if not known:
                await window.hit(UNKNOWN_LOGINS_PER_ADDRESS, "unknown", address)

        await self.counters.run(record)

    async def succeeded(self, login: str, *, device: str | None = None) -> None:
        """Forget the failures of this client's key: its user just proved the password.

        A trusted device forgets only its own: the owner signing in on their laptop does not
        give someone guessing from elsewhere a fresh set of free failures.
        """
        counted = _failures_key(login, device)
        hold_key = _hold_key(login, device)

        async def forget(storage: Storage) -> None:
            await SlidingWindowCounterRateLimiter(storage).clear(LOGIN_FAILURES, *counted)
            await storage.clear(hold_key)

        await self.counters.run(forget)


def _failures_key(login: str, device: str | None) -> tuple[str, str]:
    """Return the identifiers a client's failures count under: its device's, else the login's."""
    return ("failed", login) if device is None else ("device-failed", device)


def _hold_key(login: str, device: str | None) -> str:
    """Return the key of a client's hold: its device's, else the login's untrusted clients'."""
    return f"hold/{login}" if device is None else f"device-hold/{device}"


def hold_seconds(failures: int) -> int | None:
    """Return how long a login is held after its n-th remembered failure (None: not at all)."""
    if failures < LOGIN_FREE_FAILURES:
        return None
    doublings = min(failures - LOGIN_FREE_FAILURES, 16)  # 2**16 is far past the cap already
    return int(min(LOGIN_MAX_HOLD_SECONDS, LOGIN_FIRST_HOLD_SECONDS * 2**doublings))


class KioskLimiter:
    """Counts each door kiosk's student-number lookups, found or not."""

    def __init__(self, counters: Counters) -> None:
        self.counters = counters

    async def look_up(self, kiosk_id: int) -> int | None:
        """Count one lookup by the kiosk; return seconds to wait instead if it has none left."""

        async def take(storage: Storage) -> int | None:
            window = SlidingWindowCounterRateLimiter(storage)
            if await window.hit(KIOSK_LOOKUPS, "kiosk", str(kiosk_id)):
                return None
            stats = await window.get_window_stats(KIOSK_LOOKUPS, "kiosk", str(kiosk_id))
            return seconds_until(stats.reset_time)

        return await self.counters.run(take)


class SsoLimiter:
    """Counts single sign-on starts per address."""

    def __init__(self, counters: Counters) -> None:
        self.counters = counters

    async def start(self, address: str) -> int | None:
        """Count one start from the address; return seconds to wait instead if it has none left."""

        async def take(storage: Storage) -> int | None:
            window = SlidingWindowCounterRateLimiter(storage)
            if await window.hit(SSO_STARTS_PER_ADDRESS, "sso", address):
                return None
            stats = await window.get_window_stats(SSO_STARTS_PER_ADDRESS, "sso", address)
            return seconds_until(stats.reset_time)

        return await self.counters.run(take)


class CodeLimiter:
    """Counts wrong substitute sign-in codes per address: past the limit, none is checked."""

    def __init__(self, counters: Counters) -> None:
        self.counters = counters

    async def wait(self, address: str) -> int | None:
        """Return seconds until the address may try a code again, or None if it may now."""

        async def check(storage: Storage) -> int | None:
            window = SlidingWindowCounterRateLimiter(storage)
            if await window.test(CODE_FAILURES_PER_ADDRESS, "code", address):
                return None
            stats = await window.get_window_stats(CODE_FAILURES_PER_ADDRESS, "code", address)
            return seconds_until(stats.reset_time)

        return await self.counters.run(check)

    async def failed(self, address: str) -> None:
        """Count one wrong code from the address."""

        async def record(storage: Storage) -> None:
            await SlidingWindowCounterRateLimiter(storage).hit(
                CODE_FAILURES_PER_ADDRESS, "code", address
            )

        await self.counters.run(record)
