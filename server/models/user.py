"""People (and kiosk devices) who sign in."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model

from server.enums import Role
from server.logins import normalize_login

if TYPE_CHECKING:
    from server.models.location import Location
    from server.models.school import School


class User(Model):
    """A member of exactly one school."""

    id = fields.IntField(primary_key=True)
    school: fields.ForeignKeyRelation[School] = fields.ForeignKeyField(
        "models.School", related_name="users", on_delete=fields.CASCADE
    )
    school_id: int
    role = fields.CharEnumField(Role, max_length=16)
    # Login names are unique within a school; a district signs in with the school's slug too.
    # Always stored normalised (server/logins.py), so lookups compare exactly.
    login = fields.CharField(max_length=120)
    first_name = fields.CharField(max_length=100)
    last_name = fields.CharField(max_length=100)
    email = fields.CharField(max_length=254, null=True)
    student_number = fields.CharField(max_length=32, null=True)
    # The SIS's stable id (OneRoster `sourcedId`): a re-import matches the user by it.
    source_id = fields.CharField(max_length=255, null=True)
    # One person with accounts in several schools of a district: their rows share this key.
    # Only district-level work sets it (a district roster import, a district admin), never a
    # school's own admin, so nobody can link themselves to another school's account.
    person_key = fields.CharField(max_length=255, null=True)
    grade = fields.IntField(null=True)
    groups: fields.Field[list[str]] = fields.JSONField(default=list)
    password_hash = fields.CharField(max_length=255)
    active = fields.BooleanField(default=True)
    # A student's homeroom (advisory): where their passes start from outside the periods of
    # their sections, or all day in a school without sections (server/services/placement.py).
    home_location: fields.ForeignKeyNullableRelation[Location] = fields.ForeignKeyField(
        "models.Location", related_name="home_students", null=True, on_delete=fields.SET_NULL
    )
    home_location_id: int | None
    # Staff: the rooms they teach or the places they run (nurse office, counselor office).
    assigned_locations: fields.ManyToManyRelation[Location] = fields.ManyToManyField(
        "models.Location", related_name="staff", through="location_staff"
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "users"
        unique_together = (("school", "login"), ("school", "source_id"))
        # A door kiosk finds a student by the number typed in (server/services/kiosk.py); a
        # pass's notifications find the school's nurses, counselors and security by role
        # among thousands of students (server/notify/outbox.py).
        indexes = (("school_id", "student_number"), ("school_id", "role"), ("person_key",))

    async def save(
        self,
        using_db: BaseDBAsyncClient | None = None,
        update_fields: Iterable[str] | None = None,
        force_create: bool = False,
        force_update: bool = False,
    ) -> None:
        """Save the user with their login in its one normalised form."""
        self.login = normalize_login(self.login)
        await super().save(using_db, update_fields, force_create, force_update)

    @property
    def display_name(self) -> str:
        """Return the full name shown to staff."""
        return f"{self.first_name} {self.last_name}"
