"""The school transaction: every pass change runs inside one, holding the school's lock."""

from __future__ import annotations

import functools
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from server import runtime, storage
from server.clock import utcnow
from server.contract.common import wire
from server.contract.passes import PassOut
from server.errors import HallpassError, not_found
from server.models import EncounterLog, Pass, PassEvent, School
from server.notify import enqueue_event, enqueue_prevented
from server.services.deferred import later

log = logging.getLogger("hallpass.transactions")


@dataclass(frozen=True, slots=True)
class Prevented:
    """The log row of an encounter a blocking group prevented, not yet written.

    `waiting`: the group holds a pass back in line (a student's request), rather than a
    refusal (staff making or approving a pass, a student taking an offered place).
    """

    row: EncounterLog
    waiting: bool = False


@dataclass
class SchoolTransaction:
    """An open transaction on one school, and the events it has appended so far."""

    conn: BaseDBAsyncClient
    school: School
    # The time read once the lock is held: later holders read later times, so timestamps
    # (queued_at above all: the line's order) follow the order transitions commit in.
    now: datetime
    events: list[PassEvent] = field(default_factory=list)
    # The log of encounters a group prevented: written after the answer, whether the
    # transaction commits or is refused and rolled back (see `school_transaction`).
    prevented: list[Prevented] = field(default_factory=list)
    # Passes that met an alert-mode encounter group as they went out in this transaction:
    # their event tells security (server/notify/routing.py).
    alerted: set[int] = field(default_factory=set)
    # Outbox rows were written without an event (an emergency's notices): the after-commit
    # hooks still run, so the delivery worker sends them at once instead of at its next poll.
    queued: bool = False
    # The school's settings or places changed: screens are told after commit (`school` frames).
    settings_changed: bool = False

    async def append_event(
        self,
        name: str,
        hall_pass: Pass,
        actor_id: int | None,
        at: datetime,
        view: PassOut,
        *,
        grant_id: int | None = None,
    ) -> PassEvent:
        """Append the next event of the school's gapless sequence (invariant 4), with the pass
        right after the change (its full view: the hub makes each audience's from it), and the
        substitute grant the actor acted under, if any."""
        self.school.event_seq += 1
        await (
            School.filter(id=self.school.id)
            .using_db(self.conn)
            .update(event_seq=self.school.event_seq)
        )
        event = await PassEvent.create(
            using_db=self.conn,
            school_id=self.school.id,
            seq=self.school.event_seq,
            name=name,
            hall_pass_id=hall_pass.id,
            actor_id=actor_id,
            grant_id=grant_id,
            at=at,
            data=wire(view),
        )
        self.events.append(event)
        # The outbox rows commit (or roll back) with the event: each notice is queued once.
        await enqueue_event(self.conn, self.school, event, alerted=hall_pass.id in self.alerted)
        return event


@asynccontextmanager
async def school_transaction(school_id: int) -> AsyncIterator[SchoolTransaction]:
    """Open a transaction that first locks the school's row.

    Taking the row lock before reading anything serialises the school's transitions on
    PostgreSQL (READ COMMITTED: every later statement sees what the previous holder committed),
    so capacity and encounter checks can never act on stale counts. On SQLite, Tortoise runs
    each transaction alone on the single connection. See docs/adr/0002-transitions.md.
    """
    tx: SchoolTransaction | None = None
    try:
        async with in_transaction() as conn:
            school = await School.select_for_update().using_db(conn).get_or_none(id=school_id)
            if school is None:
                raise not_found("school")
            tx = SchoolTransaction(conn, school, utcnow())
            yield tx
    except HallpassError:
        # A refusal raises, and the raise rolls everything back: the right thing for the pass,
        # but the log of a prevented encounter must outlive it. Those rows were built from the
        # very decision (same lock, same facts) and are written after the answer, like a
        # committed transaction's: see `write_prevented`.
        if tx is not None and tx.prevented:
            await later(functools.partial(write_prevented, tx.school.id, tuple(tx.prevented)))
        raise
    assert tx is not None
    if tx.prevented:
        await later(functools.partial(write_prevented, tx.school.id, tuple(tx.prevented)))
    if tx.settings_changed:
        for listener in runtime.current().school_listeners:
            try:
                await listener(tx.school.id)
            except Exception:
                # Committed; every feed's poll notices new settings within a second.
                log.exception("school listener %r failed", listener)
    if not tx.events and not tx.queued:
        return
    # The hooks of the app this transaction runs in (server/runtime.py): the real-time hub
    # publishes from here, so nothing is announced that the database has not kept.
    for hook in runtime.current().after_commit:
        try:
            await hook(tx.school, tx.events)
        except Exception:
            # The change is committed and the request must say so; listeners that missed
            # the announcement catch up from the event log (the source of truth).
            log.exception("after-commit hook %r failed", hook)


async def write_prevented(school_id: int, prevented: Sequence[Prevented]) -> None:
    """Write the log rows of encounters a group prevented, then queue security's notices.

    Run after the answer (server/services/deferred.py): a student held back by a group must
    get their answer as soon as one held back by a full hallway, and only this path writes.
    Under the school's lock, so a pass held in line is logged once even when the line skips
    it meanwhile (`services/encounters.py::log_prevented` checks the same under the lock).
    The notices each get a transaction of their own, after the rows: a failure there must not
    cost the log.
    """
    written: list[Prevented] = []
    try:
        async with in_transaction() as conn:
            school = await School.select_for_update().using_db(conn).get_or_none(id=school_id)
            if school is None:
                return
            for item in prevented:
                row = item.row
                logged = EncounterLog.filter(
                    hall_pass_id=row.hall_pass_id, group_id=row.group_id, outcome=row.outcome
                )
                if item.waiting and await logged.using_db(conn).exists():
                    continue  # the line skipped the pass meanwhile, and logged it
                await row.save(using_db=conn)
                written.append(item)
    except Exception as exc:
        # The answer stands; only the log rows are lost.
        if not storage.report(exc):
            log.exception("could not keep %d prevented encounter row(s)", len(prevented))
        return
    for item in written:
        try:
            async with in_transaction() as conn:
                await enqueue_prevented(conn, school, item.row, waiting=item.waiting)
        except Exception as exc:
            if not storage.report(exc):
                log.exception("could not queue the notices of encounter log row %s", item.row.pk)


@asynccontextmanager
async def consistent_read() -> AsyncIterator[BaseDBAsyncClient]:
    """Open a read-only transaction whose queries all see one moment of the database.

    A client's snapshot (the passes, and the seq they are current to) must agree, or an event
    committed between the two reads would be lost or sent twice. PostgreSQL's REPEATABLE READ
    gives that without locking anyone out; SQLite runs the transaction alone on its connection.
    """
    async with in_transaction() as conn:
        if conn.capabilities.dialect == "postgres":
            await conn.execute_script("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield conn
