"""The append-only event log: the source of truth for what happened, in order."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from server.models.pass_ import Pass
    from server.models.school import School
    from server.models.substitute import SubstituteGrant
    from server.models.user import User


class PassEvent(Model):
    """One change of a pass, numbered by a gapless per-school sequence."""

    id = fields.BigIntField(primary_key=True)
    school: fields.ForeignKeyRelation[School] = fields.ForeignKeyField(
        "models.School", related_name="events", on_delete=fields.CASCADE
    )
    school_id: int
    seq = fields.BigIntField()
    name = fields.CharField(max_length=40)
    hall_pass: fields.ForeignKeyRelation[Pass] = fields.ForeignKeyField(
        "models.Pass", related_name="events", on_delete=fields.CASCADE
    )
    hall_pass_id: int
    actor: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="events", null=True, on_delete=fields.SET_NULL
    )
    actor_id: int | None
    # The substitute grant the actor acted under (they are the substitute, covering its room or
    # absent teacher): the log names them as the substitute, never as the teacher they cover.
    grant: fields.ForeignKeyNullableRelation[SubstituteGrant] = fields.ForeignKeyField(
        "models.SubstituteGrant", related_name="events", null=True, on_delete=fields.SET_NULL
    )
    grant_id: int | None
    at = fields.DatetimeField()
    # The pass as it was right after the change, as the API serialises it for staff.
    data: fields.Field[dict[str, object]] = fields.JSONField()

    class Meta:
        table = "pass_events"
        unique_together = (("school", "seq"),)
