"""The `/ws` endpoint: authenticate, send a snapshot or the missed events, then stay live."""

from __future__ import annotations

import asyncio
import logging
import time

from starlette.websockets import WebSocket, WebSocketDisconnect
from tortoise.backends.base.client import BaseDBAsyncClient

from server.auth.authenticate import authenticate_socket, origin_allowed
from server.auth.principal import Principal
from server.config import Settings
from server.contract.frames import (
    FrameError,
    Hello,
    Ping,
    emergency_frame,
    error_frame,
    parse_client_frame,
    pong_frame,
    ready_frame,
)
from server.contract.ws import FLOOD_FRAMES, FLOOD_WINDOW_SECONDS, CloseCode, FrameErrorCode
from server.enums import Role
from server.hub.connection import Connection
from server.hub.feed import from_log
from server.hub.hub import Hub
from server.hub.snapshot import hallway_count, snapshot
from server.models import PassEvent, School, Session
from server.services.emergency import current_state
from server.services.emergency_views import view_for
from server.services.transaction import consistent_read

log = logging.getLogger("hallpass.hub")

# A client that connects must say hello promptly; an idle unauthenticated socket is a cost.
HELLO_SECONDS = 10.0
# Past this many missed events a snapshot is smaller and faster than the replay.
MAX_REPLAY = 1000
# Client frame errors after which the socket is closed rather than answered and kept.
CLOSING_ERRORS = {FrameErrorCode.FRAME_TOO_LARGE: CloseCode.MESSAGE_TOO_BIG}


def hub_of(websocket: WebSocket) -> Hub:
    """Return the process's hub."""
    hub: Hub = websocket.app.state.hub
    return hub


async def can_resume(school: School, hello: Hello, conn: BaseDBAsyncClient) -> bool:
    """Say whether the client's `since` can be served from the event log."""
    if hello.since is None or hello.epoch != school.epoch or hello.since > school.event_seq:
        return False
    if school.event_seq - hello.since > MAX_REPLAY:
        return False  # a snapshot is smaller than that many events
    if hello.since == school.event_seq:
        return True
    return await PassEvent.filter(school_id=school.id, seq=hello.since + 1).using_db(conn).exists()


def settings_of(websocket: WebSocket) -> Settings:
    """Return the app's settings."""
    settings: Settings = websocket.app.state.settings
    return settings


class BinaryFrame(Exception):
    """The client sent a binary frame: `/ws` speaks JSON text only."""


async def receive_text(websocket: WebSocket) -> str:
    """Return the client's next text frame.

    Raises WebSocketDisconnect when the client has gone, BinaryFrame for a binary frame
    (Starlette's own receive_text fails on one with a KeyError).
    """
    message = await websocket.receive()
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", CloseCode.NORMAL), message.get("reason"))
    text = message.get("text")
    if text is None:
        raise BinaryFrame
    return str(text)


def binary_refused() -> str:
    """Return the error frame that answers a binary frame."""
    return error_frame(FrameErrorCode.BAD_FRAME, "Frames must be JSON text, not binary.")


async def first_hello(websocket: WebSocket) -> Hello | None:
    """Wait for the hello frame; answer anything else with an error and close."""
    try:
        async with asyncio.timeout(HELLO_SECONDS):
            raw = await receive_text(websocket)
    except TimeoutError:
        await websocket.close(CloseCode.POLICY_VIOLATION, "no hello")
        return None
    except BinaryFrame:
        await websocket.send_text(binary_refused())
        await websocket.close(CloseCode.UNSUPPORTED_DATA, "binary frame")
        return None
    try:
        frame = parse_client_frame(raw)
    except FrameError as exc:
        await websocket.send_text(exc.frame())
        await websocket.close(CLOSING_ERRORS.get(exc.code, CloseCode.POLICY_VIOLATION), "bad hello")
        return None
    if not isinstance(frame, Hello):
        await websocket.send_text(
            error_frame(FrameErrorCode.NOT_AUTHENTICATED, "Send hello first.")
        )
        await websocket.close(CloseCode.NOT_AUTHENTICATED, "send hello first")
        return None
    return frame


async def sign_in(websocket: WebSocket) -> tuple[Principal, Session, Hello] | None:
    """Read the hello and authenticate; None when the client was refused (and closed) or left."""
    try:
        hello = await first_hello(websocket)
        if hello is None:
            return None
        caller = await authenticate_socket(websocket, hello.token)
        if caller is None:
            await websocket.send_text(
                error_frame(FrameErrorCode.NOT_AUTHENTICATED, "Sign in first.")
            )
            await websocket.close(CloseCode.NOT_AUTHENTICATED, "not authenticated")
            return None
    except WebSocketDisconnect:
        return None  # the client left before it was signed in: nothing to tell anyone
    return (*caller, hello)


async def endpoint(websocket: WebSocket) -> None:
    """Serve one WebSocket client."""
    # A page of another site is refused whatever it signs in with: a socket has no CSRF token.
    if not origin_allowed(websocket, settings_of(websocket).allowed_origins):
        # Closing before accept refuses the handshake: the page gets a 403.
        await websocket.close(CloseCode.POLICY_VIOLATION)
        return
    await websocket.accept()
    caller = await sign_in(websocket)
    if caller is None:
        return
    principal, session, hello = caller
    if principal.actor.role is Role.DISTRICT_ADMIN:
        # The district's administrators read settings and reports, never a school's passes:
        # no live view is theirs (as every school endpoint refuses them).
        await websocket.close(CloseCode.FORBIDDEN, "a district administrator has no live view")
        return
    hub = hub_of(websocket)
    connection = Connection(websocket, principal.actor, session.id, session.expires_at)
    try:
        feed = await hub.attach(connection)  # subscribe before reading: nothing falls between
        await join(connection, principal, hello)
        feed.greet(connection)  # then the place counts and settings, read after the join
        # This frame lives as long as the socket: don't keep the user's rows and the hello.
        del caller, principal, session, hello
        await read_frames(websocket, connection)
    except WebSocketDisconnect:
        pass
    except Exception:
        # The database or the broker failed us: say so, and let the client retry with backoff.
        log.exception("live session failed")
        connection.close_soon(CloseCode.INTERNAL_ERROR, "server error: reconnect later")
    finally:
        await hub.detach(connection)
        await connection.finish()


async def join(connection: Connection, principal: Principal, hello: Hello) -> None:
    """Send the snapshot, or the missed events and `ready`, then let live events through."""
    async with consistent_read() as conn:
        school = await School.filter(id=principal.actor.school_id).using_db(conn).get()
        hallway = await hallway_count(principal.actor, school, conn)
        if await can_resume(school, hello, conn):
            replay = from_log(
                await PassEvent.filter(
                    school_id=school.id, seq__gt=hello.since or 0, seq__lte=school.event_seq
                )
                .using_db(conn)
                .order_by("seq")
            )
            first = None
        else:
            replay = []
            first = await snapshot(principal.actor, school, conn, hallway)
        state = await current_state(conn, school)
    # Live events held since attach() are released by go_live, after what was read here.
    if first is None:
        connection.floor = hello.since
        for event in replay:
            connection.deliver(event.seq, event.frame_for(connection.actor))
        connection.offer(ready_frame(school.epoch, school.event_seq, hallway))
    else:
        connection.offer(first)
    if state is not None:
        # An emergency in force: the screen shows it straight after the passes. A notice held
        # since attach() follows; the client keeps the higher revision.
        connection.offer(emergency_frame(view_for(connection.actor, state)))
    connection.go_live(school.event_seq)


async def read_frames(websocket: WebSocket, connection: Connection) -> None:
    """Answer the client's frames until it leaves; a flood closes the socket."""
    window: list[float] = []
    while not connection.closing:
        try:
            raw = await receive_text(websocket)
        except BinaryFrame:
            connection.offer(binary_refused())
            connection.close_soon(CloseCode.UNSUPPORTED_DATA, "binary frame")
            return
        now = time.monotonic()
        window = [t for t in window if now - t < FLOOD_WINDOW_SECONDS] + [now]
        if len(window) > FLOOD_FRAMES:
            connection.offer(error_frame(FrameErrorCode.RATE_LIMITED, "Too many frames."))
            connection.close_soon(CloseCode.POLICY_VIOLATION, "too many frames")
            return
        try:
            frame = parse_client_frame(raw)
        except FrameError as exc:
            connection.offer(exc.frame())
            if exc.code in CLOSING_ERRORS:
                connection.close_soon(CLOSING_ERRORS[exc.code], "frame too large")
                return
            continue
        if isinstance(frame, Ping):
            connection.offer(pong_frame())
        else:
            connection.offer(
                error_frame(FrameErrorCode.ALREADY_AUTHENTICATED, "Hello was already said.")
            )
