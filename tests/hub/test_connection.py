"""A client that falls behind is closed with 1013 without ever blocking the hub."""

from __future__ import annotations

import asyncio

from starlette.websockets import WebSocketState

from server.enums import Role
from server.hub.connection import Connection
from server.hub.const import MAX_PENDING
from server.rules.permissions import Actor


class StuckSocket:
    """A WebSocket whose client never reads: every send waits forever."""

    def __init__(self) -> None:
        self.application_state = WebSocketState.CONNECTED
        self.closed_with: tuple[int, str] | None = None
        self.closed = asyncio.Event()
        self.never = asyncio.Event()

    async def send_text(self, text: str) -> None:
        await self.never.wait()

    async def close(self, code: int, reason: str = "") -> None:
        self.closed_with = (code, reason)
        self.closed.set()
        self.application_state = WebSocketState.DISCONNECTED


async def test_a_client_that_falls_behind_is_closed_with_1013_and_offers_never_block() -> None:
    socket = StuckSocket()
    connection = Connection(socket, Actor(1, 1, Role.SECURITY), session_id=1)  # type: ignore[arg-type]
    connection.start()
    for n in range(MAX_PENDING + 2):  # one is taken by the stuck writer, the queue holds the rest
        connection.offer(f'{{"n": {n}}}')  # returns at once even though nothing is read
    assert connection.closing
    async with asyncio.timeout(1):
        await socket.closed.wait()
    assert socket.closed_with is not None
    assert socket.closed_with[0] == 1013
