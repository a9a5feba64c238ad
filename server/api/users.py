"""The users admin API: list, create and change the school's users (admins only)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, Field
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.api.context import caller, caller_session
from server.api.params import Flag, QueryModel, Search, Whole, positive_id, read_query
from server.api.requests import read_json
from server.api.spec import Operation
from server.contract.users import (
    StudentGroupOut,
    UserAdminOut,
    UserCreate,
    UserPageOut,
    UserPatch,
)
from server.enums import Role
from server.errors import ErrorCode as E
from server.errors import not_found
from server.services.users import (
    create_user,
    list_users,
    require_user_admin,
    student_groups,
    update_user,
)

MAX_PAGE = 200
MAX_OFFSET = 1_000_000


def _role(raw: object) -> object:
    # Blank is every role; spaces around a role are not part of it.
    if isinstance(raw, str):
        return raw.strip() or None
    return raw


class ListQuery(QueryModel):
    """GET /api/users's query: filters, and a page."""

    role: Annotated[Role | None, BeforeValidator(_role)] = Field(
        None, description="Only users of this role."
    )
    q: Search = None
    active: Flag | None = Field(
        None, description="`true`: enabled users only; `false`: disabled only."
    )
    limit: Whole = Field(50, ge=1, le=MAX_PAGE, description="Users per page.")
    offset: Whole = Field(0, ge=0, le=MAX_OFFSET, description="Users to skip.")


async def list_all(request: Request) -> Response:
    """GET /api/users: a page of the school's users, filtered (admins)."""
    principal = await caller(request)
    require_user_admin(principal)
    params = read_query(request, ListQuery)
    return JSONResponse(
        await list_users(
            principal,
            role=params.role,
            q=params.q,
            active=params.active,
            limit=params.limit,
            offset=params.offset,
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


# Users: admins only, each of their own school (docs/architecture.md, users admin API).
OPERATIONS = [
    Operation(
        "GET",
        "/api/users",
        list_all,
        "A page of the school's users: filter by role, search, active (admins)",
        "listUsers",
        "users",
        response=UserPageOut,
        errors=(E.FORBIDDEN, E.VALIDATION_ERROR),
        query=ListQuery,
    ),
    Operation(
        "POST",
        "/api/users",
        create,
        "Add a user to the school (admins)",
        "createUser",
        "users",
        request=UserCreate,
        response=UserAdminOut,
        status=201,
        errors=(E.FORBIDDEN, E.LOGIN_TAKEN, E.STUDENT_NUMBER_TAKEN),
    ),
    Operation(
        "PATCH",
        "/api/users/{id}",
        update,
        "Change a user; `active: false` disables, `password` resets; either, or a new role, "
        "ends their sessions (admins)",
        "updateUser",
        "users",
        request=UserPatch,
        response=UserAdminOut,
        errors=(E.FORBIDDEN, E.NOT_FOUND, E.LOGIN_TAKEN, E.STUDENT_NUMBER_TAKEN, E.SELF_LOCKOUT),
        path_params=("id",),
    ),
    Operation(
        "GET",
        "/api/student-groups",
        groups,
        "The school's student groups (as policies and appointments name them) and their sizes "
        "(admins, security)",
        "listStudentGroups",
        "users",
        response=StudentGroupOut,
        response_list=True,
        errors=(E.FORBIDDEN,),
    ),
]
