"""A connection writes at once when it can, queues in order when it can't, and never blocks."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from starlette.websockets import WebSocketState

from server.contract.ws import MAX_PENDING
from server.enums import Role
from server.hub.connection import Connection
from server.hub.protocol import EXTENSION
from server.rules.permissions import Actor

SESSION_END = datetime(2100, 1, 1, tzinfo=UTC)


class FakeSocket:
    """A WebSocket whose ordinary sends wait until `unblocked`, and which may write at once.

    `direct` says whether it offers the `hallpass.send_now` extension; `writable` whether that
    write-now path accepts a frame (a paused transport declines).
    """

    def __init__(self, *, direct: bool) -> None:
        self.application_state = WebSocketState.CONNECTED
        self.scope: dict[str, Any] = {"extensions": {}}
        if direct:
            self.scope["extensions"][EXTENSION] = {"send_text": self.send_text_now}
        self.writable = True
        self.unblocked = asyncio.Event()
        self.received: list[str] = []
        self.delivered = asyncio.Condition()
        self.written_at_once = 0
        self.closed_with: tuple[int, str] | None = None
        self.closed = asyncio.Event()

    def send_text_now(self, text: str) -> bool:
        if not self.writable:
            return False
        self.received.append(text)
        self.written_at_once += 1
        return True

    async def send_text(self, text: str) -> None:
        await self.unblocked.wait()
        self.received.append(text)
        async with self.delivered:
            self.delivered.notify_all()

    async def until_received(self, count: int) -> None:
        async with self.delivered:
            await self.delivered.wait_for(lambda: len(self.received) >= count)

    async def close(self, code: int, reason: str = "") -> None:
        self.closed_with = (code, reason)
        self.closed.set()
        self.application_state = WebSocketState.DISCONNECTED


def connection_to(socket: FakeSocket) -> Connection:
    return Connection(socket, Actor(1, 1, Role.SECURITY), 1, SESSION_END)  # type: ignore[arg-type]


async def test_a_client_that_falls_behind_is_closed_with_1013_and_offers_never_block() -> None:
    socket = FakeSocket(direct=False)
    connection = connection_to(socket)
    for n in range(MAX_PENDING + 1):  # the backlog holds MAX_PENDING, the next one overflows
        connection.offer(f'{{"n": {n}}}')  # returns at once even though nothing is read
    assert connection.closing
    async with asyncio.timeout(1):
        await socket.closed.wait()
    assert socket.closed_with is not None
    assert socket.closed_with[0] == 1013
    assert socket.received == []


async def test_a_socket_that_can_take_frames_gets_them_without_a_writer_task() -> None:
    socket = FakeSocket(direct=True)
    connection = connection_to(socket)
    for n in range(3):
        connection.offer(str(n))
    assert socket.received == ["0", "1", "2"]  # written before offer() returned
    assert socket.written_at_once == 3
    assert connection.backlog == 0  # so no writer task: an idle connection holds no task


async def test_frames_queued_behind_a_paused_socket_keep_their_order() -> None:
    socket = FakeSocket(direct=True)
    connection = connection_to(socket)
    connection.offer("0")
    socket.writable = False  # the client stopped reading: the transport paused
    connection.offer("1")
    socket.writable = True  # a frame must not overtake the backlog, however writable
    connection.offer("2")
    assert socket.received == ["0"]
    socket.unblocked.set()
    async with asyncio.timeout(1):
        await socket.until_received(3)
    assert socket.received == ["0", "1", "2"]
    assert connection.backlog == 0
    connection.offer("3")  # the backlog is empty again: straight to the socket
    assert socket.received == ["0", "1", "2", "3"]
    assert socket.written_at_once == 2


async def test_a_paused_socket_that_never_reads_is_closed_with_1013() -> None:
    socket = FakeSocket(direct=True)
    socket.writable = False
    connection = connection_to(socket)
    for n in range(MAX_PENDING + 1):
        connection.offer(str(n))
    async with asyncio.timeout(1):
        await socket.closed.wait()
    assert socket.closed_with is not None
    assert socket.closed_with[0] == 1013


async def test_a_closing_connection_sends_its_backlog_first_then_closes() -> None:
    socket = FakeSocket(direct=True)
    socket.writable = False
    connection = connection_to(socket)
    connection.offer('{"type": "error"}')
    connection.close_soon(4403, "session ended")
    connection.offer("too late")  # nothing new once closing
    socket.unblocked.set()
    async with asyncio.timeout(2):
        await connection.finish()
    assert socket.received == ['{"type": "error"}']
    assert socket.closed_with == (4403, "session ended")


async def test_a_notification_before_the_snapshot_is_sent_right_after_it() -> None:
    socket = FakeSocket(direct=True)
    connection = connection_to(socket)  # attached, its snapshot still being read
    connection.notify("toast")
    connection.deliver(5, "event 5")
    assert socket.received == []
    connection.offer("snapshot at 4")
    connection.go_live(4)
    assert socket.received == ["snapshot at 4", "event 5", "toast"]


async def test_a_notification_to_a_paused_socket_waits_in_the_backlog_like_any_frame() -> None:
    socket = FakeSocket(direct=True)
    connection = connection_to(socket)
    connection.go_live(0)
    socket.writable = False
    connection.deliver(1, "event 1")
    connection.notify("toast")  # returns at once; it must not overtake the event
    assert socket.received == []
    assert connection.backlog == 2
    socket.unblocked.set()
    async with asyncio.timeout(1):
        await socket.until_received(2)
    assert socket.received == ["event 1", "toast"]
