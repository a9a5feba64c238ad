"""The hub of one process: a feed per school with local clients, publishing after commit."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from server.clock import utcnow
from server.contract.categories import Category
from server.contract.ws import CloseCode
from server.hub.access import Access, Scope, changed
from server.hub.broker import (
    EMERGENCY,
    SCHOOL,
    Broker,
    BrokerEvent,
    BrokerNotice,
    BrokerUnavailable,
)
from server.hub.connection import Connection
from server.hub.feed import SchoolFeed
from server.hub.snapshot import hallway_count, snapshot
from server.models import PassEvent, School
from server.runtime import Runtime
from server.services.transaction import consistent_read

log = logging.getLogger("hallpass.hub")

# A user who is disabled, changes role or logs out is cut off, and one whose places or taught
# sections change is re-scoped, within this time, on every process, by one statement per
# process over all its open sockets (server/hub/access.py).
SESSION_CHECK_SECONDS = 0.5
# Committed events waiting to be announced. Publishing runs off the request path; if Redis is
# slow or down and this fills, announcements are dropped and every feed fills the gap from the
# event log within a second (feed.CATCH_UP_SECONDS), so a full outbox costs latency, not events.
OUTBOX_SIZE = 10_000
# How long a school's feed may take to subscribe and read where the log stands.
FEED_START_SECONDS = 10.0


def broker_event(school: School, event: PassEvent) -> BrokerEvent:
    """Return the broker form of a committed event."""
    return BrokerEvent(
        school_id=school.id,
        epoch=school.epoch,
        seq=event.seq,
        name=event.name,
        pass_id=event.hall_pass_id,
        at=event.at.isoformat(),
        data=event.data,
    )


class Hub:
    """Live sessions of one app, grouped by school."""

    def __init__(self, broker: Broker, runtime: Runtime) -> None:
        self.broker = broker
        # The app's runtime: its commits and emergencies are the ones this hub announces.
        self.runtime = runtime
        self.feeds: dict[int, SchoolFeed] = {}
        self._feed_lock = asyncio.Lock()
        self._unhook: Callable[[], None] = lambda: None
        self._unhook_emergency: Callable[[], None] = lambda: None
        self._unhook_school: Callable[[], None] = lambda: None
        self._tasks: list[asyncio.Task[None]] = []
        self._outbox: asyncio.Queue[list[BrokerEvent]] = asyncio.Queue(maxsize=OUTBOX_SIZE)
        # The (session id, role, places) each open socket has, counted: what to re-check.
        self._held: Counter[Access] = Counter()
        # The earliest session end among open sockets: until then, none has expired.
        self._next_expiry: datetime | None = None

    async def start(self) -> None:
        """Start the broker, publish committed events, and watch sessions."""
        await self.broker.start()
        self._unhook = self.runtime.after_commit.add(self.publish)
        self._unhook_emergency = self.runtime.emergency_listeners.add(self.announce_emergency)
        self._unhook_school = self.runtime.school_listeners.add(self.announce_school)
        self._tasks = [
            asyncio.create_task(self._watch_sessions(), name="hub-sessions"),
            asyncio.create_task(self._announce(), name="hub-outbox"),
        ]

    async def stop(self) -> None:
        """Close every client and stop."""
        self._unhook()
        self._unhook_emergency()
        self._unhook_school()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for feed in list(self.feeds.values()):
            for connection in tuple(feed.connections):
                await connection.close(1001, "server shutting down")  # going away
            await feed.stop()
        self.feeds.clear()
        await self.broker.stop()

    async def publish(self, school: School, events: Sequence[PassEvent]) -> None:
        """Queue committed events for announcement to every process (the after-commit hook)."""
        if not events:
            return  # a transaction that only queued notices (an emergency with nobody in line)
        try:
            self._outbox.put_nowait([broker_event(school, e) for e in events])
        except asyncio.QueueFull:
            log.warning("outbox full: the feeds will read %d events from the log", len(events))

    async def notify(self, notice: BrokerNotice) -> None:
        """Carry an in-app notification to its recipient's sockets in every process."""
        await self.broker.publish_notice(notice)

    async def announce_emergency(self, school_id: int, state: dict[str, Any]) -> None:
        """Carry a committed emergency state (as staff see it) to the school's sockets in
        every process; each feed cuts every socket's own view from it."""
        await self.broker.publish_notice(
            BrokerNotice(
                school_id,
                0,
                str(Category.EMERGENCY),
                json.dumps(state, separators=(",", ":")),
                kind=EMERGENCY,
            )
        )

    async def announce_school(self, school_id: int) -> None:
        """Tell the school's feeds in every process that its settings or places changed; each
        re-reads the school's state and sends its sockets the `school` frames."""
        # Without the broker, every feed's poll reads the settings within a second (feed.py).
        with contextlib.suppress(BrokerUnavailable):
            await self.broker.publish_notice(BrokerNotice(school_id, 0, SCHOOL, "", kind=SCHOOL))

    async def _announce(self) -> None:
        """Publish queued events in commit order, one batch at a time."""
        while True:
            batch = await self._outbox.get()
            try:
                await self.broker.publish(batch)
            except BrokerUnavailable:
                pass  # the broker logs its outage once, and its end (server/outage.py)
            except Exception as exc:
                log.warning("could not announce events (%s); feeds catch up from the log", exc)

    async def attach(self, connection: Connection) -> SchoolFeed:
        """Add a client to its school's feed, starting the feed on first use."""
        school_id = connection.actor.school_id
        async with self._feed_lock:
            feed = self.feeds.get(school_id)
            if feed is None:
                feed = SchoolFeed(school_id, self.broker)
                try:
                    # Without the database the feed can't learn where it starts; don't let
                    # one school's trouble hold every new connection behind this lock.
                    await asyncio.wait_for(feed.start(), FEED_START_SECONDS)
                except BaseException:
                    await feed.stop()
                    raise
                self.feeds[school_id] = feed
            feed.add(connection)
            self._hold(connection)
            if self._next_expiry is None or connection.expires_at < self._next_expiry:
                self._next_expiry = connection.expires_at
        return feed

    async def detach(self, connection: Connection) -> None:
        """Remove a client; a feed with no clients left stops."""
        school_id = connection.actor.school_id
        async with self._feed_lock:
            feed = self.feeds.get(school_id)
            if feed is None or connection not in feed.connections:
                return
            feed.discard(connection)
            self._release(connection)
            if not feed.connections:
                del self.feeds[school_id]
                await feed.stop()

    def connections(self) -> list[Connection]:
        """Return every open client of this process."""
        return [c for feed in self.feeds.values() for c in feed.connections]

    def _hold(self, connection: Connection) -> None:
        self._held[connection.access] += 1

    def _release(self, connection: Connection) -> None:
        self._held[connection.access] -= 1
        if not self._held[connection.access]:
            del self._held[connection.access]

    async def check_sessions(self) -> int:
        """Close clients whose session ended, whose user was disabled or changed role, and
        re-scope those whose user's places or taught sections changed; return how many were
        closed."""
        found = await changed(self._held.keys())
        now = utcnow()
        if not found and (self._next_expiry is None or now < self._next_expiry):
            return 0  # the usual answer, found without visiting every socket
        closed = 0
        moved: list[tuple[Connection, Scope]] = []
        self._next_expiry = None
        for connection in self.connections():
            if connection.closing:
                continue
            if connection.expires_at <= now or (
                connection.access in found and found[connection.access] is None
            ):
                connection.close_soon(CloseCode.FORBIDDEN, "session ended")
                closed += 1
                continue
            scope = found.get(connection.access)
            # A client still joining (or being re-scoped) is taken on the next check.
            if scope is not None and connection.live:
                moved.append((connection, scope))
            if self._next_expiry is None or connection.expires_at < self._next_expiry:
                self._next_expiry = connection.expires_at
        await asyncio.gather(*(self.rescope(c, scope) for c, scope in moved))
        return closed

    async def rescope(self, connection: Connection, scope: Scope) -> None:
        """Give a client its user's new places and taught sections: what it may see now, as a
        fresh snapshot.

        The client is moved to its new audience before anything is read, so every event from
        then on is judged for the new scope and held; the snapshot and its seq are read in
        one consistent read, and held events above that seq follow it (as when joining).
        """
        feed = self.feeds.get(connection.actor.school_id)
        if feed is None or connection not in feed.connections or connection.closing:
            return  # it left meanwhile
        feed.discard(connection)
        self._release(connection)
        connection.rescope(
            replace(
                connection.actor, location_ids=scope.location_ids, section_ids=scope.section_ids
            )
        )
        feed.add(connection)
        self._hold(connection)
        try:
            async with consistent_read() as conn:
                school = await School.filter(id=feed.school_id).using_db(conn).get()
                hallway = await hallway_count(connection.actor, school, conn)
                frame = await snapshot(connection.actor, school, conn, hallway)
        except Exception:
            log.exception("could not re-scope a live session")
            connection.close_soon(CloseCode.INTERNAL_ERROR, "server error: reconnect later")
            return
        connection.offer(frame)
        connection.go_live(school.event_seq)

    async def _watch_sessions(self) -> None:
        while True:
            await asyncio.sleep(SESSION_CHECK_SECONDS)
            try:
                await self.check_sessions()
            except Exception:
                log.exception("session check failed")
