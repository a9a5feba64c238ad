"""Single sign-on on the wire: the providers a school offers, their admin bodies, the attempt
log, and what the app's /sign-in page says for each problem (docs/sso.md)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StrictBool, StringConstraints, field_validator

from server.contract.common import NO_NUL, Out, Strict
from server.enums import SsoKind
from server.errors import ErrorCode

# What the app's /sign-in?problem=<code> page says: what happened, and whom to ask.
SSO_PROBLEMS: dict[str, dict[str, str]] = {
    ErrorCode.SSO_UNKNOWN_ACCOUNT: {
        "title": "This account isn't set up in Hallpass",
        "detail": "You signed in, but no Hallpass account in your school matches it.",
        "ask": "Ask your school's Hallpass administrator to add you, or sign in with your "
        "school account rather than a personal one.",
    },
    ErrorCode.SSO_ACCOUNT_DISABLED: {
        "title": "Your Hallpass account is turned off",
        "detail": "Your school has disabled this account in Hallpass.",
        "ask": "Ask your school's Hallpass administrator or the front office.",
    },
    ErrorCode.SSO_WRONG_DOMAIN: {
        "title": "Use your school account",
        "detail": "That account is not from one of your school's domains.",
        "ask": "Sign out of the other account at the provider and sign in with your school "
        "account; if you did, ask your school's IT team.",
    },
    ErrorCode.SSO_INVALID_TOKEN: {
        "title": "The sign-in could not be verified",
        "detail": "The answer from the sign-in provider was invalid, expired or not meant for "
        "Hallpass, so it was refused.",
        "ask": "Try again. If it keeps happening, tell your school's IT team (check the "
        "server's clock and the provider's settings).",
    },
    ErrorCode.SSO_STATE_INVALID: {
        "title": "This sign-in link has expired",
        "detail": "The sign-in took too long, was already used, or was started elsewhere.",
        "ask": "Start again from the sign-in page.",
    },
    ErrorCode.SSO_PROVIDER_UNAVAILABLE: {
        "title": "The sign-in provider can't be reached",
        "detail": "Hallpass could not reach your school's sign-in provider just now.",
        "ask": "Try again in a few minutes; if it lasts, tell your school's IT team.",
    },
    ErrorCode.SSO_CANCELLED: {
        "title": "Sign-in cancelled",
        "detail": "The sign-in was cancelled at the provider, so nothing happened.",
        "ask": "Start again when you're ready.",
    },
    ErrorCode.SSO_EMAIL_UNVERIFIED: {
        "title": "Your email address isn't verified",
        "detail": "The sign-in provider says this account's email address is not verified.",
        "ask": "Ask your school's IT team to verify the account's email address.",
    },
}

Key = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_-]*$")
]
Label = Annotated[
    str, StringConstraints(min_length=1, max_length=100, strip_whitespace=True, pattern=NO_NUL)
]
IssuerUrl = Annotated[
    str,
    StringConstraints(max_length=500, pattern=r"^https?://[^\s\x00?#]+$"),
]
ClientId = Annotated[str, StringConstraints(min_length=1, max_length=255, pattern=NO_NUL)]
ClientSecret = Annotated[str, StringConstraints(max_length=2000, pattern=NO_NUL)]
EnvName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,99}$")]
Scopes = Annotated[
    str, StringConstraints(min_length=6, max_length=200, pattern=r"^[\x21\x23-\x5b\x5d-\x7e ]+$")
]
ClaimName = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:/-]+$")
]
DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
MatchClaim = Literal["email", "sourced_id"]
ProviderScope = Literal["school", "district"]


def _domains(value: list[str] | None) -> list[str] | None:
    if value is None:
        return None
    domains: list[str] = []
    for raw in value:
        domain = raw.strip().lower().removeprefix("@")
        if not DOMAIN.fullmatch(domain):
            raise ValueError(f"not a domain name: {raw[:60]!r}")
        if domain not in domains:
            domains.append(domain)
    if len(domains) > 20:
        raise ValueError("at most 20 domains")
    return domains


def _issuer(value: str | None) -> str | None:
    # Plain http only on this machine (a local provider for tests); a real issuer is https.
    if value is not None and value.startswith("http://"):
        host = value.removeprefix("http://").split("/")[0].rsplit(":", 1)[0]
        if host not in ("127.0.0.1", "localhost", "[::1]"):
            raise ValueError("an issuer must use https")
    return value.rstrip("/") if value is not None else None


def _scopes(value: str | None) -> str | None:
    if value is not None and "openid" not in value.split():
        raise ValueError("the scopes must include openid")
    return value


class PublicProviderOut(Out):
    """A sign-in button: which provider, and whose (a school's, or its district's)."""

    key: str
    label: str
    kind: SsoKind
    school: dict[str, str] | None = Field(description="{slug, name} of a school's provider.")
    district: dict[str, str] | None = Field(description="{slug, name} of a district's provider.")


class PublicProvidersOut(Out):
    """The sign-in buttons of a school (or of the deployment), and whether its students may
    also sign in with a password."""

    providers: list[PublicProviderOut]
    password_sign_in: bool = Field(
        description="False when the school signs its students in with its accounts only "
        "(staff always keep their password)."
    )


class ProviderOut(Out):
    """An OpenID Provider as its admins see it; the client secret is never sent."""

    id: int
    key: str
    kind: SsoKind
    label: str
    issuer: str
    client_id: str
    secret_set: bool = Field(description="Whether a client secret is stored (never shown).")
    client_secret_env: str | None = Field(
        description="The environment variable the secret is read from instead, if any."
    )
    scopes: str
    allowed_domains: list[str]
    match_claim: MatchClaim
    sourced_id_claim: str | None
    create_users: bool
    enabled: bool
    scope: ProviderScope


class ProviderCreate(Strict):
    """A new OpenID Provider for the admin's school (or, for a district admin, their district)."""

    key: Key = Field(description="Its name in /api/sso/{key}/start: unique in the deployment.")
    kind: SsoKind = SsoKind.OIDC
    label: Label
    issuer: IssuerUrl = Field(description="The issuer URL (https, as its discovery names it).")
    client_id: ClientId
    client_secret: ClientSecret | None = Field(
        default=None, description="Write-only: stored sealed, never returned."
    )
    client_secret_env: EnvName | None = None
    scopes: Scopes = "openid email profile"
    allowed_domains: list[str] = Field(default_factory=list, max_length=20)
    match_claim: MatchClaim = "email"
    sourced_id_claim: ClaimName | None = None
    create_users: StrictBool = False
    enabled: StrictBool = True
    scope: ProviderScope = "school"

    _domains = field_validator("allowed_domains")(_domains)
    _scopes = field_validator("scopes")(_scopes)
    _issuer = field_validator("issuer")(_issuer)


class ProviderPatch(Strict):
    """Changes to an OpenID Provider; absent fields stay. `client_secret` "" clears it."""

    key: Key | None = None
    kind: SsoKind | None = None
    label: Label | None = None
    issuer: IssuerUrl | None = None
    client_id: ClientId | None = None
    client_secret: ClientSecret | None = Field(
        default=None, description='Write-only: a new secret, or "" to clear it.'
    )
    client_secret_env: EnvName | None = None
    scopes: Scopes | None = None
    allowed_domains: list[str] | None = Field(default=None, max_length=20)
    match_claim: MatchClaim | None = None
    sourced_id_claim: ClaimName | None = None
    create_users: StrictBool | None = None
    enabled: StrictBool | None = None

    _domains = field_validator("allowed_domains")(_domains)
    _scopes = field_validator("scopes")(_scopes)
    _issuer = field_validator("issuer")(_issuer)


class SsoSettingsOut(Out):
    """A school's single sign-on: its providers (and its district's), the password switch, and
    the one redirect URI every provider must be given."""

    providers: list[ProviderOut]
    password_sign_in_students: bool
    redirect_uri: str


class SignInAttemptOut(Out):
    """One single sign-on attempt and how it ended."""

    id: int
    at: datetime
    outcome: str = Field(description='"ok", or the problem code the person was shown.')
    email: str | None
    provider_key: str | None
    user_id: int | None
    detail: str
