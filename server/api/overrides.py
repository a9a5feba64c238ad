"""Override endpoints: administrators read who sent a student past their limits, and why."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.api.context import caller
from server.api.params import query_time
from server.services.overrides import list_overrides, require_override_reader


async def list_all(request: Request) -> Response:
    """GET /api/overrides: the school's overridden passes, newest first (admins)."""
    principal = await caller(request)
    require_override_reader(principal)
    since = query_time(request.query_params.get("since"), "since")
    return JSONResponse(await list_overrides(principal, since))
