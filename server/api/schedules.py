"""Bell schedule endpoints: admins read and replace the whole schedule; everyone asks today's."""

from __future__ import annotations

from datetime import time

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.api.context import caller
from server.api.requests import read_json
from server.api.spec import Operation
from server.contract.schedules import ScheduleIn, ScheduleOut, TodayOut
from server.errors import ErrorCode as E
from server.rules.facts import Period
from server.services.schedules import (
    Override,
    Schedule,
    get_schedule,
    put_schedule,
    require_admin,
    today,
)


def as_schedule(body: ScheduleIn) -> Schedule:
    """Return the service's view of a validated body (times parsed, nothing checked yet)."""
    return Schedule(
        day_types={
            name: tuple(
                Period(p.name, time.fromisoformat(p.start), time.fromisoformat(p.end))
                for p in day_type.periods
            )
            for name, day_type in body.day_types.items()
        },
        weekdays=body.weekdays.model_dump(),
        overrides=tuple(Override(o.date, o.day_type, o.note) for o in body.overrides),
    )


async def read(request: Request) -> Response:
    """GET /api/schedule: the school's whole bell schedule (admins)."""
    return JSONResponse(await get_schedule(await caller(request)))


async def replace(request: Request) -> Response:
    """PUT /api/schedule: replace the whole bell schedule (admins)."""
    principal = await caller(request)
    require_admin(principal)  # before the body: a 403 tells nothing about what is valid
    body = await read_json(request, ScheduleIn)
    return JSONResponse(await put_schedule(principal, as_schedule(body)))


async def read_today(request: Request) -> Response:
    """GET /api/schedule/today: today's day type and periods, the current one marked."""
    return JSONResponse(await today(await caller(request)))


OPERATIONS = [
    Operation(
        "GET",
        "/api/schedule",
        read,
        "The school's whole bell schedule (admins)",
        "getSchedule",
        "schedule",
        response=ScheduleOut,
        errors=(E.FORBIDDEN,),
    ),
    Operation(
        "PUT",
        "/api/schedule",
        replace,
        "Replace the bell schedule: day types, weekdays, date overrides (admins)",
        "putSchedule",
        "schedule",
        request=ScheduleIn,
        response=ScheduleOut,
        errors=(E.FORBIDDEN,),
    ),
    Operation(
        "GET",
        "/api/schedule/today",
        read_today,
        "Today's day type and periods, the current one marked",
        "getScheduleToday",
        "schedule",
        response=TodayOut,
    ),
]
