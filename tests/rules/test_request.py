"""decide_request: what a new pass becomes (scheduled, pending, active, waiting) or why not."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from server.errors import ErrorCode
from server.rules import PassRequest, SchoolFacts, decide_request
from server.rules.lifecycle import REQUEST_CHECKS
from tests.rules.school import (
    COUNSELOR,
    GOES_OUT,
    IN_LINE,
    LIBRARY,
    NOW,
    NURSE,
    PENDING,
    RESTROOM,
    ROOM_101,
    ROOM_102,
    SCHEDULED,
    Verdict,
    alert,
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
FRIEND = 1002  # shares a blocking group with STUDENT where a row says so
OTHER = 1020
LATER = NOW + timedelta(hours=2)
EARLIER = NOW - timedelta(minutes=1)
ONE_OUT_PER_ROOM = (replace(ROOM_101, max_out=1),)
FRIENDS = (block("g", STUDENT, FRIEND),)


def ask(
    to: int = RESTROOM.id,
    *,
    frm: int = ROOM_101.id,
    staff: bool = False,
    start_at: datetime | None = None,
    accepts: bool = False,
) -> PassRequest:
    """Return STUDENT's request for a pass (to the restroom unless told)."""
    return PassRequest(
        STUDENT, frm, to, issued_by_staff=staff, start_at=start_at, destination_accepts=accepts
    )


@pytest.mark.parametrize(
    ("facts", "request_", "expected"),
    [
        # Switched off (emergency, assembly)
        case("passes off: no one goes",
             school(passes_enabled=False), ask(), denied(ErrorCode.PASSES_DISABLED)),
        case("passes off is said before anything else",
             school(passes_enabled=False), ask(999), denied(ErrorCode.PASSES_DISABLED)),
        case("passes off now: staff may still schedule for later (checked at its start)",
             school(passes_enabled=False), ask(staff=True, start_at=LATER), SCHEDULED),
        # An emergency (issue 7), apart from the admin's switch
        case("an emergency: no one goes",
             school(emergency=True), ask(), denied(ErrorCode.PASSES_DISABLED)),
        case("an emergency: staff can't even schedule for later",
             school(emergency=True), ask(staff=True, start_at=LATER),
             denied(ErrorCode.PASSES_DISABLED)),
        case("an emergency with passes switched on by the admin still stops everyone",
             school(emergency=True, passes_enabled=True), ask(staff=True),
             denied(ErrorCode.PASSES_DISABLED)),
        # Where to
        case("an unknown place",
             school(), ask(999), denied(ErrorCode.NOT_A_DESTINATION)),
        case("a place passes don't go to (a classroom)",
             school(), ask(ROOM_102.id), denied(ErrorCode.NOT_A_DESTINATION)),
        case("where the student already is",
             school(), ask(LIBRARY.id, frm=LIBRARY.id), denied(ErrorCode.NOT_A_DESTINATION)),
        case("a scheduled pass must go somewhere real too",
             school(), ask(999, staff=True, start_at=LATER), denied(ErrorCode.NOT_A_DESTINATION)),
        # One open pass per student (invariant 1)
        case("already out",
             school(out(1, STUDENT)), ask(LIBRARY.id), denied(ErrorCode.ALREADY_OUT)),
        case("already awaiting approval",
             school(pending(1, STUDENT)), ask(), denied(ErrorCode.ALREADY_OUT)),
        case("already in line",
             school(waiting(1, STUDENT)), ask(LIBRARY.id), denied(ErrorCode.ALREADY_OUT)),
        case("staff can't issue a second pass either",
             school(out(1, STUDENT)), ask(LIBRARY.id, staff=True), denied(ErrorCode.ALREADY_OUT)),
        case("other students' open passes are theirs",
             school(out(1, OTHER), pending(2, OTHER + 1), waiting(3, OTHER + 2)),
             ask(LIBRARY.id), GOES_OUT),
        # Encounters (invariant 3)
        case("a blocking group member is out: the student's own request goes in line",
             school(out(1, FRIEND, LIBRARY), encounters=FRIENDS), ask(), IN_LINE),
        case("and to a place that needs approval, it waits for the approval as ever",
             school(out(1, FRIEND, LIBRARY), encounters=FRIENDS), ask(NURSE.id), PENDING),
        case("staff-issued passes are blocked too",
             school(out(1, FRIEND, LIBRARY), encounters=FRIENDS), ask(staff=True),
             denied(ErrorCode.BLOCKED)),
        case("an alert group never stops a pass",
             school(out(1, FRIEND, LIBRARY), encounters=(alert("g", STUDENT, FRIEND),)), ask(),
             GOES_OUT),
        case("members in line or awaiting approval are not out",
             school(waiting(1, FRIEND), pending(2, OTHER),
                    encounters=(block("g", STUDENT, FRIEND, OTHER),)),
             ask(LIBRARY.id), GOES_OUT),
        case("a group the student is not in",
             school(out(1, FRIEND, LIBRARY), encounters=(block("g", FRIEND, OTHER),)), ask(),
             GOES_OUT),
        case("a later pass is checked for encounters when it starts, not now",
             school(out(1, FRIEND, LIBRARY), encounters=FRIENDS), ask(staff=True, start_at=LATER),
             SCHEDULED),
        case("a pass scheduled for now starts now, so it is checked now",
             school(out(1, FRIEND, LIBRARY), encounters=FRIENDS), ask(staff=True, start_at=NOW),
             denied(ErrorCode.BLOCKED)),
        # Scheduled for later
        case("scheduled for later",
             school(), ask(staff=True, start_at=LATER), SCHEDULED),
        case("scheduled even when the destination is full now",
             school(out(1, OTHER), out(2, OTHER + 1)), ask(staff=True, start_at=LATER),
             SCHEDULED),
        case("scheduled before any approval question",
             school(), ask(NURSE.id, staff=True, start_at=LATER), SCHEDULED),
        case("a start time of now is not later",
             school(), ask(staff=True, start_at=NOW), GOES_OUT),
        case("a start time in the past starts now",
             school(), ask(staff=True, start_at=EARLIER), GOES_OUT),
        # Approval
        case("the nurse needs the origin teacher's approval",
             school(), ask(NURSE.id), PENDING),
        case("the counselor needs to accept",
             school(), ask(COUNSELOR.id), PENDING),
        case("awaits approval even when the halls are full: room is checked on approval",
             school(out(1, OTHER, LIBRARY), hallway_max=1), ask(NURSE.id), PENDING),
        case("a staff-issued pass is its own approval",
             school(), ask(NURSE.id, staff=True), GOES_OUT),
        case("a teacher's pass to the counselor still waits for the counselor to accept",
             school(), ask(COUNSELOR.id, staff=True), PENDING),
        case("the counselor's own pass to the counselor goes straight out",
             school(), ask(COUNSELOR.id, staff=True, accepts=True), GOES_OUT),
        case("a student can't accept for the counselor: the nurse still needs the teacher",
             school(), ask(NURSE.id, accepts=True), PENDING),
        case("the student is out now: staff may still schedule a later pass",
             school(out(1, STUDENT, LIBRARY)), ask(staff=True, start_at=LATER), SCHEDULED),
        # Room (invariant 2)
        case("a self-start place with room",
             school(), ask(), GOES_OUT),
        case("one of two restroom places taken",
             school(out(1, OTHER)), ask(), GOES_OUT),
        case("restroom full: in line",
             school(out(1, OTHER), out(2, OTHER + 1)), ask(), IN_LINE),
        case("staff can't overfill a place",
             school(out(1, OTHER), out(2, OTHER + 1)), ask(staff=True), IN_LINE),
        case("hallways full: in line",
             school(out(1, OTHER, LIBRARY), hallway_max=1), ask(), IN_LINE),
        case("enough students out of the room: in line",
             school(out(1, OTHER, LIBRARY), places=ONE_OUT_PER_ROOM), ask(), IN_LINE),
        case("students out of another room don't count against this one",
             school(out(1, OTHER, LIBRARY, frm=ROOM_102), places=ONE_OUT_PER_ROOM), ask(),
             GOES_OUT),
    ],
)  # fmt: skip
def test_decide_request(facts: SchoolFacts, request_: PassRequest, expected: Verdict) -> None:
    assert verdict(decide_request(facts, request_)) == expected


@pytest.mark.parametrize(
    ("facts", "detail"),
    [
        case("no one in line: first",
             school(out(1, OTHER), out(2, OTHER + 1)),
             "Restroom North is full. You are 1st in line."),
        case("behind the two already in line",
             school(out(1, OTHER), out(2, OTHER + 1),
                    waiting(3, OTHER + 2), waiting(4, OTHER + 3, minutes_ago=1)),
             "Restroom North is full. You are 3rd in line."),
        case("only those waiting for the same place are ahead",
             school(out(1, OTHER), out(2, OTHER + 1),
                    waiting(3, OTHER + 2, LIBRARY), pending(4, OTHER + 3, RESTROOM)),
             "Restroom North is full. You are 1st in line."),
        case("the hallways are full",
             school(out(1, OTHER, LIBRARY), hallway_max=1),
             "The hallways are full right now. You are 1st in line."),
        case("the room's one student is out",
             school(out(1, OTHER, LIBRARY), places=ONE_OUT_PER_ROOM),
             "1 student is already out of your room. You are 1st in line."),
    ],
)  # fmt: skip
def test_queued_request_says_why_and_place_in_line(facts: SchoolFacts, detail: str) -> None:
    decision = decide_request(facts, ask())
    assert verdict(decision) == IN_LINE
    assert decision.detail == detail


@pytest.mark.parametrize(
    ("facts", "request_", "detail"),
    [
        case("passes off", school(passes_enabled=False), ask(),
             "Passes are switched off right now."),
        case("an emergency", school(emergency=True), ask(),
             "Passes are paused during the emergency."),
        case("not a destination", school(), ask(999),
             "Passes can't go there."),
        case("already out", school(out(1, STUDENT, LIBRARY)), ask(),
             "You already have a pass. End or cancel it first."),
    ],
)  # fmt: skip
def test_denial_wording_is_the_same_for_students_and_staff(
    facts: SchoolFacts, request_: PassRequest, detail: str
) -> None:
    decision = decide_request(facts, request_)
    assert (decision.detail, decision.staff_detail) == (detail, detail)


def test_checks_run_in_this_order() -> None:
    # The first objection wins, so this is the order in which a student hears reasons.
    names = [check.__name__ for check in REQUEST_CHECKS]
    assert names == [
        "passes_enabled",
        "destination_valid",
        "one_open_pass",
        "limits",
        "no_fly",
        "encounters",
    ]
