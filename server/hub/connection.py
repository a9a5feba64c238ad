"""One client's live session: a bounded outbound queue drained by one writer task.

The hub never waits on a client: frames are offered without blocking, and a client whose queue
is full has fallen behind, so it is closed with 1013 and resumes with `since` (DESIGN.md 1).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from server.enums import Role
from server.hub.const import MAX_PENDING, CloseCode
from server.rules.permissions import Action, Actor, PassTarget, may, sees_full_names

log = logging.getLogger("hallpass.hub")

# How long a closing connection may take to send its last frames (an error saying why).
DRAIN_SECONDS = 1.0


@dataclass(frozen=True, slots=True)
class LiveEvent:
    """An event as the hub fans it out: its frame text is built once, per audience."""

    school_id: int
    seq: int
    target: PassTarget
    frame: str  # staff: full names and the hallway count
    student_frame: Callable[[], str]  # a student's own pass, no school-wide count
    kiosk_frame: Callable[[], str]  # first name and initial, no count; built on first use


@dataclass(eq=False)
class Connection:
    """A signed-in WebSocket client of one school."""

    websocket: WebSocket
    actor: Actor
    session_id: int
    queue: asyncio.Queue[str | None] = field(
        default_factory=lambda: asyncio.Queue(maxsize=MAX_PENDING)
    )
    # Events at or below `floor` are already in the client's snapshot or replay.
    floor: int | None = None
    _held: list[LiveEvent] = field(default_factory=list)
    _writer: asyncio.Task[None] | None = None
    _closer: asyncio.Task[None] | None = None
    closing: bool = False

    def start(self) -> None:
        """Start the writer task."""
        self._writer = asyncio.create_task(self._write(), name=f"ws-writer-{self.session_id}")

    def offer(self, text: str) -> None:
        """Queue a frame without waiting; a full queue closes the connection (1013)."""
        if self.closing:
            return  # nothing new once closing: what is queued is the last word
        try:
            self.queue.put_nowait(text)
        except asyncio.QueueFull:
            log.info("closing a client that fell %d frames behind", MAX_PENDING)
            self.close_soon(
                CloseCode.TRY_AGAIN_LATER, "fell behind: resume with since", drain=False
            )

    def deliver(self, event: LiveEvent) -> None:
        """Send the event if the client may see it and does not have it yet."""
        if self.floor is None:
            self._held.append(event)  # snapshot or replay still being read
            return
        if event.seq <= self.floor:
            return
        self.floor = event.seq
        if not may(self.actor, Action.VIEW, event.target):
            return
        if self.actor.role is Role.STUDENT:
            self.offer(event.student_frame())
        elif sees_full_names(self.actor):
            self.offer(event.frame)
        else:
            self.offer(event.kiosk_frame())

    def go_live(self, floor: int) -> None:
        """Mark the snapshot or replay as sent up to `floor` and flush what arrived meanwhile."""
        self.floor = floor
        held, self._held = self._held, []
        for event in held:
            self.deliver(event)

    def close_soon(self, code: int, reason: str, *, drain: bool = True) -> None:
        """Close from any context: stop queuing and let a task close the socket.

        With `drain`, the frames already queued (an error frame saying why) go out first; a
        client that fell behind gets no such courtesy, since its queue is what is wrong.
        """
        if self.closing:
            return
        self.closing = True
        self._closer = asyncio.get_running_loop().create_task(self.close(code, reason, drain))

    async def finish(self) -> None:
        """Wait for a close already under way, or close normally (1000)."""
        if self._closer is not None:
            await self._closer
        else:
            await self.close(1000)

    async def close(self, code: int, reason: str = "", drain: bool = False) -> None:
        """Stop the writer (after it sends what is queued, with `drain`) and close the socket."""
        self.closing = True
        if self._writer is not None:
            if drain:
                with contextlib.suppress(asyncio.QueueFull):
                    self.queue.put_nowait(None)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(self._writer), DRAIN_SECONDS)
            self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._writer
        if self.websocket.application_state is WebSocketState.CONNECTED:
            # The client may be gone already (it closed first, or the network dropped it).
            with contextlib.suppress(RuntimeError, OSError, WebSocketDisconnect):
                await self.websocket.close(code, reason)

    async def _write(self) -> None:
        try:
            while True:
                text = await self.queue.get()
                if text is None:
                    return
                await self.websocket.send_text(text)
        except (RuntimeError, OSError, WebSocketDisconnect) as exc:  # the client went away
            log.debug("writer stopped: %s", exc)
            self.closing = True
