"""A district: several schools of one deployment, run by district administrators."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class District(Model):
    """A group of schools with district-wide sign-in and district administrators."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=200)
    slug = fields.CharField(max_length=64, unique=True)
    # The SIS's org `sourcedId` of type district (OneRoster), so a district roster finds it.
    source_id = fields.CharField(max_length=255, null=True, unique=True)
    settings: fields.Field[dict[str, object]] = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "districts"
