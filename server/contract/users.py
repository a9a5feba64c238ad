"""Bodies of the users admin API, the staff's student lookup and the door kiosk."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StrictBool, StrictInt, StringConstraints, field_validator

from server.contract.common import (
    NO_NUL,
    Id,
    IdempotencyKeyText,
    Login,
    Out,
    Password,
    Strict,
)
from server.contract.encounters import NamedRef
from server.contract.passes import StudentGroupName
from server.contract.places import MAX_STAFF, _not_null
from server.enums import Role

# A student belongs to a handful of groups (a team, a club, a programme); 20 is plenty.
MAX_GROUPS = 20
PersonName = Annotated[
    str, StringConstraints(min_length=1, max_length=100, strip_whitespace=True, pattern=NO_NUL)
]
Email = Annotated[
    str,
    StringConstraints(max_length=254, strip_whitespace=True, pattern=r"^[^@\s\x00]+@[^@\s\x00]+$"),
]
StudentNumber = Annotated[
    str,
    StringConstraints(
        min_length=1, max_length=32, strip_whitespace=True, pattern=r"^[A-Za-z0-9_.-]+$"
    ),
]
# A kiosk confirmation (server/auth/confirmations.py) is about 50 characters.
ConfirmationToken = Annotated[str, StringConstraints(min_length=1, max_length=200)]
# Schools give young students short passwords; what protects them is the sign-in limiter
# (10 failures per login in 5 minutes), not the length.
NewPassword = Annotated[str, StringConstraints(min_length=4, max_length=200)]
Grade = Annotated[StrictInt, Field(ge=0, le=99)]
GROUPS_DESCRIPTION = (
    "Students only: the student groups they belong to, as policies (`scope: group`) and "
    "appointments name them (no repeats). Never an encounter group."
)


class UserCreate(Strict):
    """A new user of the admin's school."""

    login: Login = Field(description="Unique in the school (case does not count).")
    first_name: PersonName
    last_name: PersonName
    role: Role
    password: NewPassword = Field(description="4-200 characters; stored as an Argon2id hash.")
    email: Email | None = None
    student_number: StudentNumber | None = Field(
        default=None,
        description="Students only: unique in the school; what they type at a door kiosk.",
    )
    grade: Grade | None = Field(default=None, description="Students only (0-99).")
    groups: list[StudentGroupName] = Field(
        default_factory=list, max_length=MAX_GROUPS, description=GROUPS_DESCRIPTION
    )
    home_location_id: Id | None = Field(
        default=None,
        description="Students only: their classroom (an active classroom of the school), "
        "where their passes start.",
    )
    location_ids: list[Id] = Field(
        default_factory=list,
        max_length=MAX_STAFF,
        description="Staff and kiosks only: the places assigned to them (a teacher's rooms, the "
        "nurse's office, a kiosk's door), no repeats.",
    )


class UserPatch(Strict):
    """The fields of a user to change; absent ones stay as they are."""

    login: Login | None = None
    first_name: PersonName | None = None
    last_name: PersonName | None = None
    role: Role | None = Field(
        default=None,
        description="A new role ends the user's sessions and live connections. Leaving "
        "`student` clears the student fields; becoming one clears assigned places.",
    )
    password: NewPassword | None = Field(
        default=None,
        description="A password reset: ends the user's sessions and live connections (an "
        "admin resetting their own keeps the session they send it from).",
    )
    email: Email | None = None
    student_number: StudentNumber | None = None
    grade: Grade | None = None
    groups: list[StudentGroupName] | None = Field(
        default=None, max_length=MAX_GROUPS, description=GROUPS_DESCRIPTION
    )
    home_location_id: Id | None = None
    location_ids: list[Id] | None = Field(
        default=None, max_length=MAX_STAFF, description="Replaces the whole assignment."
    )
    active: StrictBool | None = Field(
        default=None,
        description="False disables the user: they can't sign in, and their sessions and live "
        "connections end. Passes they hold carry on. True enables them again.",
    )

    _required = field_validator(
        "login",
        "first_name",
        "last_name",
        "role",
        "password",
        "groups",
        "location_ids",
        "active",
        mode="before",
    )(_not_null)


class UserAdminOut(Out):
    """A user as admins see them: never a password or its hash."""

    id: int
    login: str
    first_name: str
    last_name: str
    name: str
    role: Role
    email: str | None
    student_number: str | None
    grade: int | None
    groups: list[str]
    home_location_id: int | None
    location_ids: list[int]
    active: bool
    created_at: str | None


class UserPageOut(Out):
    """One page of the school's users, and how many match in all."""

    users: list[UserAdminOut]
    total: int = Field(description="Users matching the filters, on every page.")
    limit: int
    offset: int


class StudentGroupOut(Out):
    """A student group of the school and how many active students are in it."""

    name: str
    students: int


class StudentOut(Out):
    """A student as staff look them up: no accommodations, no encounter groups."""

    id: int
    name: str = Field(description="Full name.")
    login: str
    student_number: str | None
    grade: int | None
    home_location: NamedRef | None
    has_open_pass: bool = Field(description="The student is out, waiting or awaiting approval.")
    period: str | None = Field(
        default=None,
        description="A teacher's list: the period of today its sections meet in (null: the "
        "homeroom list, outside the periods or when none of theirs meets). Null for everyone "
        "else's lookup.",
    )
    section: NamedRef | None = Field(
        default=None,
        description="A teacher's list: the section the student is listed for (null: homeroom).",
    )
    room: NamedRef | None = Field(
        default=None,
        description="A teacher's list: the room the student is in for it (the section's room, "
        "else their home room).",
    )


class KioskPassIn(Strict):
    """A student at the door types their number and picks where they go."""

    student_number: StudentNumber
    destination_id: Id
    idempotency_key: IdempotencyKeyText | None = Field(
        default=None,
        description="Client-made key (or the `Idempotency-Key` header): a repeat returns the "
        "first pass.",
    )
    confirmation: ConfirmationToken | None = Field(
        default=None,
        description="The `confirmation` of `POST /api/kiosk/lookup` for this student, once "
        "they said it is them: missing, expired, forged or another student's is `409 "
        "confirmation_invalid`.",
    )


class KioskReturnIn(Strict):
    """A student back at the door types their number: their active pass ends."""

    student_number: StudentNumber


class KioskLookupIn(Strict):
    """A student at the door types their number, before picking where they go."""

    student_number: StudentNumber


class KioskLookupOut(Out):
    """Who the number is, for "Are you First L.?", and the confirmation to go out with."""

    name: str = Field(description="First name(s) and the family name's initial only.")
    confirmation: str = Field(
        description="Send it with `POST /api/kiosk/passes` once the student said it is them; "
        "good for this kiosk session and this student, for 2 minutes."
    )
    expires_at: str


class KioskLeaveIn(Strict):
    """A staff member's credentials, to take a door kiosk out of kiosk mode."""

    email: Login = Field(description="A teacher's, admin's or security's email (or login).")
    password: Password
