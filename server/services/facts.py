"""Load the pure rules' snapshot of a school from the database, inside a transaction."""

from __future__ import annotations

from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient

from server.enums import OPEN_STATES, Approval, EncounterMode, PassState
from server.models import EncounterGroup, Location, Pass, School
from server.rules import Encounter, OpenPass, Place, SchoolFacts


def place_of(location: Location) -> Place:
    """Return the rules' view of a location."""
    return Place(
        id=location.id,
        name=location.name,
        capacity=location.capacity,
        approval=Approval(location.approval),
        default_minutes=location.default_minutes,
        max_out=location.max_out,
        is_destination=location.is_destination and location.active,
    )


def open_pass_of(hall_pass: Pass) -> OpenPass:
    """Return the rules' view of an open pass."""
    return OpenPass(
        id=hall_pass.id,
        student_id=hall_pass.student_id,
        origin_id=hall_pass.origin_id,
        destination_id=hall_pass.destination_id,
        state=PassState(hall_pass.state),
        queued_at=hall_pass.queued_at,
    )


async def load_facts(conn: BaseDBAsyncClient, school: School, now: datetime) -> SchoolFacts:
    """Read everything the rules look at for one school."""
    locations = await Location.filter(school_id=school.id).using_db(conn)
    # Plain rows, not models: this runs in every transition, under the school's lock.
    open_rows = (
        await Pass.filter(school_id=school.id, state__in=list(OPEN_STATES))
        .using_db(conn)
        .values("id", "student_id", "origin_id", "destination_id", "state", "queued_at")
    )
    members = (
        await EncounterGroup.filter(school_id=school.id, active=True)
        .using_db(conn)
        .values("id", "name", "mode", "expires_on", "members__id")
    )
    groups: dict[int, tuple[str, EncounterMode, set[int]]] = {}
    today = now.date()
    for row in members:
        if row["expires_on"] is not None and row["expires_on"] < today:
            continue
        _, _, ids = groups.setdefault(row["id"], (row["name"], EncounterMode(row["mode"]), set()))
        if row["members__id"] is not None:
            ids.add(row["members__id"])
    return SchoolFacts(
        now=now,
        places={loc.id: place_of(loc) for loc in locations},
        open_passes=tuple(
            OpenPass(
                id=row["id"],
                student_id=row["student_id"],
                origin_id=row["origin_id"],
                destination_id=row["destination_id"],
                state=PassState(row["state"]),
                queued_at=row["queued_at"],
            )
            for row in open_rows
        ),
        encounters=tuple(
            Encounter(gid, name, mode, frozenset(ids)) for gid, (name, mode, ids) in groups.items()
        ),
        hallway_max=school.hallway_max,
        passes_enabled=school.passes_enabled,
    )
