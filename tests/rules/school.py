"""A small school to decide on: places, passes and facts built in one line each.

Ids are chosen so a row reads on its own: rooms are 1xx, destinations 2xx, students 4 digits.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from server.enums import Approval, EncounterMode, PassState, PolicyScope
from server.errors import ErrorCode
from server.rules import Decision, Encounter, OpenPass, Outcome, Place, PolicyRow, SchoolFacts
from server.rules.facts import PolicyValue

NOW = datetime(2025, 3, 4, 10, 30, tzinfo=UTC)

ROOM_101 = Place(101, "Room 101", is_destination=False)
ROOM_102 = Place(102, "Room 102", is_destination=False)
RESTROOM = Place(201, "Restroom North", capacity=2)
LIBRARY = Place(202, "Library")
NURSE = Place(203, "Nurse", approval=Approval.ORIGIN_TEACHER)
COUNSELOR = Place(204, "Counselor", approval=Approval.DESTINATION_STAFF)
OFFICE = Place(205, "Main Office", capacity=1)
PLACES = (ROOM_101, ROOM_102, RESTROOM, LIBRARY, NURSE, COUNSELOR, OFFICE)

# A verdict is what a decision does to the pass, without the wording.
Verdict = tuple[Outcome, PassState | None, ErrorCode | None]
GOES_OUT: Verdict = (Outcome.ALLOWED, PassState.ACTIVE, None)
PENDING: Verdict = (Outcome.ALLOWED, PassState.PENDING, None)
SCHEDULED: Verdict = (Outcome.ALLOWED, PassState.SCHEDULED, None)
IN_LINE: Verdict = (Outcome.QUEUED, PassState.WAITING, ErrorCode.CAPACITY_FULL)


def denied(code: ErrorCode) -> Verdict:
    """Return the verdict of a denial with this code."""
    return (Outcome.DENIED, None, code)


def verdict(decision: Decision) -> Verdict:
    """Return what the decision does to the pass."""
    return (decision.outcome, decision.state, decision.code)


def school(
    *passes: OpenPass,
    encounters: tuple[Encounter, ...] = (),
    hallway_max: int | None = None,
    passes_enabled: bool = True,
    places: tuple[Place, ...] = (),
    emergency: bool = False,
) -> SchoolFacts:
    """Return the school's facts at NOW; `places` replace the default places with the same id."""
    by_id = {p.id: p for p in PLACES} | {p.id: p for p in places}
    return SchoolFacts(
        NOW, by_id, passes, encounters, hallway_max, passes_enabled, emergency=emergency
    )


def out(pass_id: int, student: int, to: Place = RESTROOM, frm: Place = ROOM_101) -> OpenPass:
    """Return an active pass (a student out of class)."""
    return OpenPass(pass_id, student, frm.id, to.id, PassState.ACTIVE)


def pending(pass_id: int, student: int, to: Place = NURSE, frm: Place = ROOM_101) -> OpenPass:
    """Return a pass awaiting approval."""
    return OpenPass(pass_id, student, frm.id, to.id, PassState.PENDING)


def waiting(
    pass_id: int,
    student: int,
    to: Place = RESTROOM,
    frm: Place = ROOM_101,
    minutes_ago: int | None = 5,
    offer_for: int | None = None,
    priority: bool = False,
) -> OpenPass:
    """Return a pass in line since `minutes_ago` (None: no queue time recorded).

    With `offer_for`, a place is offered to it and held for that many more seconds (0 or less:
    the offer has lapsed). With `priority`, it is ahead in line (an accommodation).
    """
    queued_at = None if minutes_ago is None else NOW - timedelta(minutes=minutes_ago)
    offer = None if offer_for is None else NOW + timedelta(seconds=offer_for)
    return OpenPass(pass_id, student, frm.id, to.id, PassState.WAITING, queued_at, offer, priority)


def offered(pass_id: int, student: int, to: Place = RESTROOM, frm: Place = ROOM_101) -> OpenPass:
    """Return a waiting pass offered a place, held for 20 more seconds."""
    return waiting(pass_id, student, to, frm, offer_for=20)


def block(name: str, *members: int, group_id: int = 1) -> Encounter:
    """Return a blocking encounter group."""
    return Encounter(group_id, name, EncounterMode.BLOCK, frozenset(members))


def alert(name: str, *members: int, group_id: int = 2) -> Encounter:
    """Return an alert-only encounter group (it never stops a pass)."""
    return Encounter(group_id, name, EncounterMode.ALERT, frozenset(members))


def case(why: str, *values: object) -> object:
    """Return one table row: why it is there first, then its values (pytest shows `why`)."""
    return pytest.param(*values, id=why)


def row(scope: PolicyScope, target: object = "", **values: PolicyValue) -> PolicyRow:
    """Return a policy row; the target may be given as an int (a grade or an id)."""
    return PolicyRow(scope, str(target), values)
