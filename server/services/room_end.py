"""End all: a teacher ends every pass out of their room at once, exactly the set they confirmed.

All or none in one school transaction: if the passes out of the room are not the ones the
teacher saw when they confirmed (someone came back, someone left), nothing ends and the answer
names the current set, so the app can ask again with the right names.
"""

from __future__ import annotations

from server.auth.principal import Principal
from server.contract.passes import PassOut
from server.enums import CLASSROOM_STAFF, EndedBy, PassState, Role
from server.errors import ErrorCode, HallpassError, forbidden, not_found
from server.models import Location, Pass
from server.rules.permissions import Action, may
from server.services.passes import compare_and_set, offer_places, serialise, target_of
from server.services.transaction import SchoolTransaction, school_transaction


async def require_room(principal: Principal, room_id: int) -> None:
    """Check the caller may end the room's passes: 404 for a place not theirs to know, else 403."""
    actor = principal.actor
    room = await Location.get_or_none(id=room_id, school_id=actor.school_id)
    if room is None:
        raise not_found("location")
    teaches_here = actor.role in CLASSROOM_STAFF and room_id in actor.location_ids
    if not (teaches_here or actor.role is Role.ADMIN):
        raise forbidden("Only the room's teacher or an administrator can end all its passes.")


async def _out_of(tx: SchoolTransaction, principal: Principal, room_id: int) -> list[Pass]:
    # The room's passes out that the caller may end (a section's pass is its teachers').
    found = (
        await Pass.filter(school_id=tx.school.id, origin_id=room_id, state=PassState.ACTIVE)
        .using_db(tx.conn)
        .select_related("destination")
        .order_by("id")
    )
    return [p for p in found if may(principal.actor, Action.END, target_of(p, p.destination))]


async def end_all(principal: Principal, room_id: int, pass_ids: list[int]) -> list[PassOut]:
    """End exactly the confirmed passes out of the room, or none (409 with the current set)."""
    actor = principal.actor
    async with school_transaction(actor.school_id) as tx:
        now = tx.now
        out = await _out_of(tx, principal, room_id)
        if sorted(p.id for p in out) != sorted(set(pass_ids)) or len(set(pass_ids)) != len(
            pass_ids
        ):
            current = [await serialise(tx, p.id) for p in out]
            raise HallpassError(
                ErrorCode.PASSES_CHANGED,
                "The passes out of the room changed since you looked: nothing was ended.",
                details={"passes": [p.model_dump(mode="json") for p in current]},
            )
        ended: list[PassOut] = []
        for hall_pass in out:
            await compare_and_set(
                tx,
                hall_pass,
                {
                    "state": PassState.ENDED,
                    "ended_at": now,
                    "open_student_id": None,
                    "ended_by": EndedBy.STAFF,
                },
            )
            body = await serialise(tx, hall_pass.id)
            grant_id = principal.grant_for(
                hall_pass.section_id, hall_pass.origin_id, hall_pass.destination_id
            )
            await tx.append_event(
                "pass.ended", hall_pass, actor.user_id, now, body, grant_id=grant_id
            )
            ended.append(body)
        if ended:
            await offer_places(tx, now)  # the places they held are free
        return ended
