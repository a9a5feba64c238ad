"""Map every exception to the one error shape, in one place."""

from __future__ import annotations

import logging
import sqlite3

import asyncpg
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from tortoise.exceptions import BaseORMException

from server import storage
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


def storage_full() -> HallpassError:
    """Return the 503 for a change the database had no room for."""
    return HallpassError(
        ErrorCode.STORAGE_FULL,
        "The server's storage is full, so nothing was saved. Try again in a little while.",
        headers={"Retry-After": str(storage.RETRY_AFTER_SECONDS)},
    )


async def storage_error(request: Request, exc: Exception) -> Response:
    """Answer 503 for a full storage (logged once per outage); leave other errors to the 500.

    Registered for the exception classes a full disk arrives as, so it is answered here and
    not by Starlette's server-error middleware, which re-raises (a traceback per request).
    """
    if not storage.report(exc):
        raise exc
    return error_response(storage_full())


async def unexpected_error(request: Request, exc: Exception) -> Response:
    """Log a bug and answer 500 without leaking its details."""
    if storage.report(exc):  # wrapped in something unexpected: still not a bug of ours
        return error_response(storage_full())
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(HallpassError(ErrorCode.INTERNAL_ERROR, "Something went wrong."))


EXCEPTION_HANDLERS = {
    HallpassError: hallpass_error,
    HTTPException: http_error,
    # How a full disk arrives: Tortoise's wrap of SQLite's SQLITE_FULL, a driver's own error
    # (asyncpg's class 53), or ENOSPC from a file.
    BaseORMException: storage_error,
    sqlite3.Error: storage_error,
    asyncpg.PostgresError: storage_error,
    OSError: storage_error,
    Exception: unexpected_error,
}
