"""Timers as a periodic sweep of the database: expire overdue passes, remind, start scheduled ones.

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

from server.auth.sessions import purge_expired
from server.clock import utcnow
from server.enums import EndedBy, PassState
from server.models import Pass, Policy, User
from server.rules.decision import Outcome
from server.rules.facts import Requester
from server.rules.overtime import TimedPass, expiring
from server.rules.policy import Setting
from server.rules.scheduled import start_scheduled
from server.services.facts import KNOWN_SCOPES, load_facts, open_pass_of, policy_row
from server.services.passes import compare_and_set, lifecycle_fields, promote_waiting, serialise
from server.services.reminders import send_due_reminders
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


async def must_expire(
    conn: BaseDBAsyncClient | None, school_id: int, now: datetime
) -> tuple[int, ...]:
    """Return the school's active passes past their due time and grace at `now`.

    At most three queries, and one when nothing is overdue: the overdue passes, the school's
    rows that set a grace (none: the default, nothing expires), their students' grades and
    groups. The rules resolve each pass's grace.
    """
    overdue = (
        await Pass.filter(school_id=school_id, state=PassState.ACTIVE, due_at__lte=now)
        .using_db(conn)
        .values("id", "student_id", "destination_id", "started_at", "due_at")
    )
    if not overdue:
        return ()
    rows = (
        await Policy.filter(school_id=school_id).using_db(conn).values("scope", "target", "rules")
    )
    grace_rows = tuple(
        policy_row(row["scope"], row["target"], row["rules"])
        for row in rows
        if row["scope"] in KNOWN_SCOPES and Setting.OVERTIME_GRACE_MINUTES in row["rules"]
    )
    if not grace_rows:
        return ()
    students = (
        await User.filter(id__in=sorted({row["student_id"] for row in overdue}))
        .using_db(conn)
        .values("id", "grade", "groups")
    )
    requesters = {
        row["id"]: Requester(
            row["id"], row["grade"], frozenset(str(g) for g in row["groups"] or ())
        )
        for row in students
    }
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
    return expiring(passes, grace_rows, now)


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
                await promote_waiting(tx, now)
    return expired


async def run_forever(interval: float = SWEEP_SECONDS) -> None:
    """Sweep every `interval` seconds until cancelled; a failed step is logged and retried."""
    sweeps = 0
    while True:
        # Expiry first: the places it frees go to the line before scheduled passes start.
        # Reminders before starts: a sweep late past a start sends no reminder for it.
        for step in (expire_overdue_passes, send_due_reminders, start_due_passes):
            try:
                await step()
            except Exception:
                log.exception("sweep step %s failed; retrying in %.0f s", step.__name__, interval)
        try:
            if sweeps % PURGE_EVERY_SWEEPS == 0:
                await purge_expired()
        except Exception:
            log.exception("session purge failed; retrying in %.0f s", interval)
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
