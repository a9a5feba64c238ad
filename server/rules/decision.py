"""What a rule answers: allowed, queued or denied, with a reason code."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from server.enums import PassState
from server.errors import ErrorCode


class Outcome(StrEnum):
    """The three answers a rule can give."""

    ALLOWED = "allowed"
    QUEUED = "queued"
    DENIED = "denied"


# The one sentence a student hears when an encounter rule stops them: it must not hint that
# another student is involved (DESIGN.md invariant 5).
NEUTRAL_BLOCK_MESSAGE = "You can't start a pass right now. Please ask your teacher."


def plural(n: int, word: str) -> str:
    """Return "1 pass", "4 passes", "1 minute", "15 minutes"."""
    if n == 1:
        return f"{n} {word}"
    return f"{n} {word}es" if word.endswith("s") else f"{n} {word}s"


@dataclass(frozen=True, slots=True)
class Decision:
    """A rule's answer: `detail` is safe to show the student; `staff_detail` is for staff only."""

    outcome: Outcome
    state: PassState | None = None
    code: ErrorCode | None = None
    detail: str = ""
    staff_detail: str = ""

    @classmethod
    def allow(cls, state: PassState) -> Decision:
        """Return an allowing decision that puts the pass in `state`."""
        return cls(Outcome.ALLOWED, state)

    @classmethod
    def queue(cls, code: ErrorCode, detail: str) -> Decision:
        """Return a decision that puts the pass in line."""
        return cls(Outcome.QUEUED, PassState.WAITING, code, detail)

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
