"""What a client starts from: the snapshot of the passes it may see, and the hallway count."""

from __future__ import annotations

from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q

from server.clock import utcnow
from server.enums import OPEN_STATES, PassState, Role
from server.hub.messages import snapshot_frame
from server.models import Pass, School
from server.rules.localtime import day_start
from server.rules.permissions import Actor, sees_full_names
from server.services.facts import zone_of
from server.services.views import line_positions, pass_json
from server.services.visibility import visible_to


async def snapshot_passes(
    actor: Actor, school: School, conn: BaseDBAsyncClient
) -> list[dict[str, Any]]:
    """Return the passes the client starts from: open or scheduled, and today's others."""
    midnight = day_start(utcnow(), zone_of(school.timezone))
    kept = Q(requested_at__gte=midnight) | Q(state__in=[*OPEN_STATES, PassState.SCHEDULED])
    passes = (
        await Pass.filter(visible_to(actor) & kept)
        .using_db(conn)
        .select_related("student", "origin", "destination")
        .order_by("id")
    )
    waiting = await Pass.filter(school_id=school.id, state=PassState.WAITING).using_db(conn)
    positions = line_positions(waiting, utcnow())
    full = sees_full_names(actor)
    return [pass_json(p, position=positions.get(p.id), full_names=full) for p in passes]


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
    passes = await snapshot_passes(actor, school, conn)
    return snapshot_frame(school.epoch, school.event_seq, passes, hallway)
