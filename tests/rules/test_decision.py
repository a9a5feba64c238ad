"""Decision: what each kind of answer carries, and what the student may read of it."""

from __future__ import annotations

import pytest

from server.enums import PassState
from server.errors import ErrorCode
from server.rules import Decision, Outcome
from tests.rules.school import case


@pytest.mark.parametrize(
    ("decision", "expected"),
    [
        case("allowed: a state, no reason",
             Decision.allow(PassState.ACTIVE),
             Decision(Outcome.ALLOWED, PassState.ACTIVE, None, "", "")),
        case("queued: always waiting, with why",
             Decision.queue(ErrorCode.CAPACITY_FULL, "Library is full."),
             Decision(Outcome.QUEUED, PassState.WAITING, ErrorCode.CAPACITY_FULL,
                      "Library is full.", "")),
        case("denied: no state; staff read the same words by default",
             Decision.deny(ErrorCode.COOLDOWN, "Wait 5 minutes."),
             Decision(Outcome.DENIED, None, ErrorCode.COOLDOWN, "Wait 5 minutes.",
                      "Wait 5 minutes.")),
        case("denied: staff may be told more than the student",
             Decision.deny(ErrorCode.BLOCKED, "Ask your teacher.", staff_detail="Group 'x'."),
             Decision(Outcome.DENIED, None, ErrorCode.BLOCKED, "Ask your teacher.",
                      "Group 'x'.")),
    ],
)  # fmt: skip
def test_constructors(decision: Decision, expected: Decision) -> None:
    assert decision == expected
