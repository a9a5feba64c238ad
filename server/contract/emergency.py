"""Bodies of the emergency endpoints (issue 7), shared with the `/ws` `emergency` frame.

One emergency is seen three ways (`audience`): staff get the whole roster and the counter, a
student only that one is on, its kind and their own roster entry, a kiosk that one is on and
its kind.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from server.contract.common import NO_NUL, Id, Strict
from server.enums import EmergencyKind, ReportStatus

Note = Annotated[str, StringConstraints(max_length=500, strip_whitespace=True, pattern=NO_NUL)]


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EmergencyStart(Strict):
    """Start an emergency (admins and security)."""

    kind: EmergencyKind = Field(
        description="`lockdown`, `evacuation`, `shelter` or `drill` (a drill is marked as one "
        "everywhere: `drill: true`, notices, exports)."
    )


class SelfReportIn(Strict):
    """A roster student's own word: safe, or in need of help; where, and a note."""

    status: Literal[ReportStatus.SAFE, ReportStatus.NEED_HELP] = Field(
        description="`safe` counts the student as accounted for; `need_help` does not."
    )
    location_id: Id | None = Field(default=None, description="Where the student is now.")
    note: Note = Field(default="", description="At most 500 characters.")


class PresentIn(Strict):
    """Staff have a roster student with them, in this room."""

    location_id: Id = Field(description="The room the student is in.")
    note: Note = Field(default="", description="At most 500 characters.")


class Named(_Out):
    """A person or a place, by id and name."""

    id: int
    name: str


class Reporter(Named):
    """Who made a report, and in which role."""

    role: str


class ReportOut(_Out):
    """One report on a roster student: what, where, who, when."""

    id: int
    status: ReportStatus
    location: Named | None
    note: str
    at: str = Field(description="When it was made (ISO 8601, UTC).")
    by: Reporter | None = Field(description="The student or the staff member; null if deleted.")


class RosterEntryOut(_Out):
    """A student who was out of class when the emergency began, and what is known since."""

    student: Named
    pass_id: int | None
    origin: Named
    destination: Named
    started_at: str = Field(description="Time out (the pass's start).")
    arrived_at: str | None = Field(description="Checked in at the destination, if they did.")
    last_known: str = Field(
        description="Where they were last known to be when it began: the destination if "
        "arrived, else `on the way to <destination>`."
    )
    status: Literal["missing", "safe", "need_help", "present"] = Field(
        description="The latest report's status; `missing` while nobody has reported."
    )
    accounted: bool = Field(description="The latest report is `safe` or `present`.")
    reports: list[ReportOut] = Field(description="Every report, oldest first.")


class Counts(_Out):
    """Accounted for: `accounted` of `total`."""

    total: int
    accounted: int
    missing: int = Field(description="Nobody has reported on them yet.")
    need_help: int = Field(description="Their latest report asks for help.")


class EmergencyStaffView(_Out):
    """The whole emergency, as staff see it (and as the record keeps it)."""

    audience: Literal["staff"] = "staff"
    id: int
    kind: EmergencyKind
    drill: bool
    active: bool
    started_at: str
    started_by: Named | None
    ended_at: str | None
    ended_by: Named | None
    revision: int = Field(
        description="Bumped by every change: keep the highest seen, drop an older frame."
    )
    counts: Counts
    missing: list[Named] = Field(description="Roster students not yet accounted for.")
    roster: list[RosterEntryOut]


class EmergencyStudentView(_Out):
    """What a student sees: that an emergency is on, its kind, and their own roster entry."""

    audience: Literal["student"] = "student"
    id: int
    kind: EmergencyKind
    drill: bool
    active: bool
    started_at: str
    ended_at: str | None
    revision: int
    you: RosterEntryOut | None = Field(description="The student's own entry; null if not out.")


class EmergencyKioskView(_Out):
    """What a shared kiosk sees: that an emergency is on and its kind (a drill says so)."""

    audience: Literal["kiosk"] = "kiosk"
    id: int
    kind: EmergencyKind
    drill: bool
    active: bool
    started_at: str
    ended_at: str | None
    revision: int


EmergencyView = Annotated[
    EmergencyStaffView | EmergencyStudentView | EmergencyKioskView,
    Field(discriminator="audience"),
]


class EmergencyStateOut(_Out):
    """Whether an emergency is in force, and the caller's view of it (null when none is)."""

    active: bool
    emergency: EmergencyView | None


class EmergencySummaryOut(_Out):
    """A past (or current) emergency without its roster (admins)."""

    id: int
    kind: EmergencyKind
    drill: bool
    active: bool
    started_at: str
    started_by: Named | None
    ended_at: str | None
    ended_by: Named | None
    revision: int
    counts: Counts
