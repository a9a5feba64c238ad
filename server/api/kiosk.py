"""The door kiosk: a student's pass by student number, and "I'm back"."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.api.context import caller
from server.api.lookups import count_lookup
from server.api.passes import REPEATED_KEY, START_ERRORS, IdempotencyHeaders, idempotency_key
from server.api.requests import read_json
from server.api.spec import Operation
from server.contract.common import wire
from server.contract.passes import PassOut
from server.contract.users import KioskPassIn, KioskReturnIn
from server.errors import ErrorCode as E
from server.services.kiosk import kiosk_pass, kiosk_return, require_kiosk


async def create(request: Request) -> Response:
    """POST /api/kiosk/passes: 201 with the student's pass (200 when a key repeats)."""
    principal = await caller(request)
    body = await read_json(request, KioskPassIn)
    require_kiosk(principal)
    await count_lookup(request, principal)
    key = body.idempotency_key or idempotency_key(request)
    result = await kiosk_pass(principal, body.student_number, body.destination_id, key)
    return JSONResponse(wire(result.body), status_code=201 if result.created else 200)


async def back(request: Request) -> Response:
    """POST /api/kiosk/return: end the student's active pass."""
    principal = await caller(request)
    body = await read_json(request, KioskReturnIn)
    require_kiosk(principal)
    await count_lookup(request, principal)
    key = idempotency_key(request)
    return JSONResponse(wire(await kiosk_return(principal, body.student_number, key)))


# The door kiosk: students of its rooms by number, rate limited per kiosk.
OPERATIONS = [
    Operation(
        "POST",
        "/api/kiosk/passes",
        create,
        "A student at the door starts their pass by student number (kiosks)",
        "createKioskPass",
        "kiosk",
        request=KioskPassIn,
        response=PassOut,
        status=201,
        also=REPEATED_KEY,
        errors=START_ERRORS,
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
        errors=(
            E.NOT_FOUND,
            E.FORBIDDEN,
            E.RATE_LIMITED,
            E.INVALID_TRANSITION,
            E.IDEMPOTENCY_CONFLICT,
        ),
        headers=IdempotencyHeaders,
    ),
]
