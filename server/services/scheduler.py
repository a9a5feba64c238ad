"""Timers as a periodic sweep of the database: announce passes gone past due, expire overdue
passes, send passes whose offer lapsed to the back of the line, remind, start scheduled ones,
offer free places, end the code sessions of substitutes whose day is over.

The sweep reads only database state and each change is a compare-and-set inside the school
transaction, decided on what it reads under the school's lock, so a restart misses nothing
(the next sweep catches up) and several processes sweeping at once change each pass exactly
once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient

from server import storage
from server.auth.sessions import purge_expired
from server.clock import utcnow
from server.enums import EndedBy, PassState
from server.models import Pass, School
from server.rules.decision import Outcome
from server.rules.facts import Requester
from server.rules.line import lapsed, offers
from server.rules.overtime import TimedPass, expiring
from server.rules.policy import Setting
from server.rules.scheduled import start_scheduled
from server.services.announce import announce_once
from server.services.facts import load_facts, open_pass_of, requesters_of, rows_setting
from server.services.idempotency import purge_stale_keys
from server.services.passes import compare_and_set, lifecycle_fields, offer_places, serialise
from server.services.reminders import send_due_reminders
from server.services.substitutes import end_lapsed_sessions
from server.services.transaction import school_transaction

log = logging.getLogger("hallpass.scheduler")

# Scheduled passes are set to the minute; a 5-second sweep starts them well within that.
SWEEP_SECONDS = 5.0
# Expired sessions are useless rows; deleting them every ~5 minutes keeps the table small.
PURGE_EVERY_SWEEPS = 60


async def start_due_passes() -> list[int]:
    """Start every scheduled pass whose start time has come; return the ids that changed."""
    due_now = await Pass.filter(state=PassState.SCHEDULED, start_at__lte=utcnow()).only("school_id")
    started: list[int] = []
    for school_id in sorted({p.school_id for p in due_now}):
        async with school_transaction(school_id) as tx:
            now = tx.now  # read under the lock, so times follow commit order
            due = (
                await Pass.filter(school_id=school_id, state=PassState.SCHEDULED, start_at__lte=now)
                .using_db(tx.conn)
                .order_by("start_at", "id")
            )
            for hall_pass in due:
                facts = await load_facts(tx.conn, tx.school, now)
                decision = start_scheduled(
                    facts,
                    open_pass_of(hall_pass),
                    destination_accepts=hall_pass.decided_by_id is not None,
                )
                if decision.outcome is Outcome.DENIED or decision.state is None:
                    continue  # stays scheduled; the next sweep tries again
                await compare_and_set(
                    tx,
                    hall_pass,
                    {
                        "open_student_id": hall_pass.student_id,
                        **lifecycle_fields(decision.state, now, hall_pass.minutes),
                    },
                )
                body = await serialise(tx, hall_pass.id)
                await tx.append_event("pass.started", hall_pass, None, now, body)
                started.append(hall_pass.id)
    return started


async def unannounced_overdue(
    conn: BaseDBAsyncClient | None, now: datetime, school_id: int | None = None
) -> dict[int, tuple[int, ...]]:
    """Return, per school, the active passes past `due_at` at `now` not yet announced.

    One query on (school, state): a pass is overdue from its due time on (half-open, like
    every window here), and `overdue_at` says it was announced.
    """
    # Not during an emergency (ADR 0007): every student out is on its roster, and an overdue
    # alert per roster student would bury the alarm.
    query = Pass.filter(
        state=PassState.ACTIVE,
        overdue_at__isnull=True,
        due_at__lte=now,
        school__emergency_id__isnull=True,
    )
    if school_id is not None:
        query = query.filter(school_id=school_id)
    by_school: dict[int, list[int]] = {}
    for row in await query.using_db(conn).order_by("due_at", "id").values("id", "school_id"):
        by_school.setdefault(int(row["school_id"]), []).append(int(row["id"]))
    return {school: tuple(ids) for school, ids in by_school.items()}


async def announce_overdue() -> list[int]:
    """Append one `pass.overdue` event per active pass gone past its due time; return ids.

    Once per pass: `overdue_at` is set with the event (a version bump, as for a reminder).
    """
    return await announce_once(unannounced_overdue, "overdue_at", "pass.overdue")


async def must_expire(
    conn: BaseDBAsyncClient | None, school_id: int, now: datetime
) -> tuple[int, ...]:
    """Return the school's active passes past their due time and grace at `now`.

    At most four queries, and one when nothing is overdue: the overdue passes, whether anyone
    is in line (a null grace is then the line's backstop), the school's rows that set a grace,
    their students' grades and groups. The rules resolve each pass's grace.
    """
    overdue = (
        # Not during an emergency (ADR 0007): its end ends these passes, `ended_by` emergency.
        await Pass.filter(
            school_id=school_id,
            state=PassState.ACTIVE,
            due_at__lte=now,
            school__emergency_id__isnull=True,
        )
        .using_db(conn)
        .values("id", "student_id", "destination_id", "started_at", "due_at")
    )
    if not overdue:
        return ()
    line_waiting = (
        await Pass.filter(school_id=school_id, state=PassState.WAITING).using_db(conn).exists()
    )
    grace_rows = await rows_setting(conn, school_id, Setting.OVERTIME_GRACE_MINUTES)
    if not grace_rows and not line_waiting:
        return ()
    requesters = await requesters_of(conn, (row["student_id"] for row in overdue))
    passes = (
        TimedPass(
            row["id"],
            requesters.get(row["student_id"], Requester(row["student_id"])),
            row["destination_id"],
            row["started_at"],
            row["due_at"],
        )
        for row in overdue
    )
    return expiring(passes, grace_rows, now, line_waiting=line_waiting)


async def expire_overdue_passes() -> list[int]:
    """End every active pass past its due time and grace as expired; return their ids.

    Each school is first checked without its lock, so a sweep that finds nothing to expire
    (the usual case: overdue passes within their grace, or no grace set) never queues behind
    the school's requests. Under the lock the check runs again and decides; each expiry is a
    compare-and-set with one `pass.expired` event, and the places freed go to the line.
    """
    schools = (
        await Pass.filter(state=PassState.ACTIVE, due_at__lte=utcnow())
        .distinct()
        .values("school_id")
    )
    expired: list[int] = []
    for school_id in sorted({int(row["school_id"]) for row in schools}):
        if not await must_expire(None, school_id, utcnow()):
            continue
        async with school_transaction(school_id) as tx:
            now = tx.now  # read under the lock, so times follow commit order
            ids = await must_expire(tx.conn, school_id, now)
            for pass_id in ids:
                hall_pass = await Pass.filter(id=pass_id).using_db(tx.conn).get()
                await compare_and_set(
                    tx,
                    hall_pass,
                    {
                        "state": PassState.EXPIRED,
                        "ended_at": now,
                        "ended_by": EndedBy.SYSTEM,
                        "open_student_id": None,
                    },
                )
                body = await serialise(tx, pass_id)
                await tx.append_event("pass.expired", hall_pass, None, now, body)
                expired.append(pass_id)
            if ids:
                await offer_places(tx, now)
    return expired


async def lapse_offers() -> list[int]:
    """Send every pass whose offer lapsed to the back of the line; offer its place on.

    Each lapse is a compare-and-set under the school's lock (`offer_expires_at` cleared,
    `queued_at` the transaction's time) with one `pass.requeued` event; then the freed places
    are offered, the next in line first (the one sent back too, when nobody else may go).
    """
    schools = (
        await Pass.filter(state=PassState.WAITING, offer_expires_at__lte=utcnow())
        .distinct()
        .values("school_id")
    )
    requeued: list[int] = []
    for school_id in sorted({int(row["school_id"]) for row in schools}):
        async with school_transaction(school_id) as tx:
            now = tx.now  # read under the lock: a second sweep reads what the first changed
            facts = await load_facts(tx.conn, tx.school, now)
            ids = lapsed(facts)
            for pass_id in ids:
                hall_pass = await Pass.filter(id=pass_id).using_db(tx.conn).get()
                await compare_and_set(tx, hall_pass, {"offer_expires_at": None, "queued_at": now})
                body = await serialise(tx, pass_id)
                await tx.append_event("pass.requeued", hall_pass, None, now, body)
                requeued.append(pass_id)
            if ids:
                await offer_places(tx, now)
    return requeued


async def offer_free_places() -> list[int]:
    """Offer places that are free while someone waits: after passes are switched back on,
    a capacity is raised, or anything else that frees room without a pass changing.

    Each school with a line is checked without its lock (the usual answer is "still full"),
    then offered under it.
    """
    schools = await Pass.filter(state=PassState.WAITING).distinct().values("school_id")
    offered: list[int] = []
    for school_id in sorted({int(row["school_id"]) for row in schools}):
        school = await School.get(id=school_id)
        if not offers(await load_facts(None, school, utcnow())).offered:
            continue
        async with school_transaction(school_id) as tx:
            offered += await offer_places(tx, tx.now)
    return offered


async def run_forever(interval: float = SWEEP_SECONDS) -> None:
    """Sweep every `interval` seconds until cancelled; a failed step is logged and retried."""
    sweeps = 0
    while True:
        # Overdue first: every pass that goes past due while out is announced, even one the
        # next step expires at once (a grace of 0, a sweep late after a restart). Expiry and
        # lapses next: the places they free go to the line before scheduled passes start;
        # reminders before starts, so a sweep late past a start sends no reminder for it; the
        # last step offers anything still free (nothing, unless room appeared).
        for step in (
            announce_overdue,
            expire_overdue_passes,
            lapse_offers,
            send_due_reminders,
            start_due_passes,
            offer_free_places,
            # Substitutes' code sessions whose school day is over (or grant revoked) end, so
            # the hub closes their sockets: nothing stays open overnight.
            end_lapsed_sessions,
        ):
            try:
                if await step():  # it changed something: the database took a write
                    storage.stored()
            except Exception as exc:
                if not storage.report(exc):  # a full disk is logged once, not every sweep
                    log.exception(
                        "sweep step %s failed; retrying in %.0f s", step.__name__, interval
                    )
        try:
            if sweeps % PURGE_EVERY_SWEEPS == 0:
                await purge_expired()
                await purge_stale_keys()
        except Exception as exc:
            if not storage.report(exc):
                log.exception("session or key purge failed; retrying in %.0f s", interval)
        sweeps += 1
        await asyncio.sleep(interval)


@contextlib.asynccontextmanager
async def running(interval: float = SWEEP_SECONDS) -> AsyncIterator[None]:
    """Run the sweep in the background for the lifetime of the block."""
    task = asyncio.create_task(run_forever(interval), name="hallpass-scheduler")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
