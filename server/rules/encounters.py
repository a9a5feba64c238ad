"""Encounter prevention: members of a blocking group are never out at the same time."""

from __future__ import annotations

from collections.abc import Iterable

from server.enums import EncounterMode
from server.errors import ErrorCode
from server.rules.decision import NEUTRAL_BLOCK_MESSAGE, Decision
from server.rules.facts import Encounter, OpenPass, SchoolFacts


def blocking_group(
    facts: SchoolFacts, student_id: int, active: Iterable[OpenPass]
) -> Encounter | None:
    """Return a blocking group of the student with another member out now, if any."""
    out = {p.student_id for p in active}
    for group in facts.encounters:
        if group.mode is not EncounterMode.BLOCK or student_id not in group.member_ids:
            continue
        if (group.member_ids - {student_id}) & out:
            return group
    return None


def encounter_check(
    facts: SchoolFacts, student_id: int, active: Iterable[OpenPass]
) -> Decision | None:
    """Return a denial that names no one when a blocking group forbids going out now."""
    group = blocking_group(facts, student_id, active)
    if group is None:
        return None
    return Decision.deny(
        ErrorCode.BLOCKED,
        NEUTRAL_BLOCK_MESSAGE,
        staff_detail=f"Encounter group '{group.name}': another member is out of class.",
    )
