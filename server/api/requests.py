"""Reading request bodies and query strings: size limit, JSON, strict validation."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ValidationError
from starlette.requests import Request

from server.errors import ErrorCode, HallpassError

ModelT = TypeVar("ModelT", bound=BaseModel)

# Every request body we accept is a handful of ids and short strings; 64 KiB is generous.
MAX_BODY_BYTES = 64 * 1024


async def read_body(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    """Read the body, refusing more than `limit` bytes without buffering the rest."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def too_large(limit: int = MAX_BODY_BYTES) -> HallpassError:
    """Return the 413 for an oversized body."""
    return HallpassError(ErrorCode.PAYLOAD_TOO_LARGE, f"The body is over {limit} bytes.")


async def read_json(request: Request, model: type[ModelT]) -> ModelT:
    """Parse and validate the JSON body every operation with a body requires, or raise the 4xx."""
    media = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if media != "application/json":
        raise HallpassError(
            ErrorCode.UNSUPPORTED_MEDIA_TYPE, "Send a JSON body (application/json)."
        )
    body = await read_body(request)
    if not body:
        # Never read as `{}`: for a PUT that would replace the school's settings with nothing.
        raise missing_body()
    try:
        return model.model_validate_json(body)
    except ValidationError as exc:
        raise validation_error(exc) from None


def missing_body() -> HallpassError:
    """Return the 422 for an operation that takes a body and was sent none."""
    return HallpassError(
        ErrorCode.VALIDATION_ERROR,
        "Invalid request: body.",
        details={"fields": [{"field": "body", "message": "A JSON body is required"}]},
    )


def field_name(loc: tuple[int | str, ...]) -> str:
    """Name a field as a client writes it: `day_types.regular.periods[2].end`."""
    name = ""
    for part in loc:
        if isinstance(part, int):
            name += f"[{part}]"
        elif part != "[key]":  # pydantic's marker for a bad dict key: the key names it
            name += f".{part}" if name else part
    return name or "body"


def validation_error(exc: ValidationError) -> HallpassError:
    """Map pydantic's errors to ours, naming each bad field."""
    if any(e["type"] == "json_invalid" for e in exc.errors()):
        return HallpassError(ErrorCode.MALFORMED_JSON, "The body is not valid JSON.")
    fields = [
        {"field": field_name(e["loc"]), "message": e["msg"]}
        for e in exc.errors(include_url=False, include_input=False)
    ]
    names = ", ".join(f["field"] for f in fields)
    return HallpassError(
        ErrorCode.VALIDATION_ERROR, f"Invalid request: {names}.", details={"fields": fields}
    )
