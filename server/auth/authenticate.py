"""Who is calling, for REST and /ws alike: a token or the cookie, the Origin, the CSRF token.

Bearer tokens are for scripts; the PWA signs in with the session cookie, which a page of another
site could make the browser send, so a cookie request is refused from a foreign Origin and an
unsafe (state-changing) one also needs the session's CSRF token in a header. A WebSocket has
no header a page can set, so `/ws` checks the Origin of every browser connection instead, and
takes a script's token from its hello frame.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable

from starlette.requests import HTTPConnection

from server.auth.principal import Principal, principal_for
from server.auth.sessions import COOKIE_NAME, CSRF_HEADER, resolve
from server.errors import ErrorCode, HallpassError
from server.models import Session, User

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def own_origin(conn: HTTPConnection) -> str:
    """Return the origin this request or socket was addressed to, as a page names it."""
    origin = f"{conn.url.scheme}://{conn.url.netloc}"
    # A socket's URL is ws(s)://, but the page that opened it sends its http(s):// origin.
    return origin.replace("ws://", "http://", 1).replace("wss://", "https://", 1)


def origin_allowed(conn: HTTPConnection, allowed_origins: Iterable[str]) -> bool:
    """Say whether the caller's Origin (if a browser sent one) is this site or an allowed one."""
    origin = conn.headers.get("origin")
    if origin is None:
        return True  # not a browser page: nothing a foreign site could have made it send
    return origin in {own_origin(conn), *allowed_origins}


def check_origin(conn: HTTPConnection, allowed_origins: Iterable[str]) -> None:
    """Refuse a browser request sent from another site's page."""
    if not origin_allowed(conn, allowed_origins):
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


async def _session(token: str | None) -> tuple[Session, User]:
    """Return the live session a token names and its user, or raise 401."""
    if not token:
        raise HallpassError(ErrorCode.NOT_AUTHENTICATED, "Sign in first.")
    resolved = await resolve(token)
    if resolved is None:
        raise HallpassError(ErrorCode.NOT_AUTHENTICATED, "Your session has ended. Sign in again.")
    return resolved


async def authenticate(
    conn: HTTPConnection, allowed_origins: Iterable[str]
) -> tuple[Principal, Session]:
    """Return an HTTP request's caller and their session, or raise 401/403.

    A bearer token is taken as it is; the cookie only from this site's pages (or an allowed
    origin), and for an unsafe method with the session's CSRF token.
    """
    token = bearer_token(conn)
    from_cookie = token is None
    session, user = await _session(conn.cookies.get(COOKIE_NAME) if from_cookie else token)
    if from_cookie:
        check_origin(conn, allowed_origins)
        if conn.scope.get("method", "GET") not in SAFE_METHODS:
            sent = conn.headers.get(CSRF_HEADER, "")
            if not hmac.compare_digest(sent.encode(), session.csrf_token.encode()):
                raise HallpassError(ErrorCode.CSRF_FAILED, "Missing or wrong X-CSRF-Token header.")
    return await principal_for(user), session


async def authenticate_socket(
    conn: HTTPConnection, hello_token: str | None
) -> tuple[Principal, Session] | None:
    """Return a socket's caller and their session, from its hello's token or the cookie.

    The Origin was checked before the socket was accepted (`origin_allowed`); None when
    neither names a live session.
    """
    try:
        session, user = await _session(hello_token or conn.cookies.get(COOKIE_NAME))
    except HallpassError:
        return None
    return await principal_for(user), session
