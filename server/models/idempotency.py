"""Idempotency keys: a repeated request (double tap, offline replay) applies once."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from server.models.pass_ import Pass
    from server.models.user import User


class IdempotencyKey(Model):
    """The pass a keyed request of a user created or changed, and what it answered."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="idempotency_keys", on_delete=fields.CASCADE
    )
    user_id: int
    key = fields.CharField(max_length=100)
    hall_pass: fields.ForeignKeyRelation[Pass] = fields.ForeignKeyField(
        "models.Pass", related_name="idempotency_keys", on_delete=fields.CASCADE
    )
    hall_pass_id: int
    # What the key did: "create", or a verb (approve, deny, cancel, arrive, end, take, delay,
    # kiosk_return). The same key for another verb or pass is a conflict, never a replay.
    verb = fields.CharField(max_length=16, default="create")
    # The body first answered (verbs only): a replay answers it again, even after the pass moved
    # on. A created pass is read afresh instead, as it always was.
    response: fields.Field[dict[str, Any] | None] = fields.JSONField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "idempotency_keys"
        unique_together = (("user", "key"),)
