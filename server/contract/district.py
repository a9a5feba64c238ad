"""A district's bodies: its schools, a new school and its admin, a school's report, and the
schools a signed-in person may switch to."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from server.contract.common import Id, Out, Strict
from server.contract.places import SchoolName, ZoneName
from server.contract.users import Email, PersonName
from server.enums import Role

# A slug is part of a sign-in (`{"login", "password", "school"}`): short, lower case, no spaces.
Slug = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64, pattern=r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$"),
]


class DistrictSchoolOut(Out):
    """One school of the district, as its list shows it."""

    id: int
    name: str
    slug: str
    timezone: str
    source_id: str | None = Field(description="The SIS's org sourcedId (OneRoster), if any.")


class DistrictOut(Out):
    """The caller's district and its schools (by name)."""

    id: int
    name: str
    slug: str
    source_id: str | None = Field(description="The SIS's district org sourcedId, if any.")
    schools: list[DistrictSchoolOut]


class SchoolCreate(Strict):
    """A new school of the district."""

    name: SchoolName
    slug: Slug = Field(description="Unique in the deployment: lower case letters, digits, '-'.")
    timezone: ZoneName = Field(description="An IANA time zone name, such as America/Chicago.")


class AdminCreate(Strict):
    """A new administrator of one school of the district: their e-mail is their login."""

    email: Email
    first_name: PersonName
    last_name: PersonName


class AdminCreated(Out):
    """The new administrator, and the one-time password to give them (shown only here)."""

    id: int
    login: str
    name: str
    role: Role
    school: DistrictSchoolOut
    password: str = Field(
        description="A one-time password, shown once: the admin signs in with it and sets "
        "their own (PATCH /api/users/{their id} with `password`)."
    )


class Destination(Out):
    """A destination and how many passes went there."""

    name: str
    passes: int


class PassTotals(Out):
    """Passes of one period by state, with how long the finished ones were out."""

    by_state: dict[str, int] = Field(description="state -> passes requested in the period.")
    total: int
    average_minutes_out: float | None = Field(
        description="Mean minutes between start and end of the ended passes; null if none."
    )


class SchoolReport(Out):
    """A school's numbers, without a person's name: for the district's administrators."""

    school: DistrictSchoolOut
    generated_at: str
    users_by_role: dict[str, int] = Field(description="role -> active users.")
    today: PassTotals = Field(description="Since the school's local midnight.")
    this_week: PassTotals = Field(description="Since the school's local Monday.")
    busiest_destinations: list[Destination] = Field(
        description="This week's five destinations with the most passes, most first."
    )


class MySchoolOut(Out):
    """Another school of the district where the signed-in person has an account."""

    id: int
    name: str
    slug: str
    role: Role = Field(description="Their role in that school.")


class SwitchRequest(Strict):
    """The school to switch to: the caller's account there gets a new session."""

    school_id: Id
