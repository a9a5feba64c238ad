"""Where the signed-in student is now: GET /api/placement."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.api.context import caller
from server.api.spec import Operation
from server.contract.sections import Placement
from server.errors import ErrorCode as E
from server.services.placement import where_now


async def read(request: Request) -> Response:
    """GET /api/placement: the student's room, section, period and teachers now."""
    return JSONResponse(await where_now(await caller(request)))


OPERATIONS = [
    Operation(
        "GET",
        "/api/placement",
        read,
        "Where the signed-in student is now: the room a pass of theirs leaves, its section, "
        "period and teachers (students)",
        "getPlacement",
        "users",
        response=Placement,
        errors=(E.FORBIDDEN,),
    ),
]
