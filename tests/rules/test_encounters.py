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
from server.rules.decision import PLACE_GONE_MESSAGE, SCHOOL_RULE_MESSAGE, Outcome
from server.rules.encounters import (
    alerting_groups,
    blocking_group,
    encounter_check,
    in_force,
    others_out,
)
from server.rules.line import take
from tests.rules.school import (
    GOES_OUT,
    IN_LINE,
    LIBRARY,
    NURSE,
    RESTROOM,
    ROOM_101,
    alert,
    block,
    case,
    offered,
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
    assert decision == Decision(
        Outcome.DENIED,
        code=ErrorCode.BLOCKED,
        detail=PLACE_GONE_MESSAGE,
        staff_detail=SCHOOL_RULE_MESSAGE,
        group_detail="Encounter group 'pair': another member is out of class.",
        student_code=ErrorCode.CAPACITY_FULL,
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
def test_only_those_who_see_groups_are_told_which(group_name: str) -> None:
    # Every refusal a block makes: a staff-issued pass, approval, the line, taking a place.
    group = Encounter(7, group_name, EncounterMode.BLOCK, frozenset({ME, FRIEND}))
    facts = school(out(1, FRIEND, LIBRARY), encounters=(group,))
    late = school(out(1, FRIEND, LIBRARY), offered(50, ME), encounters=(group,))
    decisions = [
        decide_request(facts, PassRequest(ME, ROOM_101.id, RESTROOM.id, issued_by_staff=True)),
        admit(facts, pending(50, ME, NURSE)),  # a teacher approving ME's nurse pass
        admit(facts, waiting(50, ME, RESTROOM)),  # ME's turn in line
        take(late, late.open_passes[1]),  # a group made while a place was offered to ME
        encounter_check(facts, ME, facts.active()),
    ]
    for decision in decisions:
        assert decision is not None
        assert decision.code is ErrorCode.BLOCKED  # staff: a rule held the student
        assert decision.staff_detail == SCHOOL_RULE_MESSAGE  # teachers, nurses, counselors
        assert group_name in decision.group_detail  # admins and security
        # The student (or their door's kiosk) hears a shrunk capacity's refusal, word for word.
        assert (decision.student_code, decision.detail) == (
            ErrorCode.CAPACITY_FULL,
            PLACE_GONE_MESSAGE,
        )


@pytest.mark.parametrize("group_name", REVEALING_NAMES)
def test_a_students_own_request_goes_in_line_as_for_full_hallways(group_name: str) -> None:
    group = Encounter(7, group_name, EncounterMode.BLOCK, frozenset({ME, FRIEND}))
    blocked = school(out(1, FRIEND, LIBRARY), encounters=(group,))
    hallways_full = school(out(1, STRANGER, LIBRARY), hallway_max=1)
    for to in (RESTROOM, LIBRARY):
        request = PassRequest(ME, ROOM_101.id, to.id)
        decision = decide_request(blocked, request)
        assert verdict(decision) == IN_LINE
        # The same decision, word for word, as the ordinary line it imitates.
        assert decision == decide_request(hallways_full, request)
        assert decision.group_detail == ""
    # A place that needs approval waits for it, as anyone's request does: the approver hears.
    assert decide_request(blocked, PassRequest(ME, ROOM_101.id, NURSE.id)).state is not None


def test_what_staff_and_students_hear_hints_at_no_one() -> None:
    for message in (SCHOOL_RULE_MESSAGE, PLACE_GONE_MESSAGE):
        lowered = message.lower()
        for hint in ("group", "encounter", "student", "member", "other", "someone", "out of"):
            assert hint not in lowered, (hint, message)


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
        assert verdict(decision) == IN_LINE
    else:
        assert verdict(decision) == GOES_OUT
