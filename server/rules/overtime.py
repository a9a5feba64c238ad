"""Overtime: an active pass past its due time counts up, and after a grace the system expires it.

The time limit is the destination's `default_minutes`, fixed in the pass's `due_at` when it
starts. The grace is the policy setting `overtime_grace_minutes`, resolved like every other
(student > destination > group > grade > school); null, the default, means never expire.
Times are half-open like the no-fly windows: at `due_at` the pass is overdue (by zero seconds)
and at `due_at + grace` it must expire, so a grace of 0 expires a pass at its due time.

A null grace never expires a pass, except while someone waits in line: then a pass overdue by
LINE_BACKSTOP_MINUTES no longer holds its place (ADR 0005, the fair line), since a place held
forever would stop the line forever.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from server.rules.facts import PolicyRow, PolicyValue, Requester
from server.rules.policy import Effective, Setting, applicable, resolve_setting

# An hour past its due time, a pass nobody ended is a student who went elsewhere: long enough
# never to expire a real visit (the longest demo time limit is 15 minutes), short enough that a
# line behind it moves within a class period.
LINE_BACKSTOP_MINUTES = 60


@dataclass(frozen=True, slots=True)
class TimedPass:
    """An active pass as the overtime rule sees it: whose, where to, and its times."""

    id: int
    student: Requester  # only the id, grade and groups: what resolves the grace
    destination_id: int
    started_at: datetime | None
    due_at: datetime | None


@dataclass(frozen=True, slots=True)
class Overtime:
    """Where an active pass stands against its time limit at one moment."""

    overdue_by: timedelta | None  # None: not overdue (before its due time, or untimed)
    expires_at: datetime | None  # due time + grace; None: it never expires
    expire: bool  # the system must end it as expired now

    @property
    def overdue(self) -> bool:
        """Say whether the pass is past its due time (a screen counts up)."""
        return self.overdue_by is not None


def grace_minutes(value: PolicyValue) -> int | None:
    """Return a grace setting as minutes, or None (never expire) for anything but a number."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def overtime(
    started_at: datetime | None, due_at: datetime | None, grace: int | None, now: datetime
) -> Overtime:
    """Return whether a pass is overdue at `now`, by how much, and whether it must expire."""
    if started_at is None or due_at is None:
        return Overtime(None, None, expire=False)  # never started, or no time limit: untimed
    expires_at = None if grace is None else due_at + timedelta(minutes=grace)
    expire = expires_at is not None and now >= expires_at
    overdue_by = now - due_at if now >= due_at else None
    return Overtime(overdue_by, expires_at, expire)


def grace_for(rows: Iterable[PolicyRow], timed: TimedPass) -> Effective:
    """Return the grace that applies to a pass (its student and destination), and who set it."""
    by_scope = applicable(rows, timed.student, timed.destination_id)
    return resolve_setting(Setting.OVERTIME_GRACE_MINUTES, by_scope)


def expiring(
    passes: Iterable[TimedPass],
    rows: Iterable[PolicyRow],
    now: datetime,
    *,
    line_waiting: bool = False,
) -> tuple[int, ...]:
    """Return the ids of the passes that must expire now, the earliest deadline first.

    With `line_waiting` (someone is in line), a null grace is the line's backstop instead.
    """
    policy = tuple(rows)
    due: list[tuple[datetime, int]] = []
    for timed in passes:
        grace = grace_minutes(grace_for(policy, timed).value)
        if grace is None and line_waiting:
            grace = LINE_BACKSTOP_MINUTES
        result = overtime(timed.started_at, timed.due_at, grace, now)
        if result.expire:
            assert result.expires_at is not None
            due.append((result.expires_at, timed.id))
    return tuple(pass_id for _, pass_id in sorted(due))
