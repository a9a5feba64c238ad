"""Sign-in and the signed-in user: POST /api/session, GET /api/me."""

from __future__ import annotations

from pydantic import (
    Field,
)

from server.contract.common import Login, Out, Password, SchoolSlug, Strict
from server.enums import Role


class LoginRequest(Strict):
    """Credentials for POST /api/session."""

    login: Login
    password: Password
    school: SchoolSlug | None = Field(
        default=None,
        description="The school's slug; needed only when the login exists in more than one school.",
    )


class SchoolOut(Out):
    """The caller's school."""

    id: int
    name: str
    slug: str
    timezone: str
    passes_enabled: bool = Field(
        description="False while passes are switched off (emergency mode): requests are refused."
    )
    live_mark: str = Field(
        description="Today's live-mark seed (16 hex characters, one per school per school-local "
        "day, from the server's secret): pass cards and the hall monitor's panel turn it and "
        "the server clock into a mark that changes every few seconds, so a screenshot looks stale."
    )


class UserOut(Out):
    """A signed-in user."""

    id: int
    login: str
    name: str
    role: Role
    school: SchoolOut
    home_location_id: int | None
    location_ids: list[int] = Field(description="Locations assigned to this staff member.")
    csrf_token: str | None = Field(
        default=None,
        description="`GET /api/me` with the session cookie: the session's CSRF token, so a "
        "reloaded page can send `X-CSRF-Token` again. Absent for bearer tokens.",
    )


class SessionOut(Out):
    """A new session: the bearer token (shown once) and the CSRF token for cookie requests."""

    user: UserOut
    token: str
    csrf_token: str
