"""Closed vocabularies stored in the database, sent on the wire and used by the pure rules."""

from enum import StrEnum


class Role(StrEnum):
    """What a user does in the school (DESIGN.md section 3)."""

    STUDENT = "student"
    TEACHER = "teacher"
    SUBSTITUTE = "substitute"
    NURSE = "nurse"
    COUNSELOR = "counselor"
    SECURITY = "security"
    ADMIN = "admin"
    KIOSK = "kiosk"
    # A district's administrator: creates its schools and reads their settings and reports,
    # never a school's passes or students (docs/districts.md).
    DISTRICT_ADMIN = "district_admin"


# Named sets of roles, here next to Role so every layer (rules, services, notify, hub) reads the
# same ones instead of spelling its own.
# Every role that is staff: looks students up, marks them present in an emergency, is told of
# an emergency (students hear of it in the room).
STAFF_ROLES = frozenset(
    {Role.TEACHER, Role.SUBSTITUTE, Role.NURSE, Role.COUNSELOR, Role.SECURITY, Role.ADMIN}
)
# Staff who see every pass of the school, whatever their rooms.
SCHOOL_WIDE = frozenset({Role.SECURITY, Role.ADMIN})
# Staff of a classroom: they act on passes out of their rooms (and are told of them).
CLASSROOM_STAFF = frozenset({Role.TEACHER, Role.SUBSTITUTE})
# Staff of a destination: they act on passes into their rooms.
DESTINATION_STAFF = frozenset({Role.NURSE, Role.COUNSELOR})


class LocationKind(StrEnum):
    """What a place in the school is for."""

    CLASSROOM = "classroom"
    RESTROOM = "restroom"
    NURSE = "nurse"
    COUNSELOR = "counselor"
    LIBRARY = "library"
    OFFICE = "office"
    OTHER = "other"


class Approval(StrEnum):
    """Who must agree before a pass to a destination starts."""

    NONE = "none"
    ORIGIN_TEACHER = "origin_teacher"
    DESTINATION_STAFF = "destination_staff"


class PassState(StrEnum):
    """The states of DESIGN.md section 2."""

    SCHEDULED = "scheduled"
    PENDING = "pending"
    WAITING = "waiting"
    ACTIVE = "active"
    ENDED = "ended"
    DENIED = "denied"
    CANCELLED = "cancelled"
    EXPIRED = "expired"

    @property
    def is_open(self) -> bool:
        """Say whether the pass holds the student's one open pass (invariant 1)."""
        return self in OPEN_STATES


OPEN_STATES = frozenset({PassState.PENDING, PassState.WAITING, PassState.ACTIVE})
# The states a pass ends in: nothing happens to it any more.
FINISHED_STATES = frozenset(
    {PassState.ENDED, PassState.DENIED, PassState.CANCELLED, PassState.EXPIRED}
)


class PassKind(StrEnum):
    """How a pass came to be."""

    REQUESTED = "requested"
    ISSUED = "issued"
    SCHEDULED = "scheduled"
    KIOSK = "kiosk"


class EndedBy(StrEnum):
    """Who ended a pass."""

    STUDENT = "student"
    STAFF = "staff"
    SYSTEM = "system"
    EMERGENCY = "emergency"


class EmergencyKind(StrEnum):
    """What kind of emergency the school is in (a drill is practice, marked as such everywhere)."""

    LOCKDOWN = "lockdown"
    EVACUATION = "evacuation"
    SHELTER = "shelter"
    DRILL = "drill"


class ReportStatus(StrEnum):
    """What a roster report says: the student's own word, or staff who see them."""

    SAFE = "safe"  # the student, about themselves
    NEED_HELP = "need_help"  # the student, about themselves: not yet accounted for
    PRESENT = "present"  # staff: the student is with them, in a room


# A roster student whose latest report says this is accounted for.
ACCOUNTED_STATUSES = frozenset({ReportStatus.SAFE, ReportStatus.PRESENT})


class EncounterMode(StrEnum):
    """What an encounter group does when its members would be out together."""

    BLOCK = "block"
    ALERT = "alert"


class PolicyScope(StrEnum):
    """Whom a policy row applies to, least specific first (see server/rules/policy.py)."""

    SCHOOL = "school"
    GRADE = "grade"
    GROUP = "group"
    DESTINATION = "destination"
    STUDENT = "student"


class EnrollmentRole(StrEnum):
    """What a person is in a section: taught in it, or teaching it."""

    STUDENT = "student"
    TEACHER = "teacher"


class ImportStatus(StrEnum):
    """What became of a roster import."""

    APPLIED = "applied"  # written in one transaction
    PREVIEWED = "previewed"  # a dry run: the diff was shown, nothing written
    REJECTED = "rejected"  # bad input: the errors were listed, nothing written


class SsoKind(StrEnum):
    """Which OpenID Provider a school signs in with: it picks the button's label and icon."""

    GOOGLE = "google"
    MICROSOFT = "microsoft"
    CLASSLINK = "classlink"
    OIDC = "oidc"  # any other standard OpenID Provider ("your school")


class SessionVia(StrEnum):
    """How a session was started."""

    PASSWORD = "password"
    SSO = "sso"
    CODE = "code"  # a substitute's one-day code


class LineReason(StrEnum):
    """Why a pass waits in line: what the student is told ("In line: the hallways are full")."""

    HALLWAY_FULL = "hallway_full"  # the school's hallway maximum is out
    PLACE_FULL = "place_full"  # the destination's capacity is there
    ROOM_MAX = "room_max"  # the class's maximum out is out
