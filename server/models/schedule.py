"""The bell schedule of a school: day types with their periods, and dates that differ."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from server.models.school import School


class BellSchedule(Model):
    """The day types of a school and the day type each weekday follows."""

    id = fields.IntField(primary_key=True)
    school: fields.OneToOneRelation[School] = fields.OneToOneField(
        "models.School", related_name="bell_schedule", on_delete=fields.CASCADE
    )
    school_id: int
    # {"regular": [{"name": "Period 1", "start": "08:00", "end": "08:50"}, ...], ...}
    day_types: fields.Field[dict[str, list[dict[str, str]]]] = fields.JSONField(default=dict)
    # {"monday": "regular", ..., "friday": "regular"}: a weekday left out has no school.
    weekdays: fields.Field[dict[str, str | None]] = fields.JSONField(default=dict)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "bell_schedules"


class ScheduleOverride(Model):
    """A date that follows another day type than its weekday, or has no school (a null type)."""

    id = fields.IntField(primary_key=True)
    school: fields.ForeignKeyRelation[School] = fields.ForeignKeyField(
        "models.School", related_name="schedule_overrides", on_delete=fields.CASCADE
    )
    school_id: int
    date = fields.DateField()
    day_type = fields.CharField(max_length=40, null=True)
    note = fields.CharField(max_length=200, default="")

    class Meta:
        table = "schedule_overrides"
        unique_together = (("school", "date"),)
