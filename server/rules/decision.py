"""What a rule answers: allowed, queued or denied, with a reason code."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from server.enums import LineReason, PassState
from server.errors import ErrorCode


class Outcome(StrEnum):
    """The three answers a rule can give."""

    ALLOWED = "allowed"
    QUEUED = "queued"
    DENIED = "denied"


# What staff who may not see encounter groups (teachers, substitutes, nurses, counselors) hear
# when one stops a pass: that a rule did, not which group or who else is out. Only admins and
# security, who manage the groups, read the group's name (`Decision.group_detail`).
SCHOOL_RULE_MESSAGE = "Blocked by a school rule. An administrator or security can say more."

# What a student hears when the place offered to them can't be taken after all. Two causes say
# the same thing: staff shrank the capacity under the offer, or an encounter group made while it
# was offered now holds the student back (DESIGN.md invariant 5: a group is never singled out).
PLACE_GONE_MESSAGE = "The place offered to you is no longer free. You keep your place in line."


def plural(n: int, word: str) -> str:
    """Return "1 pass", "4 passes", "1 minute", "15 minutes"."""
    if n == 1:
        return f"{n} {word}"
    return f"{n} {word}es" if word.endswith("s") else f"{n} {word}s"


@dataclass(frozen=True, slots=True)
class Decision:
    """A rule's answer: `detail` is safe to show the student; `staff_detail` is for staff only.

    An encounter group's denial has two more parts: `group_detail` names the group, for those
    who may see groups (admins, security); `student_code` is the code a student hears instead
    of `code`, so that the refusal is an ordinary one.
    """

    outcome: Outcome
    state: PassState | None = None
    code: ErrorCode | None = None
    detail: str = ""
    staff_detail: str = ""
    group_detail: str = ""
    student_code: ErrorCode | None = None
    # Why a queued pass waits, as the student is told (an encounter group says `hallway_full`).
    line_reason: LineReason | None = None

    @classmethod
    def allow(cls, state: PassState) -> Decision:
        """Return an allowing decision that puts the pass in `state`."""
        return cls(Outcome.ALLOWED, state)

    @classmethod
    def queue(cls, code: ErrorCode, detail: str, reason: LineReason | None = None) -> Decision:
        """Return a decision that puts the pass in line, and why it waits."""
        return cls(Outcome.QUEUED, PassState.WAITING, code, detail, line_reason=reason)

    @classmethod
    def deny(cls, code: ErrorCode, detail: str, staff_detail: str = "") -> Decision:
        """Return a denial with its reason."""
        return cls(Outcome.DENIED, None, code, detail, staff_detail or detail)


@dataclass(frozen=True, slots=True)
class Hold:
    """A policy rule that stops a student's new pass now, and when it lifts (None: it won't)."""

    code: ErrorCode
    until: datetime | None
    detail: str  # for the student: what they can do next, never who set what
    staff_detail: str  # for staff: also which scope set the rule

    def deny(self) -> Decision:
        """Return the denial this hold makes."""
        return Decision.deny(self.code, self.detail, self.staff_detail)


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """A request field that can't be used, and why (in words a client can show)."""

    field: str
    message: str
