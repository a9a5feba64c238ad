"""Login rate limiting: a sliding window of failed attempts per login and per client address."""

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


@dataclass
class LoginLimiter:
    """Counts failed logins in memory (per process; see docs/adr/0003-auth.md)."""

    clock: Callable[[], float] = time.monotonic
    _failures: dict[str, deque[float]] = field(default_factory=dict)

    def _recent(self, key: str) -> deque[float]:
        window = self._failures.setdefault(key, deque())
        cutoff = self.clock() - WINDOW_SECONDS
        while window and window[0] < cutoff:
            window.popleft()
        if not window:
            del self._failures[key]
            return deque()
        return window

    def retry_after(self, login: str, address: str) -> int | None:
        """Return seconds to wait when either window is full, else None."""
        now = self.clock()
        for key, limit in (
            (f"l:{login.lower()}|{address}", PER_KEY_FAILURES),
            (f"a:{address}", PER_ADDRESS_FAILURES),
        ):
            window = self._recent(key)
            if len(window) >= limit:
                return max(1, int(window[0] + WINDOW_SECONDS - now) + 1)
        return None

    def failed(self, login: str, address: str) -> None:
        """Record a failed attempt."""
        now = self.clock()
        for key in (f"l:{login.lower()}|{address}", f"a:{address}"):
            self._failures.setdefault(key, deque()).append(now)
        if len(self._failures) > SWEEP_AT_KEYS:
            for key in list(self._failures):
                self._recent(key)

    def tracked(self) -> int:
        """Return how many keys have failures in their window (for tests and metrics)."""
        return len(self._failures)

    def succeeded(self, login: str, address: str) -> None:
        """Forget the failures of a login that just succeeded from this address."""
        self._failures.pop(f"l:{login.lower()}|{address}", None)
