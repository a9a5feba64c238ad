"""The staff's student lookup: GET /api/students."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.api.context import caller
from server.api.params import QueryId, QueryModel, Search, Whole, read_query
from server.api.spec import Operation
from server.contract.common import NO_NUL
from server.contract.users import StudentOut
from server.errors import ErrorCode as E
from server.services.students import find_students

MAX_STUDENTS = 200
# A bell period's name, as the schedule stores them (server/contract/schedules.py).
PeriodName = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=NO_NUL)]


class LookupQuery(QueryModel):
    """GET /api/students's query: who, in which room, how many."""

    q: Search = None
    location_id: QueryId | None = Field(
        None, description="Only students of this classroom (a teacher's or substitute's own room)."
    )
    limit: Whole = Field(50, ge=1, le=MAX_STUDENTS, description="Students at most.")
    period: PeriodName | None = Field(
        None,
        description="Teachers and substitutes: the students they have in this period of today "
        "(a period name of today's bells, else 422); default: the current period.",
    )


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
            period=params.period,
        )
    )


OPERATIONS = [
    Operation(
        "GET",
        "/api/students",
        lookup,
        "Look students up by name or number: a teacher's students of the current period (or "
        "`period`), or the whole school for security, nurse, counselor and admins (staff)",
        "listStudents",
        "users",
        response=StudentOut,
        response_list=True,
        errors=(E.FORBIDDEN, E.NOT_FOUND, E.VALIDATION_ERROR),
        query=LookupQuery,
    ),
]
