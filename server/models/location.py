"""Places in the school: classrooms and pass destinations."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from server.enums import Approval, LocationKind

if TYPE_CHECKING:
    from server.models.school import School
    from server.models.user import User


class Location(Model):
    """A room or place a pass starts from or goes to."""

    id = fields.IntField(primary_key=True)
    school: fields.ForeignKeyRelation[School] = fields.ForeignKeyField(
        "models.School", related_name="locations", on_delete=fields.CASCADE
    )
    school_id: int
    name = fields.CharField(max_length=120)
    kind = fields.CharEnumField(LocationKind, max_length=16)
    # Students there at once on passes; null means unlimited.
    capacity = fields.IntField(null=True)
    approval = fields.CharEnumField(Approval, max_length=24, default=Approval.NONE)
    default_minutes = fields.IntField(default=5)
    # Maximum students out of this room at once (origin limit); null means no maximum.
    max_out = fields.IntField(null=True)
    is_destination = fields.BooleanField(default=True)
    # Floor-plan shape, in plan units: {"x", "y", "width", "height", "floor"}.
    geometry: fields.Field[dict[str, object]] = fields.JSONField(default=dict)
    active = fields.BooleanField(default=True)
    staff: fields.ManyToManyRelation[User]

    class Meta:
        table = "locations"
        unique_together = (("school", "name"),)
