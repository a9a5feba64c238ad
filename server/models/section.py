"""Sections (classes) and who is in them: the timetable a student's day follows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from server.enums import EnrollmentRole

if TYPE_CHECKING:
    from server.models.location import Location
    from server.models.school import School
    from server.models.user import User


class Section(Model):
    """A class: a title, the room it meets in, and the periods it meets (per day type)."""

    id = fields.IntField(primary_key=True)
    school: fields.ForeignKeyRelation[School] = fields.ForeignKeyField(
        "models.School", related_name="sections", on_delete=fields.CASCADE
    )
    school_id: int
    # The SIS's stable id (OneRoster `sourcedId`), or null for a section made by hand.
    source_id = fields.CharField(max_length=255, null=True)
    title = fields.CharField(max_length=200)
    code = fields.CharField(max_length=100, default="")
    location: fields.ForeignKeyNullableRelation[Location] = fields.ForeignKeyField(
        "models.Location", related_name="sections", null=True, on_delete=fields.SET_NULL
    )
    location_id: int | None
    # When it meets, by bell period name: [{"day_type": "regular", "period": "Period 2"}, ...];
    # a null day_type means that period on every day type that has it.
    meetings: fields.Field[list[dict[str, str | None]]] = fields.JSONField(default=list)
    # A homeroom or advisory: where its students are outside their periods.
    homeroom = fields.BooleanField(default=False)
    # The term it runs in (null: no bound on that side).
    starts_on = fields.DateField(null=True)
    ends_on = fields.DateField(null=True)
    # A section the SIS dropped is made inactive, never deleted: passes keep pointing at it.
    active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "sections"
        unique_together = (("school", "source_id"),)


class Enrollment(Model):
    """A student in a section, or a teacher of it, between two dates."""

    id = fields.IntField(primary_key=True)
    school: fields.ForeignKeyRelation[School] = fields.ForeignKeyField(
        "models.School", related_name="enrollments", on_delete=fields.CASCADE
    )
    school_id: int
    section: fields.ForeignKeyRelation[Section] = fields.ForeignKeyField(
        "models.Section", related_name="enrollments", on_delete=fields.CASCADE
    )
    section_id: int
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="enrollments", on_delete=fields.CASCADE
    )
    user_id: int
    role = fields.CharEnumField(EnrollmentRole, max_length=16)
    # The teacher of record; other teachers of the section (co-teachers, aides) may act too.
    primary = fields.BooleanField(default=False)
    source_id = fields.CharField(max_length=255, null=True)
    begins_on = fields.DateField(null=True)
    ends_on = fields.DateField(null=True)
    # Ended by a sync (gone from the SIS, or `tobedeleted`): kept for history, never deleted.
    active = fields.BooleanField(default=True)
    ended_at = fields.DatetimeField(null=True)

    class Meta:
        table = "enrollments"
        unique_together = (("section", "user", "role"),)
        # A student's sections now (server/services/placement.py) and a teacher's sections.
        indexes = (("school_id", "user_id", "active"),)
