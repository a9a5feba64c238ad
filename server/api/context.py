"""What the handlers of one app share: its settings and its runtime (server/runtime.py)."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from server import runtime as runtimes
from server.auth.authenticate import authenticate
from server.auth.principal import Principal
from server.config import Settings
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


async def caller(conn: HTTPConnection) -> Principal:
    """Return the authenticated caller, or raise 401/403."""
    principal, _ = await authenticate(conn, context(conn).settings.allowed_origins)
    return principal


async def caller_session(conn: HTTPConnection) -> tuple[Principal, Session]:
    """Return the authenticated caller and their session."""
    return await authenticate(conn, context(conn).settings.allowed_origins)
