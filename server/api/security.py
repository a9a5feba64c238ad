"""Who is calling: bearer tokens for scripts, cookies (with CSRF and Origin checks) for the PWA."""

from __future__ import annotations

import hmac

from starlette.requests import HTTPConnection

from server.auth.sessions import COOKIE_NAME, CSRF_HEADER, resolve
from server.config import Settings
from server.errors import ErrorCode, HallpassError
from server.models import Session
from server.services.principal import Principal, principal_for

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def own_origin(conn: HTTPConnection) -> str:
    """Return the origin this request was addressed to."""
    return f"{conn.url.scheme}://{conn.url.netloc}"


def check_origin(conn: HTTPConnection, settings: Settings) -> None:
    """Refuse a browser request sent from another site's page."""
    origin = conn.headers.get("origin")
    if origin is None:
        return
    allowed = {own_origin(conn), *settings.allowed_origins}
    if origin not in allowed:
        raise HallpassError(
            ErrorCode.ORIGIN_NOT_ALLOWED, "Requests from this site are not allowed."
        )


def bearer_token(conn: HTTPConnection) -> str | None:
    """Return the token of an `Authorization: Bearer` header, if any."""
    header = conn.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


async def authenticate(conn: HTTPConnection, settings: Settings) -> tuple[Principal, Session]:
    """Return the caller and their session, or raise 401/403."""
    token = bearer_token(conn)
    from_cookie = token is None
    if token is None:
        token = conn.cookies.get(COOKIE_NAME)
    if not token:
        raise HallpassError(ErrorCode.NOT_AUTHENTICATED, "Sign in first.")
    resolved = await resolve(token)
    if resolved is None:
        raise HallpassError(ErrorCode.NOT_AUTHENTICATED, "Your session has ended. Sign in again.")
    session, user = resolved
    if from_cookie:
        check_origin(conn, settings)
        method = conn.scope.get("method", "GET")
        if method not in SAFE_METHODS:
            sent = conn.headers.get(CSRF_HEADER, "")
            if not hmac.compare_digest(sent.encode(), session.csrf_token.encode()):
                raise HallpassError(ErrorCode.CSRF_FAILED, "Missing or wrong X-CSRF-Token header.")
    return await principal_for(user), session
