"""The fair line's timers, read from the database: when each offered place lapses."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from tortoise.backends.base.client import BaseDBAsyncClient

from server.rules import OpenPass, Requester
from server.rules.line import offer_seconds
from server.rules.policy import Setting
from server.services.facts import requesters_of, rows_setting


async def offer_deadlines(
    conn: BaseDBAsyncClient, school_id: int, offered: Iterable[OpenPass], now: datetime
) -> dict[int, datetime]:
    """Return when the offer to each pass lapses: `now` plus its student's `offer_seconds`.

    One query when no row sets the time (the default applies), two otherwise.
    """
    passes = tuple(offered)
    rows = await rows_setting(conn, school_id, Setting.OFFER_SECONDS)
    students = await requesters_of(conn, (p.student_id for p in passes)) if rows else {}
    return {
        p.id: now
        + timedelta(
            seconds=offer_seconds(
                rows, students.get(p.student_id, Requester(p.student_id)), p.destination_id
            )
        )
        for p in passes
    }
