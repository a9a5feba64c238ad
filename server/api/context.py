"""Per-process state the handlers share: settings, the login and kiosk limiters."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import HTTPConnection

from server.api.security import authenticate
from server.auth.ratelimit import KioskLimiter, LoginLimiter
from server.config import Settings
from server.models import Session
from server.services.principal import Principal


@dataclass
class AppContext:
    """What every handler of one app instance can reach."""

    settings: Settings
    limiter: LoginLimiter = field(default_factory=LoginLimiter)
    kiosk_limiter: KioskLimiter = field(default_factory=KioskLimiter)


def context(conn: HTTPConnection) -> AppContext:
    """Return the app's shared context."""
    ctx: AppContext = conn.app.state.hallpass
    return ctx


async def caller(conn: HTTPConnection) -> Principal:
    """Return the authenticated caller, or raise 401/403."""
    principal, _ = await authenticate(conn, context(conn).settings)
    return principal


async def caller_session(conn: HTTPConnection) -> tuple[Principal, Session]:
    """Return the authenticated caller and their session."""
    return await authenticate(conn, context(conn).settings)
