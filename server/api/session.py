"""Signing in and out, and who am I."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server import clock
from server.api.context import context, signed_in_session
from server.api.requests import read_json
from server.api.spec import Operation
from server.auth import devices
from server.auth.authenticate import bearer_token, check_origin
from server.auth.pass_marks import live_mark_seed
from server.auth.passwords import Passwords
from server.auth.principal import Principal, principal_for
from server.auth.sessions import COOKIE_NAME, NewSession, create_session, end_session
from server.contract.district import MySchoolOut, SwitchRequest
from server.contract.session import LoginRequest, SessionOut, UserOut
from server.enums import Role
from server.errors import ErrorCode, HallpassError
from server.errors import ErrorCode as E
from server.logins import normalize_login
from server.models import School, User
from server.rules.localtime import local_date
from server.services.districts import account_in, my_schools
from server.services.facts import zone_of
from server.services.sso import password_sign_in_students


def user_json(principal: Principal, school: School, secret_key: str) -> dict[str, Any]:
    """Serialise the signed-in user with their role and school."""
    user = principal.user
    today = local_date(clock.utcnow(), zone_of(school.timezone))
    return {
        "id": user.id,
        "login": user.login,
        "name": user.display_name,
        "role": str(user.role),
        "school": {
            "id": school.id,
            "name": school.name,
            "slug": school.slug,
            "timezone": school.timezone,
            # The student's screen says "Passes are off right now" from this.
            "passes_enabled": school.passes_enabled,
            # Pass cards and the hall monitor's panel draw the same moving mark from this.
            "live_mark": live_mark_seed(secret_key, school.id, today),
        },
        "home_location_id": user.home_location_id,
        "location_ids": sorted(principal.actor.location_ids),
    }


# At most this many accounts share one login across a district's schools; each costs a hash.
MAX_CANDIDATES = 8


def rate_limited(wait: int) -> HallpassError:
    """Return the 429 for a sign-in that must wait, with its Retry-After."""
    return HallpassError(
        ErrorCode.RATE_LIMITED,
        "Too many failed sign-ins. Try again later.",
        headers={"Retry-After": str(wait)},
    )


async def _candidates(login: str, school: str | None) -> list[User]:
    query = User.filter(login=login, active=True)
    if school is not None:
        query = query.filter(school__slug=school)
    return await query.order_by("id").limit(MAX_CANDIDATES)


async def _matching(passwords: Passwords, candidates: list[User], password: str) -> list[User]:
    """Return the candidates whose password this is (one dummy hash when there are none)."""
    if not candidates:
        await passwords.verify(None, password)  # as long as a wrong password takes
        return []
    return [user for user in candidates if await passwords.verify(user.password_hash, password)]


async def authenticate_login(request: Request, body: LoginRequest) -> User:
    """Return the user these credentials sign in, or raise 401, 400 or 429 (ADR 0003).

    The password is checked before anything about the login is said: `school_required` only
    tells someone who knows the password that it opens accounts in several schools. A client
    with a device cookie for the login counts on its own limit, not on the login's.
    """
    ctx = context(request)
    limiter = ctx.runtime.login_limiter
    login = normalize_login(body.login)
    address = request.client.host if request.client else "unknown"
    device = devices.trusted_device(
        request.cookies.get(devices.COOKIE_NAME), login, ctx.settings.secret_key, clock.utcnow()
    )
    wait = await limiter.login_wait(login, device=device)
    if wait is not None:
        raise rate_limited(wait)
    candidates = await _candidates(login, body.school)
    if not candidates:
        wait = await limiter.address_wait(address)
        if wait is not None:
            raise rate_limited(wait)
    matches = await _matching(ctx.runtime.passwords, candidates, body.password)
    if not matches:
        await limiter.failed(login, address, known=bool(candidates), device=device)
        raise HallpassError(ErrorCode.INVALID_CREDENTIALS, "Wrong login or password.")
    await limiter.succeeded(login, device=device)
    if len(matches) > 1:
        raise HallpassError(
            ErrorCode.SCHOOL_REQUIRED, "This login exists in several schools: add your school."
        )
    return matches[0]


# Readable by the page (not HttpOnly), and says only "a session cookie was set here": the app
# asks GET /api/me at start only when it is present, so a fresh browser's sign-in page logs no
# 401. It holds nothing secret; the session cookie beside it is what signs requests in.
HINT_COOKIE = "hallpass_signed_in"


def set_session_cookie(response: Response, request: Request, new: NewSession) -> None:
    """Put a new session's cookie, and its hint, on a response (password, SSO or a code)."""
    settings = context(request).settings
    seconds = max(0, int((new.session.expires_at - clock.utcnow()).total_seconds()))
    for name, value, httponly in ((COOKIE_NAME, new.token, True), (HINT_COOKIE, "1", False)):
        response.set_cookie(
            name,
            value,
            max_age=seconds,
            httponly=httponly,
            secure=settings.secure_cookies,
            samesite="strict",
            path="/",
        )


async def signed_in(request: Request, user: User, new: NewSession) -> JSONResponse:
    """Return the 200 of a sign-in: the user, the token and CSRF token, and the cookie."""
    principal = await principal_for(user)
    school = await School.get(id=user.school_id)
    response = JSONResponse(
        {
            "user": user_json(principal, school, context(request).settings.secret_key),
            "token": new.token,
            "csrf_token": new.csrf_token,
        },
        status_code=200,
    )
    set_session_cookie(response, request, new)
    return response


async def login(request: Request) -> Response:
    """POST /api/session: check the password, start a session, set the cookie."""
    ctx = context(request)
    check_origin(request, ctx.settings.allowed_origins)
    body = await read_json(request, LoginRequest)
    user = await authenticate_login(request, body)
    if user.role == Role.STUDENT and not password_sign_in_students(
        await School.get(id=user.school_id)
    ):
        # Only after the password matched: to anyone else this says nothing about the login.
        raise HallpassError(
            ErrorCode.PASSWORD_SIGN_IN_OFF,
            "Your school signs in with its accounts: use the button.",
        )
    new = await create_session(user, ctx.settings.session_hours)
    response = await signed_in(request, user, new)
    # This browser is now trusted on this login (server/auth/devices.py). Signing out keeps
    # the cookie, so the next sign-in here, by this user or another, still finds its entry.
    response.set_cookie(
        devices.COOKIE_NAME,
        devices.renewed(
            request.cookies.get(devices.COOKIE_NAME),
            user.login,  # the normalised login, as authenticate_login counted it
            ctx.settings.secret_key,
            clock.utcnow(),
        ),
        max_age=int(devices.LIFETIME.total_seconds()),
        httponly=True,
        secure=ctx.settings.secure_cookies,
        samesite="strict",
        path=devices.COOKIE_PATH,
    )
    return response


def clear_session_cookie(response: Response, request: Request) -> None:
    """Delete the session and hint cookies (signing out, or a kiosk leaving kiosk mode)."""
    for name, httponly in ((COOKIE_NAME, True), (HINT_COOKIE, False)):
        response.delete_cookie(
            name,
            path="/",
            secure=context(request).settings.secure_cookies,
            httponly=httponly,
            samesite="strict",
        )


def refuse_kiosk(principal: Principal) -> None:
    """Refuse a door kiosk leaving its session other than by POST /api/kiosk/leave (403)."""
    if principal.actor.role is Role.KIOSK:
        # A shared screen at a door: a student's tap must not take it out of kiosk mode.
        raise HallpassError(
            ErrorCode.KIOSK_LOCKED,
            "This door kiosk is locked: a staff member leaves kiosk mode with their sign-in.",
        )


async def logout(request: Request) -> Response:
    """DELETE /api/session: end this session and clear the cookie (a kiosk: 403)."""
    principal, session = await signed_in_session(request)
    refuse_kiosk(principal)
    await end_session(session)
    response = Response(status_code=204)
    clear_session_cookie(response, request)
    return response


async def me(request: Request) -> Response:
    """GET /api/me: the signed-in user, with role and school."""
    principal, session = await signed_in_session(request)
    school = await School.get(id=principal.user.school_id)
    body = user_json(principal, school, context(request).settings.secret_key)
    if bearer_token(request) is None:
        # The cookie is HttpOnly and SameSite=strict, so only this origin's pages read this.
        body["csrf_token"] = session.csrf_token
    return JSONResponse(body)


async def schools(request: Request) -> Response:
    """GET /api/me/schools: the caller's accounts in other schools of their district."""
    principal, session = await signed_in_session(request)
    return JSONResponse(await my_schools(principal.user, session))


async def switch(request: Request) -> Response:
    """POST /api/session/switch: a new session for the caller's account in another school.

    The old session ends (its sockets close); the new one keeps how the person signed in
    (an SSO session stays one, with its identity) and ends no later than the old one would
    have, so switching back and forth never lengthens a sign-in.
    """
    principal, session = await signed_in_session(request)
    refuse_kiosk(principal)
    body = await read_json(request, SwitchRequest)
    account = await account_in(principal.user, session, body.school_id)
    new = await create_session(
        account,
        context(request).settings.session_hours,
        via=session.via,
        identity=session.identity,
        ends_by=session.expires_at,
    )
    await end_session(session)
    return await signed_in(request, account, new)


OPERATIONS = [
    Operation(
        "POST",
        "/api/session",
        login,
        "Sign in",
        "login",
        "session",
        request=LoginRequest,
        response=SessionOut,
        authenticated=False,
        errors=(
            E.INVALID_CREDENTIALS,
            E.SCHOOL_REQUIRED,
            E.RATE_LIMITED,
            E.ORIGIN_NOT_ALLOWED,
            E.PASSWORD_SIGN_IN_OFF,
        ),
    ),
    Operation(
        "DELETE",
        "/api/session",
        logout,
        "Sign out",
        "logout",
        "session",
        status=204,
        errors=(E.KIOSK_LOCKED,),
    ),
    Operation("GET", "/api/me", me, "The signed-in user", "me", "session", response=UserOut),
    Operation(
        "GET",
        "/api/me/schools",
        schools,
        "The other schools of the district where the caller has an account",
        "mySchools",
        "session",
        response=MySchoolOut,
        response_list=True,
    ),
    Operation(
        "POST",
        "/api/session/switch",
        switch,
        "Switch to the caller's account in another school: a new session, the old one ends",
        "switchSchool",
        "session",
        request=SwitchRequest,
        response=SessionOut,
        errors=(E.NOT_FOUND, E.KIOSK_LOCKED),
    ),
]
