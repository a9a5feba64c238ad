"""Delay: the destination's staff put a pending visit off to a time today.

The pass becomes `scheduled` with `start_at` at that time and gives the student's open-pass
slot back (they stay in class, and may use a restroom meanwhile); the scheduler's sweep starts
it then, as it starts every scheduled pass, so a restart misses nothing. The delayer's word is
the acceptance: at its time the visit goes out (or joins the line) without asking again.
"""

from __future__ import annotations

from datetime import datetime

from server.auth.principal import Principal
from server.contract.passes import PassOut
from server.enums import PassState
from server.errors import ErrorCode, HallpassError, forbidden
from server.rules.decision import FieldProblem
from server.rules.delay import delay_until
from server.rules.permissions import Action, may
from server.services.facts import zone_of
from server.services.idempotency import remember, replay
from server.services.passes import compare_and_set, serialise, visible_pass
from server.services.transaction import school_transaction
from server.services.validation import invalid

DELAYABLE = frozenset({PassState.PENDING})
VERB = "delay"


async def delay_pass(
    principal: Principal,
    pass_id: int,
    *,
    until: datetime | None,
    minutes: int | None,
    idempotency_key: str | None = None,
) -> PassOut:
    """Put a pending visit off until a time today: it becomes scheduled, with one event.

    A repeat with the same idempotency key answers the first delay again and changes nothing.
    """
    actor = principal.actor
    async with school_transaction(actor.school_id) as tx:
        now = tx.now
        if idempotency_key is not None:
            stored = await replay(tx, actor.user_id, idempotency_key, VERB, pass_id)
            if stored is not None:
                return stored
        hall_pass, target = await visible_pass(tx, actor, pass_id)
        if not may(actor, Action.DELAY, target):
            raise forbidden("Only the destination's staff can delay this visit.")
        state = PassState(hall_pass.state)
        if state not in DELAYABLE:
            raise HallpassError(
                ErrorCode.INVALID_TRANSITION, f"This pass is {state}: it can't be delayed."
            )
        start_at = delay_until(now, zone_of(tx.school.timezone), until=until, minutes=minutes)
        if isinstance(start_at, FieldProblem):
            raise invalid([start_at], f"Invalid request: {start_at.field} {start_at.message}.")
        await compare_and_set(
            tx,
            hall_pass,
            {
                "state": PassState.SCHEDULED,
                "start_at": start_at,
                "delayed_at": now,
                # The delay is the acceptance: the sweep starts it without asking again.
                "decided_by_id": actor.user_id,
                "open_student_id": None,
            },
        )
        body = await serialise(tx, hall_pass.id)
        await tx.append_event("pass.delayed", hall_pass, actor.user_id, now, body)
        if idempotency_key is not None:
            await remember(tx, actor.user_id, idempotency_key, VERB, hall_pass.id, body)
        return body  # staff only (a kiosk never delays), so full names
