"""Single sign-on as admins manage it: a school's providers (a school admin's), a district's (its
district admins'), the write-only client secret, and the log of sign-in attempts.

A provider the caller can't see is a 404 (another school's id says nothing); one they can see
but not change (their district's, for a school admin) is a 403.
"""

from __future__ import annotations

from typing import Any

from tortoise.expressions import Q

from server.auth.oidc import seal_secret
from server.auth.principal import Principal
from server.contract.sso import ProviderCreate
from server.enums import Role
from server.errors import forbidden, not_found
from server.models import District, School, SignInAttempt, SsoProvider
from server.services.places import invalid
from server.services.sso import password_sign_in_students

MANAGERS = (Role.ADMIN, Role.DISTRICT_ADMIN)


def require_manager(principal: Principal) -> None:
    """Refuse anyone but a school or district administrator (403)."""
    if principal.actor.role not in MANAGERS:
        raise forbidden("Only an administrator can manage single sign-on.")


async def _district_of(principal: Principal) -> int | None:
    school = await School.get(id=principal.actor.school_id)
    return school.district_id


async def _visible(principal: Principal) -> Q:
    """The providers the caller sees: their school's and their district's (a district admin:
    every school's of the district too)."""
    district = await _district_of(principal)
    where = Q(school_id=principal.actor.school_id)
    if district is not None:
        where |= Q(district_id=district)
        if principal.actor.role is Role.DISTRICT_ADMIN:
            where |= Q(school__district_id=district)
    return where


async def _may_change(principal: Principal, provider: SsoProvider) -> bool:
    if provider.district_id is not None:
        return principal.actor.role is Role.DISTRICT_ADMIN and (
            provider.district_id == await _district_of(principal)
        )
    return True  # a school's provider the caller sees: their own school's, or their district's


def provider_json(provider: SsoProvider) -> dict[str, Any]:
    """Serialise a provider for its admins: never the secret, only whether one is stored."""
    return {
        "id": provider.id,
        "key": provider.key,
        "kind": str(provider.kind),
        "label": provider.label,
        "issuer": provider.issuer,
        "client_id": provider.client_id,
        "secret_set": bool(provider.client_secret_sealed),
        "client_secret_env": provider.client_secret_env,
        "scopes": provider.scopes,
        "allowed_domains": list(provider.allowed_domains or []),
        "match_claim": provider.match_claim,
        "sourced_id_claim": provider.sourced_id_claim,
        "create_users": provider.create_users,
        "enabled": provider.enabled,
        "scope": "district" if provider.district_id is not None else "school",
    }


async def read_settings(principal: Principal, redirect_uri: str) -> dict[str, Any]:
    """Return the providers the caller sees, the password switch, and the redirect URI."""
    require_manager(principal)
    providers = await SsoProvider.filter(await _visible(principal)).order_by("id")
    school = await School.get(id=principal.actor.school_id)
    return {
        "providers": [provider_json(p) for p in providers],
        "password_sign_in_students": password_sign_in_students(school),
        "redirect_uri": redirect_uri,
    }


async def find_provider(principal: Principal, provider_id: int) -> SsoProvider:
    """Return a provider the caller may change: 404 if they can't see it, 403 if not theirs."""
    require_manager(principal)
    provider = await SsoProvider.filter(await _visible(principal)).filter(id=provider_id).first()
    if provider is None:
        raise not_found("sign-in provider")
    if not await _may_change(principal, provider):
        raise forbidden("Only the district's administrators can change its sign-in provider.")
    return provider


async def _check(values: dict[str, Any], provider_id: int | None) -> None:
    """Refuse values only the database, or two fields together, can judge (422)."""
    key = values.get("key")
    if key is not None and await SsoProvider.filter(key=key).exclude(id=provider_id or 0).exists():
        raise invalid("key", "another provider has this key")
    if values.get("client_secret") and values.get("client_secret_env"):
        raise invalid("client_secret", "give the secret or the variable that holds it, not both")


def _columns(values: dict[str, Any], secret_key: str) -> dict[str, Any]:
    columns = {k: v for k, v in values.items() if k not in ("client_secret", "scope")}
    if "client_secret" in values:
        secret = values["client_secret"]
        columns["client_secret_sealed"] = seal_secret(secret_key, secret) if secret else None
        if secret:
            columns["client_secret_env"] = None  # one source of the secret at a time
    elif values.get("client_secret_env"):
        columns["client_secret_sealed"] = None
    return columns


async def create_provider(
    principal: Principal, body: ProviderCreate, secret_key: str
) -> dict[str, Any]:
    """Add a provider to the caller's school (or, for a district admin, their district)."""
    require_manager(principal)
    values = body.model_dump()
    await _check(values, None)
    owner: dict[str, Any] = {"school_id": principal.actor.school_id}
    if body.scope == "district":
        district = await _district_of(principal)
        if principal.actor.role is not Role.DISTRICT_ADMIN or district is None:
            raise forbidden("Only a district's administrators can add a provider for the district.")
        owner = {"district_id": district}
    provider = await SsoProvider.create(**owner, **_columns(values, secret_key))
    return provider_json(provider)


async def update_provider(
    principal: Principal, provider_id: int, changes: dict[str, Any], secret_key: str
) -> dict[str, Any]:
    """Change the fields sent of a provider the caller manages."""
    provider = await find_provider(principal, provider_id)
    await _check(changes, provider.id)
    columns = _columns(changes, secret_key)
    if columns:
        for name, value in columns.items():
            setattr(provider, name, value)
        await provider.save(update_fields=[*columns, "updated_at"])
    return provider_json(provider)


async def delete_provider(principal: Principal, provider_id: int) -> None:
    """Remove a provider (its attempts stay in the log, without it)."""
    provider = await find_provider(principal, provider_id)
    await provider.delete()


async def read_attempts(principal: Principal, limit: int, offset: int) -> list[dict[str, Any]]:
    """Return the school's sign-in attempts, newest first (a district admin: the district's)."""
    require_manager(principal)
    where = Q(school_id=principal.actor.school_id)
    district = await _district_of(principal)
    if principal.actor.role is Role.DISTRICT_ADMIN and district is not None:
        where |= Q(school__district_id=district) | Q(provider__district_id=district)
    rows = (
        await SignInAttempt.filter(where)
        .order_by("-created_at", "-id")
        .offset(offset)
        .limit(limit)
        .prefetch_related("provider")
    )
    return [
        {
            "id": row.id,
            "at": row.created_at.isoformat(),
            "outcome": row.outcome,
            "email": row.email,
            "provider_key": row.provider.key if row.provider is not None else None,
            "user_id": row.user_id,
            "detail": row.detail,
        }
        for row in rows
    ]


async def add_provider(body: ProviderCreate, *, school: str | None, district: str | None) -> str:
    """Add a provider from the command line to a school or a district, by slug."""
    values = body.model_dump()
    await _check(values, None)
    owner: dict[str, Any]
    if district is not None:
        found = await District.get_or_none(slug=district)
        if found is None:
            raise not_found(f"district {district!r}")
        owner = {"district_id": found.id}
    else:
        place = await School.get_or_none(slug=school)
        if place is None:
            raise not_found(f"school {school!r}")
        owner = {"school_id": place.id}
    provider = await SsoProvider.create(**owner, **_columns(values, ""))
    return _line(provider, school or district or "")


def _line(provider: SsoProvider, owner: str) -> str:
    secret = (
        f"secret from ${provider.client_secret_env}"
        if provider.client_secret_env
        else ("secret stored" if provider.client_secret_sealed else "no secret")
    )
    domains = ",".join(provider.allowed_domains or []) or "any domain"
    state = "enabled" if provider.enabled else "disabled"
    return (
        f"{provider.key}\t{provider.kind}\t{owner}\t{provider.issuer}\t"
        f"client {provider.client_id}\t{secret}\t{domains}\tmatch {provider.match_claim}\t{state}"
    )


async def list_providers() -> list[str]:
    """Return one line per provider of the deployment (never a secret)."""
    providers = await SsoProvider.all().order_by("id").prefetch_related("school", "district")
    lines = []
    for provider in providers:
        if provider.school is not None:
            owner = provider.school.slug
        else:
            owner = f"district {provider.district.slug if provider.district else '?'}"
        lines.append(_line(provider, owner))
    return lines
