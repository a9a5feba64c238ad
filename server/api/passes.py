"""Pass endpoints: create, list, read, and the lifecycle verbs."""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, Field, WithJsonSchema
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.api.context import caller
from server.api.lookups import count_lookup
from server.api.params import (
    HeaderModel,
    QueryId,
    QueryModel,
    Whole,
    explained,
    positive_id,
    problem,
    read_headers,
    read_query,
)
from server.api.requests import read_json
from server.api.spec import Operation
from server.contract.common import IdempotencyKeyText, wire
from server.contract.passes import PassCreate, PassDelay, PassGroupCreate, PassGroupOut, PassOut
from server.enums import PassState, Role
from server.errors import ErrorCode as E
from server.errors import not_found
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


class IdempotencyHeaders(HeaderModel):
    """The header of a request that may be sent again (pass verbs, kiosk)."""

    # The same values as the body's idempotency_key.
    idempotency_key: (
        Annotated[IdempotencyKeyText, explained("8-100 characters: letters, digits, _ . : -")]
        | None
    ) = Field(
        None,
        alias="Idempotency-Key",
        description="A client-made key (8-100 characters: letters, digits, `_ . : -`) for a "
        "request that may be sent again (an offline queue, a double tap). A repeat with the "
        "same key by the same user answers what the first did, with the same status and body, "
        "and changes nothing, even once the pass has moved on; the same key for another pass "
        "or verb is `409 idempotency_conflict`.",
    )


def idempotency_key(request: Request) -> str | None:
    """Return the `Idempotency-Key` header, if sent; a malformed one is a 422 naming it."""
    return read_headers(request, IdempotencyHeaders).idempotency_key


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
        minutes=body.minutes,
    )
    return JSONResponse(wire(result.body), status_code=201 if result.created else 200)


def _states(raw: object) -> object:
    # `?state=active,pending`: blank is every state; an unknown one is named.
    if not isinstance(raw, str):
        return raw
    if not raw.strip():
        return None
    states = []
    for name in raw.split(","):
        try:
            states.append(PassState(name.strip()))
        except ValueError:
            raise problem("unknown state") from None
    return tuple(states)


class ListQuery(QueryModel):
    """GET /api/passes's query: which states, and a page of them."""

    state: Annotated[
        tuple[PassState, ...] | None, BeforeValidator(_states), WithJsonSchema({"type": "string"})
    ] = Field(None, description="Comma-separated states, e.g. `active,pending`.")
    limit: Whole = Field(100, ge=1, le=MAX_LIST)
    before: QueryId | None = Field(
        None,
        description="Only passes with a lower id: the next page after a page whose last "
        "(lowest) id this is. The WebSocket snapshot's `older.href` starts here for the day's "
        "older finished passes.",
    )


async def list_passes(request: Request) -> Response:
    """GET /api/passes: the passes the caller may see, newest first."""
    principal = await caller(request)
    params = read_query(request, ListQuery)
    passes = await visible_passes(
        principal.actor, states=params.state, before=params.before, limit=params.limit
    )
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
    ).select_related("student", "origin", "destination", "section")
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


VERB_ERRORS = (
    E.NOT_FOUND,
    E.FORBIDDEN,
    E.INVALID_TRANSITION,
    E.IDEMPOTENCY_CONFLICT,
    E.VALIDATION_ERROR,
)
# What a pass request may meet, from the app or at a door kiosk.
START_ERRORS = (
    E.NOT_FOUND,
    E.FORBIDDEN,
    # A kiosk counts on its lookup limit (server/api/lookups.py).
    E.RATE_LIMITED,
    E.ALREADY_OUT,
    E.BLOCKED,
    E.PASSES_DISABLED,
    E.IDEMPOTENCY_CONFLICT,
    E.NOT_A_DESTINATION,
    E.LIMIT_REACHED,
    E.COOLDOWN,
    E.NO_FLY_TIME,
    E.CAPACITY_FULL,
)
REPEATED_KEY = {200: "The pass an earlier request with the same idempotency key made."}
OPERATIONS = [
    Operation(
        "POST",
        "/api/passes",
        create,
        "Request, issue or schedule a pass",
        "createPass",
        "passes",
        request=PassCreate,
        response=PassOut,
        status=201,
        also=REPEATED_KEY,
        errors=(*START_ERRORS, E.NO_HOME_ROOM, E.VALIDATION_ERROR),
        headers=IdempotencyHeaders,
    ),
    Operation(
        "POST",
        "/api/appointments",
        create_group,
        "Schedule passes for several students, a grade or a student group, all or none (staff)",
        "createAppointments",
        "appointments",
        request=PassGroupCreate,
        response=PassGroupOut,
        status=201,
        errors=(E.NOT_FOUND, E.FORBIDDEN, E.NOT_A_DESTINATION),
    ),
    Operation(
        "GET",
        "/api/passes",
        list_passes,
        "Passes the caller may see",
        "listPasses",
        "passes",
        response=PassOut,
        response_list=True,
        errors=(E.VALIDATION_ERROR,),
        query=ListQuery,
    ),
    Operation(
        "GET",
        "/api/passes/{id}",
        read,
        "One pass",
        "getPass",
        "passes",
        response=PassOut,
        errors=(E.NOT_FOUND,),
        path_params=("id",),
    ),
    *[
        Operation(
            "POST",
            f"/api/passes/{{id}}/{verb}",
            verb_handler(verb),
            f"{verb.capitalize()} a pass",
            f"{verb}Pass",
            "passes",
            response=PassOut,
            errors=VERB_ERRORS + ((E.BLOCKED,) if verb == "approve" else ()),
            headers=IdempotencyHeaders,
            path_params=("id",),
        )
        for verb in ("approve", "deny", "cancel", "arrive", "end")
    ],
    Operation(
        "POST",
        "/api/passes/{id}/delay",
        delay,
        "Delay a pending visit until a time today; it becomes scheduled (destination staff)",
        "delayPass",
        "passes",
        request=PassDelay,
        response=PassOut,
        errors=VERB_ERRORS,
        headers=IdempotencyHeaders,
        path_params=("id",),
    ),
    Operation(
        "POST",
        "/api/passes/{id}/take",
        verb_handler("take"),
        "Take the place offered to a waiting pass (the fair line): it starts",
        "takePass",
        "passes",
        response=PassOut,
        errors=(
            *VERB_ERRORS,
            E.NOT_YOUR_TURN,
            E.OFFER_EXPIRED,
            E.BLOCKED,
            E.PASSES_DISABLED,
            E.CAPACITY_FULL,
        ),
        headers=IdempotencyHeaders,
        path_params=("id",),
    ),
]
