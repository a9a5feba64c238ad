"""Staff overrides, as administrators read them: who sent which student out past what, and why."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from server.auth.principal import Principal
from server.errors import forbidden
from server.models import Pass, User
from server.rules.permissions import may_read_overrides
from server.services.transaction import consistent_read

MAX_OVERRIDES = 500


def require_override_reader(principal: Principal) -> None:
    """Refuse anyone but administrators (403)."""
    if not may_read_overrides(principal.actor):
        raise forbidden("Only an administrator can read overrides.")


async def list_overrides(
    principal: Principal, since: datetime | None, limit: int = MAX_OVERRIDES
) -> list[dict[str, Any]]:
    """Return the school's overridden passes, newest first."""
    require_override_reader(principal)
    query = Pass.filter(school_id=principal.actor.school_id, override__isnull=False)
    if since is not None:
        query = query.filter(requested_at__gte=since)
    async with consistent_read() as conn:
        passes = (
            await query.using_db(conn)
            .order_by("-id")
            .limit(limit)
            .select_related("student", "destination")
        )
        by_ids = {int(str(p.override["by"])) for p in passes if p.override}
        staff = {
            u.id: u.display_name for u in await User.filter(id__in=sorted(by_ids)).using_db(conn)
        }
    result = []
    for hall_pass in passes:
        record = hall_pass.override or {}
        by = int(str(record.get("by")))
        result.append(
            {
                "pass_id": hall_pass.id,
                "at": record.get("at"),
                "by": {"id": by, "name": staff.get(by, "")},
                "student": {"id": hall_pass.student.id, "name": hall_pass.student.display_name},
                "destination": {"id": hall_pass.destination.id, "name": hall_pass.destination.name},
                "reason": record.get("reason"),
                "would_have": record.get("would_have"),
            }
        )
    return result
