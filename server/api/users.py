"""The users admin API: list, create and change the school's users (admins only)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.api.context import caller, caller_session
from server.api.params import positive_id, query_bool, query_int, query_text
from server.api.requests import read_json
from server.contract.users import UserCreate, UserPatch
from server.enums import Role
from server.errors import not_found
from server.rules.decision import FieldProblem
from server.services.users import (
    create_user,
    list_users,
    require_user_admin,
    student_groups,
    update_user,
)
from server.services.validation import invalid

MAX_PAGE = 200
MAX_OFFSET = 1_000_000
MAX_QUERY = 100


def parse_role(raw: str | None) -> Role | None:
    """Parse `?role=`, naming an unknown role."""
    if raw is None or not raw.strip():
        return None
    try:
        return Role(raw.strip())
    except ValueError:
        raise invalid([FieldProblem("role", "unknown role")]) from None


async def list_all(request: Request) -> Response:
    """GET /api/users: a page of the school's users, filtered (admins)."""
    principal = await caller(request)
    require_user_admin(principal)
    params = request.query_params
    return JSONResponse(
        await list_users(
            principal,
            role=parse_role(params.get("role")),
            q=query_text(params.get("q"), "q", max_length=MAX_QUERY),
            active=query_bool(params.get("active"), "active"),
            limit=query_int(params.get("limit"), "limit", default=50, low=1, high=MAX_PAGE),
            offset=query_int(params.get("offset"), "offset", default=0, low=0, high=MAX_OFFSET),
        )
    )


async def create(request: Request) -> Response:
    """POST /api/users: add a user to the school (admins)."""
    principal = await caller(request)
    require_user_admin(principal)
    body = await read_json(request, UserCreate)
    return JSONResponse(await create_user(principal, body.model_dump()), status_code=201)


async def update(request: Request) -> Response:
    """PATCH /api/users/{id}: change, disable or reset the password of a user (admins)."""
    principal, session = await caller_session(request)
    require_user_admin(principal)  # before the id: a 403 tells nothing about what exists
    user_id = positive_id(request.path_params["id"])
    if user_id is None:
        raise not_found("user")
    body = await read_json(request, UserPatch)
    changes = body.model_dump(exclude_unset=True)
    return JSONResponse(await update_user(principal, user_id, changes, session_id=session.id))


async def groups(request: Request) -> Response:
    """GET /api/student-groups: the school's student groups and their sizes (admins, security)."""
    return JSONResponse(await student_groups(await caller(request)))
