"""The snapshot of a school that rules decide on: frozen dataclasses of ids and values."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, tzinfo

from server.enums import Approval, EncounterMode, PassState, PolicyScope

# A policy setting's value: a whole number, a flag, names (of periods), or None for "no limit".
PolicyValue = int | bool | tuple[str, ...] | None


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
    # Set while a waiting pass is offered a freed place: it holds that place until then.
    offer_expires_at: datetime | None = None
    # Ahead of the others in line (the student's accommodation when the pass was made).
    line_priority: bool = False
    # The section it left (None: its origin room alone): its class, for the origin maximum.
    section_id: int | None = None

    @property
    def offered(self) -> bool:
        """Say whether the pass is waiting with a place offered to it (reserved for it)."""
        return self.state is PassState.WAITING and self.offer_expires_at is not None


@dataclass(frozen=True, slots=True)
class Encounter:
    """An encounter group: its mode, its members' ids, and the last local day it applies."""

    id: int
    name: str
    mode: EncounterMode
    member_ids: frozenset[int]
    expires_on: date | None = None  # inclusive, in the school's timezone; None: no end


@dataclass(frozen=True, slots=True)
class PolicyRow:
    """One policy row: the settings a scope sets (an absent name inherits; None means no limit)."""

    scope: PolicyScope
    target: str  # "" for the school, else the grade, group name, location id or student id
    values: Mapping[str, PolicyValue]


@dataclass(frozen=True, slots=True)
class Requester:
    """The student asking for a pass, as their limits see them (loaded for their own requests).

    `counted` holds the request times of their counted passes (they started them, the pass was
    not denied or cancelled, its destination is not exempt) since the school week began;
    `last_ended_at` is when the latest counted pass ended, however long ago.
    """

    student_id: int
    grade: int | None = None
    groups: frozenset[str] = frozenset()
    counted: tuple[datetime, ...] = ()
    last_ended_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Period:
    """One period of a day type, in school-local wall-clock times (start before end)."""

    name: str
    start: time
    end: time


@dataclass(frozen=True, slots=True)
class BellSchedule:
    """A school's bell schedule: its day types, each weekday's, and dates that differ.

    `weekdays` has seven entries, Monday first (None: no school). `overrides` maps a date to
    the day type it follows instead (None: no school that day); the database hands the rules
    only the dates they ask about.
    """

    day_types: Mapping[str, tuple[Period, ...]]
    weekdays: tuple[str | None, ...] = (None,) * 7
    overrides: Mapping[date, str | None] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SchoolFacts:
    """Everything a decision may look at, taken inside the transition's transaction."""

    now: datetime
    places: Mapping[int, Place]
    open_passes: tuple[OpenPass, ...] = ()
    encounters: tuple[Encounter, ...] = ()
    hallway_max: int | None = None
    passes_enabled: bool = True
    # An emergency is in force (kept apart from the admin's switch above): no pass starts.
    emergency: bool = False
    # The school's timezone: its days start at local midnight and its weeks on Monday.
    zone: tzinfo = UTC
    policies: tuple[PolicyRow, ...] = ()
    # Set only when deciding a student's own request: staff-made passes have no limits to check.
    requester: Requester | None = None
    # The bell schedule, loaded with a student's request when a policy row sets a no-fly time.
    schedule: BellSchedule | None = None

    def active(self) -> tuple[OpenPass, ...]:
        """Return the passes out of class right now."""
        return tuple(p for p in self.open_passes if p.state is PassState.ACTIVE)

    def holding(self) -> tuple[OpenPass, ...]:
        """Return the passes that hold a place: out of class, or offered one (reserved)."""
        return tuple(p for p in self.open_passes if p.state is PassState.ACTIVE or p.offered)

    def waiting_line(self) -> tuple[OpenPass, ...]:
        """Return the waiting passes first in line first: priority, then arrival order."""
        waiting = [p for p in self.open_passes if p.state is PassState.WAITING]
        return tuple(
            sorted(waiting, key=lambda p: (not p.line_priority, p.queued_at or self.now, p.id))
        )


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
    # The section the student leaves (None: their homeroom room, or no sections).
    section_id: int | None = None
