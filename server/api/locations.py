"""The school's places, with how busy each is now; admins create and change them."""

from __future__ import annotations

from pydantic import Field
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from tortoise.functions import Count

from server.api.context import caller
from server.api.params import Flag, QueryModel, positive_id, read_query
from server.api.requests import read_json
from server.api.spec import Operation
from server.contract.common import wire
from server.contract.passes import EndAllIn, EndAllOut
from server.contract.places import LocationCreate, LocationOut, LocationPatch
from server.enums import PassState
from server.errors import ErrorCode as E
from server.errors import not_found
from server.models import Location, Pass
from server.rules.permissions import may_manage_policy
from server.services.places import (
    create_location,
    location_json,
    require_admin,
    staff_of,
    update_location,
)
from server.services.room_end import end_all, require_room


class ListQuery(QueryModel):
    """GET /api/locations's query."""

    include_archived: Flag = Field(
        False, description="Admins only: `true` lists archived places too."
    )


async def list_locations(request: Request) -> Response:
    """GET /api/locations: every active location of the caller's school.

    Admins also see who is assigned to each place, and archived places on request; nobody
    else sees staff assignments (a student has no business knowing who covers what).
    """
    principal = await caller(request)
    school_id = principal.actor.school_id
    admin = may_manage_policy(principal.actor)
    query = Location.filter(school_id=school_id)
    if not (admin and read_query(request, ListQuery).include_archived):
        query = query.filter(active=True)
    locations = await query.order_by("name")
    counts = (
        await Pass.filter(school_id=school_id, state__in=[PassState.ACTIVE, PassState.WAITING])
        .annotate(n=Count("id"))
        .group_by("destination_id", "state")
        .values("destination_id", "state", "n")
    )
    busy = {(row["destination_id"], str(row["state"])): int(row["n"]) for row in counts}
    # Everyone learns whether a place checks arrivals in; only admins learn who does.
    staff = await staff_of(None, [loc.id for loc in locations])
    return JSONResponse(
        [
            location_json(loc, staff[loc.id], with_staff=admin)
            | {
                "out": busy.get((loc.id, "active"), 0),
                "waiting": busy.get((loc.id, "waiting"), 0),
            }
            for loc in locations
        ]
    )


async def create(request: Request) -> Response:
    """POST /api/locations: add a place to the school (admins)."""
    principal = await caller(request)
    require_admin(principal)
    body = await read_json(request, LocationCreate)
    created = await create_location(principal, body.model_dump(mode="json", exclude_none=False))
    return JSONResponse(created | {"out": 0, "waiting": 0}, status_code=201)


async def update(request: Request) -> Response:
    """PATCH /api/locations/{id}: change a place; `active: false` archives it (admins)."""
    principal = await caller(request)
    require_admin(principal)  # before the id: a 403 tells nothing about what exists
    location_id = positive_id(request.path_params["id"])
    if location_id is None:
        raise not_found("location")
    body = await read_json(request, LocationPatch)
    changed = await update_location(
        principal, location_id, body.model_dump(mode="json", exclude_unset=True)
    )
    counts = await Pass.filter(
        destination_id=location_id, state__in=[PassState.ACTIVE, PassState.WAITING]
    ).values_list("state", flat=True)
    states = [str(state) for state in counts]
    return JSONResponse(
        changed | {"out": states.count("active"), "waiting": states.count("waiting")}
    )


async def end_room(request: Request) -> Response:
    """POST /api/locations/{id}/end-all: end exactly the confirmed passes out of the room."""
    principal = await caller(request)
    room_id = positive_id(request.path_params["id"])
    if room_id is None:
        raise not_found("location")
    # Another school's room is a 404 and a stranger's a 403 before the body is read.
    await require_room(principal, room_id)
    body = await read_json(request, EndAllIn)
    ended = await end_all(principal, room_id, body.pass_ids)
    return JSONResponse(wire(EndAllOut(passes=ended)))


OPERATIONS = [
    Operation(
        "GET",
        "/api/locations",
        list_locations,
        "Locations of the school",
        "listLocations",
        "locations",
        response=LocationOut,
        response_list=True,
        query=ListQuery,
    ),
    Operation(
        "POST",
        "/api/locations",
        create,
        "Add a place to the school (admins)",
        "createLocation",
        "locations",
        request=LocationCreate,
        response=LocationOut,
        status=201,
        errors=(E.FORBIDDEN,),
    ),
    Operation(
        "PATCH",
        "/api/locations/{id}",
        update,
        "Change a place; `active: false` archives it (admins)",
        "updateLocation",
        "locations",
        request=LocationPatch,
        response=LocationOut,
        errors=(E.FORBIDDEN, E.NOT_FOUND),
        path_params=("id",),
    ),
    Operation(
        "POST",
        "/api/locations/{id}/end-all",
        end_room,
        "End every pass out of a room at once, exactly those confirmed (its teacher, admins)",
        "endAllPasses",
        "locations",
        request=EndAllIn,
        response=EndAllOut,
        errors=(E.FORBIDDEN, E.NOT_FOUND, E.PASSES_CHANGED, E.VALIDATION_ERROR),
        path_params=("id",),
    ),
]
