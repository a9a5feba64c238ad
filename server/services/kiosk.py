"""A door kiosk: a student types their number to go out, and again when they are back.

The kiosk (role `kiosk`, assigned to its room) finds only the students whose room is one of its
rooms now (the current period's section's room, else their homeroom: server/services/
placement.py), and, to end a pass, the student whose pass left one of its rooms; any other
number, known or not, gets the same neutral 404, so the door never says whether a number
exists elsewhere. Passes are made and ended by the pass service, as the kiosk itself: kind
`kiosk`, the student's own limits, origin their room now. Every answer
names the student as "First L." (server/names.py); the API limits each kiosk's
lookups (server/auth/ratelimit.py::KioskLimiter), here and through `POST /api/passes`.

Going out is two steps, so a number typed wrong can't send a classmate out: `confirm` finds
the student and hands the kiosk "Abigail L." with a short-lived signed confirmation
(server/auth/confirmations.py), and `kiosk_pass` starts a pass only for the student that
confirmation names, in the kiosk session it was made for.
"""

from __future__ import annotations

from server.auth import confirmations
from server.auth.principal import Principal
from server.clock import utcnow
from server.contract.passes import PassOut
from server.contract.users import KioskLookupOut
from server.enums import PassState, Role
from server.errors import ErrorCode, HallpassError, forbidden
from server.models import IdempotencyKey, Pass, School, User
from server.names import short_name
from server.services.idempotency import conflict
from server.services.passes import Created, create_pass, transition
from server.services.placement import placements_of

NOT_AT_THIS_DOOR = "No student with this number at this door."
NOT_CONFIRMED = "Type your number again and confirm your name."


def not_confirmed() -> HallpassError:
    """Return the 409 for a kiosk pass without a valid confirmation (missing, expired, forged)."""
    return HallpassError(ErrorCode.CONFIRMATION_INVALID, NOT_CONFIRMED)


def require_kiosk(principal: Principal) -> None:
    """Refuse anyone but a door kiosk (403)."""
    if principal.actor.role is not Role.KIOSK:
        raise forbidden("Only a door kiosk can start passes by student number.")


async def student_at_door(principal: Principal, number: str, *, returning: bool = False) -> User:
    """Return the active student in the kiosk's rooms now with this number, or the neutral 404.

    `returning`: also the student whose open pass left one of the kiosk's rooms (back from a
    pass that outlasted its period, at the door they left by).
    """
    actor = principal.actor
    candidates = await User.filter(
        school_id=actor.school_id, role=Role.STUDENT, active=True, student_number=number
    ).limit(2)
    school = await School.get(id=actor.school_id)
    placed = await placements_of(None, school, candidates, utcnow(), with_teachers=False)
    left_here: set[int] = set()
    if returning and candidates:
        rows = await Pass.filter(
            open_student_id__in=[s.id for s in candidates],
            origin_id__in=sorted(actor.location_ids),
        ).values("open_student_id")
        left_here = {int(row["open_student_id"]) for row in rows}
    found = [
        s for s in candidates if placed[s.id].room_id in actor.location_ids or s.id in left_here
    ]
    if len(found) != 1:  # two students of one door sharing a number: neither is guessed at
        raise HallpassError(ErrorCode.NOT_FOUND, NOT_AT_THIS_DOOR)
    return found[0]


async def confirm(
    principal: Principal, session_id: int, number: str, secret: str
) -> KioskLookupOut:
    """Find the student of this door with this number; return "First L." and a confirmation."""
    require_kiosk(principal)
    student = await student_at_door(principal, number)
    issued = confirmations.issue(secret, session_id, student.id, utcnow())
    return KioskLookupOut(
        name=short_name(student.first_name, student.last_name),
        confirmation=issued.token,
        expires_at=issued.expires_at.isoformat().replace("+00:00", "Z"),
    )


async def confirmed_at_door(
    principal: Principal, session_id: int, number: str, token: str | None, secret: str
) -> User:
    """Return the student a valid confirmation of this kiosk session names, if it is this
    number's student at this door still; else the 409 `confirmation_invalid`.

    The number is checked against the confirmed student, never looked up first: a good token
    can't be used to learn, free of the lookup limit, whether other numbers exist.
    """
    student_id = (
        None
        if token is None
        else confirmations.confirmed_student(secret, session_id, token, utcnow())
    )
    if student_id is None:
        raise not_confirmed()
    named = await User.get_or_none(id=student_id, school_id=principal.actor.school_id)
    if named is None or named.student_number != number:
        raise not_confirmed()
    try:
        student = await student_at_door(principal, number)
    except HallpassError:
        raise not_confirmed() from None  # no longer of this door (the period changed, say)
    if student.id != student_id:
        raise not_confirmed()
    return student


async def kiosk_pass(
    principal: Principal,
    number: str,
    destination_id: int,
    idempotency_key: str | None,
    *,
    session_id: int,
    confirmation: str | None,
    secret: str,
) -> Created:
    """Start the pass of the confirmed student with this number, as their own request would."""
    require_kiosk(principal)
    student = await confirmed_at_door(principal, session_id, number, confirmation, secret)
    return await create_pass(
        principal,
        destination_id=destination_id,
        student_id=student.id,
        idempotency_key=idempotency_key,
    )


async def kiosk_return(principal: Principal, number: str, idempotency_key: str | None) -> PassOut:
    """End the active pass of the student with this number ("I'm back" at the door)."""
    require_kiosk(principal)
    student = await student_at_door(principal, number, returning=True)
    if idempotency_key is not None:
        # A repeat finds the pass it ended, which is no longer open: answer what it answered.
        previous = await IdempotencyKey.get_or_none(
            user_id=principal.actor.user_id, key=idempotency_key
        ).select_related("hall_pass")
        if previous is not None:
            if previous.verb != "end" or previous.hall_pass.student_id != student.id:
                raise conflict()
            if previous.response is not None:
                return PassOut.model_validate(previous.response)
    open_pass = await Pass.get_or_none(open_student_id=student.id)
    if open_pass is None or open_pass.state is not PassState.ACTIVE:
        raise HallpassError(ErrorCode.INVALID_TRANSITION, "There is no pass out to end.")
    return await transition(principal, open_pass.id, "end", idempotency_key=idempotency_key)
