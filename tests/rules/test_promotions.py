"""promotions: who leaves the line when room frees up, first in line first."""

from __future__ import annotations

from dataclasses import replace

import pytest

from server.rules import SchoolFacts, promotions
from tests.rules.school import (
    LIBRARY,
    NURSE,
    OFFICE,
    ROOM_101,
    ROOM_102,
    alert,
    block,
    case,
    out,
    pending,
    school,
    waiting,
)

# Students 1001.. are in line; 2001.. are already out. RESTROOM holds 2, OFFICE holds 1.
FULL_RESTROOM = (out(1, 2001), out(2, 2002))
ONE_OUT_PER_ROOM = (replace(ROOM_101, max_out=1),)


@pytest.mark.parametrize(
    ("facts", "promoted"),
    [
        case("no one in line",
             school(*FULL_RESTROOM), ()),
        case("room for the one in line",
             school(waiting(10, 1001)), (10,)),
        case("still full: everyone keeps waiting",
             school(*FULL_RESTROOM, waiting(10, 1001), waiting(11, 1002)), ()),
        case("a pending pass is not in line: approval starts it, not promotion",
             school(pending(10, 1001, LIBRARY)), ()),
        # First in line first
        case("one place: the longest waiting goes, not the lowest id",
             school(out(1, 2001), waiting(10, 1001, minutes_ago=1),
                    waiting(11, 1002, minutes_ago=9)),
             (11,)),
        case("same queue time: the lower id was first",
             school(out(1, 2001), waiting(11, 1002, minutes_ago=3),
                    waiting(10, 1001, minutes_ago=3)),
             (10,)),
        case("no queue time recorded counts as queued now: behind anyone queued earlier",
             school(out(1, 2001), waiting(10, 1001, minutes_ago=None), waiting(11, 1002)),
             (11,)),
        case("promoted passes come back in line order",
             school(waiting(12, 1003, LIBRARY, minutes_ago=1),
                    waiting(10, 1001, LIBRARY, minutes_ago=3),
                    waiting(11, 1002, LIBRARY, minutes_ago=2)),
             (10, 11, 12)),
        # Room is used up as the line moves
        case("two places, three in line: the first two go",
             school(waiting(10, 1001, minutes_ago=3), waiting(11, 1002, minutes_ago=2),
                    waiting(12, 1003, minutes_ago=1)),
             (10, 11)),
        case("the hallway fills as the line moves",
             school(out(1, 2001, LIBRARY), waiting(10, 1001, LIBRARY, minutes_ago=3),
                    waiting(11, 1002, OFFICE, minutes_ago=2), hallway_max=2),
             (10,)),
        case("a room's maximum out fills as the line moves; other rooms still go",
             school(waiting(10, 1001, LIBRARY, minutes_ago=3),
                    waiting(11, 1002, OFFICE, minutes_ago=2),
                    waiting(12, 1003, OFFICE, ROOM_102, minutes_ago=1),
                    places=ONE_OUT_PER_ROOM),
             (10, 12)),
        case("the second in line for a one-place office waits for the first",
             school(waiting(10, 1001, OFFICE, minutes_ago=3),
                    waiting(11, 1002, OFFICE, ROOM_102, minutes_ago=2)),
             (10,)),
        # A held pass keeps its place; those behind it for other places still go
        case("restroom still full: the library line moves past it",
             school(*FULL_RESTROOM, waiting(10, 1001, minutes_ago=3),
                    waiting(11, 1002, LIBRARY, minutes_ago=2)),
             (11,)),
        case("held by an encounter: the next one goes",
             school(out(1, 2001, LIBRARY), waiting(10, 1001, OFFICE, minutes_ago=3),
                    waiting(11, 1002, LIBRARY, minutes_ago=2),
                    encounters=(block("g", 1001, 2001),)),
             (11,)),
        case("held by an encounter: its place's room is not kept empty for it",
             school(out(1, 2001, LIBRARY), waiting(10, 1001, OFFICE, minutes_ago=3),
                    waiting(11, 1002, OFFICE, ROOM_102, minutes_ago=2),
                    encounters=(block("g", 1001, 2001),)),
             (11,)),
        case("held by its room's maximum out: another room's pass goes",
             school(out(1, 2001, LIBRARY), waiting(10, 1001, minutes_ago=3),
                    waiting(11, 1002, NURSE, ROOM_102, minutes_ago=2), places=ONE_OUT_PER_ROOM),
             (11,)),
        # Encounters within the line (invariant 3)
        case("two blocked members in line: only the first goes",
             school(waiting(10, 1001, LIBRARY, minutes_ago=3),
                    waiting(11, 1002, OFFICE, minutes_ago=2),
                    encounters=(block("g", 1001, 1002),)),
             (10,)),
        case("an alert group lets both go",
             school(waiting(10, 1001, LIBRARY, minutes_ago=3),
                    waiting(11, 1002, OFFICE, minutes_ago=2),
                    encounters=(alert("g", 1001, 1002),)),
             (10, 11)),
        # Switched off
        case("passes off: the line stays put",
             school(waiting(10, 1001, LIBRARY), passes_enabled=False), ()),
    ],
)  # fmt: skip
def test_promotions(facts: SchoolFacts, promoted: tuple[int, ...]) -> None:
    assert promotions(facts) == promoted


def test_promotions_leave_the_facts_as_they_were() -> None:
    facts = school(out(1, 2001), waiting(10, 1001), waiting(11, 1002))
    before = facts.open_passes
    assert promotions(facts) == (10,)
    assert facts.open_passes == before
    assert promotions(facts) == (10,)
