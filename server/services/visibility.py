"""Which passes a caller may see: the database filter, and the one list REST and /ws both serve.

GET /api/passes and the /ws snapshot answer the same question ("the passes this caller may
see, as they may see them"), so both call `visible_passes`: the same filter (the same sets as
Action.VIEW), the same line positions, and the same names for the caller's role.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q

from server.clock import utcnow
from server.contract.passes import PassOut
from server.enums import PassState
from server.models import Pass
from server.rules.permissions import Actor, Scope, scope_of, sees_full_names
from server.services.views import line_positions, pass_view


def visible_to(actor: Actor) -> Q:
    """Return the filter of passes the actor may see (the same sets as Action.VIEW)."""
    scope = scope_of(actor)
    base = Q(school_id=actor.school_id)
    if scope is Scope.OWN:
        return base & Q(student_id=actor.user_id)
    if scope is Scope.SCHOOL:
        return base
    if scope is Scope.NONE:
        return base & Q(id__in=[])
    ids = list(actor.location_ids) or [0]
    if scope is Scope.TO:
        return base & Q(destination_id__in=ids)
    if scope is Scope.CLASS_OR_TO:
        # A pass from a section is its teachers'; one without a section is its room's.
        sections = list(actor.section_ids) or [0]
        return base & (
            Q(section_id__in=sections)
            | Q(section_id__isnull=True, origin_id__in=ids)
            | Q(destination_id__in=ids)
        )
    return base & (Q(origin_id__in=ids) | Q(destination_id__in=ids))


async def line_of(school_id: int, conn: BaseDBAsyncClient | None = None) -> dict[int, int]:
    """Return each waiting pass of the school by id: its 1-based place in its line."""
    waiting = await Pass.filter(school_id=school_id, state=PassState.WAITING).using_db(conn)
    return line_positions(waiting, utcnow())


async def visible_passes(
    actor: Actor,
    *,
    states: Collection[PassState] | None = None,
    before: int | None = None,
    requested_since: datetime | None = None,
    limit: int | None = None,
    student_id: int | None = None,
    conn: BaseDBAsyncClient | None = None,
    line: Mapping[int, int] | None = None,
) -> list[PassOut]:
    """Return the passes the actor may see, newest first, each as the actor may see it.

    `states`, `before` (an id), `requested_since` and `student_id` narrow the list, `limit`
    cuts it; `line` is the school's line positions when the caller has read them already.
    """
    query = Pass.filter(visible_to(actor)).using_db(conn)
    if states is not None:
        query = query.filter(state__in=list(states))
    if before is not None:
        query = query.filter(id__lt=before)
    if requested_since is not None:
        query = query.filter(requested_at__gte=requested_since)
    if student_id is not None:
        query = query.filter(student_id=student_id)
    query = query.order_by("-id")
    if limit is not None:
        query = query.limit(limit)
    passes = await query.select_related("student", "origin", "destination", "section")
    if line is None:
        line = await line_of(actor.school_id, conn) if passes else {}
    full = sees_full_names(actor)
    return [pass_view(p, position=line.get(p.id), full_names=full) for p in passes]
