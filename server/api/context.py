"""What the handlers of one app share: its settings and its runtime (server/runtime.py)."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from server import runtime as runtimes
from server.auth.authenticate import authenticate
from server.auth.principal import Principal
from server.config import Settings
from server.enums import Role
from server.errors import forbidden
from server.models import Session
from server.runtime import Runtime


@dataclass
class AppContext:
    """What every handler of one app instance can reach."""

    settings: Settings
    # The app's own hooks, listeners, passwords and limiters: never another app's.
    runtime: Runtime

    async def close(self) -> None:
        """Let go of what the context holds open (the limits' Redis connections)."""
        await self.runtime.close()


class UsingRuntime:
    """A pure ASGI middleware: each request and socket runs in its app's runtime.

    Uvicorn runs each connection in a task of its own, not in the lifespan's: the runtime the
    lifespan set is not theirs, so it is set again here, for the services the request calls
    and for the `later` jobs run after its response (this middleware is the outermost).
    """

    def __init__(self, app: ASGIApp, runtime: Runtime) -> None:
        self.app = app
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        with runtimes.using(self.runtime):
            await self.app(scope, receive, send)


def context(conn: HTTPConnection) -> AppContext:
    """Return the app's shared context."""
    ctx: AppContext = conn.app.state.hallpass
    return ctx


def refuse_district_admin(principal: Principal) -> None:
    """Refuse a district administrator (403) in a school's endpoint.

    Their user row lives in one school of the district, but the role acts only through the
    district's endpoints (server/api/district.py): no pass, student, place or setting of that
    school is theirs to read or change here.
    """
    if principal.actor.role is Role.DISTRICT_ADMIN:
        raise forbidden(
            "A district administrator works on the district's pages (/api/district), "
            "not inside a school."
        )


async def caller(conn: HTTPConnection) -> Principal:
    """Return the authenticated caller of a school's endpoint, or raise 401/403."""
    principal, _ = await caller_session(conn)
    return principal


async def caller_session(conn: HTTPConnection) -> tuple[Principal, Session]:
    """Return the authenticated caller of a school's endpoint and their session (401/403)."""
    principal, session = await signed_in_session(conn)
    refuse_district_admin(principal)
    return principal, session


async def signed_in_session(conn: HTTPConnection) -> tuple[Principal, Session]:
    """Return any signed-in caller and their session, district administrators included:
    for who am I, signing out, and switching schools."""
    return await authenticate(conn, context(conn).settings.allowed_origins)


async def district_caller(conn: HTTPConnection) -> Principal:
    """Return the caller of a district endpoint: a district administrator, or raise 401/403."""
    principal, _ = await signed_in_session(conn)
    if principal.actor.role is not Role.DISTRICT_ADMIN:
        raise forbidden("Only a district administrator can do this.")
    return principal
