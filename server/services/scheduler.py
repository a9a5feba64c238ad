"""Start scheduled passes when their time comes: a periodic sweep of the database.

The sweep reads only database state and each start is a compare-and-set inside the school
transaction, so a restart misses nothing and several processes sweeping at once start each
pass exactly once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from server.auth.sessions import purge_expired
from server.clock import utcnow
from server.enums import PassState
from server.models import Pass
from server.rules.decision import Outcome
from server.rules.scheduled import start_scheduled
from server.services.facts import load_facts, open_pass_of
from server.services.passes import compare_and_set, lifecycle_fields, serialise
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


async def run_forever(interval: float = SWEEP_SECONDS) -> None:
    """Sweep every `interval` seconds until cancelled; a failed sweep is logged and retried."""
    sweeps = 0
    while True:
        try:
            await start_due_passes()
            if sweeps % PURGE_EVERY_SWEEPS == 0:
                await purge_expired()
        except Exception:
            log.exception("scheduled-pass sweep failed; retrying in %.0f s", interval)
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
