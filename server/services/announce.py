"""Sweep steps that mark a pass once and tell everyone: a reminder, an overdue pass.

Neither changes the pass's state; each sets one timestamp column by compare-and-set (which
bumps `version`) and appends one event with no actor, so clients keep an exact copy.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient

from server.clock import utcnow
from server.models import Pass
from server.services.passes import compare_and_set, serialise
from server.services.transaction import school_transaction

# (connection or None, now, school id or None) -> {school id: pass ids due}
Finder = Callable[
    [BaseDBAsyncClient | None, datetime, int | None], Awaitable[dict[int, tuple[int, ...]]]
]


async def announce_once(find: Finder, column: str, event_name: str) -> list[int]:
    """Set `column` and append `event_name` for every pass `find` says is due; return their ids.

    Each school is first checked without its lock, so the usual sweep (nothing due) never
    queues behind the school's requests; under the lock the check runs again and decides, so
    concurrent sweeps mark each pass once and a restart marks whatever was missed.
    """
    marked: list[int] = []
    for school_id in sorted(await find(None, utcnow(), None)):
        async with school_transaction(school_id) as tx:
            now = tx.now  # read under the lock, so times follow commit order
            for pass_id in (await find(tx.conn, now, school_id)).get(school_id, ()):
                hall_pass = await Pass.filter(id=pass_id).using_db(tx.conn).get()
                await compare_and_set(tx, hall_pass, {column: now})
                body = await serialise(tx, pass_id)
                await tx.append_event(event_name, hall_pass, None, now, body)
                marked.append(pass_id)
    return marked
