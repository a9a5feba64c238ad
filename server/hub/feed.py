"""One school's live feed in this process: every event once, in seq order, to local clients.

The broker brings events within milliseconds; the event log in the database is the source of
truth, so a gap in seq (a lost publish, a Redis restart, an overflow) is filled from it, and a
poll every CATCH_UP_SECONDS catches an event whose announcement never came.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
from collections.abc import Iterable
from typing import Any

from server.contract.categories import FOR_ROLE
from server.contract.frames import emergency_frame, event_frame
from server.enums import PassState, Role
from server.hub.broker import (
    EMERGENCY,
    SCHOOL,
    Broker,
    BrokerEvent,
    BrokerNotice,
    SubscriberOverflow,
)
from server.hub.connection import Connection, LiveEvent
from server.hub.school import COUNT_NEUTRAL_EVENTS, SchoolState, read_school_state
from server.hub.school import frame_for as school_frame_for
from server.models import Pass, PassEvent, School
from server.rules.permissions import Actor, PassTarget
from server.services.emergency import load_state
from server.services.emergency_views import view_for
from server.services.transaction import consistent_read

log = logging.getLogger("hallpass.hub")

# A lost announcement is noticed within this time; one indexed read per school per second.
CATCH_UP_SECONDS = 1.0
# Backoff after a failed subscription, doubling up to the cap (a Redis restart takes seconds).
RETRY_SECONDS = (0.1, 5.0)


def kiosk_view(data: dict[str, Any]) -> dict[str, Any]:
    """Return the pass as a shared kiosk may show it: first name(s) and the family initial.

    The name is the pass's own `short_name` (server/names.py, as the REST answers have it): a
    full name can't be split into first and family names ("Mary Ann Smith", "Ana de la Cruz").
    An event logged before passes carried it shows the first word only, never more.
    """
    student = data["student"]
    short = student.get("short_name")
    name = short if isinstance(short, str) else str(student["name"]).split(" ", 1)[0]
    return {**data, "student": {**student, "name": name, "short_name": name}}


def section_of(data: dict[str, Any]) -> int | None:
    """Return the id of the section a pass's JSON names, or None."""
    section = data.get("section")
    return int(section["id"]) if isinstance(section, dict) else None


def live_event(
    school_id: int,
    seq: int,
    name: str,
    data: dict[str, Any],
    hallway: dict[str, Any] | None = None,
) -> LiveEvent:
    """Build the fan-out form of an event, with each audience's frame text built once."""
    target = PassTarget(
        school_id=school_id,
        student_id=int(data["student"]["id"]),
        origin_id=int(data["origin"]["id"]),
        destination_id=int(data["destination"]["id"]),
        # The section's teachers receive its passes' events, not whoever teaches in the room
        # now (events logged before passes carried a section have none: their room's).
        section_id=section_of(data),
    )
    student = functools.cache(lambda: event_frame(seq, name, data))
    kiosk = functools.cache(lambda: event_frame(seq, name, kiosk_view(data)))
    return LiveEvent(school_id, seq, target, event_frame(seq, name, data, hallway), student, kiosk)


def from_log(rows: Iterable[PassEvent]) -> list[LiveEvent]:
    """Turn event-log rows into live events (a replay: no hallway count, `ready` has it)."""
    return [live_event(r.school_id, r.seq, r.name, r.data) for r in rows]


class SchoolFeed:
    """The live events of one school, delivered to this process's clients of that school."""

    def __init__(self, school_id: int, broker: Broker) -> None:
        self.school_id = school_id
        self.broker = broker
        self.connections: set[Connection] = set()
        # The same clients grouped by who they are: whether and how an event is shown is
        # decided once per user and role, not once per socket (a hall monitor's many tabs).
        self._audiences: dict[Actor, set[Connection]] = {}
        # And by user: an in-app notification is for one user's sockets (every role they had).
        self._users: dict[int, set[Actor]] = {}
        self.last_seq = 0
        # Ids of the school's active passes as of last_seq: the staff's hallway count.
        self.active: set[int] = set()
        self.hallway_max: int | None = None
        # The emergency in force as the school row last said (the poll's backstop for a lost
        # notice), and the (id, revision) last sent: an older or repeated state is dropped.
        self.emergency_id: int | None = None
        self._emergency_sent: tuple[int, int] | None = None
        # The school's live state last sent (`school` frames), the settings the poll last read
        # (a lost settings notice is noticed within CATCH_UP_SECONDS), and the one task that
        # re-reads the state; a change while it reads makes it read once more.
        self.school_state: SchoolState | None = None
        self._settings: tuple[bool, int | None] | None = None
        self._school_task: asyncio.Task[None] | None = None
        self._school_again = False
        self._stopping = False
        # Sockets that joined since the last read: they get the next state whether or not it
        # changed (what a joining socket starts from is read after it subscribed, so no change
        # can fall between).
        self._greet: set[Connection] = set()
        self._lock = asyncio.Lock()
        self._ready = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    def add(self, connection: Connection) -> None:
        """Start delivering to a client."""
        self.connections.add(connection)
        self._audiences.setdefault(connection.actor, set()).add(connection)
        self._users.setdefault(connection.actor.user_id, set()).add(connection.actor)

    def discard(self, connection: Connection) -> None:
        """Stop delivering to a client, if it is here."""
        self.connections.discard(connection)
        self._greet.discard(connection)
        audience = self._audiences.get(connection.actor)
        if audience is not None:
            audience.discard(connection)
            if not audience:
                del self._audiences[connection.actor]
                actors = self._users[connection.actor.user_id]
                actors.discard(connection.actor)
                if not actors:
                    del self._users[connection.actor.user_id]

    async def start(self) -> None:
        """Subscribe, learn the current seq, and start catching up; return when live."""
        self._tasks = [
            asyncio.create_task(self._listen(), name=f"feed-{self.school_id}"),
            asyncio.create_task(self._poll(), name=f"feed-poll-{self.school_id}"),
        ]
        await self._ready.wait()

    async def stop(self) -> None:
        """Stop listening."""
        # A read of the school's state under way is let finish, not cancelled: a transaction
        # cancelled midway can leave SQLite's single connection locked for everyone.
        self._stopping = True
        if self._school_task is not None:
            with contextlib.suppress(Exception):
                await self._school_task
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _listen(self) -> None:
        delay = RETRY_SECONDS[0]
        while True:
            try:
                async with self.broker.subscribe(self.school_id) as events:
                    # Subscribed first, then read: nothing committed in between is missed.
                    await self.catch_up()
                    self._ready.set()
                    delay = RETRY_SECONDS[0]
                    async for event in events:
                        if isinstance(event, BrokerNotice):
                            self.notify(event)
                        else:
                            await self.accept(event)
            except asyncio.CancelledError:
                raise
            except SubscriberOverflow:
                # This process fell behind the broker: resubscribe and read the gap from the log.
                log.warning("feed of school %d overflowed; catching up", self.school_id)
                continue
            except Exception:
                log.exception(
                    "feed of school %d lost its subscription; resubscribing", self.school_id
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, RETRY_SECONDS[1])

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(CATCH_UP_SECONDS)
            try:
                await self.catch_up()
            except Exception:
                log.exception("catch-up of school %d failed", self.school_id)

    def notify(self, notice: BrokerNotice) -> None:
        """Send an in-app notification to its recipient's sockets here, if they may be told."""
        if notice.school_id != self.school_id:
            return  # never across schools, whatever a broker carried
        if notice.kind == SCHOOL:
            self.school_changed()
            return
        if notice.kind == EMERGENCY:
            self.school_changed()  # its start or end may come with passes switched off
            try:
                state = json.loads(notice.frame)
            except ValueError:
                log.warning("dropped an emergency notice that is not JSON")
                return
            self.emergency(state)
            return
        for actor in tuple(self._users.get(notice.user_id, ())):
            # Routing chose by role; a socket opened under another role (the user's role has
            # changed since) gets only what that role may be told: a student never sees
            # a security notice (DESIGN.md invariant 5).
            if notice.category not in FOR_ROLE[actor.role]:
                continue
            for connection in tuple(self._audiences.get(actor, ())):
                connection.notify(notice.frame)

    def emergency(self, state: dict[str, Any]) -> None:
        """Send every socket here its view of the school's emergency (staff the whole roster,
        a student their own entry, a kiosk that one is on), unless it has this one already."""
        key = (int(state["id"]), int(state["revision"]))
        active = bool(state["active"])
        sent = self._emergency_sent
        if sent is not None and sent[0] == key[0] and sent[1] >= key[1]:
            return  # a repeat, or older than what was sent (notices may cross)
        # A kiosk's view says only whether one is on: it hears of the start and the end.
        news_for_kiosks = (
            sent is None or sent[0] != key[0] or self.emergency_id is None or not active
        )
        self._emergency_sent = key
        self.emergency_id = key[0] if active else None
        frames: dict[tuple[Role, int], str] = {}
        for actor, audience in tuple(self._audiences.items()):
            if actor.role is Role.KIOSK and not news_for_kiosks:
                continue
            # Staff share one frame, kiosks another; each student gets their own.
            who = actor.user_id if actor.role is Role.STUDENT else 0
            kind = actor.role if actor.role in (Role.STUDENT, Role.KIOSK) else Role.ADMIN
            frame = frames.get((kind, who))
            if frame is None:
                frame = frames[(kind, who)] = emergency_frame(view_for(actor, state))
            for connection in tuple(audience):
                connection.notify(frame)

    async def _emergency_backstop(self, now_in_force: int | None) -> None:
        """Send a start or end whose notice never came (Redis down): the school row says."""
        if now_in_force == self.emergency_id:
            return
        changed = now_in_force if now_in_force is not None else self.emergency_id
        assert changed is not None
        self.emergency(await load_state(None, changed))
        self.emergency_id = now_in_force

    async def accept(self, event: BrokerEvent) -> None:
        """Deliver a broker event, filling any gap before it from the event log."""
        async with self._lock:
            if event.seq <= self.last_seq:
                return  # delivered already (a retried publish, or caught up from the log)
            if event.seq > self.last_seq + 1:
                await self._backfill(event.seq - 1)
            self._fan_out([(event.seq, event.name, event.data)])

    async def catch_up(self) -> None:
        """Deliver every logged event after the last one delivered."""
        async with self._lock:
            if not self._ready.is_set() and self.last_seq == 0:
                # A new feed starts at the present: the seq and who is out, read together.
                async with consistent_read() as conn:
                    school = await School.filter(id=self.school_id).using_db(conn).first()
                    active = (
                        await Pass.filter(school_id=self.school_id, state=PassState.ACTIVE)
                        .using_db(conn)
                        .only("id")
                    )
                self.last_seq = school.event_seq if school is not None else 0
                self.hallway_max = school.hallway_max if school is not None else None
                if school is not None:
                    self._settings = (school.passes_enabled, school.hallway_max)
                self.emergency_id = school.emergency_id if school is not None else None
                self.active = {p.id for p in active}
                return
            school = (
                await School.filter(id=self.school_id)
                .only("id", "event_seq", "emergency_id", "passes_enabled", "hallway_max")
                .first()
            )
            top = school.event_seq if school is not None else 0
            if top > self.last_seq:
                await self._backfill(top)
            if school is not None:
                await self._emergency_backstop(school.emergency_id)
                settings = (school.passes_enabled, school.hallway_max)
                if settings != self._settings:
                    self._settings = settings
                    self.school_changed()  # a settings notice that never came (Redis down)

    async def _backfill(self, upto: int) -> None:
        rows = await PassEvent.filter(
            school_id=self.school_id, seq__gt=self.last_seq, seq__lte=upto
        ).order_by("seq")
        self._fan_out([(r.seq, r.name, r.data) for r in rows])

    def greet(self, connection: Connection) -> None:
        """Send a socket that has just joined (or resumed) the school's state, read now."""
        self._greet.add(connection)
        self.school_changed()

    def school_changed(self) -> None:
        """Re-read the school's state and send each socket its `school` frame if it changed."""
        if self._stopping:
            return
        if self._school_task is not None and not self._school_task.done():
            self._school_again = True  # the read under way may predate this change
            return
        self._school_task = asyncio.get_running_loop().create_task(
            self._send_school(), name=f"feed-school-{self.school_id}"
        )

    async def _send_school(self) -> None:
        again = True
        while again:
            self._school_again = False
            try:
                async with consistent_read() as conn:
                    state = await read_school_state(conn, self.school_id)
            except Exception:
                # The next event or poll tries again; the screens keep the last counts.
                log.exception("could not read the state of school %d", self.school_id)
                return
            greet, self._greet = self._greet, set()
            if state is not None:
                self.hallway_max = state.hallway_max
                last = self.school_state
                self.school_state = state
                changed = last is None or last.counts() != state.counts()
                self._send_school_frames(state, None if changed else greet)
            again = self._school_again and not self._stopping

    def _send_school_frames(self, state: SchoolState, only: set[Connection] | None) -> None:
        """Send the sockets here (None: all, else `only` those) their `school` frame of
        `state`, built once per audience."""
        frames: dict[tuple[str, int], str] = {}
        for actor, audience in tuple(self._audiences.items()):
            targets = audience if only is None else audience & only
            if not targets:
                continue
            # Staff share one frame, students and kiosks another; a held-back student their own.
            if actor.role is Role.STUDENT and actor.user_id in state.held_back:
                key = ("held", actor.user_id)
            elif actor.role in (Role.STUDENT, Role.KIOSK):
                key = ("shared", 0)
            else:
                key = ("staff", 0)
            frame = frames.get(key)
            if frame is None:
                frame = frames[key] = school_frame_for(state, actor)
            for connection in tuple(targets):
                connection.notify(frame)

    def _fan_out(self, events: list[tuple[int, str, dict[str, Any]]]) -> None:
        moved = False
        for seq, name, data in events:
            moved = moved or name not in COUNT_NEUTRAL_EVENTS
            if data["state"] == PassState.ACTIVE.value:
                self.active.add(int(data["id"]))
            else:
                self.active.discard(int(data["id"]))
            hallway = {"out": len(self.active), "max": self.hallway_max}
            event = live_event(self.school_id, seq, name, data, hallway)
            self.last_seq = seq
            for actor, audience in tuple(self._audiences.items()):
                frame = event.frame_for(actor)
                for connection in tuple(audience):
                    connection.deliver(seq, frame)
        if moved:
            self.school_changed()
