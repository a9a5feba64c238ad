"""Who may do what: the role x action matrix, approvals, list scopes and names on screen."""

from __future__ import annotations

from dataclasses import replace

import pytest

from server.enums import Approval, Role
from server.rules.permissions import (
    RULES,
    Action,
    Actor,
    PassTarget,
    Scope,
    may,
    may_explain_policy,
    may_manage_encounters,
    may_manage_policy,
    may_manage_schedule,
    may_override,
    may_read_overrides,
    may_schedule,
    scope_of,
    sees_full_names,
)
from tests.rules.school import case

SCHOOL = 1
OTHER_SCHOOL = 2
MINE = 300  # the actor's room (classroom, kiosk door) or office (nurse, counselor)
ELSEWHERE = 400  # a place that isn't the actor's
ALSO_ELSEWHERE = 500
ME = 1001  # the actor's user id
STUDENT = 1010  # some other student

A = Action
NOTHING: frozenset[Action] = frozenset()


def actor(role: Role, school: int = SCHOOL) -> Actor:
    """Return a user of the role; staff and kiosks are bound to MINE, students to no place."""
    places = frozenset() if role is Role.STUDENT else frozenset({MINE})
    return Actor(ME, school, role, places, MINE)


# How a pass relates to the actor. Every pass belongs to SCHOOL.
OWN = PassTarget(SCHOOL, ME, MINE, ELSEWHERE)  # the actor is the student (from MINE)
FROM_MINE = PassTarget(SCHOOL, STUDENT, MINE, ELSEWHERE)  # leaving the actor's place
TO_MINE = PassTarget(SCHOOL, STUDENT, ELSEWHERE, MINE)  # coming to the actor's place
UNRELATED = PassTarget(SCHOOL, STUDENT, ELSEWHERE, ALSO_ELSEWHERE)
STAFF_ID_AS_STUDENT = PassTarget(SCHOOL, ME, ELSEWHERE, ALSO_ELSEWHERE)  # ids collide, roles don't

# The matrix for destinations that need no approval (approvals are the next table).
MATRIX: list[tuple[str, Role, PassTarget, set[Action] | frozenset[Action]]] = [
    ("student: their own pass",
     Role.STUDENT, OWN, {A.VIEW, A.REQUEST, A.CANCEL, A.END, A.TAKE}),
    ("student: another student's pass, even from their room",
     Role.STUDENT, FROM_MINE, NOTHING),
    ("student: another student's pass coming to their room",
     Role.STUDENT, TO_MINE, NOTHING),
    ("teacher: a pass leaving their room (takes the student's offered place for them)",
     Role.TEACHER, FROM_MINE, {A.VIEW, A.ISSUE, A.CANCEL, A.END, A.TAKE}),
    ("teacher: a pass coming to their room",
     Role.TEACHER, TO_MINE, {A.VIEW, A.CANCEL, A.ARRIVE, A.END}),
    ("teacher: a pass elsewhere in the school",
     Role.TEACHER, UNRELATED, NOTHING),
    ("teacher: a student id equal to theirs gives no student rights",
     Role.TEACHER, STAFF_ID_AS_STUDENT, NOTHING),
    ("substitute: a pass leaving the room they cover",
     Role.SUBSTITUTE, FROM_MINE, {A.VIEW, A.ISSUE, A.CANCEL, A.END, A.TAKE}),
    ("substitute: a pass coming to the room they cover",
     Role.SUBSTITUTE, TO_MINE, {A.VIEW, A.CANCEL, A.ARRIVE, A.END}),
    ("substitute: a pass elsewhere",
     Role.SUBSTITUTE, UNRELATED, NOTHING),
    ("nurse: a pass coming to the nurse",
     Role.NURSE, TO_MINE, {A.VIEW, A.ISSUE, A.CANCEL, A.ARRIVE, A.END}),
    ("nurse: a pass leaving the nurse's office is not theirs",
     Role.NURSE, FROM_MINE, NOTHING),
    ("nurse: a pass elsewhere",
     Role.NURSE, UNRELATED, NOTHING),
    ("counselor: a pass coming to the counselor",
     Role.COUNSELOR, TO_MINE, {A.VIEW, A.ISSUE, A.CANCEL, A.ARRIVE, A.END}),
    ("counselor: a pass leaving the counselor's office is not theirs",
     Role.COUNSELOR, FROM_MINE, NOTHING),
    ("counselor: a pass elsewhere",
     Role.COUNSELOR, UNRELATED, NOTHING),
    ("security: any pass in the school, but approving is not theirs",
     Role.SECURITY, UNRELATED, {A.VIEW, A.ISSUE, A.CANCEL, A.ARRIVE, A.END, A.TAKE}),
    ("security: not a student, even with a colliding id",
     Role.SECURITY, STAFF_ID_AS_STUDENT,
     {A.VIEW, A.ISSUE, A.CANCEL, A.ARRIVE, A.END, A.TAKE}),
    ("admin: everything staff can do, anywhere in the school",
     Role.ADMIN, UNRELATED, set(Action) - {A.REQUEST}),
    ("kiosk: starts, takes offered places for, and ends passes leaving its room",
     Role.KIOSK, FROM_MINE, {A.VIEW, A.ISSUE, A.END, A.TAKE}),
    ("kiosk: checks in and ends passes arriving at its door",
     Role.KIOSK, TO_MINE, {A.VIEW, A.ARRIVE, A.END}),
    ("kiosk: a pass elsewhere",
     Role.KIOSK, UNRELATED, NOTHING),
    ("district admin: reads settings and reports, never a pass, even of 'their' room",
     Role.DISTRICT_ADMIN, FROM_MINE, NOTHING),
    ("district admin: nor any other pass of the school",
     Role.DISTRICT_ADMIN, UNRELATED, NOTHING),
]  # fmt: skip


@pytest.mark.parametrize(("role", "target", "allowed"), [case(*row) for row in MATRIX])
@pytest.mark.parametrize("action", list(Action))
def test_matrix(
    role: Role, target: PassTarget, allowed: set[Action] | frozenset[Action], action: Action
) -> None:
    assert may(actor(role), action, target) is (action in allowed)


@pytest.mark.parametrize(
    ("role", "target", "approval", "allowed"),
    [
        # The origin teacher approves (the nurse)
        case("teacher of the room the pass leaves",
             Role.TEACHER, FROM_MINE, Approval.ORIGIN_TEACHER, True),
        case("substitute covering that room",
             Role.SUBSTITUTE, FROM_MINE, Approval.ORIGIN_TEACHER, True),
        case("teacher of the room the pass goes to is not the origin teacher",
             Role.TEACHER, TO_MINE, Approval.ORIGIN_TEACHER, False),
        case("teacher of another room",
             Role.TEACHER, UNRELATED, Approval.ORIGIN_TEACHER, False),
        case("the nurse doesn't approve for the origin teacher",
             Role.NURSE, TO_MINE, Approval.ORIGIN_TEACHER, False),
        case("nurse bound to the origin is still not a classroom teacher",
             Role.NURSE, FROM_MINE, Approval.ORIGIN_TEACHER, False),
        case("kiosk of the room: a shared device approves nothing",
             Role.KIOSK, FROM_MINE, Approval.ORIGIN_TEACHER, False),
        case("security: origin approval is the teacher's",
             Role.SECURITY, FROM_MINE, Approval.ORIGIN_TEACHER, False),
        case("the student: never their own",
             Role.STUDENT, OWN, Approval.ORIGIN_TEACHER, False),
        case("admin: always",
             Role.ADMIN, UNRELATED, Approval.ORIGIN_TEACHER, True),
        # The destination's staff accept (the counselor)
        case("counselor of the destination",
             Role.COUNSELOR, TO_MINE, Approval.DESTINATION_STAFF, True),
        case("nurse of the destination",
             Role.NURSE, TO_MINE, Approval.DESTINATION_STAFF, True),
        case("teacher of the destination room",
             Role.TEACHER, TO_MINE, Approval.DESTINATION_STAFF, True),
        case("substitute of the destination room",
             Role.SUBSTITUTE, TO_MINE, Approval.DESTINATION_STAFF, True),
        case("counselor of another office",
             Role.COUNSELOR, UNRELATED, Approval.DESTINATION_STAFF, False),
        case("teacher of the origin is not the destination's staff",
             Role.TEACHER, FROM_MINE, Approval.DESTINATION_STAFF, False),
        case("kiosk at the destination's door",
             Role.KIOSK, TO_MINE, Approval.DESTINATION_STAFF, False),
        case("security: not a destination's staff, even bound to it",
             Role.SECURITY, TO_MINE, Approval.DESTINATION_STAFF, False),
        case("the student: never their own",
             Role.STUDENT, OWN, Approval.DESTINATION_STAFF, False),
        case("admin: always",
             Role.ADMIN, UNRELATED, Approval.DESTINATION_STAFF, True),
        # No approval needed: nothing to approve, but an admin may still decide
        case("teacher of the origin",
             Role.TEACHER, FROM_MINE, Approval.NONE, False),
        case("staff of the destination",
             Role.COUNSELOR, TO_MINE, Approval.NONE, False),
        case("admin",
             Role.ADMIN, UNRELATED, Approval.NONE, True),
    ],
)  # fmt: skip
@pytest.mark.parametrize("action", [Action.APPROVE, Action.DENY])
def test_approvals(
    role: Role, target: PassTarget, approval: Approval, allowed: bool, action: Action
) -> None:
    # Approving and denying are one decision: whoever may say yes may say no.
    assert may(actor(role), action, replace(target, approval=approval)) is allowed


@pytest.mark.parametrize(
    ("role", "target", "approval", "allowed"),
    [
        case("the counselor puts off a visit to their office",
             Role.COUNSELOR, TO_MINE, Approval.DESTINATION_STAFF, True),
        case("a nurse too, where the nurse's office needs the nurse to accept",
             Role.NURSE, TO_MINE, Approval.DESTINATION_STAFF, True),
        case("a teacher whose room accepts visits (a makeup-test room)",
             Role.TEACHER, TO_MINE, Approval.DESTINATION_STAFF, True),
        case("the counselor of another office can't",
             Role.COUNSELOR, UNRELATED, Approval.DESTINATION_STAFF, False),
        case("the origin teacher can't put off a visit the counselor accepts",
             Role.TEACHER, FROM_MINE, Approval.DESTINATION_STAFF, False),
        case("security: not a destination's staff",
             Role.SECURITY, TO_MINE, Approval.DESTINATION_STAFF, False),
        case("a kiosk at the door: never",
             Role.KIOSK, TO_MINE, Approval.DESTINATION_STAFF, False),
        case("the student: never their own",
             Role.STUDENT, OWN, Approval.DESTINATION_STAFF, False),
        case("the origin teacher approves or denies; their 'later' is a no",
             Role.TEACHER, FROM_MINE, Approval.ORIGIN_TEACHER, False),
        case("the nurse can't put off a pass that waits for the origin teacher",
             Role.NURSE, TO_MINE, Approval.ORIGIN_TEACHER, False),
        case("nothing to accept: staff of the destination can't delay",
             Role.COUNSELOR, TO_MINE, Approval.NONE, False),
        case("an admin may delay anything (their delay is the approval)",
             Role.ADMIN, UNRELATED, Approval.ORIGIN_TEACHER, True),
    ],
)  # fmt: skip
def test_delays(role: Role, target: PassTarget, approval: Approval, allowed: bool) -> None:
    assert may(actor(role), Action.DELAY, replace(target, approval=approval)) is allowed


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("role", list(Role))
def test_never_across_schools(role: Role, action: Action) -> None:
    # The same ids and places in another school grant nothing, whatever the relation or approval.
    for target in (OWN, FROM_MINE, TO_MINE, UNRELATED):
        for approval in Approval:
            elsewhere = replace(target, school_id=OTHER_SCHOOL, approval=approval)
            assert not may(actor(role), action, elsewhere)


def test_every_action_has_a_rule() -> None:
    assert set(RULES) == set(Action)


def test_the_matrix_covers_every_role() -> None:
    assert {role for _, role, _, _ in MATRIX} == set(Role)


@pytest.mark.parametrize(
    ("role", "scope", "full_names"),
    [
        case("a student lists their own passes", Role.STUDENT, Scope.OWN, True),
        case("a teacher lists passes from their classes or room, or to their room", Role.TEACHER,
             Scope.CLASS_OR_TO, True),
        case("so does a substitute", Role.SUBSTITUTE, Scope.CLASS_OR_TO, True),
        case("a nurse lists passes coming to the nurse", Role.NURSE, Scope.TO, True),
        case("a counselor lists passes coming to them", Role.COUNSELOR, Scope.TO, True),
        case("security lists the whole school", Role.SECURITY, Scope.SCHOOL, True),
        case("an admin lists the whole school", Role.ADMIN, Scope.SCHOOL, True),
        case("a kiosk lists its door's passes, without full names", Role.KIOSK,
             Scope.FROM_OR_TO, False),
    ],
)  # fmt: skip
def test_scope_and_names(role: Role, scope: Scope, full_names: bool) -> None:
    assert scope_of(actor(role)) is scope
    assert sees_full_names(actor(role)) is full_names


def _in_scope(scope: Scope, who: Actor, target: PassTarget) -> bool:
    """Say whether a list filtered by `scope` holds the pass (what the API's queries do)."""
    if scope is Scope.OWN:
        return target.student_id == who.user_id
    if scope is Scope.SCHOOL:
        return True
    if scope is Scope.NONE:
        return False
    if scope is Scope.TO:
        return target.destination_id in who.location_ids
    if scope is Scope.CLASS_OR_TO:
        if target.destination_id in who.location_ids:
            return True
        if target.section_id is not None:
            return target.section_id in who.section_ids
        return target.origin_id in who.location_ids
    return bool({target.origin_id, target.destination_id} & who.location_ids)


# Passes from a section (server/rules/timetable.py): the actor teaches section 7, not 8.
MY_CLASS = 7
FROM_MY_CLASS_ELSEWHERE = PassTarget(SCHOOL, STUDENT, ELSEWHERE, ELSEWHERE + 1, section_id=MY_CLASS)
FROM_ANOTHER_CLASS_IN_MY_ROOM = PassTarget(SCHOOL, STUDENT, MINE, ELSEWHERE, section_id=8)
TO_MINE_FROM_ANOTHER_CLASS = PassTarget(SCHOOL, STUDENT, ELSEWHERE, MINE, section_id=8)
SECTION_TARGETS = [
    FROM_MY_CLASS_ELSEWHERE,
    FROM_ANOTHER_CLASS_IN_MY_ROOM,
    TO_MINE_FROM_ANOTHER_CLASS,
]


@pytest.mark.parametrize(
    "target", [OWN, FROM_MINE, TO_MINE, UNRELATED, STAFF_ID_AS_STUDENT, *SECTION_TARGETS]
)
@pytest.mark.parametrize("role", list(Role))
def test_lists_show_exactly_the_passes_one_may_view(role: Role, target: PassTarget) -> None:
    who = replace(actor(role), section_ids=frozenset({MY_CLASS}))
    assert _in_scope(scope_of(who), who, target) is may(who, Action.VIEW, target)


@pytest.mark.parametrize(
    ("role", "manages", "explains"),
    [
        case("a student sees no policy, not even their own limits' sources", Role.STUDENT,
             False, False),
        case("a teacher explains any student's limits (they are asked why)", Role.TEACHER,
             False, True),
        case("so does a substitute", Role.SUBSTITUTE, False, True),
        case("and the nurse", Role.NURSE, False, True),
        case("and the counselor", Role.COUNSELOR, False, True),
        case("and security", Role.SECURITY, False, True),
        case("only an admin changes the school's policy", Role.ADMIN, True, True),
        case("a kiosk is a student's screen: nothing", Role.KIOSK, False, False),
    ],
)  # fmt: skip
def test_who_manages_and_who_explains_policy(role: Role, manages: bool, explains: bool) -> None:
    assert may_manage_policy(actor(role)) is manages
    assert may_explain_policy(actor(role)) is explains


@pytest.mark.parametrize(
    ("role", "manages"),
    [
        case("only an admin reads and replaces the whole bell schedule", Role.ADMIN, True),
        case("a teacher sees today's periods, not the schedule's set-up", Role.TEACHER, False),
        case("security neither", Role.SECURITY, False),
        case("a student neither", Role.STUDENT, False),
        case("a kiosk neither", Role.KIOSK, False),
    ],
)  # fmt: skip
def test_who_manages_the_bell_schedule(role: Role, manages: bool) -> None:
    assert may_manage_schedule(actor(role)) is manages


@pytest.mark.parametrize(
    ("role", "schedules"),
    [
        case("an admin plans passes ahead", Role.ADMIN, True),
        case("so does a teacher, for a student of theirs", Role.TEACHER, True),
        case("and a substitute for the day", Role.SUBSTITUTE, True),
        case("the nurse books a visit", Role.NURSE, True),
        case("the counselor books appointments", Role.COUNSELOR, True),
        case("security plans too", Role.SECURITY, True),
        case("a student asks for now only", Role.STUDENT, False),
        case("a kiosk stands at a door for the student in front of it, now", Role.KIOSK, False),
    ],
)  # fmt: skip
def test_who_may_schedule_passes_ahead(role: Role, schedules: bool) -> None:
    assert may_schedule(actor(role)) is schedules


@pytest.mark.parametrize(
    ("role", "manages"),
    [
        case("an admin manages encounter groups and reads their log", Role.ADMIN, True),
        case("so does security, who is told of alerts", Role.SECURITY, True),
        case("a counselor asks an admin: fewer people know who is kept apart", Role.COUNSELOR,
             False),
        case("a teacher never learns of groups", Role.TEACHER, False),
        case("nor a substitute", Role.SUBSTITUTE, False),
        case("nor the nurse", Role.NURSE, False),
        case("a student, above all, never", Role.STUDENT, False),
        case("a kiosk is a student's screen: never", Role.KIOSK, False),
    ],
)  # fmt: skip
def test_who_manages_encounter_groups(role: Role, manages: bool) -> None:
    assert may_manage_encounters(actor(role)) is manages


@pytest.mark.parametrize(
    ("role", "target", "overrides"),
    [
        case("an admin overrides for any student of the school", Role.ADMIN, UNRELATED, True),
        case("security too: they decide in the halls", Role.SECURITY, UNRELATED, True),
        case("the teacher of the room the student leaves", Role.TEACHER, FROM_MINE, True),
        case("the substitute covering that room", Role.SUBSTITUTE, FROM_MINE, True),
        case("a teacher of the room the pass goes to is not the student's teacher",
             Role.TEACHER, TO_MINE, False),
        case("a teacher of another room", Role.TEACHER, UNRELATED, False),
        case("the nurse accepts visits to her, which needs no override", Role.NURSE, TO_MINE,
             False),
        case("the counselor neither", Role.COUNSELOR, TO_MINE, False),
        case("a kiosk is a shared screen: never", Role.KIOSK, FROM_MINE, False),
        case("a student never overrides their own limits", Role.STUDENT, OWN, False),
    ],
)  # fmt: skip
def test_who_may_override(role: Role, target: PassTarget, overrides: bool) -> None:
    assert may_override(actor(role), target) is overrides


@pytest.mark.parametrize("role", [Role.ADMIN, Role.SECURITY, Role.TEACHER])
def test_an_override_never_crosses_schools(role: Role) -> None:
    assert may_override(actor(role, OTHER_SCHOOL), FROM_MINE) is False


@pytest.mark.parametrize(
    ("role", "reads"),
    [
        case("an admin reads overrides and their reasons", Role.ADMIN, True),
        case("security overrides, but a reason may be private: not theirs to read",
             Role.SECURITY, False),
        case("a teacher neither", Role.TEACHER, False),
        case("nor the nurse", Role.NURSE, False),
        case("nor a counselor", Role.COUNSELOR, False),
        case("a student never", Role.STUDENT, False),
        case("a kiosk never", Role.KIOSK, False),
    ],
)  # fmt: skip
def test_who_reads_overrides(role: Role, reads: bool) -> None:
    assert may_read_overrides(actor(role)) is reads


def teacher_of(*sections: int, role: Role = Role.TEACHER) -> Actor:
    """Return classroom staff of MINE who teach these sections."""
    return replace(actor(role), section_ids=frozenset(sections))


@pytest.mark.parametrize("role", [Role.TEACHER, Role.SUBSTITUTE])
def test_a_pass_from_a_section_is_its_teachers_wherever_they_are_now(role: Role) -> None:
    # The section's teacher acts on the pass even though its room is no longer theirs
    # (period 3 began, they teach elsewhere): approve the nurse, end it, view it, issue it.
    nurse = replace(FROM_MY_CLASS_ELSEWHERE, approval=Approval.ORIGIN_TEACHER)
    mine = teacher_of(MY_CLASS, role=role)
    for action in (A.VIEW, A.APPROVE, A.DENY, A.CANCEL, A.END, A.ISSUE, A.TAKE):
        assert may(mine, action, nurse), action
    assert may_override(mine, nurse)


@pytest.mark.parametrize("role", [Role.TEACHER, Role.SUBSTITUTE])
def test_the_teacher_now_in_the_room_has_no_say_over_another_class_pass(role: Role) -> None:
    nurse = replace(FROM_ANOTHER_CLASS_IN_MY_ROOM, approval=Approval.ORIGIN_TEACHER)
    now_here = teacher_of(MY_CLASS, role=role)  # teaches in MINE, not section 8
    for action in (A.VIEW, A.APPROVE, A.DENY, A.CANCEL, A.END, A.ISSUE, A.TAKE):
        assert not may(now_here, action, nurse), action
    assert not may_override(now_here, nurse)


def test_a_pass_without_a_section_is_its_rooms_as_before() -> None:
    assert may(
        teacher_of(MY_CLASS), A.APPROVE, replace(FROM_MINE, approval=Approval.ORIGIN_TEACHER)
    )
    assert not may(teacher_of(MY_CLASS), A.VIEW, UNRELATED)


def test_a_door_kiosk_stays_bound_to_the_room_a_pass_left() -> None:
    kiosk = replace(actor(Role.KIOSK), section_ids=frozenset({8}))
    assert may(kiosk, A.END, FROM_ANOTHER_CLASS_IN_MY_ROOM)
    assert not may(kiosk, A.END, FROM_MY_CLASS_ELSEWHERE)
    assert not may(
        replace(kiosk, section_ids=frozenset({MY_CLASS})), A.VIEW, FROM_MY_CLASS_ELSEWHERE
    )


def test_arriving_is_for_the_destination_whatever_the_section() -> None:
    assert may(teacher_of(), A.ARRIVE, TO_MINE_FROM_ANOTHER_CLASS)
    assert may(teacher_of(), A.VIEW, TO_MINE_FROM_ANOTHER_CLASS)
