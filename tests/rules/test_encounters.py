"""Encounter prevention: a blocking group's members are never out together (invariant 3),
and a student never learns of the group, its reason or the other students (invariant 5)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from zoneinfo import ZoneInfo

import pytest

from server.enums import EncounterMode
from server.errors import ErrorCode
from server.rules import (
    Decision,
    Encounter,
    OpenPass,
    PassRequest,
    SchoolFacts,
    admit,
    decide_request,
)
from server.rules.decision import NEUTRAL_BLOCK_MESSAGE
from server.rules.encounters import (
    alerting_groups,
    blocking_group,
    encounter_check,
    in_force,
    others_out,
)
from tests.rules.school import (
    GOES_OUT,
    LIBRARY,
    NURSE,
    RESTROOM,
    ROOM_101,
    alert,
    block,
    case,
    out,
    pending,
    school,
    verdict,
    waiting,
)

ME = 1001
FRIEND = 1002
THIRD = 1003
STRANGER = 1099
PAIR = block("pair", ME, FRIEND, group_id=1)
TRIO = block("trio", ME, FRIEND, THIRD, group_id=3)
OTHERS = block("others", FRIEND, THIRD, group_id=4)
WATCH = alert("watch", ME, FRIEND, group_id=2)


@pytest.mark.parametrize(
    ("facts", "group"),
    [
        case("no groups at all",
             school(out(1, FRIEND)), None),
        case("a group member is out",
             school(out(1, FRIEND), encounters=(PAIR,)), PAIR),
        case("no one else is out",
             school(out(1, STRANGER), encounters=(PAIR,)), None),
        case("a member is in line, not out",
             school(waiting(1, FRIEND), encounters=(PAIR,)), None),
        case("a member awaits approval, not out",
             school(pending(1, FRIEND), encounters=(PAIR,)), None),
        case("only the student themselves is out",
             school(out(1, ME), encounters=(PAIR,)), None),
        case("any one other member of a larger group",
             school(out(1, THIRD), encounters=(TRIO,)), TRIO),
        case("an alert group never blocks",
             school(out(1, FRIEND), encounters=(WATCH,)), None),
        case("a group the student is not in",
             school(out(1, FRIEND), encounters=(OTHERS,)), None),
        case("the blocking group found past ones that don't apply",
             school(out(1, FRIEND), encounters=(WATCH, OTHERS, PAIR)), PAIR),
        case("the first blocking group when several apply",
             school(out(1, FRIEND), encounters=(TRIO, PAIR)), TRIO),
    ],
)  # fmt: skip
def test_blocking_group(facts: SchoolFacts, group: Encounter | None) -> None:
    assert blocking_group(facts, ME, facts.active()) == group


@pytest.mark.parametrize(
    ("facts", "blocked"),
    [
        case("free to go", school(out(1, STRANGER), encounters=(PAIR,)), False),
        case("a member is out", school(out(1, FRIEND), encounters=(PAIR,)), True),
    ],
)  # fmt: skip
def test_encounter_check(facts: SchoolFacts, blocked: bool) -> None:
    decision = encounter_check(facts, ME, facts.active())
    if not blocked:
        assert decision is None
        return
    assert decision == Decision.deny(
        ErrorCode.BLOCKED,
        NEUTRAL_BLOCK_MESSAGE,
        staff_detail="Encounter group 'pair': another member is out of class.",
    )


# Names that could leak through a careless message: the group's, its reason, a student's.
REVEALING_NAMES = [
    "pair",
    "Fight in the cafeteria 3/4",
    "Keep Jordan Smith and Alex Lee apart",
    "Student 1002",
    "1002",
]


@pytest.mark.parametrize("group_name", REVEALING_NAMES)
def test_a_student_never_learns_who_or_why(group_name: str) -> None:
    # Every way a block reaches a student: asking, a staff-issued pass, approval, the line.
    group = Encounter(7, group_name, EncounterMode.BLOCK, frozenset({ME, FRIEND}))
    facts = school(out(1, FRIEND, LIBRARY), encounters=(group,))
    decisions = [
        decide_request(facts, PassRequest(ME, ROOM_101.id, RESTROOM.id)),
        decide_request(facts, PassRequest(ME, ROOM_101.id, RESTROOM.id, issued_by_staff=True)),
        admit(facts, pending(50, ME, NURSE)),  # a teacher approving ME's nurse pass
        admit(facts, waiting(50, ME, RESTROOM)),  # ME's turn in line
        encounter_check(facts, ME, facts.active()),
    ]
    for decision in decisions:
        assert decision is not None
        assert decision.code is ErrorCode.BLOCKED
        assert decision.detail == NEUTRAL_BLOCK_MESSAGE
        assert group_name not in decision.detail
        assert str(FRIEND) not in decision.detail
        assert group_name in decision.staff_detail  # staff may be told which group


def test_the_neutral_message_hints_at_no_one() -> None:
    lowered = NEUTRAL_BLOCK_MESSAGE.lower()
    for hint in ("group", "encounter", "student", "member", "other", "someone", "out of class"):
        assert hint not in lowered


# NOW is 2025-03-04 10:30 UTC: 04:30 that morning in Chicago, and already 00:30 on 2025-03-05
# in Kiritimati (UTC+14).
TODAY = date(2025, 3, 4)
CHICAGO = ZoneInfo("America/Chicago")
KIRITIMATI = ZoneInfo("Pacific/Kiritimati")


def ends(group: Encounter, last_day: date | None) -> Encounter:
    """Return the group with its last day set."""
    return replace(group, expires_on=last_day)


@pytest.mark.parametrize(
    ("group", "zone", "applies"),
    [
        case("no expiry: applies until deactivated", PAIR, CHICAGO, True),
        case("its last day is today: still applies", ends(PAIR, TODAY), CHICAGO, True),
        case("its last day is ahead", ends(PAIR, date(2025, 6, 1)), CHICAGO, True),
        case("its last day was yesterday: expired", ends(PAIR, date(2025, 3, 3)), CHICAGO, False),
        case("the school's day decides, not UTC's: already the 5th in Kiritimati",
             ends(PAIR, TODAY), KIRITIMATI, False),
        case("the school's day decides: still the 4th in Chicago",
             ends(PAIR, TODAY), CHICAGO, True),
    ],
)  # fmt: skip
def test_in_force(group: Encounter, zone: ZoneInfo, applies: bool) -> None:
    facts = replace(school(encounters=(group,)), zone=zone)
    assert in_force(facts) == ((group,) if applies else ())


@pytest.mark.parametrize(
    ("group", "student", "active", "expected"),
    [
        case("a member with another member out", TRIO, ME, (out(1, FRIEND),), {FRIEND}),
        case("every other member out is named", TRIO, ME,
             (out(1, FRIEND), out(2, THIRD), out(3, STRANGER)), {FRIEND, THIRD}),
        case("the student's own pass is not an encounter", PAIR, ME, (out(1, ME),), set()),
        case("a student outside the group", OTHERS, ME, (out(1, FRIEND),), set()),
    ],
)  # fmt: skip
def test_others_out(
    group: Encounter, student: int, active: tuple[OpenPass, ...], expected: set[int]
) -> None:
    assert others_out(group, student, active) == expected


@pytest.mark.parametrize(
    ("facts", "groups"),
    [
        case("an alert group with another member out fires",
             school(out(1, FRIEND), encounters=(WATCH,)), (WATCH,)),
        case("no other member out: nothing to tell",
             school(out(1, STRANGER), encounters=(WATCH,)), ()),
        case("a blocking group never alerts",
             school(out(1, FRIEND), encounters=(PAIR,)), ()),
        case("an expired alert group is silent",
             school(out(1, FRIEND), encounters=(ends(WATCH, date(2025, 3, 1)),)), ()),
        case("every alert group that fires, in order",
             school(out(1, FRIEND), out(2, THIRD),
                    encounters=(WATCH, alert("w2", ME, THIRD, group_id=5))),
             (WATCH, alert("w2", ME, THIRD, group_id=5))),
    ],
)  # fmt: skip
def test_alerting_groups(facts: SchoolFacts, groups: tuple[Encounter, ...]) -> None:
    assert alerting_groups(facts, ME, facts.active()) == groups


@pytest.mark.parametrize(
    ("facts", "blocked"),
    [
        case("an expired blocking group lets the student go",
             school(out(1, FRIEND), encounters=(ends(PAIR, date(2025, 3, 3)),)), False),
        case("a blocking group on its last day still blocks",
             school(out(1, FRIEND), encounters=(ends(PAIR, TODAY),)), True),
        case("an alert group lets the student go: the service logs it",
             school(out(1, FRIEND), encounters=(WATCH,)), False),
    ],
)  # fmt: skip
def test_expiry_and_alerts_in_a_request(facts: SchoolFacts, blocked: bool) -> None:
    decision = decide_request(facts, PassRequest(ME, ROOM_101.id, LIBRARY.id))
    if blocked:
        assert decision.code is ErrorCode.BLOCKED
        assert decision.detail == NEUTRAL_BLOCK_MESSAGE
    else:
        assert verdict(decision) == GOES_OUT
