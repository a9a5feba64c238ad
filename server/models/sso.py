"""Single sign-on: the OpenID Providers a school or district trusts, sign-ins in flight, and
the log of every attempt."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from server.enums import SsoKind

if TYPE_CHECKING:
    from server.models.district import District
    from server.models.school import School
    from server.models.user import User


class SsoProvider(Model):
    """An OpenID Provider that one school, or every school of a district, signs in with."""

    id = fields.IntField(primary_key=True)
    # Exactly one of school and district is set: a district's provider serves all its schools.
    school: fields.ForeignKeyNullableRelation[School] = fields.ForeignKeyField(
        "models.School", related_name="sso_providers", null=True, on_delete=fields.CASCADE
    )
    school_id: int | None
    district: fields.ForeignKeyNullableRelation[District] = fields.ForeignKeyField(
        "models.District", related_name="sso_providers", null=True, on_delete=fields.CASCADE
    )
    district_id: int | None
    # The name in its URLs (/api/sso/{key}/start): unique in the deployment.
    key = fields.CharField(max_length=64, unique=True)
    kind = fields.CharEnumField(SsoKind, max_length=16, default=SsoKind.OIDC)
    label = fields.CharField(max_length=100)
    issuer = fields.CharField(max_length=500)
    client_id = fields.CharField(max_length=255)
    # The client secret sealed with the server's key; it is never sent back by the API.
    client_secret_sealed = fields.TextField(null=True)
    # Or the name of an environment variable that holds it (an admin who keeps secrets there).
    client_secret_env = fields.CharField(max_length=100, null=True)
    scopes = fields.CharField(max_length=200, default="openid email profile")
    # Lower-case e-mail domains a signed-in account must belong to; empty: any domain.
    allowed_domains: fields.Field[list[str]] = fields.JSONField(default=list)
    # Which claim names the user: "email" (default) or "sourced_id" (the claim below).
    match_claim = fields.CharField(max_length=32, default="email")
    # The ID token claim that carries the OneRoster sourcedId, when matching by it.
    sourced_id_claim = fields.CharField(max_length=64, null=True)
    # Whether an account unknown to Hallpass may be created by signing in (off by default).
    create_users = fields.BooleanField(default=False)
    enabled = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "sso_providers"


class SsoRequest(Model):
    """A sign-in sent to a provider and not yet back: its state, nonce and PKCE verifier."""

    id = fields.IntField(primary_key=True)
    provider: fields.ForeignKeyRelation[SsoProvider] = fields.ForeignKeyField(
        "models.SsoProvider", related_name="requests", on_delete=fields.CASCADE
    )
    provider_id: int
    # The state is stored only as a hash; a request is used once (used_at) and expires.
    state_hash = fields.CharField(max_length=64, unique=True)
    nonce = fields.CharField(max_length=128)
    code_verifier = fields.CharField(max_length=128)
    # The school the person chose on the sign-in page (a district's provider), if any.
    school: fields.ForeignKeyNullableRelation[School] = fields.ForeignKeyField(
        "models.School", related_name="sso_requests", null=True, on_delete=fields.CASCADE
    )
    school_id: int | None
    return_to = fields.CharField(max_length=200, default="/")
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "sso_requests"


class SignInAttempt(Model):
    """One single sign-on attempt and how it ended: what an IT lead reads when someone can't
    get in."""

    id = fields.IntField(primary_key=True)
    provider: fields.ForeignKeyNullableRelation[SsoProvider] = fields.ForeignKeyField(
        "models.SsoProvider", related_name="attempts", null=True, on_delete=fields.SET_NULL
    )
    provider_id: int | None
    school: fields.ForeignKeyNullableRelation[School] = fields.ForeignKeyField(
        "models.School", related_name="sign_in_attempts", null=True, on_delete=fields.CASCADE
    )
    school_id: int | None
    user: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="sign_in_attempts", null=True, on_delete=fields.SET_NULL
    )
    user_id: int | None
    # "ok", or the error code the person was shown (unknown_account, wrong_domain, ...).
    outcome = fields.CharField(max_length=40)
    email = fields.CharField(max_length=254, null=True)
    subject = fields.CharField(max_length=255, null=True)
    address = fields.CharField(max_length=64, null=True)
    detail = fields.CharField(max_length=300, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "sign_in_attempts"
        indexes = (("school_id", "created_at"),)
