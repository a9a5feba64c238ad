"""A pass's history as staff read it: each event of the log, who caused it, and a substitute
named as one ("Approved by J. Rivera (substitute for M. Reyes)")."""

from __future__ import annotations

from typing import Any

from server.auth.principal import Principal
from server.enums import DESTINATION_STAFF, Role
from server.errors import forbidden, not_found
from server.models import Location, Pass, PassEvent, SubstituteGrant, User
from server.rules.permissions import Action, may
from server.services.passes import target_of
from server.services.substitutes import short_name

# What each event says happened, as a log line starts ("Approved by ...").
VERBS = {
    "pass.created": "Created",
    "pass.approved": "Approved",
    "pass.denied": "Denied",
    "pass.cancelled": "Cancelled",
    "pass.arrived": "Arrived",
    "pass.ended": "Ended",
    "pass.taken": "Took the offered place",
    "pass.started": "Started",
    "pass.expired": "Expired",
    "pass.offered": "Offered a place",
    "pass.requeued": "Sent to the back of the line",
    "pass.overdue": "Overdue",
    "pass.reminder": "Reminder sent",
    "pass.delayed": "Put off",
}


def _ref(row: User | Location | None) -> dict[str, Any] | None:
    if row is None:
        return None
    name = row.display_name if isinstance(row, User) else row.name
    return {"id": row.id, "name": name}


# Places a student is checked in at: a pass there that ends unchecked was no visit.
VISITED = frozenset({"nurse", "counselor"})


def ended_before_arrival(event: PassEvent) -> bool:
    """Say whether the event ended a visit pass whose student never arrived (no visit)."""
    data = event.data if isinstance(event.data, dict) else {}
    destination = data.get("destination")
    kind = destination.get("kind") if isinstance(destination, dict) else None
    return (
        event.name == "pass.ended"
        and kind in VISITED
        and bool(data.get("started_at"))
        and not data.get("arrived_at")
    )


def describe(event: PassEvent) -> tuple[dict[str, Any] | None, str]:
    """Return who caused an event (loaded with its actor and grant) and its log line."""
    verb = VERBS.get(event.name, event.name.removeprefix("pass.").replace("_", " ").capitalize())
    actor: User | None = event.actor
    # The nurse's (or counselor's) "End" for a student who never came: no visit took place.
    if actor is not None and actor.role in DESTINATION_STAFF and ended_before_arrival(event):
        verb = "Ended before arriving (no visit)"
    if actor is None:
        return None, verb
    grant: SubstituteGrant | None = event.grant
    absent: User | None = None if grant is None else grant.absent_teacher
    room: Location | None = None if grant is None else grant.location
    who = short_name(actor)
    if grant is not None:
        covering = short_name(absent) if absent is not None else room.name if room else ""
        who += f" (substitute for {covering})" if covering else " (substitute)"
    body = {
        "id": actor.id,
        "name": actor.display_name,
        "role": str(actor.role),
        "substitute": grant is not None,
        "substitute_for": _ref(absent),
        "room": _ref(room),
    }
    return body, f"{verb} by {who}"


async def pass_history(principal: Principal, pass_id: int) -> list[dict[str, Any]]:
    """Return a pass's events, oldest first, if the caller is staff who may see it (else 404)."""
    actor = principal.actor
    if principal.is_student or actor.role is Role.KIOSK:
        raise forbidden("Only staff read a pass's history.")
    hall_pass = await Pass.get_or_none(id=pass_id, school_id=actor.school_id).select_related(
        "destination"
    )
    if hall_pass is None or not may(
        actor, Action.VIEW, target_of(hall_pass, hall_pass.destination)
    ):
        raise not_found("pass")
    events = (
        await PassEvent.filter(hall_pass_id=hall_pass.id)
        .order_by("seq")
        .select_related("actor", "grant", "grant__absent_teacher", "grant__location")
    )
    out = []
    for event in events:
        who, summary = describe(event)
        state = event.data.get("state") if isinstance(event.data, dict) else None
        out.append(
            {
                "seq": event.seq,
                "name": event.name,
                "at": event.at.isoformat().replace("+00:00", "Z"),
                "state": str(state or ""),
                "actor": who,
                "summary": summary,
            }
        )
    return out
