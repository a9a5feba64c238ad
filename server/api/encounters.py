"""Encounter group endpoints: admins and security list, create, change and delete groups,
and read the log of encounters the groups prevented or reported.

Students, kiosks and other staff get 403 before anything is read; another school's groups
are 404, like any id of another school.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.api.context import caller
from server.api.params import positive_id, query_time
from server.api.requests import read_json
from server.auth.principal import Principal
from server.contract.encounters import EncounterGroupIn, EncounterGroupPatch
from server.errors import ErrorCode, HallpassError, not_found
from server.services.encounters import (
    create_group,
    delete_group,
    list_groups,
    read_group,
    read_log,
    require_manager,
    update_group,
)

# Only the last day may be cleared with null; the other fields can't be empty.
NOT_NULLABLE = ("name", "mode", "member_ids", "notes")


def bad_field(field: str, message: str) -> HallpassError:
    """Return the 422 naming one field."""
    return HallpassError(
        ErrorCode.VALIDATION_ERROR,
        f"Invalid request: {field}.",
        details={"fields": [{"field": field, "message": message}]},
    )


def _no_repeats(member_ids: list[int]) -> None:
    for index, member_id in enumerate(member_ids):
        if member_id in member_ids[:index]:
            raise bad_field(f"member_ids[{index}]", "a student listed twice")


async def _group_id(request: Request) -> tuple[Principal, int]:
    principal = await caller(request)
    require_manager(principal)  # before the path: a 403 tells nothing about what exists
    group_id = positive_id(request.path_params["id"])
    if group_id is None:
        raise not_found("encounter group")
    return principal, group_id


async def list_all(request: Request) -> Response:
    """GET /api/encounters/groups: the school's encounter groups."""
    return JSONResponse(await list_groups(await caller(request)))


async def create(request: Request) -> Response:
    """POST /api/encounters/groups: create a group."""
    principal = await caller(request)
    require_manager(principal)
    body = await read_json(request, EncounterGroupIn)
    _no_repeats(body.member_ids)
    return JSONResponse(await create_group(principal, body.model_dump()), status_code=201)


async def read(request: Request) -> Response:
    """GET /api/encounters/groups/{id}: one group."""
    principal, group_id = await _group_id(request)
    return JSONResponse(await read_group(principal, group_id))


async def update(request: Request) -> Response:
    """PATCH /api/encounters/groups/{id}: change the fields sent."""
    principal, group_id = await _group_id(request)
    values = (await read_json(request, EncounterGroupPatch)).model_dump(exclude_unset=True)
    for name in NOT_NULLABLE:
        if name in values and values[name] is None:
            raise bad_field(name, "can't be null")
    if "member_ids" in values:
        _no_repeats(values["member_ids"])
    return JSONResponse(await update_group(principal, group_id, values))


async def delete(request: Request) -> Response:
    """DELETE /api/encounters/groups/{id}: deactivate a group (its log stays)."""
    principal, group_id = await _group_id(request)
    await delete_group(principal, group_id)
    return Response(status_code=204)


def parse_group(raw: str | None) -> int | None:
    """Parse `?group=`: a group's id."""
    if raw is None:
        return None
    number = positive_id(raw)
    if number is None:
        raise bad_field("group", "not a positive id")
    return number


async def log(request: Request) -> Response:
    """GET /api/encounters/log: encounters prevented or reported, newest first."""
    principal = await caller(request)
    require_manager(principal)
    since = query_time(request.query_params.get("since"), "since")
    group_id = parse_group(request.query_params.get("group"))
    return JSONResponse(await read_log(principal, since, group_id))
