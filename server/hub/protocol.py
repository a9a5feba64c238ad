"""uvicorn's WebSocket protocol, offering the hub a way to write a frame without a task switch.

A pass change goes to thousands of sockets at once. Through ASGI, each frame costs a wake-up of
the socket's writer task, a message dict, and Starlette's and uvicorn's send layers, before the
same `transport.write` a bare `websockets` server makes (docs/performance.md). This protocol
adds an ASGI scope extension, `hallpass.send_now`, whose `send_text` writes the frame at once
when the socket can take it without waiting, and otherwise says no, so the caller queues it for
the socket's writer, which waits on the ordinary ASGI `send`. Under another server the extension
is absent and every frame takes the writer's path.
"""

from __future__ import annotations

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.exceptions import InvalidState
from websockets.http11 import Request

EXTENSION = "hallpass.send_now"


class HubWebSocketProtocol(WebSocketsSansIOProtocol):
    """The sans-I/O protocol of uvicorn, plus the `hallpass.send_now` scope extension."""

    def handle_connect(self, event: Request) -> None:
        """Accept the handshake as uvicorn does, and offer the extension to the application."""
        super().handle_connect(event)
        if self.response.status_code == 101:
            self.scope["extensions"][EXTENSION] = {"send_text": self.send_text_now}

    def send_text_now(self, text: str) -> bool:
        """Write a text frame if that needs no waiting; say whether it was written.

        It declines, and writes nothing, while the transport is paused (the client is not
        reading fast enough), before the handshake is answered, and once the socket is closing;
        the ordinary `send` then waits, or raises for a socket that is gone.
        """
        if (
            not self.writable.is_set()
            or self.disconnected
            or self.close_sent
            or not self.handshake_complete
            or self.transport.is_closing()
        ):
            return False
        try:
            self.conn.send_text(text.encode())
        except InvalidState:
            return False
        self.transport.write(b"".join(self.conn.data_to_send()))
        return True
