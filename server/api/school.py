"""The school's own settings: hallway maximum, passes on or off, time zone, name."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.api.context import caller
from server.api.requests import read_json
from server.api.spec import Operation
from server.contract.places import SchoolPatch, SchoolSettingsOut
from server.errors import ErrorCode as E
from server.services.places import read_settings, require_admin, update_settings


async def read(request: Request) -> Response:
    """GET /api/school: the school's settings (admins and security)."""
    return JSONResponse(await read_settings(await caller(request)))


async def update(request: Request) -> Response:
    """PATCH /api/school: change the settings sent, leave the rest (admins)."""
    principal = await caller(request)
    require_admin(principal)
    body = await read_json(request, SchoolPatch)
    return JSONResponse(await update_settings(principal, body.model_dump(exclude_unset=True)))


OPERATIONS = [
    Operation(
        "GET",
        "/api/school",
        read,
        "The school's settings: hallway maximum, passes on or off, time zone (admins, security)",
        "getSchool",
        "school",
        response=SchoolSettingsOut,
        errors=(E.FORBIDDEN,),
    ),
    Operation(
        "PATCH",
        "/api/school",
        update,
        "Change the school's settings sent; the rest stay (admins)",
        "updateSchool",
        "school",
        request=SchoolPatch,
        response=SchoolSettingsOut,
        errors=(E.FORBIDDEN,),
    ),
]
