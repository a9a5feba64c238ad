"""Notifications: push subscriptions, the VAPID key, users' mutes, and the delivery outbox."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from server.models.pass_ import Pass
    from server.models.school import School
    from server.models.user import User


class VapidKey(Model):
    """The deployment's VAPID key pair (one row, id 1), made on first use and kept."""

    id = fields.IntField(primary_key=True)
    private_pem = fields.TextField()
    public_key = fields.CharField(max_length=100)  # base64url of the uncompressed P-256 point
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "vapid_keys"


class PushSubscription(Model):
    """One browser's Web Push subscription, owned by the user who registered it."""

    id = fields.IntField(primary_key=True)
    school: fields.ForeignKeyRelation[School] = fields.ForeignKeyField(
        "models.School", related_name=False, on_delete=fields.CASCADE
    )
    school_id: int
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="push_subscriptions", on_delete=fields.CASCADE
    )
    user_id: int
    # A push service's URL is one device: registering it again moves it to the new user.
    endpoint = fields.CharField(max_length=1024, unique=True)
    p256dh = fields.CharField(max_length=128)
    auth = fields.CharField(max_length=64)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "push_subscriptions"


class NotificationMute(Model):
    """A category one user chose not to hear (never a safety category)."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="notification_mutes", on_delete=fields.CASCADE
    )
    user_id: int
    category = fields.CharField(max_length=32)

    class Meta:
        table = "notification_mutes"
        unique_together = (("user", "category"),)


class Delivery(Model):
    """One message to send on one channel, written with the event that caused it (the outbox).

    `key` is unique: (school, event seq, channel, target), so one event can never queue the
    same message twice. A worker claims a due row by moving `due_at` past its lease.
    """

    id = fields.BigIntField(primary_key=True)
    school: fields.ForeignKeyRelation[School] = fields.ForeignKeyField(
        "models.School", related_name=False, on_delete=fields.CASCADE
    )
    school_id: int
    key = fields.CharField(max_length=160, unique=True)
    event_seq = fields.BigIntField(null=True)
    hall_pass: fields.ForeignKeyNullableRelation[Pass] = fields.ForeignKeyField(
        "models.Pass", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    hall_pass_id: int | None
    channel = fields.CharField(max_length=16)
    category = fields.CharField(max_length=32)
    urgency = fields.CharField(max_length=8)
    # Null for webhooks, which speak to the school's systems, not a person.
    recipient: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.CASCADE
    )
    recipient_id: int | None
    # Push: the device. Kept (null) after a 404/410 deleted it, so the record stays.
    subscription: fields.ForeignKeyNullableRelation[PushSubscription] = fields.ForeignKeyField(
        "models.PushSubscription", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    subscription_id: int | None
    # Email: the address; webhook: the URL.
    address = fields.CharField(max_length=1024, null=True)
    payload: fields.Field[dict[str, object]] = fields.JSONField()
    # True once a 413 cut the payload to its smaller form (see server/notify/payload.py).
    reduced = fields.BooleanField(default=False)
    state = fields.CharField(max_length=12, default="pending")  # pending, sent, failed, gone
    attempts = fields.IntField(default=0)
    due_at = fields.DatetimeField()
    # Not sent at or after this time, and a push's TTL never outlives it (an offered place
    # that lapses); null: the channel's usual lifetime.
    expires_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()
    sent_at = fields.DatetimeField(null=True)

    class Meta:
        table = "deliveries"
        indexes = (("state", "due_at"), ("school_id", "created_at"))


class DeliveryAttempt(Model):
    """One try at sending a delivery: the peer's answer or the error."""

    id = fields.BigIntField(primary_key=True)
    delivery: fields.ForeignKeyRelation[Delivery] = fields.ForeignKeyField(
        "models.Delivery", related_name="attempt_rows", on_delete=fields.CASCADE
    )
    delivery_id: int
    at = fields.DatetimeField()
    status = fields.IntField(null=True)  # HTTP or SMTP status; null when nothing answered
    error = fields.CharField(max_length=300, default="")
    reduced = fields.BooleanField(default=False)  # the smaller payload, after a 413
    duration_ms = fields.IntField(default=0)

    class Meta:
        table = "delivery_attempts"
