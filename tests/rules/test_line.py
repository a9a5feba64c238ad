"""The fair line: who is offered a freed place, whose offer lapsed, places in line, taking."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from server.enums import PassState, PolicyScope
from server.errors import ErrorCode
from server.rules import OpenPass, PassRequest, PolicyRow, Requester, SchoolFacts, decide_request
from server.rules.line import LineMove, lapsed, offer_seconds, offers, positions, take
from tests.rules.school import (
    GOES_OUT,
    LIBRARY,
    NOW,
    NURSE,
    OFFICE,
    RESTROOM,
    ROOM_101,
    ROOM_102,
    Verdict,
    alert,
    block,
    case,
    denied,
    offered,
    out,
    pending,
    row,
    school,
    verdict,
    waiting,
)

# Students 1001.. are in line; 2001.. are already out. RESTROOM holds 2, OFFICE holds 1.
FULL_RESTROOM = (out(1, 2001), out(2, 2002))
ONE_OUT_PER_ROOM = (replace(ROOM_101, max_out=1),)


@pytest.mark.parametrize(
    ("facts", "move"),
    [
        case("no one in line",
             school(*FULL_RESTROOM), LineMove((), ())),
        case("room for the one in line: offered, not started",
             school(waiting(10, 1001)), LineMove((10,), ())),
        case("still full: everyone keeps waiting",
             school(*FULL_RESTROOM, waiting(10, 1001), waiting(11, 1002)), LineMove((), ())),
        case("a pending pass is not in line: approval starts it, not the line",
             school(pending(10, 1001, LIBRARY)), LineMove((), ())),
        # First in line first
        case("one place: the longest waiting is offered it, not the lowest id",
             school(out(1, 2001), waiting(10, 1001, minutes_ago=1),
                    waiting(11, 1002, minutes_ago=9)),
             LineMove((11,), ())),
        case("same queue time: the lower id was first",
             school(out(1, 2001), waiting(11, 1002, minutes_ago=3),
                    waiting(10, 1001, minutes_ago=3)),
             LineMove((10,), ())),
        case("no queue time recorded counts as queued now: behind anyone queued earlier",
             school(out(1, 2001), waiting(10, 1001, minutes_ago=None), waiting(11, 1002)),
             LineMove((11,), ())),
        case("offers come back in line order",
             school(waiting(12, 1003, LIBRARY, minutes_ago=1),
                    waiting(10, 1001, LIBRARY, minutes_ago=3),
                    waiting(11, 1002, LIBRARY, minutes_ago=2)),
             LineMove((10, 11, 12), ())),
        # An offered place is taken: it is not offered twice
        case("the place offered to the first is held: the second waits for the next one",
             school(out(1, 2001), offered(10, 1001), waiting(11, 1002)), LineMove((), ())),
        case("an offered pass is not offered again",
             school(offered(10, 1001, LIBRARY)), LineMove((), ())),
        case("a lapsed offer still holds its place until the sweep sends it back",
             school(out(1, 2001), waiting(10, 1001, offer_for=-5), waiting(11, 1002)),
             LineMove((), ())),
        case("offered places count toward the hallway maximum",
             school(offered(10, 1001, LIBRARY), waiting(11, 1002, OFFICE), hallway_max=1),
             LineMove((), ())),
        case("offered places count toward a room's maximum out",
             school(offered(10, 1001, LIBRARY), waiting(11, 1002, OFFICE),
                    places=ONE_OUT_PER_ROOM),
             LineMove((), ())),
        # Room is used up as places are offered
        case("two places, three in line: the first two are offered one",
             school(waiting(10, 1001, minutes_ago=3), waiting(11, 1002, minutes_ago=2),
                    waiting(12, 1003, minutes_ago=1)),
             LineMove((10, 11), ())),
        case("the hallway fills as places are offered",
             school(out(1, 2001, LIBRARY), waiting(10, 1001, LIBRARY, minutes_ago=3),
                    waiting(11, 1002, OFFICE, minutes_ago=2), hallway_max=2),
             LineMove((10,), ())),
        case("a room's maximum out fills as places are offered; other rooms still go",
             school(waiting(10, 1001, LIBRARY, minutes_ago=3),
                    waiting(11, 1002, OFFICE, minutes_ago=2),
                    waiting(12, 1003, OFFICE, ROOM_102, minutes_ago=1),
                    places=ONE_OUT_PER_ROOM),
             LineMove((10, 12), ())),
        # A held pass keeps its place; those behind it for other places may still go
        case("restroom still full: the library line moves past it",
             school(*FULL_RESTROOM, waiting(10, 1001, minutes_ago=3),
                    waiting(11, 1002, LIBRARY, minutes_ago=2)),
             LineMove((11,), ())),
        case("held by an encounter with room there: skipped (and logged), the next is offered",
             school(out(1, 2001, LIBRARY), waiting(10, 1001, OFFICE, minutes_ago=3),
                    waiting(11, 1002, OFFICE, ROOM_102, minutes_ago=2),
                    encounters=(block("g", 1001, 2001),)),
             LineMove((11,), (10,))),
        case("held by an encounter, but no room for it anyway: not a skip",
             school(out(1, 2001), out(2, 2002), waiting(10, 1001, minutes_ago=3),
                    encounters=(block("g", 1001, 2001),)),
             LineMove((), ())),
        case("held by an encounter with someone offered a place (a reservation is out)",
             school(offered(9, 2001, LIBRARY), waiting(10, 1001, OFFICE),
                    encounters=(block("g", 1001, 2001),)),
             LineMove((), (10,))),
        case("held by its room's maximum out: another room's pass is offered",
             school(out(1, 2001, LIBRARY), waiting(10, 1001, minutes_ago=3),
                    waiting(11, 1002, NURSE, ROOM_102, minutes_ago=2), places=ONE_OUT_PER_ROOM),
             LineMove((11,), ())),
        # Encounters within the line (invariant 3)
        case("two blocked members in line: only the first is offered, the second skipped",
             school(waiting(10, 1001, LIBRARY, minutes_ago=3),
                    waiting(11, 1002, OFFICE, minutes_ago=2),
                    encounters=(block("g", 1001, 1002),)),
             LineMove((10,), (11,))),
        case("an alert group lets both be offered",
             school(waiting(10, 1001, LIBRARY, minutes_ago=3),
                    waiting(11, 1002, OFFICE, minutes_ago=2),
                    encounters=(alert("g", 1001, 1002),)),
             LineMove((10, 11), ())),
        # An accommodation goes to the front of the line, never past a limit
        case("a pass with priority is offered the place first, though it queued last",
             school(out(1, 2001), waiting(10, 1001, minutes_ago=9),
                    waiting(11, 1002, minutes_ago=1, priority=True)),
             LineMove((11,), ())),
        case("two with priority: the earlier one first",
             school(out(1, 2001), waiting(10, 1001, minutes_ago=1, priority=True),
                    waiting(11, 1002, minutes_ago=9, priority=True)),
             LineMove((11,), ())),
        case("priority doesn't take a place already offered to someone else",
             school(out(1, 2001), offered(10, 1001), waiting(11, 1002, priority=True)),
             LineMove((), ())),
        case("priority for a full place: those behind for other places still go",
             school(*FULL_RESTROOM, waiting(10, 1001, priority=True),
                    waiting(11, 1002, LIBRARY)),
             LineMove((11,), ())),
        # Switched off
        case("passes off: nobody is offered anything",
             school(waiting(10, 1001, LIBRARY), passes_enabled=False), LineMove((), ())),
    ],
)  # fmt: skip
def test_offers(facts: SchoolFacts, move: LineMove) -> None:
    assert offers(facts) == move


def test_offers_leave_the_facts_as_they_were() -> None:
    facts = school(out(1, 2001), waiting(10, 1001), waiting(11, 1002))
    before = facts.open_passes
    assert offers(facts) == LineMove((10,), ())
    assert facts.open_passes == before
    assert offers(facts) == LineMove((10,), ())


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        case("nobody offered anything",
             school(waiting(10, 1001)), ()),
        case("an offer with time left stands",
             school(waiting(10, 1001, offer_for=1)), ()),
        case("half-open: at its deadline the offer has lapsed",
             school(waiting(10, 1001, offer_for=0)), (10,)),
        case("earliest deadline first, then the lower id",
             school(waiting(12, 1003, offer_for=-1), waiting(11, 1002, offer_for=-9),
                    waiting(10, 1001, offer_for=-1)),
             (11, 10, 12)),
    ],
)  # fmt: skip
def test_lapsed(facts: SchoolFacts, expected: tuple[int, ...]) -> None:
    assert lapsed(facts) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        case("each destination has its own line, by time queued",
             (waiting(10, 1001, minutes_ago=1), waiting(11, 1002, minutes_ago=5),
              waiting(12, 1003, LIBRARY, minutes_ago=3)),
             {11: 1, 10: 2, 12: 1}),
        case("an offered pass is at the front, whenever it queued",
             (waiting(10, 1001, minutes_ago=9), waiting(11, 1002, minutes_ago=1, offer_for=20)),
             {11: 1, 10: 2}),
        case("a pass that isn't waiting has no place in line",
             (out(1, 2001), waiting(10, 1001)), {10: 1}),
        case("priority (an accommodation) is ahead of those queued earlier, behind an offer",
             (waiting(10, 1001, minutes_ago=9, offer_for=20), waiting(11, 1002, minutes_ago=5),
              waiting(12, 1003, minutes_ago=1, priority=True)),
             {10: 1, 12: 2, 11: 3}),
        case("no queue time recorded: behind everyone queued",
             (waiting(10, 1001, minutes_ago=None), waiting(11, 1002, minutes_ago=1)),
             {11: 1, 10: 2}),
    ],
)  # fmt: skip
def test_positions(line: tuple[OpenPass, ...], expected: dict[int, int]) -> None:
    assert positions(line, NOW) == expected


ME = Requester(1001, grade=9, groups=frozenset({"IEP", "Band"}))


@pytest.mark.parametrize(
    ("rows", "destination", "seconds"),
    [
        case("nothing set: 30 seconds",
             (), RESTROOM.id, 30),
        case("the school's time",
             (row(PolicyScope.SCHOOL, offer_seconds=45),), RESTROOM.id, 45),
        case("a destination's time beats the school's (a far-away library gets longer)",
             (row(PolicyScope.SCHOOL, offer_seconds=45),
              row(PolicyScope.DESTINATION, LIBRARY.id, offer_seconds=120)), LIBRARY.id, 120),
        case("two groups: the shorter time is the stricter",
             (row(PolicyScope.GROUP, "IEP", offer_seconds=90),
              row(PolicyScope.GROUP, "Band", offer_seconds=20)), RESTROOM.id, 20),
        case("the student's own row beats everything",
             (row(PolicyScope.DESTINATION, RESTROOM.id, offer_seconds=15),
              row(PolicyScope.STUDENT, 1001, offer_seconds=300)), RESTROOM.id, 300),
        case("a value that isn't seconds (null in an old row) is the default",
             (row(PolicyScope.SCHOOL, offer_seconds=None),), RESTROOM.id, 30),
    ],
)  # fmt: skip
def test_offer_seconds(rows: tuple[PolicyRow, ...], destination: int, seconds: int) -> None:
    assert offer_seconds(rows, ME, destination) == seconds


@pytest.mark.parametrize(
    ("facts", "pass_id", "expected", "says"),
    [
        case("an offered place with time left: out it goes",
             school(out(1, 2001), offered(10, 1001)), 10, GOES_OUT, ""),
        case("not offered yet: the student hears their place in line",
             school(*FULL_RESTROOM, waiting(10, 1001, minutes_ago=9),
                    waiting(11, 1002, minutes_ago=1)),
             11, denied(ErrorCode.NOT_YOUR_TURN), "you are 2nd in line"),
        case("half-open: at the deadline the offer has lapsed",
             school(waiting(10, 1001, offer_for=0)), 10, denied(ErrorCode.OFFER_EXPIRED),
             "back of the line"),
        case("passes switched off after the offer: nobody leaves",
             school(offered(10, 1001), passes_enabled=False), 10,
             denied(ErrorCode.PASSES_DISABLED), "switched off"),
        case("staff shrank the capacity under the offered place: it keeps its place in line",
             school(*FULL_RESTROOM, offered(10, 1001)), 10, denied(ErrorCode.CAPACITY_FULL),
             "keep your place in line"),
        case("a group created after the offer: the student hears a shrunk capacity's words",
             school(out(1, 2001, LIBRARY), offered(10, 1001),
                    encounters=(block("g", 1001, 2001),)),
             10, denied(ErrorCode.BLOCKED), "keep your place in line"),
    ],
)  # fmt: skip
def test_take(facts: SchoolFacts, pass_id: int, expected: Verdict, says: str) -> None:
    candidate = next(p for p in facts.open_passes if p.id == pass_id)
    decision = take(facts, candidate)
    assert verdict(decision) == expected
    assert says in decision.detail


def test_an_offered_place_counts_as_taken_for_a_new_request() -> None:
    facts = school(out(1, 2001), offered(10, 1001))
    decision = decide_request(facts, PassRequest(1003, ROOM_101.id, RESTROOM.id))
    assert decision.state is PassState.WAITING
    assert "You are 2nd in line" in decision.detail
    later = replace(facts, now=NOW + timedelta(hours=1))  # even lapsed, until the sweep
    assert decide_request(later, PassRequest(1003, ROOM_101.id, RESTROOM.id)).state is (
        PassState.WAITING
    )
