"""Who may do what: role x action x school, decided here and nowhere else.

The API asks `may(actor, action, target)` for every pass operation and `scope_of(actor)` to
filter lists, so a new role or action is one table change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from server.enums import (
    CLASSROOM_STAFF,
    DESTINATION_STAFF,
    SCHOOL_WIDE,
    STAFF_ROLES,
    Approval,
    Role,
)


class Action(StrEnum):
    """Everything a caller can ask to do to passes."""

    VIEW = "view"
    REQUEST = "request"  # a student's own pass
    ISSUE = "issue"  # staff create a pass for a student
    APPROVE = "approve"
    DENY = "deny"
    CANCEL = "cancel"
    ARRIVE = "arrive"
    END = "end"
    DELAY = "delay"  # the destination's staff: "not now, at 10:40"
    TAKE = "take"  # take the place offered to a waiting pass


@dataclass(frozen=True, slots=True)
class Actor:
    """The signed-in user as authorisation sees them."""

    user_id: int
    school_id: int
    role: Role
    location_ids: frozenset[int] = frozenset()
    home_location_id: int | None = None
    # The sections the user teaches (active teacher enrollments): their passes are theirs.
    section_ids: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class PassTarget:
    """The facts about a pass (or a pass to be) that decide who may act on it."""

    school_id: int
    student_id: int
    origin_id: int
    destination_id: int
    approval: Approval = Approval.NONE
    # The section the student left (null: their homeroom, or a school without sections).
    section_id: int | None = None


Rule = Callable[[Actor, PassTarget], bool]


def _own(actor: Actor, target: PassTarget) -> bool:
    return actor.role is Role.STUDENT and target.student_id == actor.user_id


def _school_wide(actor: Actor, target: PassTarget) -> bool:
    return actor.role in SCHOOL_WIDE


def _from_mine(actor: Actor, target: PassTarget) -> bool:
    # A pass from a section is its teachers' for its whole life, wherever they teach now and
    # whoever teaches in its room next period; a pass from a homeroom (or a school without
    # sections) is its room's. A door kiosk is bound to its room: the room the pass left.
    if target.section_id is not None and actor.role is not Role.KIOSK:
        return target.section_id in actor.section_ids
    return target.origin_id in actor.location_ids


def _from_or_to_mine(actor: Actor, target: PassTarget) -> bool:
    return _from_mine(actor, target) or _to_mine(actor, target)


def _to_mine(actor: Actor, target: PassTarget) -> bool:
    return target.destination_id in actor.location_ids


def _classroom(rule: Rule) -> Rule:
    return lambda a, t: a.role in CLASSROOM_STAFF and rule(a, t)


def _destination_staff(rule: Rule) -> Rule:
    return lambda a, t: a.role in DESTINATION_STAFF and rule(a, t)


def _kiosk(rule: Rule) -> Rule:
    return lambda a, t: a.role is Role.KIOSK and rule(a, t)


def _approver(actor: Actor, target: PassTarget) -> bool:
    if actor.role is Role.ADMIN:
        return True
    if target.approval is Approval.ORIGIN_TEACHER:
        return actor.role in CLASSROOM_STAFF and _from_mine(actor, target)
    if target.approval is Approval.DESTINATION_STAFF:
        return actor.role in STAFF_ROLES - SCHOOL_WIDE and _to_mine(actor, target)
    return False


def _delayer(actor: Actor, target: PassTarget) -> bool:
    # Only a visit the destination's staff accept can be put off by them: a pass that waits
    # for the origin teacher is the teacher's yes or no, and a teacher's "later" is a no.
    if actor.role is Role.ADMIN:
        return True
    return target.approval is Approval.DESTINATION_STAFF and _approver(actor, target)


def _any(*rules: Rule) -> Rule:
    return lambda a, t: any(rule(a, t) for rule in rules)


# The matrix. A kiosk is a shared device bound to one room: it starts and ends passes for the
# students of that room, typed in at the door.
RULES: dict[Action, Rule] = {
    Action.VIEW: _any(
        _own,
        _school_wide,
        _classroom(_from_or_to_mine),
        _destination_staff(_to_mine),
        _kiosk(_from_or_to_mine),
    ),
    Action.REQUEST: _own,
    Action.ISSUE: _any(
        _school_wide,
        _classroom(_from_mine),
        _destination_staff(_to_mine),
        _kiosk(_from_mine),
    ),
    Action.APPROVE: _approver,
    Action.DENY: _approver,
    Action.DELAY: _delayer,
    Action.CANCEL: _any(
        _own, _school_wide, _classroom(_from_or_to_mine), _destination_staff(_to_mine)
    ),
    Action.ARRIVE: _any(
        _school_wide, _classroom(_to_mine), _destination_staff(_to_mine), _kiosk(_to_mine)
    ),
    Action.END: _any(
        _own,
        _school_wide,
        _classroom(_from_or_to_mine),
        _destination_staff(_to_mine),
        _kiosk(_from_or_to_mine),
    ),
    # Whoever is with the student when their turn comes: the student, their room's teacher or
    # its door kiosk, or staff who act school-wide.
    Action.TAKE: _any(_own, _school_wide, _classroom(_from_mine), _kiosk(_from_mine)),
}


def may(actor: Actor, action: Action, target: PassTarget) -> bool:
    """Say whether the actor may do the action to the pass; never across schools."""
    if actor.school_id != target.school_id:
        return False
    return RULES[action](actor, target)


class Scope(StrEnum):
    """Which passes a list shows a role."""

    OWN = "own"
    SCHOOL = "school"
    FROM_OR_TO = "from_or_to"
    TO = "to"
    # Classroom staff: passes from their sections, from their rooms without a section, and to
    # their rooms (FROM_OR_TO is a kiosk's: from or to its rooms, sections aside).
    CLASS_OR_TO = "class_or_to"
    # A district administrator: no pass of any school (they read settings and reports).
    NONE = "none"


def scope_of(actor: Actor) -> Scope:
    """Return which passes the actor's lists may contain (the same sets as Action.VIEW)."""
    if actor.role is Role.STUDENT:
        return Scope.OWN
    if actor.role is Role.DISTRICT_ADMIN:
        return Scope.NONE
    if actor.role in SCHOOL_WIDE:
        return Scope.SCHOOL
    if actor.role in DESTINATION_STAFF:
        return Scope.TO
    if actor.role in CLASSROOM_STAFF:
        return Scope.CLASS_OR_TO
    return Scope.FROM_OR_TO


def may_override(actor: Actor, target: PassTarget) -> bool:
    """Say whether the actor may send a student out past their limits and ahead of a line.

    Administrators and security (school-wide), and the teacher or substitute of the room the
    student leaves: the adult who knows why this student must go now. Not the nurse or
    counselor (they accept visits to them, which needs no override), never a kiosk or student.
    """
    if actor.school_id != target.school_id:
        return False
    return _school_wide(actor, target) or _classroom(_from_mine)(actor, target)


def may_schedule(actor: Actor) -> bool:
    """Say whether the actor may schedule passes ahead (staff; never a student or a kiosk).

    A kiosk stands at a door for the student in front of it, now; what happens later is for
    the adults who plan it: one pass with `start_at` or a group's appointments alike.
    """
    return actor.role in STAFF_ROLES


def may_read_overrides(actor: Actor) -> bool:
    """Say whether the actor may read staff overrides and their reasons (admins only).

    A reason may be private ("a medical need"): the student, their classmates' screens and
    other staff never see it; security and teachers see that a pass exists, not why.
    """
    return actor.role is Role.ADMIN


def sees_full_names(actor: Actor) -> bool:
    """Say whether the actor's screens may show students' full names (not a shared kiosk)."""
    return actor.role is not Role.KIOSK


def may_manage_policy(actor: Actor) -> bool:
    """Say whether the actor may read and change the school's policy rows (admins only)."""
    return actor.role is Role.ADMIN


def may_manage_schedule(actor: Actor) -> bool:
    """Say whether the actor may read and replace the whole bell schedule (admins only).

    Today's periods are for everyone signed in: every screen shows the current period.
    """
    return actor.role is Role.ADMIN


def may_explain_policy(actor: Actor) -> bool:
    """Say whether the actor may see a student's effective limits and why (staff, not kiosks).

    Any staff member: the teacher a student asks "why can't I go?" may be a substitute or the
    teacher of another room.
    """
    return actor.role in STAFF_ROLES


def may_manage_encounters(actor: Actor) -> bool:
    """Say whether the actor may see and change encounter groups and their log.

    Administrators and security only: the fewer people who know who is kept apart (and why),
    the better. Counselors ask an administrator; nurses and teachers never need to know.
    """
    return actor.role in SCHOOL_WIDE
