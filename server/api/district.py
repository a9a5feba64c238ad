"""/api/district: a district's administrators create its schools and their admins, and read
each school's settings and report (docs/districts.md). Nobody else may; another district's
school is a 404."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.api.context import district_caller
from server.api.params import positive_id
from server.api.requests import read_json
from server.api.spec import Operation
from server.contract.district import (
    AdminCreate,
    AdminCreated,
    DistrictOut,
    DistrictSchoolOut,
    SchoolCreate,
    SchoolReport,
)
from server.contract.places import SchoolSettingsOut
from server.enums import Role
from server.errors import ErrorCode as E
from server.errors import not_found
from server.models import District, School
from server.services import districts


async def _district(request: Request) -> District:
    # The role first: a 403 tells nothing about which districts or schools exist.
    return await districts.district_of(await district_caller(request))


async def _school(request: Request) -> School:
    district = await _district(request)
    school_id = positive_id(request.path_params["id"])
    if school_id is None:
        raise not_found("school")
    return await districts.school_in(district, school_id)


async def read(request: Request) -> Response:
    """GET /api/district: the caller's district and its schools."""
    return JSONResponse(await districts.district_json(await _district(request)))


async def create_school(request: Request) -> Response:
    """POST /api/district/schools: a new school of the district, with its default places."""
    district = await _district(request)
    body = await read_json(request, SchoolCreate)
    school = await districts.create_school(district, body.name, body.slug, body.timezone)
    return JSONResponse(districts.school_json(school), status_code=201)


async def school_settings(request: Request) -> Response:
    """GET /api/district/schools/{id}: one school's settings, as its admins see them."""
    return JSONResponse(await districts.school_settings(await _school(request)))


async def school_report(request: Request) -> Response:
    """GET /api/district/schools/{id}/report: one school's numbers, no person's name."""
    return JSONResponse(await districts.school_report(await _school(request)))


async def add_admin(request: Request) -> Response:
    """POST /api/district/schools/{id}/admins: an administrator for one school."""
    school = await _school(request)
    body = await read_json(request, AdminCreate)
    user, password = await districts.create_account(
        school, Role.ADMIN, body.email, body.first_name, body.last_name
    )
    return JSONResponse(districts.created_json(user, school, password), status_code=201)


OPERATIONS = [
    Operation(
        "GET",
        "/api/district",
        read,
        "The district and its schools (district administrators)",
        "getDistrict",
        "district",
        response=DistrictOut,
        errors=(E.FORBIDDEN,),
    ),
    Operation(
        "POST",
        "/api/district/schools",
        create_school,
        "Create a school of the district, with a restroom, the nurse and the main office",
        "createDistrictSchool",
        "district",
        request=SchoolCreate,
        response=DistrictSchoolOut,
        status=201,
        errors=(E.FORBIDDEN, E.SLUG_TAKEN),
    ),
    Operation(
        "GET",
        "/api/district/schools/{id}",
        school_settings,
        "One school's settings (district administrators)",
        "getDistrictSchool",
        "district",
        response=SchoolSettingsOut,
        errors=(E.FORBIDDEN, E.NOT_FOUND),
        path_params=("id",),
    ),
    Operation(
        "GET",
        "/api/district/schools/{id}/report",
        school_report,
        "One school's numbers today and this week: counts only, no names",
        "getDistrictSchoolReport",
        "district",
        response=SchoolReport,
        errors=(E.FORBIDDEN, E.NOT_FOUND),
        path_params=("id",),
    ),
    Operation(
        "POST",
        "/api/district/schools/{id}/admins",
        add_admin,
        "Add an administrator to one school: answers their one-time password, once",
        "addDistrictSchoolAdmin",
        "district",
        request=AdminCreate,
        response=AdminCreated,
        status=201,
        errors=(E.FORBIDDEN, E.NOT_FOUND, E.LOGIN_TAKEN),
        path_params=("id",),
    ),
]
