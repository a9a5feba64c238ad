"""Encounter groups and their log, and staff overrides: staff-only, never sent to a student."""

from __future__ import annotations

from datetime import date as CalendarDate
from typing import Annotated, Literal

from pydantic import (
    Field,
    StringConstraints,
)

from server.contract.common import NO_NUL, Id, Out, Strict
from server.contract.common import NamedRef as NamedRef  # where other modules import it
from server.contract.passes import PersonRef

# Encounter groups: staff-only (admins and security). Nothing below ever reaches a student.
GroupName = Annotated[
    str, StringConstraints(min_length=1, max_length=120, strip_whitespace=True, pattern=NO_NUL)
]
GroupNotes = Annotated[str, StringConstraints(max_length=2000, pattern=NO_NUL)]
MAX_MEMBERS = 50  # a group is a handful of students; a whole class is a schedule problem
EncounterModeName = Literal["block", "alert"]


class EncounterGroupIn(Strict):
    """A new encounter group."""

    name: GroupName
    mode: EncounterModeName = Field(
        default="block",
        description="`block`: never out together; `alert`: allowed, and the encounter is logged "
        "for security.",
    )
    member_ids: list[Id] = Field(
        min_length=2, max_length=MAX_MEMBERS, description="Students of the school, no repeats."
    )
    expires_on: CalendarDate | None = Field(
        default=None,
        description="The last school-local day the group applies (inclusive); null: no end.",
    )
    notes: GroupNotes = Field(default="", description="Staff only: why the group exists.")


class EncounterGroupPatch(Strict):
    """The fields of a group to change; absent ones stay as they are."""

    name: GroupName | None = None
    mode: EncounterModeName | None = None
    member_ids: list[Id] | None = Field(default=None, min_length=2, max_length=MAX_MEMBERS)
    expires_on: CalendarDate | None = None
    notes: GroupNotes | None = None


class EncounterGroupOut(Out):
    """An encounter group, as admins and security see it."""

    id: int
    name: str
    mode: EncounterModeName
    members: list[PersonRef]
    expires_on: CalendarDate | None
    notes: str
    created_by: int | None
    created_at: str | None
    updated_at: str | None


class EncounterLogOut(Out):
    """One encounter a group prevented (block) or let happen and reported (alert)."""

    id: int
    at: str
    group: NamedRef
    mode: EncounterModeName
    outcome: Literal["prevented", "alerted"]
    student: PersonRef = Field(description="The student whose pass was refused or went out.")
    others: list[PersonRef] = Field(description="The group's other members out at that moment.")
    destination: NamedRef
    pass_id: int | None


class WouldHaveOut(Out):
    """What the student would have been told without the override."""

    code: str = Field(description="`limit_reached`, `cooldown`, `no_fly_time` or `capacity_full`.")
    detail: str = Field(description="The reason, as staff read it.")


class StaffOverrideOut(Out):
    """A staff override, as administrators see it."""

    pass_id: int
    at: str
    by: PersonRef = Field(description="The staff member who overrode.")
    student: PersonRef
    destination: NamedRef
    reason: str
    would_have: WouldHaveOut | None = Field(
        description="The refusal or line the override went past; null when nothing held."
    )
