"""A student's day as a hall monitor looks it up: where they should be, and their passes."""

from __future__ import annotations

from pydantic import Field

from server.contract.common import Out
from server.contract.passes import PassOut
from server.contract.sections import Placement
from server.contract.users import StudentOut


class StudentDay(Out):
    """One student's whereabouts today (security and admins)."""

    student: StudentOut
    expected: Placement = Field(
        description="Where the timetable has the student now: their section's room this "
        "period, else their homeroom."
    )
    passes: list[PassOut] = Field(
        description="The student's passes requested today (school time), newest first."
    )
