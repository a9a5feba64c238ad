"""Single sign-on with the database (docs/sso.md): the buttons a school shows, a sign-in sent to
its provider (its state stored hashed, used once, for ten minutes), and the callback: the ID
token checked (server/auth/oidc.py), the person matched to one user, a session started.

Every way a sign-in can fail writes one `SignInAttempt` row and one log line and creates
nothing else: no user, no session. Whom a signed-in account is depends only on the provider's
settings: a verified e-mail (the default) or the OneRoster sourcedId claim, in the provider's
school, or in the schools of its district.
"""

from __future__ import annotations

import logging
import os
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Final

from tortoise.expressions import Q

from server import clock, runtime
from server.auth.oidc import ClientConfig, OidcFailure, state_hash, unavailable, unseal_secret
from server.auth.passwords import CODE_ONLY
from server.auth.sessions import NewSession, create_session
from server.enums import Role, SessionVia
from server.errors import ErrorCode, HallpassError, not_found
from server.logins import normalize_login
from server.models import District, School, SignInAttempt, SsoProvider, SsoRequest, User

log = logging.getLogger(__name__)

REQUEST_LIFETIME: Final = timedelta(minutes=10)
# The claim that carries a OneRoster sourcedId when the provider does not name another.
DEFAULT_SOURCED_ID_CLAIM: Final = "sourcedId"
# A school's settings document: False turns password sign-in off for its students.
PASSWORD_SIGN_IN_STUDENTS: Final = "password_sign_in_students"
MAX_RETURN_TO: Final = 200


class SsoProblem(Exception):
    """A sign-in that failed: the problem code shown on /sign-in, for which provider."""

    def __init__(self, code: ErrorCode, provider_key: str | None, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.provider_key = provider_key
        self.detail = detail


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A sign-in that worked: the user, their new session, and where the browser goes."""

    user: User
    new: NewSession
    return_to: str


def password_sign_in_students(school: School) -> bool:
    """Say whether the school's students may sign in with a password (on unless turned off)."""
    return (school.settings or {}).get(PASSWORD_SIGN_IN_STUDENTS) is not False


def safe_return_to(value: str | None) -> str:
    """Return `value` if it is a path of this site, else "/" (never another site)."""
    if (
        not value
        or len(value) > MAX_RETURN_TO
        or not value.startswith("/")
        or value.startswith(("//", "/\\"))
        or any(ord(c) < 0x21 or c == "\\" for c in value)
    ):
        return "/"
    return value


def client_config(provider: SsoProvider, secret_key: str) -> ClientConfig:
    """Return the provider's client settings, its secret read from the environment or unsealed."""
    secret: str | None = None
    if provider.client_secret_env:
        secret = os.environ.get(provider.client_secret_env) or None
        if secret is None:
            raise unavailable(f"the environment variable {provider.client_secret_env} is unset")
    elif provider.client_secret_sealed:
        secret = unseal_secret(secret_key, provider.client_secret_sealed)
        if secret is None:
            raise unavailable(
                "the client secret was sealed with another server key: enter it again"
            )
    return ClientConfig(provider.issuer, provider.client_id, secret, provider.scopes)


def _place(owner: School | District | None) -> dict[str, str] | None:
    return None if owner is None else {"slug": owner.slug, "name": owner.name}


async def public_providers(school_slug: str | None) -> dict[str, Any]:
    """Return the enabled providers of a school and of its district (or of the deployment),
    and whether the school's students may sign in with a password."""
    query = SsoProvider.filter(enabled=True)
    password = True
    if school_slug is not None:
        school = await School.get_or_none(slug=school_slug)
        if school is None:
            raise HallpassError(ErrorCode.SCHOOL_NOT_FOUND, "No school has this name.")
        where = Q(school_id=school.id)
        if school.district_id is not None:
            where |= Q(district_id=school.district_id)
        query = query.filter(where)
        password = password_sign_in_students(school)
    providers = await query.order_by("id").prefetch_related("school", "district")
    return {
        "providers": [
            {
                "key": p.key,
                "label": p.label,
                "kind": str(p.kind),
                "school": _place(p.school),
                "district": _place(p.district),
            }
            for p in providers
        ],
        "password_sign_in": password,
    }


async def _schools_of(provider: SsoProvider) -> list[int]:
    if provider.school_id is not None:
        return [provider.school_id]
    return sorted(
        await School.filter(district_id=provider.district_id).values_list("id", flat=True)  # type: ignore[arg-type]
    )


async def begin(
    key: str,
    school_slug: str | None,
    return_to: str | None,
    redirect_uri: str,
    secret_key: str,
    browser: str,
) -> str:
    """Store a new sign-in (its state hashed with the browser's binding) and return the
    provider's authorization URL. An unknown provider, or a school it does not serve: 404."""
    provider = await SsoProvider.get_or_none(key=key, enabled=True)
    if provider is None:
        raise not_found("sign-in provider")
    school_id: int | None = None
    if school_slug is not None:
        school = await School.get_or_none(slug=school_slug)
        if school is None or school.id not in await _schools_of(provider):
            raise not_found("sign-in provider")
        school_id = school.id
    try:
        started = await runtime.current().oidc.start(
            client_config(provider, secret_key), redirect_uri
        )
    except OidcFailure as failure:
        await record(provider, school_id or provider.school_id, failure.code, detail=failure.detail)
        raise SsoProblem(failure.code, provider.key, failure.detail) from failure
    now = clock.utcnow()
    await SsoRequest.create(
        provider=provider,
        state_hash=state_hash(started.state, browser),
        nonce=started.nonce,
        code_verifier=started.code_verifier,
        school_id=school_id,
        return_to=safe_return_to(return_to),
        expires_at=now + REQUEST_LIFETIME,
    )
    return started.url


async def record(
    provider: SsoProvider | None,
    school_id: int | None,
    outcome: str,
    *,
    email: str | None = None,
    subject: str | None = None,
    address: str | None = None,
    detail: str = "",
    user: User | None = None,
) -> None:
    """Write the attempt's row and its one log line."""
    await SignInAttempt.create(
        provider=provider,
        school_id=school_id,
        user=user,
        outcome=str(outcome),
        email=(email or None) and email[:254],
        subject=(subject or None) and subject[:255],
        address=(address or None) and address[:64],
        detail=detail[:300],
    )
    level = logging.INFO if outcome == "ok" else logging.WARNING
    log.log(
        level,
        "sso sign-in %s: provider=%s school=%s email=%s user=%s %s",
        outcome,
        provider.key if provider is not None else "-",
        school_id if school_id is not None else "-",
        email or "-",
        user.id if user is not None else "-",
        detail,
    )


def _text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _domain_of(email: str) -> str:
    return email.rsplit("@", 1)[-1].lower() if "@" in email else ""


async def _match(
    provider: SsoProvider, schools: list[int], claims: dict[str, Any], email: str | None
) -> User | None:
    """Return the user the claims name in these schools (the first by id if several).

    A substitute made by a grant for a named person signs in only with their day's code: the
    e-mail on it was typed by whoever granted it, and vouches for nobody.
    """
    people = User.exclude(password_hash=CODE_ONLY).filter(school_id__in=schools)
    if provider.match_claim == "sourced_id":
        sourced = _text(claims.get(provider.sourced_id_claim or DEFAULT_SOURCED_ID_CLAIM))
        if sourced is None:
            return None
        return await people.filter(source_id=sourced).order_by("id").first()
    if email is None:
        return None
    found = await people.filter(Q(email__iexact=email) | Q(login=normalize_login(email))).order_by(
        "id"
    )
    # The database compared upper-cased text; compare the one normalised form here.
    wanted = normalize_login(email)
    for user in found:
        if user.login == wanted or normalize_login(user.email or "") == wanted:
            return user
    return None


async def _create_student(
    provider: SsoProvider, school_id: int, claims: dict[str, Any], email: str
) -> User | None:
    """Create the student a provider that allows it signs in for the first time."""
    login = normalize_login(email)
    if await User.exists(school_id=school_id, login=login):
        return None
    # No password: this account signs in with its provider (an admin may set one later).
    unusable = await runtime.current().passwords.hash(secrets.token_urlsafe(32))
    return await User.create(
        school_id=school_id,
        role=Role.STUDENT,
        login=login,
        email=email,
        first_name=(_text(claims.get("given_name")) or login.split("@")[0])[:100],
        last_name=(_text(claims.get("family_name")) or "")[:100],
        password_hash=unusable,
    )


async def finish(
    params: dict[str, str],
    redirect_uri: str,
    secret_key: str,
    browser: str,
    address: str,
    session_hours: int,
) -> SignedIn:
    """Finish a sign-in from the provider's redirect: check the state, exchange the code, check
    the ID token, match the user, start the session. Raise SsoProblem (recorded) otherwise."""
    state = params.get("state") or ""
    found = None
    if state and browser and len(state) <= 200:
        found = await SsoRequest.get_or_none(state_hash=state_hash(state, browser))
    if found is None:
        await record(
            None, None, ErrorCode.SSO_STATE_INVALID, address=address, detail="unknown state"
        )
        raise SsoProblem(ErrorCode.SSO_STATE_INVALID, None, "unknown state")
    request = found
    provider = await SsoProvider.get_or_none(id=request.provider_id)
    key = provider.key if provider is not None else None
    school_id = request.school_id or (provider.school_id if provider is not None else None)

    async def fail(
        code: ErrorCode, detail: str, email: str | None = None, subject: str | None = None
    ) -> SsoProblem:
        await record(
            provider, school_id, code, email=email, subject=subject, address=address, detail=detail
        )
        return SsoProblem(code, key, detail)

    now = clock.utcnow()
    # Used once: of two callbacks with one state, only the first marks it.
    taken = await SsoRequest.filter(id=request.id, used_at=None).update(used_at=now)
    if not taken:
        raise await fail(ErrorCode.SSO_STATE_INVALID, "state already used")
    if request.expires_at <= now:
        raise await fail(ErrorCode.SSO_STATE_INVALID, "state expired")
    if provider is None or not provider.enabled:
        raise await fail(ErrorCode.SSO_PROVIDER_UNAVAILABLE, "provider removed or disabled")
    error = params.get("error")
    if error is not None:
        detail = f"provider said {error[:40]}: {(params.get('error_description') or '')[:120]}"
        if error == "access_denied":
            raise await fail(ErrorCode.SSO_CANCELLED, detail)
        raise await fail(ErrorCode.SSO_PROVIDER_UNAVAILABLE, detail)
    code = params.get("code")
    if not code or len(code) > 2000:
        raise await fail(ErrorCode.SSO_INVALID_TOKEN, "no authorization code")
    oidc = runtime.current().oidc
    try:
        client = client_config(provider, secret_key)
        id_token = await oidc.exchange(client, redirect_uri, code, request.code_verifier)
        claims = await oidc.verify(client, id_token, request.nonce, now.timestamp())
    except OidcFailure as failure:
        raise await fail(failure.code, failure.detail) from failure
    return await _sign_in(provider, request, claims, fail, address, session_hours)


async def _sign_in(
    provider: SsoProvider,
    request: SsoRequest,
    claims: dict[str, Any],
    fail: Any,
    address: str,
    session_hours: int,
) -> SignedIn:
    subject = _text(claims.get("sub"))
    email = _text(claims.get("email"))
    # Only an explicit "not verified" refuses (Entra ID sends no email_verified at all).
    if email is not None and claims.get("email_verified") in (False, "false"):
        raise await fail(ErrorCode.SSO_EMAIL_UNVERIFIED, "email_verified is false", email, subject)
    if provider.match_claim == "email" and email is None:
        raise await fail(ErrorCode.SSO_UNKNOWN_ACCOUNT, "the ID token has no email", None, subject)
    if provider.allowed_domains and (
        email is None or _domain_of(email) not in provider.allowed_domains
    ):
        raise await fail(
            ErrorCode.SSO_WRONG_DOMAIN,
            f"domain {_domain_of(email or '') or '(none)'} is not allowed",
            email,
            subject,
        )
    schools = await _schools_of(provider)
    if request.school_id is not None and request.school_id in schools:
        schools = [request.school_id]
    user = await _match(provider, schools, claims, email)
    created = False
    if user is None and provider.create_users and email is not None and len(schools) == 1:
        user = await _create_student(provider, schools[0], claims, email)
        created = user is not None
    if user is None:
        raise await fail(ErrorCode.SSO_UNKNOWN_ACCOUNT, "no matching user", email, subject)
    if user.role == Role.KIOSK:
        # A door kiosk is a device account: it signs in on its device, never as a person.
        raise await fail(ErrorCode.SSO_UNKNOWN_ACCOUNT, "a kiosk account", email, subject)
    if not user.active:
        raise await fail(
            ErrorCode.SSO_ACCOUNT_DISABLED, f"user {user.id} is disabled", email, subject
        )
    new = await create_session(
        user, session_hours, via=SessionVia.SSO, identity=(email or subject or "")[:254] or None
    )
    await record(
        provider,
        user.school_id,
        "ok",
        email=email,
        subject=subject,
        address=address,
        detail="user created by sign-in" if created else "",
        user=user,
    )
    return SignedIn(user, new, request.return_to)
