"""start_scheduled: a due scheduled pass starts, joins the line, or stays scheduled (denied)."""

from __future__ import annotations

import pytest

from server.enums import PassState
from server.errors import ErrorCode
from server.rules import OpenPass, SchoolFacts
from server.rules.scheduled import start_scheduled
from tests.rules.school import (
    COUNSELOR,
    GOES_OUT,
    IN_LINE,
    LIBRARY,
    NURSE,
    PENDING,
    RESTROOM,
    ROOM_101,
    Verdict,
    alert,
    block,
    case,
    denied,
    out,
    school,
    verdict,
    waiting,
)

STUDENT = 1001
FRIEND = 1002


def due(to: int = RESTROOM.id, pass_id: int = 50) -> OpenPass:
    """Return STUDENT's scheduled pass whose start time has come."""
    return OpenPass(pass_id, STUDENT, ROOM_101.id, to, PassState.SCHEDULED)


@pytest.mark.parametrize(
    ("facts", "scheduled", "expected"),
    [
        case("room: it starts",
             school(), due(), GOES_OUT),
        case("staff made it, so no approval is asked (nurse)",
             school(), due(NURSE.id), GOES_OUT),
        case("the counselor's visit waits for the counselor unless they made it",
             school(), due(COUNSELOR.id), PENDING),
        case("destination full: it joins the line",
             school(out(1, 2001), out(2, 2002)), due(), IN_LINE),
        case("hallways full: it joins the line",
             school(out(1, 2001, LIBRARY), hallway_max=1), due(), IN_LINE),
        case("passes off: it stays scheduled",
             school(passes_enabled=False), due(), denied(ErrorCode.PASSES_DISABLED)),
        case("the student is out on another pass: it stays scheduled",
             school(out(1, STUDENT, LIBRARY)), due(), denied(ErrorCode.ALREADY_OUT)),
        case("the student is in line on another pass: it stays scheduled",
             school(waiting(1, STUDENT, LIBRARY)), due(), denied(ErrorCode.ALREADY_OUT)),
        case("a blocking group member is out: it stays scheduled",
             school(out(1, FRIEND, LIBRARY), encounters=(block("g", STUDENT, FRIEND),)), due(),
             denied(ErrorCode.BLOCKED)),
        case("an alert group doesn't hold it",
             school(out(1, FRIEND, LIBRARY), encounters=(alert("g", STUDENT, FRIEND),)), due(),
             GOES_OUT),
    ],
)  # fmt: skip
def test_start_scheduled(facts: SchoolFacts, scheduled: OpenPass, expected: Verdict) -> None:
    assert verdict(start_scheduled(facts, scheduled, destination_accepts=False)) == expected


def test_a_visit_the_counselor_made_starts_without_asking_them_again() -> None:
    decision = start_scheduled(school(), due(COUNSELOR.id), destination_accepts=True)
    assert verdict(decision) == GOES_OUT
