"""School policy rows: a scope and the rule values set for it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from server.models.school import School


class Policy(Model):
    """Rule values for a scope (school, grade, group, destination or student)."""

    id = fields.IntField(primary_key=True)
    school: fields.ForeignKeyRelation[School] = fields.ForeignKeyField(
        "models.School", related_name="policies", on_delete=fields.CASCADE
    )
    school_id: int
    scope = fields.CharField(max_length=16, default="school")
    # The grade, group name, location id or user id the scope names; empty for the school.
    target = fields.CharField(max_length=120, default="")
    rules: fields.Field[dict[str, object]] = fields.JSONField(default=dict)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "policies"
        unique_together = (("school", "scope", "target"),)
