"""resolve: which value of each setting applies to a student, and which scope set it.

Precedence, most specific first: student > destination > group > grade > school; among a
student's groups, the strictest value.
"""

from __future__ import annotations

import pytest

from server.enums import PolicyScope
from server.rules import PolicyRow, Requester
from server.rules.policy import (
    Effective,
    Setting,
    exempt_destination_ids,
    resolve,
    source,
)
from tests.rules.school import LIBRARY, PLACES, RESTROOM, case, row

STUDENT = 1001
OTHER = 1020
# Grade 10, in two groups.
ME = Requester(STUDENT, grade=10, groups=frozenset({"IEP", "Band"}))

SCHOOL = PolicyScope.SCHOOL
GRADE = PolicyScope.GRADE
GROUP = PolicyScope.GROUP
DESTINATION = PolicyScope.DESTINATION
OWN = PolicyScope.STUDENT
PER_DAY = Setting.PASSES_PER_DAY
COOLDOWN = Setting.COOLDOWN_MINUTES
EXEMPT = Setting.EXEMPT
AFTER_START = Setting.NO_FLY_AFTER_START_MINUTES
BEFORE_END = Setting.NO_FLY_BEFORE_END_MINUTES
CLOSED = Setting.NO_PASS_PERIODS


SCHOOL_4 = row(SCHOOL, passes_per_day=4)
MY_GRADE_6 = row(GRADE, 10, passes_per_day=6)


@pytest.mark.parametrize(
    ("rows", "destination", "setting", "expected"),
    [
        # Nothing set
        case("no rows: no limit, and nobody set it",
             (), None, PER_DAY, Effective(None)),
        case("no rows: nothing is exempt",
             (), LIBRARY.id, EXEMPT, Effective(False)),
        # One level at a time
        case("the school's value applies to everyone",
             (SCHOOL_4,), None, PER_DAY, Effective(4, SCHOOL)),
        case("the student's grade overrides the school",
             (SCHOOL_4, MY_GRADE_6), None, PER_DAY, Effective(6, GRADE, "10")),
        case("another grade's row doesn't apply",
             (SCHOOL_4, row(GRADE, 9, passes_per_day=1)), None, PER_DAY, Effective(4, SCHOOL)),
        case("a student's group overrides the grade",
             (SCHOOL_4, MY_GRADE_6, row(GROUP, "IEP", passes_per_day=8)), None, PER_DAY,
             Effective(8, GROUP, "IEP")),
        case("a group the student isn't in doesn't apply",
             (MY_GRADE_6, row(GROUP, "Chess", passes_per_day=1)), None, PER_DAY,
             Effective(6, GRADE, "10")),
        case("the destination asked for overrides the groups",
             (row(GROUP, "IEP", passes_per_day=8), row(DESTINATION, LIBRARY.id, passes_per_day=2)),
             LIBRARY.id, PER_DAY, Effective(2, DESTINATION, str(LIBRARY.id))),
        case("another destination's row doesn't apply",
             (SCHOOL_4, row(DESTINATION, RESTROOM.id, passes_per_day=2)), LIBRARY.id, PER_DAY,
             Effective(4, SCHOOL)),
        case("without a destination, destination rows don't apply",
             (SCHOOL_4, row(DESTINATION, LIBRARY.id, passes_per_day=2)), None, PER_DAY,
             Effective(4, SCHOOL)),
        case("the student's own row overrides everything",
             (SCHOOL_4, MY_GRADE_6, row(GROUP, "IEP", passes_per_day=8),
              row(DESTINATION, LIBRARY.id, passes_per_day=2), row(OWN, STUDENT, passes_per_day=9)),
             LIBRARY.id, PER_DAY, Effective(9, OWN, str(STUDENT))),
        case("another student's row doesn't apply",
             (SCHOOL_4, row(OWN, OTHER, passes_per_day=9)), None, PER_DAY, Effective(4, SCHOOL)),
        # Inheriting and lifting
        case("a row without the setting inherits it from a less specific scope",
             (SCHOOL_4, row(OWN, STUDENT, cooldown_minutes=10)), None, PER_DAY,
             Effective(4, SCHOOL)),
        case("an explicit null lifts the school's limit for the student",
             (SCHOOL_4, row(OWN, STUDENT, passes_per_day=None)), None, PER_DAY,
             Effective(None, OWN, str(STUDENT))),
        # Several groups: the strictest
        case("two groups: the lower limit wins",
             (row(GROUP, "IEP", passes_per_day=8), row(GROUP, "Band", passes_per_day=3)), None,
             PER_DAY, Effective(3, GROUP, "Band")),
        case("two groups: a limit is stricter than an explicit no-limit",
             (row(GROUP, "IEP", passes_per_day=None), row(GROUP, "Band", passes_per_day=5)), None,
             PER_DAY, Effective(5, GROUP, "Band")),
        case("two groups with the same limit: the first by name, so the answer is stable",
             (row(GROUP, "IEP", passes_per_day=3), row(GROUP, "Band", passes_per_day=3)), None,
             PER_DAY, Effective(3, GROUP, "Band")),
        case("two groups: the longer cooldown wins",
             (row(GROUP, "IEP", cooldown_minutes=30), row(GROUP, "Band", cooldown_minutes=10)),
             None, COOLDOWN, Effective(30, GROUP, "IEP")),
        case("two groups: a cooldown is stricter than none",
             (row(GROUP, "IEP", cooldown_minutes=None), row(GROUP, "Band", cooldown_minutes=5)),
             None, COOLDOWN, Effective(5, GROUP, "Band")),
        case("a group that doesn't set it leaves the other group's value",
             (row(GROUP, "IEP", cooldown_minutes=30), row(GROUP, "Band", passes_per_day=1)),
             None, COOLDOWN, Effective(30, GROUP, "IEP")),
        # Exempt destinations
        case("exempt comes from the destination's row",
             (row(DESTINATION, LIBRARY.id, exempt=True),), LIBRARY.id, EXEMPT,
             Effective(True, DESTINATION, str(LIBRARY.id))),
        # No-fly settings resolve like the others
        case("the school's no-fly minutes apply to everyone",
             (row(SCHOOL, no_fly_after_start_minutes=10),), None, AFTER_START,
             Effective(10, SCHOOL)),
        case("two groups: the longer no-fly time wins",
             (row(GROUP, "IEP", no_fly_before_end_minutes=5),
              row(GROUP, "Band", no_fly_before_end_minutes=15)), None, BEFORE_END,
             Effective(15, GROUP, "Band")),
        case("two groups: a no-fly time is stricter than none",
             (row(GROUP, "IEP", no_fly_after_start_minutes=None),
              row(GROUP, "Band", no_fly_after_start_minutes=5)), None, AFTER_START,
             Effective(5, GROUP, "Band")),
        case("two groups: the longer list of closed periods wins",
             (row(GROUP, "IEP", no_pass_periods=("Lunch", "Period 1")),
              row(GROUP, "Band", no_pass_periods=("Lunch",))), None, CLOSED,
             Effective(("Lunch", "Period 1"), GROUP, "IEP")),
        case("two groups: a list is stricter than null",
             (row(GROUP, "IEP", no_pass_periods=None),
              row(GROUP, "Band", no_pass_periods=("Testing",))), None, CLOSED,
             Effective(("Testing",), GROUP, "Band")),
        case("a student's empty list lifts the school's closed periods",
             (row(SCHOOL, no_pass_periods=("Lunch",)), row(OWN, STUDENT, no_pass_periods=())),
             None, CLOSED, Effective((), OWN, str(STUDENT))),
        case("(the API allows it only for destinations) two groups: not exempt is stricter",
             (row(GROUP, "IEP", exempt=True), row(GROUP, "Band", exempt=False)), None, EXEMPT,
             Effective(False, GROUP, "Band")),
    ],
)  # fmt: skip
def test_resolve(
    rows: tuple[PolicyRow, ...], destination: int | None, setting: Setting, expected: Effective
) -> None:
    assert resolve(rows, ME, destination).of(setting) == expected


def test_resolve_answers_every_setting_with_its_scope() -> None:
    rows = (SCHOOL_4, row(OWN, STUDENT, cooldown_minutes=10), row(SCHOOL, "x", exempt=True))
    policy = resolve(rows, ME)
    assert policy.passes_per_day == Effective(4, SCHOOL)
    assert policy.passes_per_week == Effective(None)
    assert policy.cooldown_minutes == Effective(10, OWN, str(STUDENT))
    assert policy.exempt == Effective(False)  # a school row "x" is not the school's row
    assert [policy.of(s) for s in Setting] == [
        policy.passes_per_day,
        policy.passes_per_week,
        policy.cooldown_minutes,
        policy.exempt,
        policy.no_fly_after_start_minutes,
        policy.no_fly_before_end_minutes,
        policy.no_pass_periods,
        policy.overtime_grace_minutes,
        policy.offer_seconds,
        policy.accommodation,
    ]


def test_a_student_without_a_grade_gets_no_grade_row() -> None:
    rows = (SCHOOL_4, row(GRADE, "None", passes_per_day=6), row(GRADE, "", passes_per_day=6))
    assert resolve(rows, Requester(STUDENT)).passes_per_day == Effective(4, SCHOOL)


@pytest.mark.parametrize(
    ("rows", "exempt"),
    [
        case("no rows", (), frozenset()),
        case("an exempt destination",
             (row(DESTINATION, 203, exempt=True),), frozenset({203})),
        case("exempt false is not exempt",
             (row(DESTINATION, 203, exempt=False),), frozenset()),
        case("a destination row without the setting",
             (row(DESTINATION, 203, passes_per_day=1),), frozenset()),
        case("only destination rows can exempt a place",
             (row(GROUP, "203", exempt=True),), frozenset()),
        case("a target that is not an id is ignored",
             (row(DESTINATION, "nurse", exempt=True),), frozenset()),
    ],
)  # fmt: skip
def test_exempt_destination_ids(rows: tuple[PolicyRow, ...], exempt: frozenset[int]) -> None:
    assert exempt_destination_ids(rows) == exempt


PLACES_BY_ID = {place.id: place for place in PLACES}


@pytest.mark.parametrize(
    ("effective", "said"),
    [
        case("the default", Effective(None), "nobody (the default)"),
        case("the school", Effective(4, SCHOOL), "the school"),
        case("a grade", Effective(4, GRADE, "10"), "grade 10"),
        case("a group, quoted", Effective(4, GROUP, "IEP"), "group 'IEP'"),
        case("a destination, by name", Effective(4, DESTINATION, str(LIBRARY.id)), "Library"),
        case("a destination no longer known, by id", Effective(4, DESTINATION, "999"),
             "destination 999"),
        case("the student: never a name", Effective(4, OWN, str(STUDENT)), "this student"),
    ],
)  # fmt: skip
def test_source_says_who_set_a_value(effective: Effective, said: str) -> None:
    assert source(effective, PLACES_BY_ID) == said
