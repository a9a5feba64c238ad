"""Sessions: opaque random tokens, stored only as SHA-256 hashes, shared by bearer and cookie."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from server.clock import utcnow
from server.enums import SessionVia
from server.models import Session, SubstituteGrant, User

COOKIE_NAME = "hallpass_session"
CSRF_HEADER = "x-csrf-token"


def token_hash(token: str) -> str:
    """Return the stored form of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class NewSession:
    """A freshly created session: the token is shown once, to the caller."""

    token: str
    csrf_token: str
    session: Session


async def create_session(
    user: User,
    hours: int,
    *,
    via: SessionVia = SessionVia.PASSWORD,
    identity: str | None = None,
    grant: SubstituteGrant | None = None,
    ends_by: datetime | None = None,
) -> NewSession:
    """Start a session for the user: `hours` long, or shorter when it must end by `ends_by`
    (a substitute's code ends with the school day)."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    expires_at = utcnow() + timedelta(hours=hours)
    if ends_by is not None:
        expires_at = min(expires_at, ends_by)
    session = await Session.create(
        token_hash=token_hash(token),
        csrf_token=csrf,
        user=user,
        expires_at=expires_at,
        via=via,
        identity=identity,
        grant=grant,
    )
    return NewSession(token, csrf, session)


async def resolve(token: str) -> tuple[Session, User] | None:
    """Return the live session and its active user for a token, or None."""
    if not token or len(token) > 200:
        return None
    session = await Session.get_or_none(token_hash=token_hash(token)).select_related("user")
    if session is None or session.expires_at <= utcnow():
        return None
    user: User = session.user
    if not user.active:
        return None
    return session, user


async def end_session(session: Session) -> None:
    """Log the session out."""
    await Session.filter(id=session.id).delete()


async def purge_expired() -> int:
    """Delete sessions past their expiry; return how many went."""
    return await Session.filter(expires_at__lte=utcnow()).delete()
