"""The history of roster imports: who, when, what it changed or why it was refused."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from server.enums import ImportStatus

if TYPE_CHECKING:
    from server.models.school import School
    from server.models.user import User


class RosterImport(Model):
    """One import attempt for one school: applied, previewed (a dry run) or rejected."""

    id = fields.IntField(primary_key=True)
    school: fields.ForeignKeyRelation[School] = fields.ForeignKeyField(
        "models.School", related_name="roster_imports", on_delete=fields.CASCADE
    )
    school_id: int
    # Null when run from the command line (`hallpass roster import`).
    created_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="roster_imports", null=True, on_delete=fields.SET_NULL
    )
    created_by_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)
    status = fields.CharEnumField(ImportStatus, max_length=16)
    # "oneroster" or "csv", and the file's name as given (for the history, not a path).
    format = fields.CharField(max_length=16)
    source = fields.CharField(max_length=255, default="")
    # {"users": {"created": n, "updated": n, "disabled": n, "unchanged": n}, "sections": ...}
    counts: fields.Field[dict[str, dict[str, int]]] = fields.JSONField(default=dict)
    # [{"file", "line", "column", "code", "message"}], at most the first 1,000.
    errors: fields.Field[list[dict[str, object]]] = fields.JSONField(default=list)

    class Meta:
        table = "roster_imports"
        indexes = (("school_id", "created_at"),)
