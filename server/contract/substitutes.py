"""Substitutes for the day: a grant of a room or an absent teacher's sections, its one-day
sign-in code, and a pass's history with who acted (a substitute named as one)."""

from __future__ import annotations

from datetime import date as CalendarDate
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from server.contract.common import NO_NUL, Id, NamedRef, Out, Strict
from server.contract.users import Email, PersonName

# What a person types: the code's letters and digits, in any case, with or without its dash or
# spaces (normalised before it is hashed).
CodeText = Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=NO_NUL)]


class NamedSubstitute(Strict):
    """A substitute without an account of the school: the grant makes one that has no
    password (it signs in only with the grant's code)."""

    first_name: PersonName
    last_name: PersonName
    email: Email | None = None


class GrantCreate(Strict):
    """A substitute's access to a room and/or an absent teacher's sections, for one day."""

    substitute_id: Id | None = Field(
        default=None,
        description="An existing account of the school (a substitute or a teacher) that signs "
        "in as usual (password or SSO). Exactly one of `substitute_id` and `substitute`.",
    )
    substitute: NamedSubstitute | None = Field(
        default=None,
        description="A named person: the grant makes their account and a one-day sign-in code.",
    )
    location_id: Id | None = Field(
        default=None,
        description="A classroom: a teacher's own, any for an admin. At least one of "
        "`location_id` and `absent_teacher_id`.",
    )
    absent_teacher_id: Id | None = Field(
        default=None,
        description="The absent teacher whose active sections (and their rooms) are covered: a "
        "teacher names themselves, an admin any teacher of the school.",
    )
    day: CalendarDate | None = Field(
        default=None,
        description="The school day (school-local date, today or later, at most 60 days "
        "ahead); default today.",
    )


class SubstitutePerson(Out):
    """A substitute of the school who signs in with their own account (password or SSO): the
    granter's picker shows them by name, nothing more."""

    id: int
    name: str
    email: str | None


class CodeSignIn(Strict):
    """A substitute signs in with the code a teacher or admin gave them."""

    code: CodeText = Field(
        description="The one-day code, e.g. `K7QX-M3RT-9B` (case and dashes do not count)."
    )


GrantState = Literal["scheduled", "live", "ended", "revoked"]


class GrantOut(Out):
    """A substitute grant as the teacher or admin who manages it sees it."""

    id: int
    day: str = Field(description="The school-local date.")
    starts_at: str = Field(description="The first bell of the day (or when it was granted).")
    ends_at: str = Field(description="The end of the school day: access and sessions end then.")
    state: GrantState
    substitute: NamedRef
    substitute_login: str | None = Field(
        description="The account's login; null for a named substitute (they sign in by code)."
    )
    absent_teacher: NamedRef | None
    location: NamedRef | None
    granted_by: NamedRef | None
    uses_code: bool = Field(description="The substitute signs in with a one-day code.")
    revoked_at: str | None
    created_at: str


class GrantWithCode(GrantOut):
    """A grant with its sign-in code, shown once (create, and a code issued again)."""

    code: str | None = Field(
        description="The one-day sign-in code, shown only in this answer (stored as a hash); "
        "null when the substitute signs in with their own account."
    )


class EventActor(Out):
    """Who caused a pass event: a user, and the grant they acted under as a substitute."""

    id: int
    name: str
    role: str
    substitute: bool = Field(description="They acted as a substitute (under a grant).")
    substitute_for: NamedRef | None = Field(
        description="The absent teacher they covered (null: a room without a teacher named)."
    )
    room: NamedRef | None = Field(description="The room of the grant they acted under.")


class PassEventOut(Out):
    """One entry of a pass's history, oldest first."""

    seq: int
    name: str
    at: str
    state: str
    actor: EventActor | None = Field(description="Null: the system (a sweep) or the student.")
    summary: str = Field(
        description='What happened, e.g. "Approved by J. Rivera (substitute for M. Reyes)".'
    )
