"""Encounter group endpoints: admins and security list, create, change and delete groups,
and read the log of encounters the groups prevented or reported.

Students, kiosks and other staff get 403 before anything is read; another school's groups
are 404, like any id of another school.
"""

from __future__ import annotations

from pydantic import Field
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.api.context import caller
from server.api.params import QueryId, QueryModel, Since, positive_id, read_query
from server.api.requests import read_json
from server.api.spec import Operation
from server.auth.principal import Principal
from server.contract.encounters import (
    EncounterGroupIn,
    EncounterGroupOut,
    EncounterGroupPatch,
    EncounterLogOut,
)
from server.errors import ErrorCode, HallpassError, not_found
from server.errors import ErrorCode as E
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


class LogQuery(QueryModel):
    """GET /api/encounters/log's query: since when, and of which group."""

    since: Since | None = Field(
        None,
        description="Only encounters at or after this time (ISO 8601 with an offset, in the "
        "years 2000 to 2099).",
    )
    group: QueryId | None = Field(None, description="Only this encounter group's.")


async def log(request: Request) -> Response:
    """GET /api/encounters/log: encounters prevented or reported, newest first."""
    principal = await caller(request)
    require_manager(principal)
    params = read_query(request, LogQuery)
    since, group_id = params.since, params.group
    return JSONResponse(await read_log(principal, since, group_id))


# Encounter groups: admins and security only (DESIGN.md invariant 5).
OPERATIONS = [
    Operation(
        "GET",
        "/api/encounters/groups",
        list_all,
        "The school's encounter groups (admins, security)",
        "listEncounterGroups",
        "encounters",
        response=EncounterGroupOut,
        response_list=True,
        errors=(E.FORBIDDEN,),
    ),
    Operation(
        "POST",
        "/api/encounters/groups",
        create,
        "Create an encounter group (admins, security)",
        "createEncounterGroup",
        "encounters",
        request=EncounterGroupIn,
        response=EncounterGroupOut,
        status=201,
        errors=(E.FORBIDDEN,),
    ),
    Operation(
        "GET",
        "/api/encounters/groups/{id}",
        read,
        "One encounter group (admins, security)",
        "getEncounterGroup",
        "encounters",
        response=EncounterGroupOut,
        errors=(E.FORBIDDEN, E.NOT_FOUND),
        path_params=("id",),
    ),
    Operation(
        "PATCH",
        "/api/encounters/groups/{id}",
        update,
        "Change an encounter group's name, mode, members, last day or notes (admins, security)",
        "updateEncounterGroup",
        "encounters",
        request=EncounterGroupPatch,
        response=EncounterGroupOut,
        errors=(E.FORBIDDEN, E.NOT_FOUND),
        path_params=("id",),
    ),
    Operation(
        "DELETE",
        "/api/encounters/groups/{id}",
        delete,
        "Deactivate an encounter group; its log stays (admins, security)",
        "deleteEncounterGroup",
        "encounters",
        status=204,
        errors=(E.FORBIDDEN, E.NOT_FOUND),
        path_params=("id",),
    ),
    Operation(
        "GET",
        "/api/encounters/log",
        log,
        "Encounters prevented (block) or reported (alert), newest first (admins, security)",
        "listEncounterLog",
        "encounters",
        response=EncounterLogOut,
        response_list=True,
        errors=(E.FORBIDDEN, E.VALIDATION_ERROR),
        query=LogQuery,
    ),
]
