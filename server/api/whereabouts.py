"""The hall monitor's student lookup: GET /api/students/{id}/today."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.api.context import caller
from server.api.params import positive_id
from server.api.spec import Operation
from server.contract.whereabouts import StudentDay
from server.errors import ErrorCode as E
from server.errors import not_found
from server.services.whereabouts import student_day


async def today(request: Request) -> Response:
    """GET /api/students/{id}/today: where a student should be now, and today's passes."""
    principal = await caller(request)
    student_id = positive_id(request.path_params["id"])
    if student_id is None:
        raise not_found("student")
    return JSONResponse(await student_day(principal, student_id))


OPERATIONS = [
    Operation(
        "GET",
        "/api/students/{id}/today",
        today,
        "One student's day: where the timetable has them now (room, section, period) and "
        "their passes requested today, newest first (security and admins)",
        "getStudentDay",
        "users",
        response=StudentDay,
        errors=(E.FORBIDDEN, E.NOT_FOUND),
        path_params=("id",),
    ),
]
