"""Override endpoints: administrators read who sent a student past their limits, and why."""

from __future__ import annotations

from pydantic import Field
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.api.context import caller
from server.api.params import QueryModel, Since, read_query
from server.api.spec import Operation
from server.contract.encounters import StaffOverrideOut
from server.errors import ErrorCode as E
from server.services.overrides import list_overrides, require_override_reader


class OverridesQuery(QueryModel):
    """GET /api/overrides's query: since when."""

    since: Since | None = Field(
        None,
        description="Only passes asked for at or after this time (ISO 8601 with an offset, in "
        "the years 2000 to 2099).",
    )


async def list_all(request: Request) -> Response:
    """GET /api/overrides: the school's overridden passes, newest first (admins)."""
    principal = await caller(request)
    require_override_reader(principal)
    since = read_query(request, OverridesQuery).since
    return JSONResponse(await list_overrides(principal, since))


OPERATIONS = [
    Operation(
        "GET",
        "/api/overrides",
        list_all,
        "Passes staff sent out past a student's limits or ahead of a line, and why (admins)",
        "listOverrides",
        "overrides",
        response=StaffOverrideOut,
        response_list=True,
        errors=(E.FORBIDDEN, E.VALIDATION_ERROR),
        query=OverridesQuery,
    ),
]
