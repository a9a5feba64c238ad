"""Emergencies: the record of one (who started and ended it), its frozen roster, and the
reports that account for each roster student (who, when, what)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from server.enums import EmergencyKind, ReportStatus

if TYPE_CHECKING:
    from server.models.location import Location
    from server.models.pass_ import Pass
    from server.models.school import School
    from server.models.user import User


class Emergency(Model):
    """One emergency (or drill) of a school, kept whole after it ends."""

    id = fields.IntField(primary_key=True)
    school: fields.ForeignKeyRelation[School] = fields.ForeignKeyField(
        "models.School", related_name="emergencies", on_delete=fields.CASCADE
    )
    school_id: int
    kind = fields.CharEnumField(EmergencyKind, max_length=16)
    started_at = fields.DatetimeField()
    started_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    started_by_id: int | None
    ended_at = fields.DatetimeField(null=True)
    ended_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    ended_by_id: int | None
    # Bumped (under the school's lock) by every change: a screen keeps the highest it has seen,
    # so a frame that arrives late never overwrites a newer state.
    revision = fields.IntField(default=1)

    class Meta:
        table = "emergencies"
        indexes = (("school_id", "started_at"),)


class RosterEntry(Model):
    """A student who was out of class (an active pass) when the emergency began."""

    id = fields.IntField(primary_key=True)
    emergency: fields.ForeignKeyRelation[Emergency] = fields.ForeignKeyField(
        "models.Emergency", related_name="roster", on_delete=fields.CASCADE
    )
    emergency_id: int
    student: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, on_delete=fields.CASCADE
    )
    student_id: int
    hall_pass: fields.ForeignKeyNullableRelation[Pass] = fields.ForeignKeyField(
        "models.Pass", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    hall_pass_id: int | None
    origin: fields.ForeignKeyRelation[Location] = fields.ForeignKeyField(
        "models.Location", related_name=False, on_delete=fields.RESTRICT
    )
    origin_id: int
    destination: fields.ForeignKeyRelation[Location] = fields.ForeignKeyField(
        "models.Location", related_name=False, on_delete=fields.RESTRICT
    )
    destination_id: int
    # When the pass started (time out) and, if the student checked in there, arrived.
    started_at = fields.DatetimeField()
    arrived_at = fields.DatetimeField(null=True)
    # Frozen when the emergency began: the destination if arrived, else "on the way to X".
    last_known = fields.CharField(max_length=200)

    class Meta:
        table = "emergency_roster"
        unique_together = (("emergency", "student"),)


class EmergencyReport(Model):
    """One word on a roster student: their own (safe, need help) or staff's (present)."""

    id = fields.IntField(primary_key=True)
    emergency: fields.ForeignKeyRelation[Emergency] = fields.ForeignKeyField(
        "models.Emergency", related_name="reports", on_delete=fields.CASCADE
    )
    emergency_id: int
    entry: fields.ForeignKeyRelation[RosterEntry] = fields.ForeignKeyField(
        "models.RosterEntry", related_name="reports", on_delete=fields.CASCADE
    )
    entry_id: int
    status = fields.CharEnumField(ReportStatus, max_length=16)
    location: fields.ForeignKeyNullableRelation[Location] = fields.ForeignKeyField(
        "models.Location", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    location_id: int | None
    note = fields.CharField(max_length=500, default="")
    # Who said it (the student, or the staff member who marked them) and when.
    by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    by_id: int | None
    at = fields.DatetimeField()

    class Meta:
        table = "emergency_reports"
        indexes = (("emergency_id", "entry_id"),)
