"""The snapshot of a school that rules decide on: frozen dataclasses of ids and values."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from server.enums import Approval, EncounterMode, PassState


@dataclass(frozen=True, slots=True)
class Place:
    """A location as the rules see it."""

    id: int
    name: str
    capacity: int | None = None
    approval: Approval = Approval.NONE
    default_minutes: int = 5
    max_out: int | None = None
    is_destination: bool = True


@dataclass(frozen=True, slots=True)
class OpenPass:
    """A pass in `pending`, `waiting` or `active`."""

    id: int
    student_id: int
    origin_id: int
    destination_id: int
    state: PassState
    queued_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Encounter:
    """An encounter group: its mode and its members' ids."""

    id: int
    name: str
    mode: EncounterMode
    member_ids: frozenset[int]


@dataclass(frozen=True, slots=True)
class SchoolFacts:
    """Everything a decision may look at, taken inside the transition's transaction."""

    now: datetime
    places: Mapping[int, Place]
    open_passes: tuple[OpenPass, ...] = ()
    encounters: tuple[Encounter, ...] = ()
    hallway_max: int | None = None
    passes_enabled: bool = True

    def active(self) -> tuple[OpenPass, ...]:
        """Return the passes out of class right now."""
        return tuple(p for p in self.open_passes if p.state is PassState.ACTIVE)

    def waiting_line(self) -> tuple[OpenPass, ...]:
        """Return the waiting passes in arrival order (first in line first)."""
        waiting = [p for p in self.open_passes if p.state is PassState.WAITING]
        return tuple(sorted(waiting, key=lambda p: (p.queued_at or self.now, p.id)))


@dataclass(frozen=True, slots=True)
class PassRequest:
    """A new pass as asked for: by the student, or issued by staff."""

    student_id: int
    origin_id: int
    destination_id: int
    issued_by_staff: bool = False
    start_at: datetime | None = None
    # The maker is staff of the destination (or an admin): a visit there needs no acceptance.
    destination_accepts: bool = False
