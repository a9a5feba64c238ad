"""A school: the boundary no request ever crosses."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from server.models.district import District


def new_epoch() -> str:
    """Return a fresh event-log epoch."""
    return uuid.uuid4().hex


class School(Model):
    """One school of a deployment, with its event-log counter."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=200)
    slug = fields.CharField(max_length=64, unique=True)
    # The SIS's org `sourcedId` (OneRoster), so a district's roster finds its school.
    source_id = fields.CharField(max_length=255, null=True, unique=True)
    # The district it belongs to, if any (server/models/district.py).
    district: fields.ForeignKeyNullableRelation[District] = fields.ForeignKeyField(
        "models.District", related_name="schools", null=True, on_delete=fields.SET_NULL
    )
    district_id: int | None
    timezone = fields.CharField(max_length=64, default="UTC")
    settings: fields.Field[dict[str, object]] = fields.JSONField(default=dict)
    # Maximum students out of class at once across the school; null means no maximum.
    hallway_max = fields.IntField(null=True)
    passes_enabled = fields.BooleanField(default=True)
    # The emergency in force (server/models/emergency.py), null when none is. Kept apart from
    # passes_enabled, the admin's switch: ending an emergency leaves that switch as it was.
    # Set and cleared under the school's lock, so a pass decision sees it or not, never half.
    emergency_id = fields.IntField(null=True)
    # The last per-school event sequence number handed out. Incrementing it is also the lock
    # that serialises every pass transition of the school (see docs/adr/0002-transitions.md).
    event_seq = fields.BigIntField(default=0)
    epoch = fields.CharField(max_length=32, default=new_epoch)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "schools"
