"""Reminders: due from start - N until the start, once, and never for a pass made inside that."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from server.rules.reminders import Remindable, reminder_at, reminders_due
from tests.rules.school import NOW, case

START = NOW + timedelta(minutes=30)  # 11:00
MADE = NOW - timedelta(hours=2)  # made well before its window


def minutes(n: float) -> timedelta:
    """Return n minutes."""
    return timedelta(minutes=n)


def appointment(
    pass_id: int = 1,
    start: datetime = START,
    remind: int | None = 5,
    reminded: datetime | None = None,
    made: datetime = MADE,
) -> Remindable:
    """Return a scheduled pass with a reminder `remind` minutes before `start`."""
    return Remindable(pass_id, made, start, remind, reminded)


@pytest.mark.parametrize(
    ("hall_pass", "expected"),
    [
        case("N minutes before the start",
             appointment(), START - minutes(5)),
        case("no reminder asked for",
             appointment(remind=None), None),
        case("already reminded: never twice",
             appointment(reminded=NOW), None),
        case("made inside its window: its creation was the notice",
             appointment(made=START - minutes(3)), None),
        case("made exactly as its window opens: the same",
             appointment(made=START - minutes(5)), None),
        case("made a second before its window: it will be reminded",
             appointment(made=START - minutes(5) - timedelta(seconds=1)), START - minutes(5)),
    ],
)  # fmt: skip
def test_reminder_at(hall_pass: Remindable, expected: datetime | None) -> None:
    assert reminder_at(hall_pass) == expected


@pytest.mark.parametrize(
    ("passes", "now", "expected"),
    [
        case("before the window: nothing yet",
             (appointment(),), START - minutes(5) - timedelta(seconds=1), ()),
        case("the window opens: due",
             (appointment(),), START - minutes(5), (1,)),
        case("inside the window (a sweep catching up after a restart): due",
             (appointment(),), START - minutes(1), (1,)),
        case("at the start the window has closed: the start itself tells them",
             (appointment(),), START, ()),
        case("already reminded: not again",
             (appointment(reminded=START - minutes(5)),), START - minutes(4), ()),
        case("several due: earliest start first, then by id",
             (appointment(3, START + minutes(1), remind=10), appointment(2), appointment(1)),
             START - minutes(2), (1, 2, 3)),
        case("only the due ones",
             (appointment(1), appointment(2, START + minutes(60))), START - minutes(2), (1,)),
    ],
)  # fmt: skip
def test_reminders_due(
    passes: tuple[Remindable, ...], now: datetime, expected: tuple[int, ...]
) -> None:
    assert reminders_due(passes, now) == expected
