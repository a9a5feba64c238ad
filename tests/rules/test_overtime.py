"""Overtime: an active pass past its due time is overdue, and after the grace it must expire.

Times are half-open: at the due time the pass is overdue by zero seconds; at due time + grace
it expires. The grace is resolved like every setting (student > destination > group > grade >
school, the shortest among groups); null, the default, never expires a pass.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from server.enums import PolicyScope
from server.rules import PolicyRow, Requester
from server.rules.overtime import Overtime, TimedPass, expiring, grace_for, overtime
from server.rules.policy import Effective
from tests.rules.school import LIBRARY, NOW, NURSE, RESTROOM, case, row

STARTED = NOW - timedelta(minutes=10)
DUE = NOW - timedelta(minutes=5)  # a 5-minute pass, 5 minutes overdue at NOW
ME = Requester(1001, grade=10, groups=frozenset({"IEP", "Band"}))
OTHER = Requester(1020, grade=9)


def minutes(n: float) -> timedelta:
    """Return n minutes."""
    return timedelta(minutes=n)


def timed(
    pass_id: int,
    student: Requester = ME,
    to: int = RESTROOM.id,
    due: datetime | None = DUE,
    started: datetime | None = STARTED,
) -> TimedPass:
    """Return an active pass due at `due`."""
    return TimedPass(pass_id, student, to, started, due)


@pytest.mark.parametrize(
    ("started_at", "due_at", "grace", "now", "expected"),
    [
        case("before the due time: not overdue, and the deadline is known",
             STARTED, DUE, 10, DUE - minutes(1), Overtime(None, DUE + minutes(10), expire=False)),
        case("at the due time: overdue by zero, the screen starts counting up",
             STARTED, DUE, 10, DUE, Overtime(timedelta(0), DUE + minutes(10), expire=False)),
        case("inside the grace: overdue, not expired",
             STARTED, DUE, 10, DUE + minutes(9), Overtime(minutes(9), DUE + minutes(10), False)),
        case("one second before the grace ends: still not expired",
             STARTED, DUE, 10, DUE + minutes(10) - timedelta(seconds=1),
             Overtime(minutes(10) - timedelta(seconds=1), DUE + minutes(10), False)),
        case("exactly at due time + grace: it expires",
             STARTED, DUE, 10, DUE + minutes(10), Overtime(minutes(10), DUE + minutes(10), True)),
        case("long after the grace (a sweep catching up after a restart): it expires",
             STARTED, DUE, 10, DUE + minutes(600),
             Overtime(minutes(600), DUE + minutes(10), True)),
        case("a grace of 0 expires the pass at its due time",
             STARTED, DUE, 0, DUE, Overtime(timedelta(0), DUE, True)),
        case("no grace (null): overdue forever, never expires",
             STARTED, DUE, None, DUE + minutes(600), Overtime(minutes(600), None, False)),
        case("no due time: untimed, never overdue",
             STARTED, None, 0, NOW, Overtime(None, None, False)),
        case("never started: untimed, never overdue",
             None, DUE, 0, NOW, Overtime(None, None, False)),
    ],
)  # fmt: skip
def test_overtime(
    started_at: datetime | None,
    due_at: datetime | None,
    grace: int | None,
    now: datetime,
    expected: Overtime,
) -> None:
    result = overtime(started_at, due_at, grace, now)
    assert result == expected
    assert result.overdue is (expected.overdue_by is not None)


@pytest.mark.parametrize(
    ("rows", "pass_", "expected"),
    [
        case("no rows: never expire, and nobody set it",
             (), timed(1), Effective(None)),
        case("the school's grace applies to everyone",
             (row(PolicyScope.SCHOOL, overtime_grace_minutes=10),), timed(1),
             Effective(10, PolicyScope.SCHOOL)),
        case("the grade overrides the school",
             (row(PolicyScope.SCHOOL, overtime_grace_minutes=10),
              row(PolicyScope.GRADE, 10, overtime_grace_minutes=20)), timed(1),
             Effective(20, PolicyScope.GRADE, "10")),
        case("among the student's groups the shortest grace wins",
             (row(PolicyScope.GROUP, "IEP", overtime_grace_minutes=30),
              row(PolicyScope.GROUP, "Band", overtime_grace_minutes=5)), timed(1),
             Effective(5, PolicyScope.GROUP, "Band")),
        case("a destination that must never expire (the Nurse) lifts the school's grace",
             (row(PolicyScope.SCHOOL, overtime_grace_minutes=10),
              row(PolicyScope.DESTINATION, NURSE.id, overtime_grace_minutes=None)),
             timed(1, to=NURSE.id), Effective(None, PolicyScope.DESTINATION, str(NURSE.id))),
        case("the student's own row beats the destination's",
             (row(PolicyScope.DESTINATION, RESTROOM.id, overtime_grace_minutes=5),
              row(PolicyScope.STUDENT, ME.student_id, overtime_grace_minutes=45)), timed(1),
             Effective(45, PolicyScope.STUDENT, str(ME.student_id))),
    ],
)  # fmt: skip
def test_grace_for(rows: tuple[PolicyRow, ...], pass_: TimedPass, expected: Effective) -> None:
    assert grace_for(rows, pass_) == expected


SCHOOL_10 = row(PolicyScope.SCHOOL, overtime_grace_minutes=10)


@pytest.mark.parametrize(
    ("rows", "passes", "expected"),
    [
        case("no grace set anywhere: nothing ever expires",
             (), (timed(1, due=NOW - minutes(600)),), ()),
        case("past the school's grace: it expires; inside it: it doesn't",
             (SCHOOL_10,), (timed(1, due=NOW - minutes(10)), timed(2, due=NOW - minutes(9))),
             (1,)),
        case("the earliest deadline first, whatever the order read",
             (SCHOOL_10,), (timed(1, due=NOW - minutes(11)), timed(2, due=NOW - minutes(30))),
             (2, 1)),
        case("one deadline: the lower id first",
             (SCHOOL_10,), (timed(2, due=NOW - minutes(11)), timed(1, due=NOW - minutes(11))),
             (1, 2)),
        case("each pass resolves its own grace: another grade's longer grace holds",
             (SCHOOL_10, row(PolicyScope.GRADE, 9, overtime_grace_minutes=60)),
             (timed(1, due=NOW - minutes(20)), timed(2, OTHER, due=NOW - minutes(20))), (1,)),
        case("an exempt-from-expiry destination keeps its pass",
             (SCHOOL_10, row(PolicyScope.DESTINATION, LIBRARY.id, overtime_grace_minutes=None)),
             (timed(1, to=LIBRARY.id, due=NOW - minutes(60)),), ()),
        case("a grace that isn't a number (a flag) never expires anything",
             (row(PolicyScope.SCHOOL, overtime_grace_minutes=True),),
             (timed(1, due=NOW - minutes(60)),), ()),
        case("an untimed pass never expires",
             (SCHOOL_10,), (timed(1, due=None),), ()),
    ],
)  # fmt: skip
def test_expiring(
    rows: tuple[PolicyRow, ...], passes: tuple[TimedPass, ...], expected: tuple[int, ...]
) -> None:
    assert expiring(passes, rows, NOW) == expected


@pytest.mark.parametrize(
    ("rows", "passes", "expected"),
    [
        case("someone in line: a pass with no grace expires an hour past its due time",
             (), (timed(1, due=NOW - minutes(60)), timed(2, due=NOW - minutes(59))), (1,)),
        case("someone in line: a grace the school set still applies, however long",
             (row(PolicyScope.SCHOOL, overtime_grace_minutes=240),),
             (timed(1, due=NOW - minutes(120)),), ()),
        case("someone in line: a destination's null (never expire) gives way to the line too",
             (SCHOOL_10, row(PolicyScope.DESTINATION, LIBRARY.id, overtime_grace_minutes=None)),
             (timed(1, to=LIBRARY.id, due=NOW - minutes(60)),), (1,)),
    ],
)  # fmt: skip
def test_expiring_while_a_line_waits(
    rows: tuple[PolicyRow, ...], passes: tuple[TimedPass, ...], expected: tuple[int, ...]
) -> None:
    assert expiring(passes, rows, NOW, line_waiting=True) == expected
