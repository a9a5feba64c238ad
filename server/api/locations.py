"""The school's places, with how busy each is now."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from tortoise.functions import Count

from server.api.context import caller
from server.enums import PassState
from server.models import Location, Pass


async def list_locations(request: Request) -> Response:
    """GET /api/locations: every active location of the caller's school."""
    principal = await caller(request)
    school_id = principal.actor.school_id
    locations = await Location.filter(school_id=school_id, active=True).order_by("name")
    counts = (
        await Pass.filter(school_id=school_id, state__in=[PassState.ACTIVE, PassState.WAITING])
        .annotate(n=Count("id"))
        .group_by("destination_id", "state")
        .values("destination_id", "state", "n")
    )
    busy = {(row["destination_id"], str(row["state"])): int(row["n"]) for row in counts}
    return JSONResponse(
        [
            {
                "id": loc.id,
                "name": loc.name,
                "kind": str(loc.kind),
                "capacity": loc.capacity,
                "approval": str(loc.approval),
                "default_minutes": loc.default_minutes,
                "is_destination": loc.is_destination,
                "geometry": loc.geometry,
                "out": busy.get((loc.id, "active"), 0),
                "waiting": busy.get((loc.id, "waiting"), 0),
            }
            for loc in locations
        ]
    )
