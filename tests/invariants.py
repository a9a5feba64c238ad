"""DESIGN.md invariants 1-4, checked against the database itself (not through the API).

`assert_invariants()` reads every school's passes, places, encounter groups and event log with
the ORM of the current process and fails with a message naming the broken invariant.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from server.clock import utcnow
from server.enums import OPEN_STATES, EncounterMode, PassState
from server.models import EncounterGroup, Location, Pass, PassEvent, School


@dataclass(frozen=True, slots=True)
class PassRow:
    """The columns of a pass the invariants look at (read without building ORM objects)."""

    id: int
    student_id: int
    origin_id: int
    destination_id: int
    state: PassState
    open_student_id: int | None
    version: int
    offer_expires_at: datetime | None


@dataclass(frozen=True, slots=True)
class EventRow:
    """The columns of an event the invariants look at."""

    seq: int
    hall_pass_id: int
    name: str
    data: dict[str, Any]


def columns(row_type: type[PassRow | EventRow]) -> list[str]:
    """Return the column names a row type reads."""
    return [field.name for field in fields(row_type)]


def one_open_pass_per_student(passes: Sequence[PassRow]) -> None:
    """Invariant 1: at most one pass per student in pending, waiting or active."""
    open_per_student = Counter(p.student_id for p in passes if p.state in OPEN_STATES)
    twice = {student: n for student, n in open_per_student.items() if n > 1}
    assert not twice, f"invariant 1: students with several open passes: {twice}"
    for p in passes:
        expected = p.student_id if p.state in OPEN_STATES else None
        assert p.open_student_id == expected, (
            f"invariant 1: pass {p.id} is {p.state} but open_student_id={p.open_student_id}"
        )


def room_in_the_halls(
    school: School, passes: Sequence[PassRow], places: Iterable[Location]
) -> None:
    """Invariant 2: destination capacity, the hallway maximum and origin maximum out hold.

    A place offered to a waiting pass is held for it (the fair line), so offered passes count
    as out: invariant 2 then holds whichever of them are taken.
    """
    active = [
        p
        for p in passes
        if p.state is PassState.ACTIVE
        or (p.state is PassState.WAITING and p.offer_expires_at is not None)
    ]
    at_destination = Counter(p.destination_id for p in active)
    from_origin = Counter(p.origin_id for p in active)
    for place in places:
        if place.capacity is not None:
            assert at_destination[place.id] <= place.capacity, (
                f"invariant 2: {at_destination[place.id]} passes out or offered to {place.name}, "
                f"capacity {place.capacity}"
            )
        if place.max_out is not None:
            assert from_origin[place.id] <= place.max_out, (
                f"invariant 2: {from_origin[place.id]} out of {place.name}, max {place.max_out}"
            )
    if school.hallway_max is not None:
        assert len(active) <= school.hallway_max, (
            f"invariant 2: {len(active)} students out, hallway maximum {school.hallway_max}"
        )


async def blocking_groups(school: School) -> dict[int, set[int]]:
    """Return each active blocking encounter group's member ids."""
    rows = await EncounterGroup.filter(
        school_id=school.id, active=True, mode=EncounterMode.BLOCK
    ).values("id", "expires_on", "members__id")
    today = utcnow().date()
    groups: dict[int, set[int]] = defaultdict(set)
    for row in rows:
        expired = row["expires_on"] is not None and row["expires_on"] < today
        if row["members__id"] is not None and not expired:
            groups[row["id"]].add(row["members__id"])
    return groups


def no_encounters(passes: Sequence[PassRow], groups: dict[int, set[int]]) -> None:
    """Invariant 3: two members of a blocking encounter group are never active together."""
    out = {p.student_id for p in passes if p.state is PassState.ACTIVE}
    for group_id, members in groups.items():
        together = members & out
        assert len(together) <= 1, (
            f"invariant 3: members {sorted(together)} of group {group_id} are out together"
        )


def gapless_event_log(
    school: School, passes: Sequence[PassRow], events: Sequence[EventRow]
) -> None:
    """Invariant 4: one event per change, and the school's seq runs 1..N without a gap.

    A pass's `version` starts at 1 when it is created and grows by one with every change, and
    each event carries the pass as it was right after its change, so a pass's events (in seq
    order) must carry versions 1, 2, ..., version and end in the pass's current state.
    """
    seqs = [e.seq for e in events]
    assert seqs == list(range(1, len(events) + 1)), (
        f"invariant 4: school {school.id} seqs are not 1..{len(events)}: {seqs}"
    )
    assert school.event_seq == len(events), (
        f"invariant 4: school {school.id} event_seq={school.event_seq}, {len(events)} events"
    )
    by_pass: dict[int, list[EventRow]] = defaultdict(list)
    for event in events:
        by_pass[event.hall_pass_id].append(event)
    for p in passes:
        history = by_pass.pop(p.id, [])
        versions = [e.data["version"] for e in history]
        assert versions == list(range(1, p.version + 1)), (
            f"invariant 4: pass {p.id} at version {p.version} has events "
            f"{[(e.seq, e.name, e.data['version']) for e in history]}"
        )
        assert history[0].name == "pass.created", (
            f"invariant 4: pass {p.id} starts {history[0].name}"
        )
        assert history[-1].data["state"] == p.state.value, (
            f"invariant 4: pass {p.id} is {p.state} but its last event says "
            f"{history[-1].data['state']}"
        )
    assert not by_pass, f"invariant 4: events of passes of another school: {sorted(by_pass)}"


async def assert_invariants() -> None:
    """Assert invariants 1-4 for every school in the database."""
    for school in await School.all():
        passes = [
            PassRow(**{**row, "state": PassState(row["state"])})
            for row in await Pass.filter(school_id=school.id).values(*columns(PassRow))
        ]
        places = await Location.filter(school_id=school.id)
        events = [
            EventRow(**row)
            for row in await PassEvent.filter(school_id=school.id)
            .order_by("seq")
            .values(*columns(EventRow))
        ]
        one_open_pass_per_student(passes)
        room_in_the_halls(school, passes, places)
        no_encounters(passes, await blocking_groups(school))
        gapless_event_log(school, passes, events)
