"""The reminder sweep: a scheduled pass's `pass.reminder` event, N minutes before it starts, once.

Reminder state is the pass row's `reminded_at`, set by compare-and-set inside the school's
transaction together with the event, so a sweep after a restart sends every reminder still
due and none twice, and two processes sweeping at once send each reminder once.

A reminder is not a change of state, but it is a change of the pass (`reminded_at`), so it
bumps `version` like any other: a client that applies events in order keeps an exact copy,
and invariant 4 (one event per change, versions 1..n) holds as it is written.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tortoise.backends.base.client import BaseDBAsyncClient

from server.enums import PassState
from server.models import Pass
from server.rules.reminders import MAX_REMIND_MINUTES, Remindable, reminders_due
from server.services.announce import announce_once


async def due_reminders(
    conn: BaseDBAsyncClient | None, now: datetime, school_id: int | None = None
) -> dict[int, tuple[int, ...]]:
    """Return, per school, the scheduled passes whose reminder is due at `now`.

    One indexed query on (school, state) narrowed to passes starting within the longest
    reminder; the pure rule decides which are due.
    """
    query = Pass.filter(
        state=PassState.SCHEDULED,
        reminded_at__isnull=True,
        remind_minutes__isnull=False,
        start_at__gt=now,
        start_at__lte=now + timedelta(minutes=MAX_REMIND_MINUTES),
    )
    if school_id is not None:
        query = query.filter(school_id=school_id)
    rows = await query.using_db(conn).values(
        "id", "school_id", "requested_at", "start_at", "remind_minutes", "reminded_at"
    )
    by_school: dict[int, list[Remindable]] = {}
    for row in rows:
        by_school.setdefault(int(row["school_id"]), []).append(
            Remindable(
                row["id"],
                row["requested_at"],
                row["start_at"],
                row["remind_minutes"],
                row["reminded_at"],
            )
        )
    due = {school: reminders_due(passes, now) for school, passes in by_school.items()}
    return {school: ids for school, ids in due.items() if ids}


async def send_due_reminders() -> list[int]:
    """Append one `pass.reminder` event per scheduled pass whose reminder is due; return ids."""
    return await announce_once(due_reminders, "reminded_at", "pass.reminder")
