"""Pass endpoints: create, list, read, and the lifecycle verbs."""

from __future__ import annotations

from pydantic import TypeAdapter, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.api.context import caller
from server.api.lookups import count_lookup
from server.api.params import positive_id
from server.api.requests import read_json
from server.contract.common import IdempotencyKeyText, wire
from server.contract.passes import PassCreate, PassDelay, PassGroupCreate, PassGroupOut
from server.enums import PassState, Role
from server.errors import ErrorCode, HallpassError, not_found
from server.models import Pass
from server.rules.decision import FieldProblem
from server.rules.permissions import Action, may, sees_full_names
from server.services.appointments import Selection, schedule_group
from server.services.delays import delay_pass
from server.services.passes import create_pass, target_of, transition
from server.services.validation import invalid
from server.services.views import pass_view
from server.services.visibility import line_of, visible_passes

MAX_LIST = 500
# The Idempotency-Key header takes the same values as the body's idempotency_key.
IDEMPOTENCY_HEADER: TypeAdapter[str] = TypeAdapter(IdempotencyKeyText)
IDEMPOTENCY_HEADER_NAME = "idempotency-key"


def idempotency_key(request: Request) -> str | None:
    """Return the `Idempotency-Key` header, if sent; a malformed one is a 422 naming it."""
    raw = request.headers.get(IDEMPOTENCY_HEADER_NAME)
    if raw is None:
        return None
    try:
        return IDEMPOTENCY_HEADER.validate_python(raw)
    except ValidationError:
        raise invalid(
            [FieldProblem("Idempotency-Key", "8-100 characters: letters, digits, _ . : -")]
        ) from None


async def create(request: Request) -> Response:
    """POST /api/passes: 201 with the new pass (200 when an idempotency key repeats)."""
    principal = await caller(request)
    body = await read_json(request, PassCreate)
    key = body.idempotency_key
    if key is None:
        key = idempotency_key(request)
    if body.start_at is None and "remind_minutes_before" in body.model_fields_set:
        raise invalid([FieldProblem("remind_minutes_before", "only with start_at")])
    if principal.actor.role is Role.KIOSK and body.student_id is not None:
        # A student id finds a student as a typed number does: the same limit counts both.
        await count_lookup(request, principal)
    result = await create_pass(
        principal,
        destination_id=body.destination_id,
        student_id=body.student_id,
        start_at=body.start_at,
        remind_minutes=body.remind_minutes_before,
        idempotency_key=key,
        override_reason=None if body.override is None else body.override.reason,
    )
    return JSONResponse(wire(result.body), status_code=201 if result.created else 200)


def parse_states(raw: str | None) -> list[PassState] | None:
    """Parse `?state=active,pending`, naming any unknown state."""
    if raw is None or not raw.strip():
        return None
    states = []
    for name in raw.split(","):
        try:
            states.append(PassState(name.strip()))
        except ValueError:
            raise HallpassError(
                ErrorCode.VALIDATION_ERROR,
                f"Unknown state '{name.strip()[:40]}'.",
                details={"fields": [{"field": "state", "message": "unknown state"}]},
            ) from None
    return states


def parse_limit(raw: str | None) -> int:
    """Parse `?limit=`, 1 to MAX_LIST, default 100."""
    if raw is None:
        return 100
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_LIST:
        raise HallpassError(
            ErrorCode.VALIDATION_ERROR,
            f"limit must be 1 to {MAX_LIST}.",
            details={"fields": [{"field": "limit", "message": "out of range"}]},
        )
    return int(raw)


def parse_before(raw: str | None) -> int | None:
    """Parse `?before=`, a pass id (the page goes on below it); absent is None."""
    if raw is None:
        return None
    number = positive_id(raw)
    if number is None:
        raise invalid([FieldProblem("before", "a pass id: a whole number from 1")])
    return number


async def list_passes(request: Request) -> Response:
    """GET /api/passes: the passes the caller may see, newest first."""
    principal = await caller(request)
    states = parse_states(request.query_params.get("state"))
    limit = parse_limit(request.query_params.get("limit"))
    before = parse_before(request.query_params.get("before"))
    passes = await visible_passes(principal.actor, states=states, before=before, limit=limit)
    return JSONResponse([wire(p) for p in passes])


def path_id(request: Request) -> int:
    """Return the `{id}` path parameter, or 404 for anything that is not a positive id."""
    number = positive_id(request.path_params["id"])
    if number is None:
        raise not_found("pass")
    return number


async def read(request: Request) -> Response:
    """GET /api/passes/{id}: one pass, if the caller may see it (else 404)."""
    principal = await caller(request)
    hall_pass = await Pass.get_or_none(
        id=path_id(request), school_id=principal.actor.school_id
    ).select_related("student", "origin", "destination")
    if hall_pass is None or not may(
        principal.actor, Action.VIEW, target_of(hall_pass, hall_pass.destination)
    ):
        raise not_found("pass")
    position = None
    if hall_pass.state is PassState.WAITING:
        position = (await line_of(hall_pass.school_id)).get(hall_pass.id)
    view = pass_view(hall_pass, position=position, full_names=sees_full_names(principal.actor))
    return JSONResponse(wire(view))


def verb_handler(verb: str):  # type: ignore[no-untyped-def]
    """Return the handler of POST /api/passes/{id}/<verb>."""

    async def handle(request: Request) -> Response:
        principal = await caller(request)
        key = idempotency_key(request)
        return JSONResponse(
            wire(await transition(principal, path_id(request), verb, idempotency_key=key))
        )

    handle.__name__ = f"pass_{verb}"
    handle.__doc__ = f"POST /api/passes/{{id}}/{verb}."
    return handle


async def delay(request: Request) -> Response:
    """POST /api/passes/{id}/delay: the destination's staff put a pending visit off until later."""
    principal = await caller(request)
    # Like every operation: a path that names no pass is 404, then a bad body is 422 whichever
    # pass it names (the body is read before the pass is looked up).
    pass_id = path_id(request)
    body = await read_json(request, PassDelay)
    key = idempotency_key(request)
    view = await delay_pass(
        principal, pass_id, until=body.until, minutes=body.minutes, idempotency_key=key
    )
    return JSONResponse(wire(view))


async def create_group(request: Request) -> Response:
    """POST /api/appointments: 201 with one scheduled pass per student, or nothing at all."""
    principal = await caller(request)
    body = await read_json(request, PassGroupCreate)
    selection = Selection(
        None if body.student_ids is None else tuple(body.student_ids), body.grade, body.group
    )
    passes = await schedule_group(
        principal,
        destination_id=body.destination_id,
        selection=selection,
        start_at=body.start_at,
        remind_minutes=body.remind_minutes_before,
    )
    return JSONResponse(wire(PassGroupOut(passes=passes)), status_code=201)
