"""Substitutes for the day: grant, list, revoke, a new code (teachers and admins); sign in with a
code (anyone, rate limited per address); and a pass's history, a substitute named as one.

Another school's grant or pass is 404; a role that may not manage substitutes is 403 before
anything is read.
"""

from __future__ import annotations

from pydantic import Field
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.api.context import caller, context
from server.api.params import QueryDate, QueryModel, Search, Whole, positive_id, read_query
from server.api.requests import read_json
from server.api.session import rate_limited, signed_in
from server.api.spec import Operation
from server.auth.authenticate import check_origin
from server.auth.sessions import create_session
from server.contract.session import SessionOut
from server.contract.substitutes import (
    CodeSignIn,
    GrantCreate,
    GrantOut,
    GrantWithCode,
    PassEventOut,
    SubstitutePerson,
)
from server.enums import SessionVia
from server.errors import ErrorCode, HallpassError, not_found
from server.errors import ErrorCode as E
from server.services.history import pass_history
from server.services.substitutes import (
    MAX_PEOPLE,
    create_grant,
    list_grants,
    my_grants,
    redeem_code,
    reissue_code,
    require_granter,
    revoke_grant,
    substitute_people,
)


def _grant_id(request: Request) -> int:
    number = positive_id(request.path_params["id"])
    if number is None:
        raise not_found("substitute grant")
    return number


async def create(request: Request) -> Response:
    """POST /api/substitutes: grant a substitute a room and/or sections for a day."""
    principal = await caller(request)
    require_granter(principal)  # before the body: a 403 tells nothing about what exists
    body = await read_json(request, GrantCreate)
    return JSONResponse(await create_grant(principal, body), status_code=201)


class GrantsQuery(QueryModel):
    """GET /api/substitutes's query: which day."""

    day: QueryDate | None = Field(
        None, description="School-local date, `YYYY-MM-DD` (default today)."
    )


async def list_all(request: Request) -> Response:
    """GET /api/substitutes: the day's grants the caller manages."""
    principal = await caller(request)
    require_granter(principal)
    params = read_query(request, GrantsQuery)
    return JSONResponse(await list_grants(principal, params.day))


class PeopleQuery(QueryModel):
    """GET /api/substitute-accounts's query: whom, how many."""

    q: Search = Field(
        None, description="Words that must each appear in the first name, last name or e-mail."
    )
    limit: Whole = Field(MAX_PEOPLE, ge=1, le=MAX_PEOPLE, description="People at most.")


async def people(request: Request) -> Response:
    """GET /api/substitute-accounts: the school's substitutes with their own sign-in (picker)."""
    principal = await caller(request)
    require_granter(principal)
    params = read_query(request, PeopleQuery)
    return JSONResponse(await substitute_people(principal, params.q, params.limit))


async def revoke(request: Request) -> Response:
    """DELETE /api/substitutes/{id}: revoke a grant; its sessions and sockets end now."""
    principal = await caller(request)
    require_granter(principal)
    await revoke_grant(principal, _grant_id(request))
    return Response(status_code=204)


async def new_code(request: Request) -> Response:
    """POST /api/substitutes/{id}/code: a new code for the grant; the old one stops working."""
    principal = await caller(request)
    require_granter(principal)
    return JSONResponse(await reissue_code(principal, _grant_id(request)))


async def sign_in_with_code(request: Request) -> Response:
    """POST /api/session/code: a substitute signs in with their one-day code."""
    ctx = context(request)
    check_origin(request, ctx.settings.allowed_origins)
    body = await read_json(request, CodeSignIn)
    limiter = ctx.runtime.code_limiter
    address = request.client.host if request.client else "unknown"
    wait = await limiter.wait(address)
    if wait is not None:
        raise rate_limited(wait)
    try:
        grant = await redeem_code(body.code)
    except HallpassError as exc:
        if exc.code is ErrorCode.INVALID_CODE:
            await limiter.failed(address)
        raise
    user = grant.substitute
    new = await create_session(
        user, ctx.settings.session_hours, via=SessionVia.CODE, grant=grant, ends_by=grant.ends_at
    )
    return await signed_in(request, user, new)


async def mine(request: Request) -> Response:
    """GET /api/me/substitute: the grants the caller works under now (empty for most)."""
    return JSONResponse(await my_grants(await caller(request)))


async def history(request: Request) -> Response:
    """GET /api/passes/{id}/history: the pass's events, who caused each (staff)."""
    principal = await caller(request)
    number = positive_id(request.path_params["id"])
    if number is None:
        raise not_found("pass")
    return JSONResponse(await pass_history(principal, number))


CODE_ERRORS = (
    E.INVALID_CODE,
    E.CODE_REVOKED,
    E.CODE_EXPIRED,
    E.CODE_NOT_YET_VALID,
    E.RATE_LIMITED,
    E.ORIGIN_NOT_ALLOWED,
)
OPERATIONS = [
    Operation(
        "POST",
        "/api/substitutes",
        create,
        "Grant a substitute a room or an absent teacher's sections for a day (teachers, admins)",
        "createSubstituteGrant",
        "substitutes",
        request=GrantCreate,
        response=GrantWithCode,
        status=201,
        errors=(E.FORBIDDEN, E.NOT_FOUND),
    ),
    Operation(
        "GET",
        "/api/substitutes",
        list_all,
        "The day's substitute grants: a teacher's rooms and sections, or all (admins)",
        "listSubstituteGrants",
        "substitutes",
        response=GrantOut,
        response_list=True,
        errors=(E.FORBIDDEN, E.VALIDATION_ERROR),
        query=GrantsQuery,
    ),
    Operation(
        "GET",
        "/api/substitute-accounts",
        people,
        "The school's substitutes who sign in with their own account, to pick for a grant "
        "(teachers, admins)",
        "listSubstitutePeople",
        "substitutes",
        response=SubstitutePerson,
        response_list=True,
        errors=(E.FORBIDDEN, E.VALIDATION_ERROR),
        query=PeopleQuery,
    ),
    Operation(
        "DELETE",
        "/api/substitutes/{id}",
        revoke,
        "Revoke a substitute grant: its code and sessions end now",
        "revokeSubstituteGrant",
        "substitutes",
        status=204,
        errors=(E.FORBIDDEN, E.NOT_FOUND),
        path_params=("id",),
    ),
    Operation(
        "POST",
        "/api/substitutes/{id}/code",
        new_code,
        "Issue a new sign-in code for a grant; the old code and its sessions end",
        "reissueSubstituteCode",
        "substitutes",
        response=GrantWithCode,
        errors=(E.FORBIDDEN, E.NOT_FOUND, E.NO_CODE, E.GRANT_CLOSED),
        path_params=("id",),
    ),
    Operation(
        "POST",
        "/api/session/code",
        sign_in_with_code,
        "Sign in with a substitute's one-day code",
        "codeLogin",
        "session",
        request=CodeSignIn,
        response=SessionOut,
        authenticated=False,
        errors=CODE_ERRORS,
    ),
    Operation(
        "GET",
        "/api/me/substitute",
        mine,
        "The substitute grants the caller works under now: whom they cover, where, until when",
        "mySubstituteGrants",
        "substitutes",
        response=GrantOut,
        response_list=True,
    ),
    Operation(
        "GET",
        "/api/passes/{id}/history",
        history,
        "A pass's history: each event and who caused it, a substitute named as one (staff)",
        "getPassHistory",
        "passes",
        response=PassEventOut,
        response_list=True,
        errors=(E.FORBIDDEN, E.NOT_FOUND),
        path_params=("id",),
    ),
]
