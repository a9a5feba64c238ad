"""Sections and a student's day: /api/sections, /api/sections/{id}, /api/students/.../schedule."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.api.context import caller
from server.api.params import QueryDate, QueryModel, Search, Whole, positive_id, read_query
from server.api.spec import Operation
from server.contract.sections import DaySchedule, SectionList, SectionOut
from server.errors import ErrorCode as E
from server.errors import not_found
from server.services.sections import SectionFilter, list_sections, read_section, student_day

MAX_PAGE = 500
MAX_OFFSET = 1_000_000
NAME_MAX = 100


def _name(text: str) -> str:
    if "\x00" in text:
        raise ValueError("a NUL character")
    return text.strip()


def _blank(raw: object) -> object:
    return None if isinstance(raw, str) and not raw.strip() else raw


# A period's or a day type's name as the bell schedule spells it (case and spaces ignored).
ScheduleName = Annotated[
    Annotated[str, Field(max_length=NAME_MAX), AfterValidator(_name)] | None,
    BeforeValidator(_blank),
]


class SectionsQuery(QueryModel):
    """GET /api/sections's query: a period, a search, a page."""

    period: ScheduleName = Field(
        None, description="Only sections meeting in this bell period (e.g. `Period 3`) today."
    )
    day_type: ScheduleName = Field(
        None, description="With `period`: of this day type instead of today's (e.g. `assembly`)."
    )
    q: Search = Field(None, description="Words that must each appear in the title or code.")
    limit: Whole = Field(100, ge=1, le=MAX_PAGE, description="Sections per page.")
    offset: Whole = Field(0, ge=0, le=MAX_OFFSET, description="Sections to skip.")


class DayQuery(QueryModel):
    """A student's day's query: which date."""

    date: QueryDate | None = Field(
        None, description="School-local date, `YYYY-MM-DD` (default today)."
    )


async def list_all(request: Request) -> Response:
    """GET /api/sections: the sections the caller may read, optionally of one period."""
    principal = await caller(request)
    params = read_query(request, SectionsQuery)
    wanted = SectionFilter(
        period=params.period,
        day_type=params.day_type,
        q=params.q,
        limit=params.limit,
        offset=params.offset,
    )
    return JSONResponse(await list_sections(principal, wanted))


async def read_one(request: Request) -> Response:
    """GET /api/sections/{id}: one section with its roster."""
    principal = await caller(request)
    section_id = positive_id(request.path_params["id"])
    if section_id is None:
        raise not_found("section")
    return JSONResponse(await read_section(principal, section_id))


async def day_of(request: Request) -> Response:
    """GET /api/students/{id}/schedule: a student's day, period by period."""
    principal = await caller(request)
    on = read_query(request, DayQuery).date
    student_id = positive_id(request.path_params["id"])
    if student_id is None:
        raise not_found("student")
    return JSONResponse(await student_day(principal, student_id, on))


async def my_day(request: Request) -> Response:
    """GET /api/students/me/schedule: the signed-in student's own day."""
    principal = await caller(request)
    on = read_query(request, DayQuery).date
    return JSONResponse(await student_day(principal, None, on))


OPERATIONS = [
    Operation(
        "GET",
        "/api/sections",
        list_all,
        "Sections: the whole school's (admins, security, counselors) or a teacher's own; "
        "`period` lists those meeting in it today",
        "listSections",
        "sections",
        response=SectionList,
        errors=(E.FORBIDDEN, E.VALIDATION_ERROR),
        query=SectionsQuery,
    ),
    Operation(
        "GET",
        "/api/sections/{id}",
        read_one,
        "One section with its roster (a teacher: only their own)",
        "getSection",
        "sections",
        response=SectionOut,
        errors=(E.FORBIDDEN, E.NOT_FOUND),
        path_params=("id",),
    ),
    # Before /api/students/{id}/schedule: `me` is not an id.
    Operation(
        "GET",
        "/api/students/me/schedule",
        my_day,
        "The signed-in student's day: each period, its section, room and teachers (students)",
        "getMySchedule",
        "sections",
        response=DaySchedule,
        errors=(E.FORBIDDEN, E.NOT_FOUND, E.VALIDATION_ERROR),
        query=DayQuery,
    ),
    Operation(
        "GET",
        "/api/students/{id}/schedule",
        day_of,
        "A student's day: each period, its section, room and teachers (admins, security, "
        "counselors; a teacher for their own students; a student for themselves)",
        "getStudentSchedule",
        "sections",
        response=DaySchedule,
        errors=(E.FORBIDDEN, E.NOT_FOUND, E.VALIDATION_ERROR),
        query=DayQuery,
        path_params=("id",),
    ),
]
