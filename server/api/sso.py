"""Single sign-on over HTTP (docs/sso.md): the sign-in buttons, a sign-in started and finished
(redirects, never JSON, for a browser), and the admin's providers and attempt log."""

from __future__ import annotations

import secrets
from typing import Annotated
from urllib.parse import urlencode

from pydantic import AfterValidator, Field
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from server.api.context import context, signed_in_session
from server.api.params import QueryModel, Whole, positive_id, read_query
from server.api.requests import read_json
from server.api.session import rate_limited, set_session_cookie
from server.api.spec import Operation
from server.auth.principal import Principal
from server.contract.sso import (
    ProviderCreate,
    ProviderOut,
    ProviderPatch,
    PublicProvidersOut,
    SignInAttemptOut,
    SsoSettingsOut,
)
from server.errors import ErrorCode as E
from server.errors import not_found
from server.services import sso_admin
from server.services.sso import SsoProblem, begin, finish, public_providers

CALLBACK_PATH = "/api/sso/callback"
SIGN_IN_PAGE = "/sign-in"
# Ties a sign-in to the browser that started it (no one can finish theirs in another's browser:
# login CSRF). Lax: the provider's redirect back is a cross-site top-level navigation.
BROWSER_COOKIE = "hallpass_sso"
BROWSER_COOKIE_PATH = "/api/sso/"
BROWSER_COOKIE_SECONDS = 600
MAX_CALLBACK_VALUE = 4000
MAX_ATTEMPTS_PAGE = 200


def _no_nul(text: str) -> str:
    if "\x00" in text:
        raise ValueError("a NUL character")
    return text


Slug = Annotated[str, Field(min_length=1, max_length=64), AfterValidator(_no_nul)]


def redirect_uri(request: Request) -> str:
    """Return the one redirect URI of every provider: HALLPASS_PUBLIC_URL's, else this request's."""
    public = context(request).settings.public_url
    base = public if public is not None else str(request.base_url).rstrip("/")
    return base + CALLBACK_PATH


def _problem(problem: SsoProblem) -> RedirectResponse:
    query = {"problem": str(problem.code)}
    if problem.provider_key is not None:
        query["provider"] = problem.provider_key
    return RedirectResponse(f"{SIGN_IN_PAGE}?{urlencode(query)}", status_code=302)


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


class ProvidersQuery(QueryModel):
    """GET /api/sso/providers's query: which school's buttons."""

    school: Slug | None = Field(None, description="The school's slug; none: every provider.")


async def providers(request: Request) -> Response:
    """GET /api/sso/providers: a school's sign-in buttons (no session needed)."""
    query = read_query(request, ProvidersQuery)
    return JSONResponse(await public_providers(query.school))


class StartQuery(QueryModel):
    """GET /api/sso/{key}/start's query: the school chosen, and where to go afterwards."""

    school: Slug | None = Field(
        None, description="The school chosen on the sign-in page (a district's provider)."
    )
    return_to: Annotated[str, Field(max_length=200), AfterValidator(_no_nul)] | None = Field(
        None, description="A path of this site to go to once signed in (else /)."
    )


async def start(request: Request) -> Response:
    """GET /api/sso/{key}/start: send the browser to the provider (302)."""
    ctx = context(request)
    query = read_query(request, StartQuery)
    wait = await ctx.runtime.sso_limiter.start(_address(request))
    if wait is not None:
        raise rate_limited(wait)
    browser = request.cookies.get(BROWSER_COOKIE) or ""
    if not (20 <= len(browser) <= 100 and browser.isascii()):
        browser = secrets.token_urlsafe(32)
    try:
        url = await begin(
            request.path_params["key"],
            query.school,
            query.return_to,
            redirect_uri(request),
            ctx.settings.secret_key,
            browser,
        )
    except SsoProblem as problem:
        return _problem(problem)
    response = RedirectResponse(url, status_code=302)
    response.set_cookie(
        BROWSER_COOKIE,
        browser,
        max_age=BROWSER_COOKIE_SECONDS,
        httponly=True,
        secure=ctx.settings.secure_cookies,
        samesite="lax",
        path=BROWSER_COOKIE_PATH,
    )
    return response


async def callback(request: Request) -> Response:
    """GET /api/sso/callback: finish the sign-in, set the session cookie, go to `return_to`;
    any failure: 302 to /sign-in?problem=<code>&provider=<key>."""
    ctx = context(request)
    params = {
        name: value
        for name, value in request.query_params.items()
        if len(value) <= MAX_CALLBACK_VALUE and "\x00" not in value
    }
    try:
        done = await finish(
            params,
            redirect_uri(request),
            ctx.settings.secret_key,
            request.cookies.get(BROWSER_COOKIE) or "",
            _address(request),
            ctx.settings.session_hours,
        )
    except SsoProblem as problem:
        return _problem(problem)
    response = RedirectResponse(done.return_to, status_code=302)
    set_session_cookie(response, request, done.new)
    return response


async def manager(request: Request) -> Principal:
    """Return the caller of a provider endpoint: a school's admin or a district admin (the one
    school endpoint theirs too: a district's sign-in is set up by its administrators)."""
    principal, _ = await signed_in_session(request)
    sso_admin.require_manager(principal)
    return principal


async def settings(request: Request) -> Response:
    """GET /api/sso/settings: the providers, the password switch and the redirect URI (admins)."""
    principal = await manager(request)
    return JSONResponse(await sso_admin.read_settings(principal, redirect_uri(request)))


async def create(request: Request) -> Response:
    """POST /api/sso/providers: add a provider (admins; a district's: district admins)."""
    principal = await manager(request)
    body = await read_json(request, ProviderCreate)
    provider = await sso_admin.create_provider(
        principal, body, context(request).settings.secret_key
    )
    return JSONResponse(provider, status_code=201)


async def _provider_id(request: Request) -> tuple[Principal, int]:
    principal = await manager(request)  # before the path: a 403 tells nothing about ids
    provider_id = positive_id(request.path_params["id"])
    if provider_id is None:
        raise not_found("sign-in provider")
    return principal, provider_id


# ProviderPatch fields that null clears.
CLEARABLE = frozenset({"client_secret_env", "sourced_id_claim"})


async def update(request: Request) -> Response:
    """PATCH /api/sso/providers/{id}: change the fields sent (`client_secret` "" clears it)."""
    principal, provider_id = await _provider_id(request)
    body = await read_json(request, ProviderPatch)
    # null clears what may be empty (the secret's variable, the sourcedId claim) and leaves
    # the rest as it is, as if the field were absent.
    changes = {
        name: value
        for name, value in body.model_dump(exclude_unset=True).items()
        if value is not None or name in CLEARABLE
    }
    return JSONResponse(
        await sso_admin.update_provider(
            principal, provider_id, changes, context(request).settings.secret_key
        )
    )


async def delete(request: Request) -> Response:
    """DELETE /api/sso/providers/{id}: remove a provider."""
    principal, provider_id = await _provider_id(request)
    await sso_admin.delete_provider(principal, provider_id)
    return Response(status_code=204)


class AttemptsQuery(QueryModel):
    """GET /api/sso/attempts's query: one page, newest first."""

    limit: Whole = Field(50, ge=1, le=MAX_ATTEMPTS_PAGE, description="Attempts per page.")
    offset: Whole = Field(0, ge=0, le=100_000, description="Attempts to skip.")


async def attempts(request: Request) -> Response:
    """GET /api/sso/attempts: the school's single sign-on attempts, newest first (admins)."""
    principal = await manager(request)
    query = read_query(request, AttemptsQuery)
    return JSONResponse(await sso_admin.read_attempts(principal, query.limit, query.offset))


KEY_SCHEMA = {"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]*$", "maxLength": 64}

OPERATIONS = [
    Operation(
        "GET",
        "/api/sso/providers",
        providers,
        "A school's single sign-on buttons, and whether its students may use a password",
        "listSsoProviders",
        "sso",
        response=PublicProvidersOut,
        authenticated=False,
        query=ProvidersQuery,
        errors=(E.SCHOOL_NOT_FOUND,),
    ),
    Operation(
        "GET",
        "/api/sso/{key}/start",
        start,
        "Start signing in with a provider: 302 to it (a problem: 302 to /sign-in?problem=)",
        "startSso",
        "sso",
        status=302,
        authenticated=False,
        query=StartQuery,
        path_params=("key",),
        path_schemas={"key": KEY_SCHEMA},
        errors=(E.NOT_FOUND, E.RATE_LIMITED),
    ),
    Operation(
        "GET",
        CALLBACK_PATH,
        callback,
        "The providers' redirect URI: signs in and 302 to return_to, or to /sign-in?problem=",
        "finishSso",
        "sso",
        status=302,
        authenticated=False,
    ),
    Operation(
        "GET",
        "/api/sso/settings",
        settings,
        "The school's sign-in providers (never a secret), password switch, redirect URI (admins)",
        "getSsoSettings",
        "sso",
        response=SsoSettingsOut,
        errors=(E.FORBIDDEN,),
    ),
    Operation(
        "POST",
        "/api/sso/providers",
        create,
        "Add a sign-in provider; its client secret is write-only (admins)",
        "createSsoProvider",
        "sso",
        request=ProviderCreate,
        response=ProviderOut,
        status=201,
        errors=(E.FORBIDDEN,),
    ),
    Operation(
        "PATCH",
        "/api/sso/providers/{id}",
        update,
        'Change a sign-in provider; client_secret "" clears it (admins)',
        "updateSsoProvider",
        "sso",
        request=ProviderPatch,
        response=ProviderOut,
        path_params=("id",),
        errors=(E.FORBIDDEN, E.NOT_FOUND),
    ),
    Operation(
        "DELETE",
        "/api/sso/providers/{id}",
        delete,
        "Remove a sign-in provider (admins)",
        "deleteSsoProvider",
        "sso",
        status=204,
        path_params=("id",),
        errors=(E.FORBIDDEN, E.NOT_FOUND),
    ),
    Operation(
        "GET",
        "/api/sso/attempts",
        attempts,
        "The school's single sign-on attempts and how each ended, newest first (admins)",
        "listSsoAttempts",
        "sso",
        response=SignInAttemptOut,
        response_list=True,
        query=AttemptsQuery,
        errors=(E.FORBIDDEN,),
    ),
]
