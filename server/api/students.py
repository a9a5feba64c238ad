"""The staff's student lookup: GET /api/students."""

from __future__ import annotations

from pydantic import Field
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.api.context import caller
from server.api.params import QueryId, QueryModel, Search, Whole, read_query
from server.api.spec import Operation
from server.contract.users import StudentOut
from server.errors import ErrorCode as E
from server.services.students import find_students

MAX_STUDENTS = 200


class LookupQuery(QueryModel):
    """GET /api/students's query: who, in which room, how many."""

    q: Search = None
    location_id: QueryId | None = Field(
        None, description="Only students of this classroom (a teacher's or substitute's own room)."
    )
    limit: Whole = Field(50, ge=1, le=MAX_STUDENTS, description="Students at most.")


async def lookup(request: Request) -> Response:
    """GET /api/students: students the caller may issue passes to, by name or number (staff)."""
    principal = await caller(request)
    params = read_query(request, LookupQuery)
    return JSONResponse(
        await find_students(
            principal,
            q=params.q,
            location_id=params.location_id,
            limit=params.limit,
        )
    )


OPERATIONS = [
    Operation(
        "GET",
        "/api/students",
        lookup,
        "Look students up by name or number: a teacher's own rooms, or the whole school for "
        "security, nurse, counselor and admins (staff)",
        "listStudents",
        "users",
        response=StudentOut,
        response_list=True,
        errors=(E.FORBIDDEN, E.NOT_FOUND, E.VALIDATION_ERROR),
        query=LookupQuery,
    ),
]
