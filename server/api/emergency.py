"""Emergency endpoints (issue 7): start, read, account for the roster, end; the record, its
CSV and printable page; the page's stylesheet."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.api.context import caller
from server.api.params import positive_id
from server.api.requests import read_json
from server.api.roster_export import filename, roster_csv, roster_html, stylesheet
from server.api.spec import Operation
from server.auth.principal import Principal
from server.contract.emergency import (
    EmergencyStaffView,
    EmergencyStart,
    EmergencyStateOut,
    EmergencySummaryOut,
    PresentIn,
    SelfReportIn,
)
from server.enums import ReportStatus, Role
from server.errors import ErrorCode as E
from server.errors import not_found
from server.models import School
from server.services.emergency import (
    ENDERS,
    MARKERS,
    end_emergency,
    list_past,
    mark_present,
    read_current,
    read_record,
    report_self,
    require_role,
    start_emergency,
)
from server.services.facts import zone_of


async def start(request: Request) -> Response:
    """POST /api/emergency: start one (admins, security); 409 `emergency_active` if one is on."""
    principal = await caller(request)
    body = await read_json(request, EmergencyStart)
    return JSONResponse(await start_emergency(principal, body.kind), status_code=201)


async def read(request: Request) -> Response:
    """GET /api/emergency: whether one is on, and the caller's view of it."""
    return JSONResponse(await read_current(await caller(request)))


async def end(request: Request) -> Response:
    """DELETE /api/emergency: end it (admins)."""
    return JSONResponse(await end_emergency(await caller(request)))


async def report(request: Request) -> Response:
    """POST /api/emergency/report: a roster student says they are safe or need help."""
    principal = await caller(request)
    body = await read_json(request, SelfReportIn)
    status = ReportStatus(body.status)
    return JSONResponse(await report_self(principal, status, body.location_id, body.note))


async def present(request: Request) -> Response:
    """POST /api/emergency/roster/{id}/present: staff have the student in a room."""
    principal = await caller(request)
    student_id = positive_id(request.path_params["id"])
    if student_id is None:
        raise not_found("student")
    body = await read_json(request, PresentIn)
    return JSONResponse(await mark_present(principal, student_id, body.location_id, body.note))


async def list_all(request: Request) -> Response:
    """GET /api/emergencies: every emergency of the school, newest first (admins)."""
    return JSONResponse(await list_past(await caller(request)))


async def _record(
    request: Request, readers: frozenset[Role] = ENDERS
) -> tuple[Principal, dict[str, Any]]:
    principal = await caller(request)
    require_role(principal, readers, "Your role can't read this emergency's record.")
    emergency_id = positive_id(request.path_params["id"])
    if emergency_id is None:
        raise not_found("emergency")
    return principal, await read_record(principal, emergency_id, readers)


async def read_one(request: Request) -> Response:
    """GET /api/emergencies/{id}: one emergency's whole record (admins)."""
    _, state = await _record(request)
    return JSONResponse(state)


async def _school(principal: Principal) -> School:
    return await School.get(id=principal.actor.school_id)


async def export_csv(request: Request) -> Response:
    """GET /api/emergencies/{id}/roster.csv: the roster as a CSV download (staff)."""
    principal, state = await _record(request, MARKERS)
    school = await _school(principal)
    return Response(
        roster_csv(state, zone_of(school.timezone)),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{filename(state, "csv")}"'},
    )


async def export_html(request: Request) -> Response:
    """GET /api/emergencies/{id}/roster.html: the roster as a printable page (staff)."""
    principal, state = await _record(request, MARKERS)
    school = await _school(principal)
    return Response(
        roster_html(state, school.name, zone_of(school.timezone)),
        media_type="text/html; charset=utf-8",
    )


async def roster_stylesheet(request: Request) -> Response:
    """GET /static/roster.css: the printable roster's stylesheet."""
    return Response(
        stylesheet(),
        media_type="text/css; charset=utf-8",
        headers={"cache-control": "public, max-age=3600"},
    )


# Emergency mode (issue 7, docs/adr/0007-emergency.md), as DESIGN.md section 4 names it.
OPERATIONS = [
    Operation(
        "POST",
        "/api/emergency",
        start,
        "Start an emergency: cancel passes not yet out, freeze the roster of students out, "
        "refuse new passes, tell every staff member (admins, security)",
        "startEmergency",
        "emergency",
        request=EmergencyStart,
        response=EmergencyStateOut,
        status=201,
        errors=(E.FORBIDDEN, E.EMERGENCY_ACTIVE),
    ),
    Operation(
        "GET",
        "/api/emergency",
        read,
        "Whether an emergency is in force; staff see the roster, a student their own entry, "
        "a kiosk only that one is on",
        "getEmergency",
        "emergency",
        response=EmergencyStateOut,
    ),
    Operation(
        "DELETE",
        "/api/emergency",
        end,
        "End the emergency: the roster's passes end (`ended_by` emergency), passes start "
        "again, the record is kept (admins)",
        "endEmergency",
        "emergency",
        response=EmergencyStateOut,
        errors=(E.FORBIDDEN, E.NO_EMERGENCY),
    ),
    Operation(
        "POST",
        "/api/emergency/report",
        report,
        "A roster student reports they are safe or need help, where, with a note (students)",
        "reportEmergencyStatus",
        "emergency",
        request=SelfReportIn,
        response=EmergencyStateOut,
        errors=(E.FORBIDDEN, E.NO_EMERGENCY, E.NOT_ON_ROSTER),
    ),
    Operation(
        "POST",
        "/api/emergency/roster/{id}/present",
        present,
        "Mark a roster student present in a room (staff)",
        "markEmergencyPresent",
        "emergency",
        request=PresentIn,
        response=EmergencyStateOut,
        errors=(E.FORBIDDEN, E.NOT_FOUND, E.NO_EMERGENCY, E.NOT_ON_ROSTER),
        path_params=("id",),
    ),
    Operation(
        "GET",
        "/api/emergencies",
        list_all,
        "Every emergency and drill of the school, newest first, without rosters (admins)",
        "listEmergencies",
        "emergency",
        response=EmergencySummaryOut,
        response_list=True,
        errors=(E.FORBIDDEN,),
    ),
    Operation(
        "GET",
        "/api/emergencies/{id}",
        read_one,
        "One emergency's whole record: roster, every report, who started and ended it (admins)",
        "getEmergencyRecord",
        "emergency",
        response=EmergencyStaffView,
        errors=(E.FORBIDDEN, E.NOT_FOUND),
        path_params=("id",),
    ),
    Operation(
        "GET",
        "/api/emergencies/{id}/roster.csv",
        export_csv,
        "The roster as CSV, one row per student with the latest report (staff)",
        "exportEmergencyRosterCsv",
        "emergency",
        errors=(E.FORBIDDEN, E.NOT_FOUND),
        path_params=("id",),
    ),
    Operation(
        "GET",
        "/api/emergencies/{id}/roster.html",
        export_html,
        "The roster as a printable page (staff)",
        "exportEmergencyRosterHtml",
        "emergency",
        errors=(E.FORBIDDEN, E.NOT_FOUND),
        path_params=("id",),
    ),
    Operation(
        "GET",
        "/static/roster.css",
        roster_stylesheet,
        "The printable roster's stylesheet",
        "getRosterStylesheet",
        "emergency",
        authenticated=False,
    ),
]
