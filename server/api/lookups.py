"""The door kiosk's lookup limit, shared by every endpoint through which a kiosk finds a student."""

from __future__ import annotations

from starlette.requests import Request

from server.api.context import context
from server.auth.principal import Principal
from server.errors import ErrorCode, HallpassError


async def count_lookup(request: Request, principal: Principal) -> None:
    """Count one student lookup by this kiosk, or refuse it (429) past the limit."""
    wait = await context(request).runtime.kiosk_limiter.look_up(principal.actor.user_id)
    if wait is not None:
        raise HallpassError(
            ErrorCode.RATE_LIMITED,
            "Too many student numbers at this door. Try again in a minute.",
            headers={"Retry-After": str(wait)},
        )
