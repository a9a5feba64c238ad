"""Room in the halls: destination capacity, the school's hallway maximum, origin maximum out."""

from __future__ import annotations

from collections.abc import Iterable

from server.errors import ErrorCode
from server.rules.decision import Decision
from server.rules.facts import OpenPass, Place, SchoolFacts

HALLWAYS_FULL_MESSAGE = "The hallways are full right now."


def ordinal(n: int) -> str:
    """Return 1st, 2nd, 3rd, 4th ... for a place in line."""
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    return f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th') }"


def room_check(
    facts: SchoolFacts, active: Iterable[OpenPass], origin: Place, destination: Place
) -> Decision | None:
    """Return a queueing decision when a limit is full, or None when there is room."""
    out = tuple(active)
    if destination.capacity is not None:
        there = sum(1 for p in out if p.destination_id == destination.id)
        if there >= destination.capacity:
            return Decision.queue(ErrorCode.CAPACITY_FULL, f"{destination.name} is full.")
    if facts.hallway_max is not None and len(out) >= facts.hallway_max:
        return Decision.queue(ErrorCode.CAPACITY_FULL, HALLWAYS_FULL_MESSAGE)
    if origin.max_out is not None:
        from_room = sum(1 for p in out if p.origin_id == origin.id)
        if from_room >= origin.max_out:
            students = "1 student is" if origin.max_out == 1 else f"{origin.max_out} students are"
            return Decision.queue(ErrorCode.CAPACITY_FULL, f"{students} already out of your room.")
    return None
