"""What a client starts from: the snapshot of the passes it may see, and the hallway count."""

from __future__ import annotations

from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from server.clock import utcnow
from server.contract.common import wire
from server.contract.frames import snapshot_frame
from server.enums import FINISHED_STATES, OPEN_STATES, PassState, Role
from server.models import Pass, School
from server.rules.localtime import day_start
from server.rules.permissions import Actor
from server.services.facts import zone_of
from server.services.visibility import line_of, visible_passes

# The finished passes of today (ended, denied, cancelled, expired) a snapshot holds, newest by
# id; the older ones are fetched by REST (the frame's `older`). A pass is about 600 bytes of
# JSON, and an admin's snapshot of a busy day's 2,348 passes was 1.35 MB, past the 1 MiB frame
# limit of common WebSocket clients. Open and scheduled passes (at most one open per student)
# are always all there; 200 finished ones (~120 KB) cover a nurse's or a student's whole day and
# the last hour or so of a whole school's.
SNAPSHOT_FINISHED = 200


async def snapshot_passes(
    actor: Actor, school: School, conn: BaseDBAsyncClient
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """Return the passes the client starts from, by id: every open or scheduled one, and the
    newest SNAPSHOT_FINISHED finished today; and where the older finished ones are, if any."""
    midnight = day_start(utcnow(), zone_of(school.timezone))
    line = await line_of(school.id, conn)
    current = await visible_passes(
        actor, states=[*OPEN_STATES, PassState.SCHEDULED], conn=conn, line=line
    )
    finished = await visible_passes(
        actor,
        states=FINISHED_STATES,
        requested_since=midnight,
        limit=SNAPSHOT_FINISHED + 1,
        conn=conn,
        line=line,
    )
    older = None
    if len(finished) > SNAPSHOT_FINISHED:
        finished = finished[:SNAPSHOT_FINISHED]
        before = finished[-1].id
        states = ",".join(sorted(FINISHED_STATES))
        older = {
            "before": before,
            "href": f"/api/passes?state={states}&before={before}&limit={SNAPSHOT_FINISHED}",
        }
    passes = sorted([*current, *finished], key=lambda p: p.id)
    return [wire(p) for p in passes], older


async def hallway_count(
    actor: Actor, school: School, conn: BaseDBAsyncClient
) -> dict[str, Any] | None:
    """Return the school's hallway count for staff screens; None for students and kiosks."""
    if actor.role in (Role.STUDENT, Role.KIOSK):
        return None
    out = await Pass.filter(school_id=school.id, state=PassState.ACTIVE).using_db(conn).count()
    return {"out": out, "max": school.hallway_max}


async def snapshot(
    actor: Actor, school: School, conn: BaseDBAsyncClient, hallway: dict[str, Any] | None
) -> str:
    """Return the snapshot frame of what the actor may see, current to the school's seq."""
    passes, older = await snapshot_passes(actor, school, conn)
    return snapshot_frame(school.epoch, school.event_seq, passes, hallway, older)
