"""Encounter prevention: members of a blocking group are never out at the same time.

An alert group never stops a pass: when one of its members goes out while another is out,
`alerting_groups` names it so the service can log the encounter for security.

A student never hears that a group exists (DESIGN.md invariant 5). Their own request is not
refused but put in line, as when the hallways are full (`lifecycle.decide_request`; why: ADR
0005, "What a held-back student hears"); the one refusal a student can still meet, taking an
offered place after a group was made, says what a shrunk capacity says there.
"""

from __future__ import annotations

from collections.abc import Iterable

from server.enums import EncounterMode
from server.errors import ErrorCode
from server.rules.decision import PLACE_GONE_MESSAGE, SCHOOL_RULE_MESSAGE, Decision, Outcome
from server.rules.facts import Encounter, OpenPass, SchoolFacts
from server.rules.localtime import local_date


def in_force(facts: SchoolFacts) -> tuple[Encounter, ...]:
    """Return the groups that apply now: not past their last day in the school's timezone."""
    today = local_date(facts.now, facts.zone)
    return tuple(g for g in facts.encounters if g.expires_on is None or g.expires_on >= today)


def others_out(group: Encounter, student_id: int, active: Iterable[OpenPass]) -> frozenset[int]:
    """Return the group's other members out now (empty when the student isn't a member)."""
    if student_id not in group.member_ids:
        return frozenset()
    return frozenset(p.student_id for p in active) & (group.member_ids - {student_id})


def _firing(
    facts: SchoolFacts, mode: EncounterMode, student_id: int, active: Iterable[OpenPass]
) -> tuple[Encounter, ...]:
    out = tuple(active)
    return tuple(
        group
        for group in in_force(facts)
        if group.mode is mode and others_out(group, student_id, out)
    )


def blocking_group(
    facts: SchoolFacts, student_id: int, active: Iterable[OpenPass]
) -> Encounter | None:
    """Return a blocking group of the student with another member out now, if any."""
    groups = _firing(facts, EncounterMode.BLOCK, student_id, active)
    return groups[0] if groups else None


def alerting_groups(
    facts: SchoolFacts, student_id: int, active: Iterable[OpenPass]
) -> tuple[Encounter, ...]:
    """Return the alert groups of the student with another member out now."""
    return _firing(facts, EncounterMode.ALERT, student_id, active)


def encounter_check(
    facts: SchoolFacts, student_id: int, active: Iterable[OpenPass]
) -> Decision | None:
    """Return the denial of a blocking group that forbids going out now, per audience.

    Admins and security read `group_detail`, which names the group (never its notes); other
    staff `staff_detail`, a school rule; a student the ordinary `student_code` and `detail`.
    """
    group = blocking_group(facts, student_id, active)
    if group is None:
        return None
    return Decision(
        Outcome.DENIED,
        code=ErrorCode.BLOCKED,
        detail=PLACE_GONE_MESSAGE,
        staff_detail=SCHOOL_RULE_MESSAGE,
        group_detail=f"Encounter group '{group.name}': another member is out of class.",
        student_code=ErrorCode.CAPACITY_FULL,
    )
