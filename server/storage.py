"""A database that has no room for a change: recognised by its cause, logged once per outage.

SQLite answers SQLITE_FULL ("database or disk is full") when the disk is full or the file hit
its `max_page_count`; PostgreSQL answers an error of class 53, insufficient resources (53100
disk_full: "could not extend file"; also out of memory, too many connections, a limit such as
`temp_file_limit`), which asyncpg raises as `InsufficientResourcesError`. Nothing was stored,
the request may simply be tried again, and reads still work: the API answers 503
`storage_full` with Retry-After instead of a 500 and a traceback per request, and the process
logs the outage once and its end once (server/outage.py).
"""

from __future__ import annotations

import errno
import logging
import sqlite3
from collections.abc import Iterator
from typing import Final

import asyncpg

from server.outage import Outage

log = logging.getLogger("hallpass.storage")

# What a 503 storage_full tells a client to wait before trying again.
RETRY_AFTER_SECONDS: Final = 30
# A full disk still takes some writes (a row that fits a page it has, an update in place), so
# a write ends the outage only once none has failed for this long: one "back", not one per
# lucky write.
SETTLE_SECONDS: Final = 10.0

# The whole process shares one: the API, the scheduler and the notify worker write to one
# database, so whichever sees the disk full first says so, and the first write that goes
# through afterwards says it is over.
FULL = Outage(
    log,
    lost="the database can't store changes (%s): answering 503 storage_full until it can",
    back="the database stores changes again",
    settle=SETTLE_SECONDS,
)

_NO_SPACE: Final = frozenset({errno.ENOSPC, errno.EDQUOT})


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """Yield the exception, what it wraps, what caused it and what it interrupted."""
    seen: set[int] = set()
    stack = [exc]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        if isinstance(current, BaseExceptionGroup):
            stack.extend(current.exceptions)
        # Tortoise wraps a driver's error as its argument (`OperationalError(exc)`).
        stack.extend(arg for arg in current.args if isinstance(arg, BaseException))
        for linked in (current.__cause__, current.__context__):
            if linked is not None:
                stack.append(linked)


def is_storage_full(exc: BaseException) -> bool:
    """Say whether an error means the database (or its disk) has no room for a change."""
    return any(_full(cause) for cause in _causes(exc))


def _full(exc: BaseException) -> bool:
    """Say whether this one error (not what it wraps) is a full storage."""
    if isinstance(exc, sqlite3.Error):
        code = getattr(exc, "sqlite_errorcode", None)  # the extended code: keep its low byte
        return code is not None and code & 0xFF == sqlite3.SQLITE_FULL
    if isinstance(exc, OSError):
        return exc.errno in _NO_SPACE
    return isinstance(exc, asyncpg.InsufficientResourcesError)


def report(exc: BaseException) -> bool:
    """Say whether `exc` is a full storage; if so, count it (logged once per outage)."""
    if not is_storage_full(exc):
        return False
    FULL.lost(exc)
    return True


def stored() -> None:
    """Note that a write went through: ends an outage, if there was one (logged once)."""
    if FULL.active:
        FULL.back()
