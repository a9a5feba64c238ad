"""Substitute access: a room, or an absent teacher's sections, for one school day."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from server.models.location import Location
    from server.models.school import School
    from server.models.user import User


class SubstituteGrant(Model):
    """What one substitute may act on, on one day, and until when."""

    id = fields.IntField(primary_key=True)
    school: fields.ForeignKeyRelation[School] = fields.ForeignKeyField(
        "models.School", related_name="substitute_grants", on_delete=fields.CASCADE
    )
    school_id: int
    substitute: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="substitute_grants", on_delete=fields.CASCADE
    )
    substitute_id: int
    granted_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="granted_substitutes", null=True, on_delete=fields.SET_NULL
    )
    granted_by_id: int | None
    # A room, or the absent teacher whose sections (and their rooms) are covered; one or both.
    location: fields.ForeignKeyNullableRelation[Location] = fields.ForeignKeyField(
        "models.Location", related_name="substitute_grants", null=True, on_delete=fields.CASCADE
    )
    location_id: int | None
    absent_teacher: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="covered_by", null=True, on_delete=fields.CASCADE
    )
    absent_teacher_id: int | None
    day = fields.DateField()
    starts_at = fields.DatetimeField()
    # The end of that school day: the access, and every session made from it, end by itself.
    ends_at = fields.DatetimeField()
    # The one-day sign-in code, stored only as a hash; null when the substitute uses an account.
    code_hash = fields.CharField(max_length=64, null=True, unique=True)
    revoked_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "substitute_grants"
        # A principal reads the caller's grants in force on every request (substitute,
        # ends_at); the hub reads all grants in force twice a second (ends_at).
        indexes = (("school_id", "day"), ("substitute_id", "ends_at"), ("ends_at",))
