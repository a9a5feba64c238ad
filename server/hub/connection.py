"""One client's live session: frames written at once when the socket can take them, else queued.

The hub never waits on a client: frames are offered without blocking. A frame goes straight to
the socket when nothing is queued before it and the server can write it without waiting
(server/hub/protocol.py); otherwise it joins a bounded backlog that one writer task, started
only while there is a backlog, drains in order. A client whose backlog is full has fallen
behind, so it is closed with 1013 and resumes with `since` (DESIGN.md 1).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from server.contract.ws import MAX_PENDING, CloseCode
from server.enums import Role
from server.hub.access import Access, access_of
from server.hub.protocol import EXTENSION
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

    def frame_for(self, actor: Actor) -> str | None:
        """Return the frame this actor's screens get, or None if the pass is not theirs to see."""
        if not may(actor, Action.VIEW, self.target):
            return None
        if actor.role is Role.STUDENT:
            return self.student_frame()
        if sees_full_names(actor):
            return self.frame
        return self.kiosk_frame()


def direct_sender(websocket: WebSocket) -> Callable[[str], bool] | None:
    """Return the server's write-now function for this socket, if it offers one."""
    extension = websocket.scope.get("extensions", {}).get(EXTENSION)
    return extension["send_text"] if extension else None


@dataclass(eq=False)
class Connection:
    """A signed-in WebSocket client of one school."""

    websocket: WebSocket
    actor: Actor
    session_id: int
    expires_at: datetime  # the session's end: sessions are not extended, so no query is needed
    # Events at or below `floor` are already in the client's snapshot or replay.
    floor: int | None = None
    closing: bool = False
    # Frames waiting for the writer, oldest first; the first may be the one being written.
    _backlog: deque[str] = field(default_factory=deque)
    _held: list[tuple[int, str | None]] = field(default_factory=list)
    # Notifications that came before the snapshot or replay was sent: they follow it.
    _held_notices: list[str] = field(default_factory=list)
    _writer: asyncio.Task[None] | None = None
    _closer: asyncio.Task[None] | None = None
    _send_now: Callable[[str], bool] | None = None
    _access: Access = field(init=False)

    def __post_init__(self) -> None:
        self._send_now = direct_sender(self.websocket)
        self._access = access_of(self.session_id, self.actor)

    @property
    def access(self) -> Access:
        """Return what the socket was opened with: its session, its user's role, places and
        taught sections."""
        return self._access

    @property
    def live(self) -> bool:
        """Say whether the snapshot or replay was sent and events flow (see go_live)."""
        return self.floor is not None

    def rescope(self, actor: Actor) -> None:
        """Take the user's new places and sections: events wait until a fresh snapshot is sent
        (go_live).

        Events held so far were judged for the old scope; each has a seq at or below the
        snapshot's that will follow (it is read after them), so dropping them loses nothing.
        """
        self.actor = actor
        self._access = access_of(self.session_id, actor)
        self.floor = None
        self._held.clear()

    @property
    def writes_at_once(self) -> bool:
        """Say whether the server lets this socket be written without a task switch."""
        return self._send_now is not None

    @property
    def backlog(self) -> int:
        """Return how many frames wait for the writer task (0: there is no writer task)."""
        return len(self._backlog)

    def offer(self, text: str) -> None:
        """Send or queue a frame without waiting; a full backlog closes the connection (1013)."""
        if self.closing:
            return  # nothing new once closing: what is queued is the last word
        if not self._backlog and self._send_now is not None and self._send_now(text):
            return
        if len(self._backlog) >= MAX_PENDING:
            log.info("closing a client that fell %d frames behind", MAX_PENDING)
            self.close_soon(
                CloseCode.TRY_AGAIN_LATER, "fell behind: resume with since", drain=False
            )
            return
        self._backlog.append(text)
        if self._writer is None:
            self._writer = asyncio.get_running_loop().create_task(
                self._write(), name=f"ws-writer-{self.session_id}"
            )

    def deliver(self, seq: int, frame: str | None) -> None:
        """Send event `seq`'s frame (None: the client may not see it) unless the client has it."""
        if self.floor is None:
            self._held.append((seq, frame))  # snapshot or replay still being read
            return
        if seq <= self.floor:
            return
        self.floor = seq
        if frame is not None:
            self.offer(frame)

    def notify(self, frame: str) -> None:
        """Send a notification frame (no seq: it is never replayed), after the snapshot."""
        if self.floor is None:
            self._held_notices.append(frame)
            return
        self.offer(frame)

    def go_live(self, floor: int) -> None:
        """Mark the snapshot or replay as sent up to `floor` and flush what arrived meanwhile."""
        self.floor = floor
        held, self._held = self._held, []
        for seq, frame in held:
            self.deliver(seq, frame)
        notices, self._held_notices = self._held_notices, []
        for text in notices:
            self.offer(text)

    def close_soon(self, code: int, reason: str, *, drain: bool = True) -> None:
        """Close from any context: stop queuing and let a task close the socket.

        With `drain`, the frames already queued (an error frame saying why) go out first; a
        client that fell behind gets no such courtesy, since its backlog is what is wrong.
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
        """Stop the writer (after it sends the backlog, with `drain`) and close the socket."""
        self.closing = True
        writer = self._writer
        if writer is not None:
            if drain:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(writer), DRAIN_SECONDS)
            writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await writer
        self._backlog.clear()
        if self.websocket.application_state is WebSocketState.CONNECTED:
            # The client may be gone already (it closed first, or the network dropped it).
            with contextlib.suppress(RuntimeError, OSError, WebSocketDisconnect):
                await self.websocket.close(code, reason)

    async def _write(self) -> None:
        """Send the backlog in order, then stop: an idle connection has no task."""
        try:
            while self._backlog:
                await self.websocket.send_text(self._backlog[0])
                self._backlog.popleft()
        except (RuntimeError, OSError, WebSocketDisconnect) as exc:  # the client went away
            log.debug("writer stopped: %s", exc)
            self.closing = True
        finally:
            self._writer = None
