"""The door kiosk: "Are you Abigail L.?", a student's pass by student number, "I'm back", and
leaving kiosk mode with a staff member's credentials."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.api.context import caller, caller_session, context
from server.api.lookups import count_lookup
from server.api.passes import REPEATED_KEY, START_ERRORS, IdempotencyHeaders, idempotency_key
from server.api.requests import read_json
from server.api.session import clear_session_cookie, rate_limited
from server.api.spec import Operation
from server.auth.sessions import end_session
from server.contract.common import wire
from server.contract.passes import PassOut
from server.contract.users import (
    KioskLeaveIn,
    KioskLookupIn,
    KioskLookupOut,
    KioskPassIn,
    KioskReturnIn,
)
from server.enums import Role
from server.errors import ErrorCode as E
from server.errors import HallpassError
from server.logins import normalize_login
from server.models import User
from server.services.kiosk import confirm, kiosk_pass, kiosk_return, require_kiosk

# Who may take a door kiosk out of kiosk mode: the staff who run a classroom or the halls.
UNLOCKING_ROLES = (Role.TEACHER, Role.ADMIN, Role.SECURITY)
# At most this many staff accounts of one school share an email (each costs a hash).
MAX_CANDIDATES = 8


async def lookup(request: Request) -> Response:
    """POST /api/kiosk/lookup: the student's "First L." and a confirmation, or the neutral 404."""
    principal, session = await caller_session(request)
    body = await read_json(request, KioskLookupIn)
    require_kiosk(principal)
    await count_lookup(request, principal)
    secret = context(request).settings.secret_key
    return JSONResponse(wire(await confirm(principal, session.id, body.student_number, secret)))


async def create(request: Request) -> Response:
    """POST /api/kiosk/passes: 201 with the confirmed student's pass (200 when a key repeats)."""
    principal, session = await caller_session(request)
    body = await read_json(request, KioskPassIn)
    require_kiosk(principal)
    # Not counted as a lookup: the confirmation is one, counted when it was made.
    key = body.idempotency_key or idempotency_key(request)
    result = await kiosk_pass(
        principal,
        body.student_number,
        body.destination_id,
        key,
        session_id=session.id,
        confirmation=body.confirmation,
        secret=context(request).settings.secret_key,
    )
    return JSONResponse(wire(result.body), status_code=201 if result.created else 200)


async def back(request: Request) -> Response:
    """POST /api/kiosk/return: end the student's active pass."""
    principal = await caller(request)
    body = await read_json(request, KioskReturnIn)
    require_kiosk(principal)
    await count_lookup(request, principal)
    key = idempotency_key(request)
    return JSONResponse(wire(await kiosk_return(principal, body.student_number, key)))


async def _staff_of_school(school_id: int, email: str) -> list[User]:
    by_login = User.filter(school_id=school_id, active=True, role__in=UNLOCKING_ROLES)
    found = await by_login.filter(login=email).order_by("id").limit(MAX_CANDIDATES)
    if not found:
        by_email = User.filter(school_id=school_id, active=True, role__in=UNLOCKING_ROLES)
        found = await by_email.filter(email__iexact=email).order_by("id").limit(MAX_CANDIDATES)
    return found


async def leave(request: Request) -> Response:
    """POST /api/kiosk/leave: a teacher's, admin's or security's credentials of this school end
    the kiosk's session (204); anything else is 401, counted as a failed sign-in (429 past it)."""
    principal, session = await caller_session(request)
    body = await read_json(request, KioskLeaveIn)
    require_kiosk(principal)
    ctx = context(request)
    limiter = ctx.runtime.login_limiter
    email = normalize_login(body.email)
    address = request.client.host if request.client else "unknown"
    # The same limits as POST /api/session: per login, and per address for unknown logins.
    wait = await limiter.login_wait(email)
    if wait is not None:
        raise rate_limited(wait)
    candidates = await _staff_of_school(principal.actor.school_id, email)
    if not candidates:
        wait = await limiter.address_wait(address)
        if wait is not None:
            raise rate_limited(wait)
        await ctx.runtime.passwords.verify(None, body.password)  # as long as a wrong password
        matched = False
    else:
        verify = ctx.runtime.passwords.verify
        matched = any([await verify(user.password_hash, body.password) for user in candidates])
    if not matched:
        await limiter.failed(email, address, known=bool(candidates))
        raise HallpassError(E.INVALID_CREDENTIALS, "Wrong staff email or password.")
    await limiter.succeeded(email)
    await end_session(session)
    response = Response(status_code=204)
    clear_session_cookie(response, request)
    return response


_LOOKUP_ERRORS = (E.NOT_FOUND, E.FORBIDDEN, E.RATE_LIMITED)

# The door kiosk: students of its rooms by number, rate limited per kiosk.
OPERATIONS = [
    Operation(
        "POST",
        "/api/kiosk/lookup",
        lookup,
        'A student at the door types their number: "First L." to confirm, and a confirmation '
        "for the pass (kiosks)",
        "kioskLookup",
        "kiosk",
        request=KioskLookupIn,
        response=KioskLookupOut,
        errors=_LOOKUP_ERRORS,
    ),
    Operation(
        "POST",
        "/api/kiosk/passes",
        create,
        "A student at the door who confirmed their name starts their pass (kiosks)",
        "createKioskPass",
        "kiosk",
        request=KioskPassIn,
        response=PassOut,
        status=201,
        also=REPEATED_KEY,
        errors=(*START_ERRORS, E.CONFIRMATION_INVALID),
        headers=IdempotencyHeaders,
    ),
    Operation(
        "POST",
        "/api/kiosk/return",
        back,
        "A student back at the door ends their active pass by student number (kiosks)",
        "kioskReturn",
        "kiosk",
        request=KioskReturnIn,
        response=PassOut,
        errors=(*_LOOKUP_ERRORS, E.INVALID_TRANSITION, E.IDEMPOTENCY_CONFLICT),
        headers=IdempotencyHeaders,
    ),
    Operation(
        "POST",
        "/api/kiosk/leave",
        leave,
        "Take a door kiosk out of kiosk mode with a teacher's, admin's or security's "
        "credentials of its school: its session ends (kiosks)",
        "leaveKiosk",
        "kiosk",
        request=KioskLeaveIn,
        status=204,
        errors=(E.INVALID_CREDENTIALS, E.RATE_LIMITED, E.FORBIDDEN),
    ),
]
