"""Encounter groups: students who must not (or should not) be out together, and their log."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from server.enums import EncounterMode

if TYPE_CHECKING:
    from server.models.location import Location
    from server.models.pass_ import Pass
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
    # Staff-only: why the group exists. Never in pass JSON, errors or frames.
    notes = fields.TextField(default="")
    # The last school-local day the group applies (inclusive); None: until deactivated.
    expires_on = fields.DateField(null=True)
    # False once deleted through the API: the log keeps naming it.
    active = fields.BooleanField(default=True)
    members: fields.ManyToManyRelation[User] = fields.ManyToManyField(
        "models.User", related_name="encounter_groups", through="encounter_members"
    )
    created_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    created_by_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)
    # Null for groups older than the column (a NOT NULL column can't be added to their rows).
    updated_at = fields.DatetimeField(auto_now=True, null=True)

    class Meta:
        table = "encounter_groups"


class EncounterLog(Model):
    """One encounter a group prevented (block) or let happen and reported (alert)."""

    id = fields.IntField(primary_key=True)
    school: fields.ForeignKeyRelation[School] = fields.ForeignKeyField(
        "models.School", related_name=False, on_delete=fields.CASCADE
    )
    school_id: int
    at = fields.DatetimeField()
    group: fields.ForeignKeyRelation[EncounterGroup] = fields.ForeignKeyField(
        "models.EncounterGroup", related_name="log", on_delete=fields.CASCADE
    )
    group_id: int
    mode = fields.CharEnumField(EncounterMode, max_length=8)
    # The student whose pass was refused (block) or went out (alert).
    student: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, on_delete=fields.CASCADE
    )
    student_id: int
    # The other members of the group who were out at that moment (user ids).
    others: fields.Field[list[int]] = fields.JSONField(default=list)
    destination: fields.ForeignKeyRelation[Location] = fields.ForeignKeyField(
        "models.Location", related_name=False, on_delete=fields.CASCADE
    )
    destination_id: int
    # The pass concerned: the one that went out (alert) or the pending one refused approval.
    hall_pass: fields.ForeignKeyNullableRelation[Pass] = fields.ForeignKeyField(
        "models.Pass", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    hall_pass_id: int | None
    outcome = fields.CharField(max_length=16)  # prevented or alerted

    class Meta:
        table = "encounter_log"
        # (hall_pass_id, group_id): the line logs a held-back pass once per group.
        indexes = (("school_id", "at"), ("hall_pass_id", "group_id"))
