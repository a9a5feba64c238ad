"""Room in the halls: destination capacity, the school's hallway maximum, origin maximum out.

The origin maximum (`Place.max_out` of the room a pass leaves) counts the passes of one class:
a pass belongs to the class it left, its section when it has one, else its origin room. So a
request from period 2's section counts the open passes of that section (wherever it met when
they left), and a student of period 2 still out in period 3 counts for period 2's class, not
for the period-3 class now in that room; a request without a section (a homeroom, a school
without sections) counts the passes out of the room that have no section, as before sections.
The limit is the current room's `max_out`: a class has as many out as its room allows.
"""

from __future__ import annotations

from collections.abc import Iterable

from server.enums import LineReason
from server.errors import ErrorCode
from server.rules.decision import Decision
from server.rules.facts import OpenPass, Place, SchoolFacts

HALLWAYS_FULL_MESSAGE = "The hallways are full right now."


def ordinal(n: int) -> str:
    """Return 1st, 2nd, 3rd, 4th ... for a place in line."""
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    return f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th') }"


def same_class(p: OpenPass, origin_id: int, section_id: int | None) -> bool:
    """Say whether an open pass left the class a pass from this room and section leaves."""
    if section_id is not None:
        return p.section_id == section_id
    return p.section_id is None and p.origin_id == origin_id


def room_check(
    facts: SchoolFacts,
    active: Iterable[OpenPass],
    origin: Place,
    destination: Place,
    section_id: int | None = None,
) -> Decision | None:
    """Return a queueing decision when a limit is full, or None when there is room.

    `section_id` is the section the pass leaves (None: its room): see the module's docstring.
    """
    out = tuple(active)
    if destination.capacity is not None:
        there = sum(1 for p in out if p.destination_id == destination.id)
        if there >= destination.capacity:
            return Decision.queue(
                ErrorCode.CAPACITY_FULL, f"{destination.name} is full.", LineReason.PLACE_FULL
            )
    if facts.hallway_max is not None and len(out) >= facts.hallway_max:
        return Decision.queue(
            ErrorCode.CAPACITY_FULL, HALLWAYS_FULL_MESSAGE, LineReason.HALLWAY_FULL
        )
    if origin.max_out is not None:
        from_class = sum(1 for p in out if same_class(p, origin.id, section_id))
        if from_class >= origin.max_out:
            students = "1 student is" if origin.max_out == 1 else f"{origin.max_out} students are"
            mine = "class" if section_id is not None else "room"
            return Decision.queue(
                ErrorCode.CAPACITY_FULL,
                f"{students} already out of your {mine}.",
                LineReason.ROOM_MAX,
            )
    return None
