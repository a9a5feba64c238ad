"""A pass on the wire (DESIGN.md section 4): create, delay, group, and the pass itself."""

from __future__ import annotations

from typing import Annotated

from pydantic import (
    Field,
    StrictInt,
    StringConstraints,
)

from server.contract.common import NO_NUL, Id, IdempotencyKeyText, NamedRef, Out, Strict
from server.contract.places import PassMinutes
from server.contract.times import Moment
from server.enums import EndedBy, LineReason, LocationKind, PassKind, PassState
from server.rules.reminders import DEFAULT_REMIND_MINUTES, MAX_REMIND_MINUTES

RemindMinutes = Annotated[StrictInt, Field(ge=1, le=MAX_REMIND_MINUTES)]
REMIND_DESCRIPTION = (
    "Remind the student and their teacher this many minutes before start_at (a `pass.reminder` "
    f"event); null: no reminder. Default {DEFAULT_REMIND_MINUTES}."
)
# A grade's students in one request; beyond this, several requests (one per room, say).
MAX_GROUP = 200
StudentGroupName = Annotated[
    str, StringConstraints(min_length=1, max_length=64, strip_whitespace=True, pattern=NO_NUL)
]


OverrideReason = Annotated[
    str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True, pattern=NO_NUL)
]


class StaffOverrideIn(Strict):
    """A staff override: the reason is required and recorded for administrators."""

    reason: OverrideReason = Field(description="Why the student goes now (1-200 characters).")


class PassCreate(Strict):
    """A new pass: students send only the destination; staff add the student and a start time."""

    destination_id: Id
    student_id: Id | None = None
    start_at: Moment | None = Field(
        default=None, description="Staff only: start the pass at this time (a scheduled pass)."
    )
    remind_minutes_before: RemindMinutes | None = Field(
        default=DEFAULT_REMIND_MINUTES, description=f"With start_at only. {REMIND_DESCRIPTION}"
    )
    minutes: PassMinutes | None = Field(
        default=None,
        description="Staff only: how long the pass lasts once it starts (1-240 minutes); "
        "null: the destination's `default_minutes`.",
    )
    idempotency_key: IdempotencyKeyText | None = Field(
        default=None,
        description="Client-made key: a repeated request with the same key returns the first pass.",
    )
    override: StaffOverrideIn | None = Field(
        default=None,
        description="Staff who may (admins, security, the teacher of the student's room): the "
        "pass goes past the student's limits, cooldown and no-fly times and to the front of a "
        "line. Never past passes switched off, a blocking encounter group or a capacity. Not "
        "with `start_at`. The reason and the refusal the student would have had are recorded "
        "for admins (`GET /api/overrides`).",
    )


class PassGroupCreate(Strict):
    """Scheduled passes for several students at once: a list, a grade or a student group."""

    destination_id: Id
    student_ids: list[Id] | None = Field(
        default=None, min_length=1, max_length=MAX_GROUP, description="Students, no repeats."
    )
    grade: Annotated[StrictInt, Field(ge=0, le=99)] | None = Field(
        default=None, description="Every active student of this grade."
    )
    group: StudentGroupName | None = Field(
        default=None,
        description="Every active student in this student group (as policies name it).",
    )
    start_at: Moment = Field(description="When the passes start (in the future).")
    remind_minutes_before: RemindMinutes | None = Field(
        default=DEFAULT_REMIND_MINUTES, description=REMIND_DESCRIPTION
    )


class PassDelay(Strict):
    """When a delayed visit starts: a time today, or minutes from now (exactly one)."""

    until: Moment | None = Field(
        default=None, description="Start the visit at this time (today, at most 4 hours ahead)."
    )
    minutes: StrictInt | None = Field(
        default=None, description="Start the visit this many minutes from now (1-240, today)."
    )


class PersonRef(Out):
    """A student, named as the caller may see."""

    id: int
    name: str
    short_name: str | None = Field(
        default=None,
        description="First name(s) and the family name's initial, as a door kiosk shows the "
        "student (`name` on a kiosk). Absent from events logged before it existed.",
    )


class PlaceRef(Out):
    """A location, by id and name."""

    id: int
    name: str
    kind: LocationKind


class PassOut(Out):
    """A pass (DESIGN.md section 4)."""

    id: int
    state: PassState
    kind: PassKind
    student: PersonRef
    origin: PlaceRef
    destination: PlaceRef
    section: NamedRef | None = Field(
        default=None,
        description="The section (class) the student left, by id and title: its teachers act on "
        "the pass until it ends. Null for a pass from a homeroom, or in a school without sections.",
    )
    period: str | None = Field(
        default=None,
        description="The bell period the pass left from (null: outside the periods).",
    )
    minutes: int
    ended_by: EndedBy | None
    position: int | None = Field(
        description="Place in its destination's line while waiting, 1 is next (a pass offered "
        "a place is at the front)."
    )
    offer_expires_at: str | None = Field(
        description="While waiting: a place is offered to this pass and held until this time; "
        "`POST /api/passes/{id}/take` before it, or the pass goes to the back of the line. "
        "Null when no place is offered."
    )
    line_reason: LineReason | None = Field(
        default=None,
        description="While waiting: why the pass is in line, as the student is told: "
        "`hallway_full` (the school's hallway maximum is out), `place_full` (the destination is "
        "at capacity) or `room_max` (the class's maximum out is out). Null otherwise.",
    )
    version: int
    requested_at: str
    start_at: str | None
    started_at: str | None
    arrived_at: str | None
    due_at: str | None
    ended_at: str | None
    delayed_at: str | None = Field(
        description="When the destination's staff put this visit off; it then starts at start_at."
    )
    remind_minutes_before: int | None = Field(
        description="A scheduled pass reminds its student and teacher this long before start_at."
    )
    reminded_at: str | None = Field(description="When that reminder was sent (once).")
    overdue_at: str | None = Field(
        description="When the pass, still out, was first seen past due_at (`pass.overdue`, "
        "once); null until then."
    )
    check_code: str | None = Field(
        default=None,
        description="Three letters a hall monitor compares with the student's screen: the same "
        "on the student's pass card and on staff screens, made from the pass id with the "
        "server's secret (so it can't be guessed from the id). Null for a door kiosk (a "
        "shared screen), and in an answer kept for an idempotent retry from before check "
        "codes existed.",
    )


class PassGroupOut(Out):
    """The passes a group request made, one per student, in the order of the students."""

    passes: list[PassOut]


# More than a room can hold out at once; a longer list is a mistake, not a class.
MAX_END_ALL = 200


class EndAllIn(Strict):
    """The passes out of a room the teacher confirmed ending: all of them, no more, no fewer."""

    pass_ids: list[Id] = Field(
        max_length=MAX_END_ALL,
        description="The ids of the room's passes out, as the teacher saw them. If the room's "
        "passes out are not exactly these, nothing ends: `409 passes_changed`, whose "
        "`details.passes` lists the current ones.",
    )


class EndAllOut(Out):
    """The passes "End all" ended, oldest first."""

    passes: list[PassOut]
