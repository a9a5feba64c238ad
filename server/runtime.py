"""What one app instance owns: after-commit hooks, emergency listeners, passwords, limiters.

Each `create_app` makes its own `Runtime` (server/api/app.py), so two apps in one process (the
tests run several) never share a hook, a listener, a hasher or a count. Services reach the
runtime they run in through `current()`, a context variable: the app sets it for its lifespan
(the scheduler, the delivery worker and the hub inherit it) and for every request and socket
(server/api/context.py::UsingRuntime). A context variable rather than an argument because the
after-commit hooks run at the end of every `school_transaction`, which dozens of services
open: passing the runtime down each of them would add a parameter to every service and every
caller for what only the transaction's end reads. Objects an app builds itself (the hub, the
delivery worker) are handed the runtime explicitly instead. Code that runs outside any app
(the `hallpass` commands, the benchmarks, the tests) enters one with `using`; outside both,
`current()` raises, so nothing can fall back on state shared by the whole process.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from secrets import token_bytes
from typing import Any, Generic, TypeVar

from server.auth.oidc import OidcClient
from server.auth.passwords import Passwords
from server.auth.ratelimit import (
    CodeLimiter,
    Counters,
    KioskLimiter,
    LoginLimiter,
    SsoLimiter,
)
from server.models import PassEvent, School

# Called with the school and its new events after each committed school transaction.
AfterCommit = Callable[[School, Sequence[PassEvent]], Awaitable[None]]
# Called with the school's id and the emergency as staff see it after each committed change.
EmergencyListener = Callable[[int, dict[str, Any]], Awaitable[None]]
# Called with the school's id after a committed change of its settings or places.
SchoolListener = Callable[[int], Awaitable[None]]

H = TypeVar("H")


class Hooks(Generic[H]):
    """Callbacks registered on one runtime, called in the order they were added."""

    def __init__(self) -> None:
        self._hooks: list[H] = []

    def add(self, hook: H) -> Callable[[], None]:
        """Register `hook`; return the function that removes it."""
        self._hooks.append(hook)
        return lambda: self._hooks.remove(hook)

    def __iter__(self) -> Iterator[H]:
        # A copy: a hook may remove itself (or another) while the others are being called.
        return iter(tuple(self._hooks))

    def __len__(self) -> int:
        return len(self._hooks)


@dataclass(eq=False)
class Runtime:
    """The state of one app instance that services, the hub and the worker share."""

    passwords: Passwords = field(default_factory=Passwords)
    # Where the sign-in and kiosk limits count: Redis when the deployment has one (shared by
    # every process of it), else this runtime's memory.
    counters: Counters = field(default_factory=lambda: Counters(None))
    # The hub publishes from here, and the delivery worker wakes: nothing is announced that
    # the database has not kept (server/services/transaction.py).
    after_commit: Hooks[AfterCommit] = field(default_factory=Hooks)
    # The hub carries each committed emergency state to the sockets (server/services/emergency.py).
    emergency_listeners: Hooks[EmergencyListener] = field(default_factory=Hooks)
    # The hub tells every process's sockets of new settings or places (server/hub/hub.py).
    school_listeners: Hooks[SchoolListener] = field(default_factory=Hooks)
    # Single sign-on: the providers' discovery documents and keys, cached per app.
    oidc: OidcClient = field(default_factory=OidcClient)
    # Pass check codes (server/auth/pass_marks.py). An app sets the key derived from the
    # deployment's secret, so every process of it agrees; a runtime of its own (a command, a
    # test) gets a random one rather than a key anyone could know.
    check_key: bytes = field(default_factory=lambda: token_bytes(32))
    login_limiter: LoginLimiter = field(init=False)
    kiosk_limiter: KioskLimiter = field(init=False)
    sso_limiter: SsoLimiter = field(init=False)
    code_limiter: CodeLimiter = field(init=False)

    def __post_init__(self) -> None:
        self.login_limiter = LoginLimiter(self.counters)
        self.kiosk_limiter = KioskLimiter(self.counters)
        self.sso_limiter = SsoLimiter(self.counters)
        self.code_limiter = CodeLimiter(self.counters)

    @classmethod
    def for_redis(cls, redis_url: str | None, *, passwords: Passwords | None = None) -> Runtime:
        """Return a runtime whose limits count in Redis at `redis_url` (memory when None)."""
        return cls(passwords=passwords or Passwords(), counters=Counters(redis_url))

    async def close(self) -> None:
        """Let go of what the runtime holds open (the limits' Redis connections)."""
        await self.counters.close()


_current: ContextVar[Runtime] = ContextVar("hallpass_runtime")


def current() -> Runtime:
    """Return the runtime of the app (or `using` block) this code runs in."""
    try:
        return _current.get()
    except LookupError:
        raise RuntimeError(
            "no Hallpass runtime here: run inside an app, or in `with runtime.using(...)`"
        ) from None


@contextmanager
def using(runtime: Runtime) -> Iterator[Runtime]:
    """Make `runtime` the current one inside the block (and in tasks started from it)."""
    token = _current.set(runtime)
    try:
        yield runtime
    finally:
        _current.reset(token)
