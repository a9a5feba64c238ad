"""Encounter groups: students who must not (or should not) be out together."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from server.enums import EncounterMode

if TYPE_CHECKING:
    from server.models.school import School
    from server.models.user import User


class EncounterGroup(Model):
    """A staff-only set of students, never serialised to a student."""

    id = fields.IntField(primary_key=True)
    school: fields.ForeignKeyRelation[School] = fields.ForeignKeyField(
        "models.School", related_name="encounter_groups", on_delete=fields.CASCADE
    )
    school_id: int
    name = fields.CharField(max_length=120)
    mode = fields.CharEnumField(EncounterMode, max_length=8, default=EncounterMode.BLOCK)
    notes = fields.TextField(default="")
    expires_on = fields.DateField(null=True)
    active = fields.BooleanField(default=True)
    members: fields.ManyToManyRelation[User] = fields.ManyToManyField(
        "models.User", related_name="encounter_groups", through="encounter_members"
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "encounter_groups"
