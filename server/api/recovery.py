"""While the database is full, the first write request that succeeds ends the outage in the log.

A pure ASGI middleware: it looks at nothing unless the process has seen the storage full
(server/storage.py), and then only at the status of unsafe requests.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server import storage

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class StorageRecovery:
    """Tell the storage outage a write went through: an unsafe request answered 2xx."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start" and 200 <= message["status"] < 300:
                storage.stored()
            await send(message)

        await self.app(scope, receive, watch)
