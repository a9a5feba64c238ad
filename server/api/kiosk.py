"""The door kiosk: a student's pass by student number, and "I'm back"."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.api.context import caller, context
from server.api.passes import idempotency_key
from server.api.requests import read_json
from server.api.user_schemas import KioskPassIn, KioskReturnIn
from server.errors import ErrorCode, HallpassError
from server.services.kiosk import kiosk_pass, kiosk_return, require_kiosk
from server.services.principal import Principal


def count_lookup(request: Request, principal: Principal) -> None:
    """Count one student-number lookup by this kiosk, or refuse it (429) past the limit."""
    limiter = context(request).kiosk_limiter
    wait = limiter.retry_after(principal.actor.user_id)
    if wait is not None:
        raise HallpassError(
            ErrorCode.RATE_LIMITED,
            "Too many student numbers at this door. Try again in a minute.",
            headers={"Retry-After": str(wait)},
        )
    limiter.looked_up(principal.actor.user_id)


async def create(request: Request) -> Response:
    """POST /api/kiosk/passes: 201 with the student's pass (200 when a key repeats)."""
    principal = await caller(request)
    body = await read_json(request, KioskPassIn)
    require_kiosk(principal)
    count_lookup(request, principal)
    key = body.idempotency_key or idempotency_key(request)
    result = await kiosk_pass(principal, body.student_number, body.destination_id, key)
    return JSONResponse(result.body, status_code=201 if result.created else 200)


async def back(request: Request) -> Response:
    """POST /api/kiosk/return: end the student's active pass."""
    principal = await caller(request)
    body = await read_json(request, KioskReturnIn)
    require_kiosk(principal)
    count_lookup(request, principal)
    key = idempotency_key(request)
    return JSONResponse(await kiosk_return(principal, body.student_number, key))
