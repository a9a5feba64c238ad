"""Rate limits: sliding windows of timestamps per key, in memory (per process; ADR 0003).

Two limiters share the mechanism: failed sign-ins per login and per client address, and the
student numbers a door kiosk looks up (so a kiosk can't be used to enumerate them).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

# 10 failures in 5 minutes stops online guessing of one account cold (a 4-digit student number
# password would take months) while a student who mistypes a few times is never locked out.
PER_KEY_FAILURES = 10
# A whole school can share one NAT address, and at the first bell hundreds of students sign in
# at once; 300 failures in 5 minutes still stops a password spray from one address.
PER_ADDRESS_FAILURES = 300
WINDOW_SECONDS = 300.0
# Past this many tracked keys, every window is swept, so logins that are never retried (a
# spray of made-up names) cannot grow the table without bound.
SWEEP_AT_KEYS = 10_000
# A door kiosk serves one room: a student types their number going out and coming back, a
# handful a minute at the busiest. 10 a minute lets a queue at the door through and caps an
# enumeration of 4-digit student numbers at 14,400 a day, with every one logged as a request.
KIOSK_LOOKUPS = 10
KIOSK_WINDOW_SECONDS = 60.0


@dataclass
class SlidingWindows:
    """The moments of recent hits per key, each window `seconds` long."""

    seconds: float
    clock: Callable[[], float] = time.monotonic
    _hits: dict[str, deque[float]] = field(default_factory=dict)

    def recent(self, key: str) -> deque[float]:
        """Return the key's hits still inside the window (forgetting the key if none are)."""
        window = self._hits.setdefault(key, deque())
        cutoff = self.clock() - self.seconds
        while window and window[0] < cutoff:
            window.popleft()
        if not window:
            del self._hits[key]
            return deque()
        return window

    def wait(self, key: str, limit: int) -> int | None:
        """Return whole seconds until the key is under its limit again, or None if it is."""
        window = self.recent(key)
        if len(window) < limit:
            return None
        return max(1, int(window[0] + self.seconds - self.clock()) + 1)

    def hit(self, key: str) -> None:
        """Record a hit now."""
        self._hits.setdefault(key, deque()).append(self.clock())
        if len(self._hits) > SWEEP_AT_KEYS:
            for stale in list(self._hits):
                self.recent(stale)

    def forget(self, key: str) -> None:
        """Drop a key's hits."""
        self._hits.pop(key, None)

    def tracked(self) -> int:
        """Return how many keys have hits in their window (for tests and metrics)."""
        return len(self._hits)


@dataclass
class LoginLimiter:
    """Counts failed logins in memory (per process; see docs/adr/0003-auth.md)."""

    clock: Callable[[], float] = time.monotonic
    _windows: SlidingWindows = field(init=False)

    def __post_init__(self) -> None:
        self._windows = SlidingWindows(WINDOW_SECONDS, self.clock)

    def retry_after(self, login: str, address: str) -> int | None:
        """Return seconds to wait when either window is full, else None."""
        for key, limit in (
            (f"l:{login.lower()}|{address}", PER_KEY_FAILURES),
            (f"a:{address}", PER_ADDRESS_FAILURES),
        ):
            wait = self._windows.wait(key, limit)
            if wait is not None:
                return wait
        return None

    def failed(self, login: str, address: str) -> None:
        """Record a failed attempt."""
        for key in (f"l:{login.lower()}|{address}", f"a:{address}"):
            self._windows.hit(key)

    def tracked(self) -> int:
        """Return how many keys have failures in their window (for tests and metrics)."""
        return self._windows.tracked()

    def succeeded(self, login: str, address: str) -> None:
        """Forget the failures of a login that just succeeded from this address."""
        self._windows.forget(f"l:{login.lower()}|{address}")


@dataclass
class KioskLimiter:
    """Counts each kiosk's student-number lookups, found or not (per process)."""

    clock: Callable[[], float] = time.monotonic
    _windows: SlidingWindows = field(init=False)

    def __post_init__(self) -> None:
        self._windows = SlidingWindows(KIOSK_WINDOW_SECONDS, self.clock)

    def retry_after(self, kiosk_id: int) -> int | None:
        """Return seconds to wait when the kiosk used up its lookups, else None."""
        return self._windows.wait(str(kiosk_id), KIOSK_LOOKUPS)

    def looked_up(self, kiosk_id: int) -> None:
        """Record one lookup by the kiosk."""
        self._windows.hit(str(kiosk_id))
