"""The school's live state for `school` frames: place counts, the hallway, passes on or off.

Read from the database (the source of truth) in one consistent read, so a process that missed
an announcement still sends the right counts: the feed re-reads it after every event that can
move a count and after every settings change (server/hub/feed.py). Each audience's frame text
is built once per change: staff get the hallway count; students and kiosks only whether the
hallways are full.
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.functions import Count

from server.contract.frames import school_frame
from server.enums import LineReason, PassState, Role
from server.models import Location, Pass, School
from server.rules.permissions import Actor

# Events after which no count can have moved: the rest (created, started, ended, taken,
# offered, ...) make the feed re-read the school's state.
COUNT_NEUTRAL_EVENTS = frozenset({"pass.arrived", "pass.reminder", "pass.overdue"})


@dataclass(frozen=True, slots=True)
class SchoolState:
    """What a `school` frame says, as read at one event seq."""

    seq: int
    passes_enabled: bool
    hallway_max: int | None
    out: int  # active passes: the staff's hallway count
    holding: int  # active passes and places offered to the line: what the maximum counts
    places: tuple[tuple[int, int, int], ...]  # (place id, out, waiting), by id
    # Students whose pass waits "because the hallways are full" (an encounter group's hold
    # reads the same): their own frame says the hallways are full, so nothing they are sent
    # contradicts what they were told (DESIGN.md invariant 5).
    held_back: frozenset[int]

    @property
    def hallway_full(self) -> bool:
        """Say whether the school's hallway maximum is taken."""
        return self.hallway_max is not None and self.holding >= self.hallway_max

    def counts(self) -> tuple[object, ...]:
        """Return what the frames show, to tell whether anything on a screen changed."""
        return (
            self.passes_enabled,
            self.hallway_max,
            self.out,
            self.holding,
            self.places,
            self.held_back,
        )

    def staff_frame(self) -> str:
        """Return the frame staff get: counts and the hallway count."""
        hallway = {"out": self.out, "max": self.hallway_max}
        return school_frame(self.seq, self.passes_enabled, self.hallway_full, self.places, hallway)

    def shared_frame(self, *, held_back: bool = False) -> str:
        """Return the frame students and kiosks get: counts, no hallway count."""
        full = self.hallway_full or held_back
        return school_frame(self.seq, self.passes_enabled, full, self.places)


def frame_for(state: SchoolState, actor: Actor) -> str:
    """Return the `school` frame one actor's screens get."""
    if actor.role is Role.KIOSK:
        return state.shared_frame()
    if actor.role is Role.STUDENT:
        return state.shared_frame(held_back=actor.user_id in state.held_back)
    return state.staff_frame()


async def read_school_state(conn: BaseDBAsyncClient, school_id: int) -> SchoolState | None:
    """Read the school's live state (None: the school is gone); call inside a consistent
    read so that the counts and the seq agree."""
    school = (
        await School.filter(id=school_id)
        .using_db(conn)
        .only("id", "event_seq", "passes_enabled", "hallway_max")
        .first()
    )
    if school is None:
        return None
    place_rows = (
        await Location.filter(school_id=school_id, active=True)
        .using_db(conn)
        .order_by("id")
        .values_list("id")
    )
    place_ids = [int(row[0]) for row in place_rows]
    rows = (
        await Pass.filter(school_id=school_id, state__in=[PassState.ACTIVE, PassState.WAITING])
        .using_db(conn)
        .annotate(n=Count("id"))
        .group_by("destination_id", "state")
        .values("destination_id", "state", "n")
    )
    busy = {(int(r["destination_id"]), str(r["state"])): int(r["n"]) for r in rows}
    offered = (
        await Pass.filter(
            school_id=school_id, state=PassState.WAITING, offer_expires_at__isnull=False
        )
        .using_db(conn)
        .count()
    )
    held = (
        await Pass.filter(
            school_id=school_id,
            state=PassState.WAITING,
            line_reason=LineReason.HALLWAY_FULL.value,
        )
        .using_db(conn)
        .values_list("student_id")
    )
    out = sum(n for (_, state), n in busy.items() if state == PassState.ACTIVE.value)
    return SchoolState(
        seq=school.event_seq,
        passes_enabled=school.passes_enabled,
        hallway_max=school.hallway_max,
        out=out,
        holding=out + offered,
        places=tuple(
            (
                i,
                busy.get((i, PassState.ACTIVE.value), 0),
                busy.get((i, PassState.WAITING.value), 0),
            )
            for i in place_ids
        ),
        held_back=frozenset(int(row[0]) for row in held),
    )
