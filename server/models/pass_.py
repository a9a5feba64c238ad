"""The pass: one student's trip out of class."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from server.enums import EndedBy, PassKind, PassState

if TYPE_CHECKING:
    from server.models.location import Location
    from server.models.school import School
    from server.models.section import Section
    from server.models.user import User


class Pass(Model):
    """A pass and its lifecycle timestamps (DESIGN.md section 2)."""

    id = fields.IntField(primary_key=True)
    school: fields.ForeignKeyRelation[School] = fields.ForeignKeyField(
        "models.School", related_name="passes", on_delete=fields.CASCADE
    )
    school_id: int
    student: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="passes", on_delete=fields.CASCADE
    )
    student_id: int
    origin: fields.ForeignKeyRelation[Location] = fields.ForeignKeyField(
        "models.Location", related_name="passes_from", on_delete=fields.RESTRICT
    )
    origin_id: int
    destination: fields.ForeignKeyRelation[Location] = fields.ForeignKeyField(
        "models.Location", related_name="passes_to", on_delete=fields.RESTRICT
    )
    destination_id: int
    # The section the student left (null: their homeroom, or a school without sections). Its
    # teachers keep the pass until it ends, even once the next period has begun.
    section: fields.ForeignKeyNullableRelation[Section] = fields.ForeignKeyField(
        "models.Section", related_name="passes", null=True, on_delete=fields.SET_NULL
    )
    section_id: int | None
    state = fields.CharEnumField(PassState, max_length=16)
    kind = fields.CharEnumField(PassKind, max_length=16)
    # Equals student_id while the pass is pending, waiting or active, else null. Its unique
    # index is invariant 1 in the database itself: a second open pass cannot be inserted even
    # by a request that slipped past every check (NULLs never collide on SQLite or PostgreSQL).
    open_student_id = fields.IntField(null=True, unique=True)
    # Bumped on every change; transitions compare-and-set on (state, version).
    version = fields.IntField(default=1)
    created_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="passes_created", null=True, on_delete=fields.SET_NULL
    )
    created_by_id: int | None
    decided_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="passes_decided", null=True, on_delete=fields.SET_NULL
    )
    decided_by_id: int | None
    requested_at = fields.DatetimeField()
    start_at = fields.DatetimeField(null=True)
    queued_at = fields.DatetimeField(null=True)
    # Set while a waiting pass is offered a freed place (reserved for it) until this time.
    offer_expires_at = fields.DatetimeField(null=True)
    # Why a waiting pass was put in line (server.enums.LineReason), as the student is told; an
    # encounter group's hold reads `hallway_full` (DESIGN.md invariant 5). Null unless waiting.
    line_reason = fields.CharField(max_length=16, null=True)
    # Ahead of others in line: the student had an accommodation when the pass was made. Never
    # serialised: no screen may tell why a pass went first (ADR 0005, accommodations).
    line_priority = fields.BooleanField(default=False)
    # A staff override (admins read it, never in pass JSON): who, when, why, and what the
    # student would otherwise have been told ({"code", "detail"}, or null).
    override: fields.Field[dict[str, object] | None] = fields.JSONField(null=True)
    started_at = fields.DatetimeField(null=True)
    arrived_at = fields.DatetimeField(null=True)
    due_at = fields.DatetimeField(null=True)
    ended_at = fields.DatetimeField(null=True)
    ended_by = fields.CharEnumField(EndedBy, max_length=16, null=True)
    # When the destination's staff put a pending visit off: it is then scheduled for start_at.
    delayed_at = fields.DatetimeField(null=True)
    # A scheduled pass reminds its student and teacher this many minutes before start_at
    # (null: no reminder); reminded_at, set by compare-and-set, makes the reminder happen once.
    remind_minutes = fields.IntField(null=True)
    reminded_at = fields.DatetimeField(null=True)
    # When the sweep announced the active pass past due_at (`pass.overdue`), once; null until.
    overdue_at = fields.DatetimeField(null=True)
    minutes = fields.IntField()
    period = fields.CharField(max_length=64, null=True)
    note = fields.CharField(max_length=500, default="")

    class Meta:
        table = "passes"
        # (student_id, requested_at): a student's passes this week, read for their limits.
        indexes = (
            ("school_id", "state"),
            ("destination_id", "state"),
            ("student_id", "requested_at"),
        )
