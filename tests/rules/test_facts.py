"""SchoolFacts: who is out, and the line in arrival order."""

from __future__ import annotations

import pytest

from server.rules import OpenPass, SchoolFacts
from tests.rules.school import LIBRARY, case, out, pending, school, waiting


@pytest.mark.parametrize(
    ("facts", "active", "line"),
    [
        case("an empty school",
             school(), (), ()),
        case("each open state in its place",
             school(pending(1, 1001), waiting(2, 1002), out(3, 1003)), (3,), (2,)),
        case("the line by queue time, not by id",
             school(waiting(1, 1001, minutes_ago=1), waiting(2, 1002, minutes_ago=7)), (), (2, 1)),
        case("equal queue times: by id",
             school(waiting(2, 1002, minutes_ago=3), waiting(1, 1001, minutes_ago=3)), (), (1, 2)),
        case("no queue time: as if queued now, so last",
             school(waiting(1, 1001, minutes_ago=None), waiting(2, 1002, minutes_ago=0),
                    waiting(3, 1003, LIBRARY, minutes_ago=4)),
             (), (3, 1, 2)),
    ],
)  # fmt: skip
def test_active_and_waiting_line(
    facts: SchoolFacts, active: tuple[int, ...], line: tuple[int, ...]
) -> None:
    assert ids(facts.active()) == active
    assert ids(facts.waiting_line()) == line


def ids(passes: tuple[OpenPass, ...]) -> tuple[int, ...]:
    """Return the passes' ids in order."""
    return tuple(p.id for p in passes)
