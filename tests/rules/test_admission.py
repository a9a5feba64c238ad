"""admit: may a pass go out now? Room limits (destination, hallway, origin) and encounters."""

from __future__ import annotations

from dataclasses import replace

import pytest

from server.enums import LineReason, PassState
from server.errors import ErrorCode
from server.rules import OpenPass, Place, SchoolFacts, admit
from server.rules.capacity import room_check
from server.rules.decision import PLACE_GONE_MESSAGE
from tests.rules.school import (
    GOES_OUT,
    IN_LINE,
    LIBRARY,
    NURSE,
    OFFICE,
    RESTROOM,
    ROOM_101,
    ROOM_102,
    Verdict,
    block,
    case,
    denied,
    out,
    pending,
    school,
    verdict,
    waiting,
)

STUDENT = 1001
OTHER = 1020  # other students are OTHER, OTHER + 1, ...
# The pass deciding: STUDENT's, waiting for the restroom (capacity 2) from Room 101.
CANDIDATE = waiting(50, STUDENT, RESTROOM, ROOM_101)


def room_101(max_out: int | None) -> tuple[Place, ...]:
    """Return Room 101 with a maximum out, as a `places=` override."""
    return (replace(ROOM_101, max_out=max_out),)


@pytest.mark.parametrize(
    ("facts", "expected", "detail"),
    [
        case("an empty school",
             school(), GOES_OUT, ""),
        # Destination capacity
        case("one of two places taken",
             school(out(1, OTHER)), GOES_OUT, ""),
        case("both places taken",
             school(out(1, OTHER), out(2, OTHER + 1)), IN_LINE, "Restroom North is full."),
        case("over capacity (capacity lowered meanwhile) is still full",
             school(out(1, OTHER), out(2, OTHER + 1), out(3, OTHER + 2)), IN_LINE,
             "Restroom North is full."),
        case("passes elsewhere don't fill the restroom",
             school(out(1, OTHER, LIBRARY), out(2, OTHER + 1, OFFICE)), GOES_OUT, ""),
        case("only active passes take a place: not those in line or awaiting approval",
             school(waiting(1, OTHER), waiting(2, OTHER + 1), pending(3, OTHER + 2, RESTROOM)),
             GOES_OUT, ""),
        case("a place with no capacity takes everyone",
             school(*(out(i, OTHER + i, LIBRARY) for i in range(1, 30))),
             GOES_OUT, ""),
        case("a capacity of zero means no one, for now",
             school(places=(replace(RESTROOM, capacity=0),)), IN_LINE,
             "Restroom North is full."),
        # Hallway maximum: every active pass counts, wherever it goes
        case("hallway below its maximum",
             school(out(1, OTHER, LIBRARY), out(2, OTHER + 1, NURSE), hallway_max=3),
             GOES_OUT, ""),
        case("hallway at its maximum",
             school(out(1, OTHER, LIBRARY), out(2, OTHER + 1, NURSE), hallway_max=2),
             IN_LINE, "The hallways are full right now."),
        case("a hallway maximum of zero means no one",
             school(hallway_max=0), IN_LINE, "The hallways are full right now."),
        # Origin maximum out
        case("room below its maximum out",
             school(out(1, OTHER, LIBRARY), places=room_101(2)), GOES_OUT, ""),
        case("room at its maximum out",
             school(out(1, OTHER, LIBRARY), out(2, OTHER + 1, OFFICE), places=room_101(2)),
             IN_LINE, "2 students are already out of your room."),
        case("room's one student out (singular)",
             school(out(1, OTHER, LIBRARY), places=room_101(1)),
             IN_LINE, "1 student is already out of your room."),
        case("students out of another room don't count",
             school(out(1, OTHER, LIBRARY, frm=ROOM_102), places=room_101(1)), GOES_OUT, ""),
        # Which limit is named when several are full
        case("destination first",
             school(out(1, OTHER), out(2, OTHER + 1), hallway_max=2, places=room_101(1)),
             IN_LINE, "Restroom North is full."),
        case("then the hallway",
             school(out(1, OTHER, LIBRARY), hallway_max=1, places=room_101(1)),
             IN_LINE, "The hallways are full right now."),
        # Encounters come before room, and a block is a denial, not a place in line (what a
        # student hears instead is tests/rules/test_encounters.py's)
        case("blocked beats full",
             school(out(1, OTHER), out(2, OTHER + 1), encounters=(block("g", STUDENT, OTHER),)),
             denied(ErrorCode.BLOCKED), PLACE_GONE_MESSAGE),
        # Switched off
        case("passes off: no one is admitted, from approval or from the line",
             school(passes_enabled=False), denied(ErrorCode.PASSES_DISABLED),
             "Passes are switched off right now."),
        case("an emergency: no approval and no place in line lets anyone out",
             school(emergency=True), denied(ErrorCode.PASSES_DISABLED),
             "Passes are paused during the emergency."),
    ],
)  # fmt: skip
def test_admit(facts: SchoolFacts, expected: Verdict, detail: str) -> None:
    decision = admit(facts, CANDIDATE)
    assert (verdict(decision), decision.detail) == (expected, detail)


@pytest.mark.parametrize(
    "candidate",
    [
        case("an active pass re-admitted", out(50, STUDENT)),
        case("a pass in line", waiting(50, STUDENT)),
        case("a pending pass being approved", pending(50, STUDENT, RESTROOM)),
    ],
)  # fmt: skip
def test_a_pass_never_takes_room_from_itself(candidate: OpenPass) -> None:
    # One other student and the candidate's own row fill a capacity of 2 only if it counted itself.
    facts = school(out(1, OTHER), candidate, hallway_max=2, places=room_101(2))
    assert admit(facts, candidate).state is PassState.ACTIVE


def test_a_pass_is_not_blocked_by_its_own_student() -> None:
    facts = school(out(50, STUDENT), encounters=(block("g", STUDENT, OTHER),))
    assert verdict(admit(facts, out(50, STUDENT))) == GOES_OUT


def test_room_check_reads_a_one_shot_iterable_once_for_every_limit() -> None:
    # room_check counts the same passes for the destination, the hallway and the origin.
    facts = school(hallway_max=5, places=room_101(1))
    one_shot = iter([out(1, OTHER, LIBRARY)])
    decision = room_check(facts, one_shot, facts.places[ROOM_101.id], RESTROOM)
    assert decision is not None
    assert decision.detail == "1 student is already out of your room."


def test_room_check_with_no_limits_has_no_objection() -> None:
    facts = school()
    many = [out(i, OTHER + i, LIBRARY) for i in range(100)]
    assert room_check(facts, many, ROOM_101, LIBRARY) is None


@pytest.mark.parametrize(
    ("facts", "reason"),
    [
        # The destination's capacity is out: the place is full.
        (school(out(1, OTHER), out(2, OTHER + 1)), LineReason.PLACE_FULL),
        # The Library has room, but the hallway maximum is out.
        (school(out(1, OTHER, LIBRARY), hallway_max=1), LineReason.HALLWAY_FULL),
        # The class's maximum out is out (the hallway and the place have room).
        (school(out(1, OTHER, LIBRARY), places=room_101(1)), LineReason.ROOM_MAX),
    ],
    ids=["place_full", "hallway_full", "room_max"],
)
def test_a_queued_pass_says_why_it_waits(facts: SchoolFacts, reason: LineReason) -> None:
    decision = admit(facts, CANDIDATE)
    assert decision.state is PassState.WAITING
    assert decision.line_reason is reason


def test_a_pass_that_goes_out_has_no_line_reason() -> None:
    assert admit(school(), CANDIDATE).line_reason is None
