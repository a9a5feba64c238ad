"""Which passes a caller may see, as a database filter (the same sets as Action.VIEW)."""

from __future__ import annotations

from tortoise.expressions import Q

from server.rules.permissions import Actor, Scope, scope_of
from server.services.principal import Principal


def visible(principal: Principal) -> Q:
    """Return the filter of passes the caller may see (the same sets as Action.VIEW)."""
    return visible_to(principal.actor)


def visible_to(actor: Actor) -> Q:
    """Return the filter of passes the actor may see (the same sets as Action.VIEW)."""
    scope = scope_of(actor)
    base = Q(school_id=actor.school_id)
    if scope is Scope.OWN:
        return base & Q(student_id=actor.user_id)
    if scope is Scope.SCHOOL:
        return base
    ids = list(actor.location_ids) or [0]
    if scope is Scope.TO:
        return base & Q(destination_id__in=ids)
    return base & (Q(origin_id__in=ids) | Q(destination_id__in=ids))
