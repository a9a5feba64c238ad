"""Run each request's deferred work once its response is sent (server/services/deferred.py)."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from server.services.deferred import collecting, run


class AfterResponse:
    """A pure ASGI middleware: the request's `later` jobs run after its last byte is sent."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with collecting() as jobs:
            try:
                await self.app(scope, receive, send)
            finally:
                # Also after an unexpected error: the work was the request's, not the answer's.
                for job in jobs:
                    await run(job)
