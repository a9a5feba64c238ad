"""The staff's student lookup: GET /api/students."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.api.context import caller
from server.api.params import MAX_ID, query_int, query_text
from server.services.students import find_students

MAX_STUDENTS = 200
MAX_QUERY = 100


async def lookup(request: Request) -> Response:
    """GET /api/students: students the caller may issue passes to, by name or number (staff)."""
    principal = await caller(request)
    params = request.query_params
    location_id = None
    if params.get("location_id") is not None:
        location_id = query_int(params["location_id"], "location_id", default=0, low=1, high=MAX_ID)
    return JSONResponse(
        await find_students(
            principal,
            q=query_text(params.get("q"), "q", max_length=MAX_QUERY),
            location_id=location_id,
            limit=query_int(params.get("limit"), "limit", default=50, low=1, high=MAX_STUDENTS),
        )
    )
