"""Sign-in sessions: one row per token, stored only as a hash."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from server.enums import SessionVia

if TYPE_CHECKING:
    from server.models.substitute import SubstituteGrant
    from server.models.user import User


class Session(Model):
    """A signed-in device, named by both the bearer token and the cookie."""

    id = fields.IntField(primary_key=True)
    token_hash = fields.CharField(max_length=64, unique=True)
    csrf_token = fields.CharField(max_length=64)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="sessions", on_delete=fields.CASCADE
    )
    user_id: int
    via = fields.CharEnumField(SessionVia, max_length=16, default=SessionVia.PASSWORD)
    # The e-mail the OpenID Provider vouched for (SSO sessions): other schools' accounts of
    # this person in the district may be switched to with it.
    identity = fields.CharField(max_length=254, null=True)
    # A session from a substitute's one-day code ends with that grant.
    grant: fields.ForeignKeyNullableRelation[SubstituteGrant] = fields.ForeignKeyField(
        "models.SubstituteGrant", related_name="sessions", null=True, on_delete=fields.CASCADE
    )
    grant_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()

    class Meta:
        table = "sessions"
