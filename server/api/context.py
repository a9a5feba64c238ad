"""Per-process state the handlers share: settings, the login and kiosk limiters."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import HTTPConnection

from server.auth.authenticate import authenticate
from server.auth.principal import Principal
from server.auth.ratelimit import Counters, KioskLimiter, LoginLimiter
from server.config import Settings
from server.models import Session


@dataclass
class AppContext:
    """What every handler of one app instance can reach."""

    settings: Settings
    # Where the limits count: Redis when the deployment has one (shared by every process).
    counters: Counters | None = None
    limiter: LoginLimiter = field(init=False)
    kiosk_limiter: KioskLimiter = field(init=False)

    def __post_init__(self) -> None:
        if self.counters is None:
            self.counters = Counters(self.settings.redis_url)
        self.limiter = LoginLimiter(self.counters)
        self.kiosk_limiter = KioskLimiter(self.counters)

    async def close(self) -> None:
        """Let go of what the context holds open (the limits' Redis connections)."""
        if self.counters is not None:
            await self.counters.close()


def context(conn: HTTPConnection) -> AppContext:
    """Return the app's shared context."""
    ctx: AppContext = conn.app.state.hallpass
    return ctx


async def caller(conn: HTTPConnection) -> Principal:
    """Return the authenticated caller, or raise 401/403."""
    principal, _ = await authenticate(conn, context(conn).settings.allowed_origins)
    return principal


async def caller_session(conn: HTTPConnection) -> tuple[Principal, Session]:
    """Return the authenticated caller and their session."""
    return await authenticate(conn, context(conn).settings.allowed_origins)
