"""Map every exception to the one error shape, in one place."""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.errors import ErrorCode, HallpassError

log = logging.getLogger("hallpass.api")

HTTP_CODES = {
    404: (ErrorCode.NOT_FOUND, "No such endpoint."),
    405: (ErrorCode.METHOD_NOT_ALLOWED, "This endpoint does not take that method."),
}


def error_response(error: HallpassError) -> JSONResponse:
    """Return the JSON response for an error."""
    return JSONResponse(error.body(), status_code=error.status, headers=error.headers)


async def hallpass_error(request: Request, exc: Exception) -> Response:
    """Render our own typed errors."""
    assert isinstance(exc, HallpassError)
    return error_response(exc)


async def http_error(request: Request, exc: Exception) -> Response:
    """Render Starlette's routing errors (unknown path, wrong method) in our shape."""
    assert isinstance(exc, HTTPException)
    code, message = HTTP_CODES.get(exc.status_code, (ErrorCode.NOT_FOUND, "Not found."))
    headers = dict(exc.headers) if exc.headers else None
    if headers and "Allow" in headers:
        # Starlette joins a set: the same methods in a stable order, whatever the hash seed.
        headers["Allow"] = ", ".join(sorted(m.strip() for m in headers["Allow"].split(",")))
    return error_response(HallpassError(code, message, headers=headers))


async def unexpected_error(request: Request, exc: Exception) -> Response:
    """Log a bug and answer 500 without leaking its details."""
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(HallpassError(ErrorCode.INTERNAL_ERROR, "Something went wrong."))


EXCEPTION_HANDLERS = {
    HallpassError: hallpass_error,
    HTTPException: http_error,
    Exception: unexpected_error,
}
