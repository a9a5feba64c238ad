"""Substitutes for the day: a teacher or admin grants a substitute a room and/or an absent
teacher's sections for one school day; a named substitute signs in with a one-day code.

No shared password and nothing open overnight: each grant has its own random code, stored
only as a hash and shown once; the access runs from the day's first bell to its last (the
bell schedule, or the school's default hours on a day without bells), every session made
from the code ends with it, and revoking the grant (or issuing a new code) ends them now.
While a grant is in force, `server/auth/principal.py` adds its rooms and sections to the
substitute's; the hub's access check (`server/hub/access.py`) re-scopes or closes their
sockets when it starts, ends or is revoked.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from tortoise.expressions import Q
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from server.auth.passwords import CODE_ONLY
from server.auth.principal import Principal
from server.clock import utcnow
from server.contract.substitutes import GrantCreate
from server.enums import CLASSROOM_STAFF, LocationKind, Role
from server.errors import ErrorCode, HallpassError, forbidden, not_found
from server.models import Location, School, Session, SubstituteGrant, User
from server.rules.localtime import at_local, local_date, time_of_day
from server.rules.schedule import bells_on
from server.services.facts import load_schedule, zone_of
from server.services.users import MAX_SEARCH_WORDS
from server.services.views import iso

# Letters and digits nobody confuses when reading a code aloud or off a sticky note: no 0/O,
# 1/I/L. 31 symbols, 10 of them: about 8 * 10**14 codes (49 bits), each valid one day.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10
# A grant may be made for a later school day, up to this far ahead.
MAX_DAYS_AHEAD = 60
# A day without bells (no schedule, or a day type without periods) runs these school-local
# hours, unless the school's settings say otherwise (`substitute_day_starts`, `..._ends`).
DEFAULT_DAY_STARTS = "07:30"
DEFAULT_DAY_ENDS = "16:00"


def new_code() -> str:
    """Return a fresh sign-in code, e.g. `K7QXM-3RT9B`, from the system's CSPRNG."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def normalise_code(text: str) -> str:
    """Return a typed code in its one form: upper case, without dashes or spaces."""
    return "".join(ch for ch in text.upper() if ch not in "- \t")


def code_hash(code: str) -> str:
    """Return the stored form of a code (SHA-256: the code has 49 random bits, each valid a
    day and tried at a limited rate, so a slow hash would add nothing)."""
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def well_formed(code: str) -> bool:
    """Say whether a normalised code could be one we issue."""
    return len(code) == CODE_LENGTH and all(ch in CODE_ALPHABET for ch in code)


def bad_field(field: str, message: str) -> HallpassError:
    """Return the 422 naming one field of a grant."""
    return HallpassError(
        ErrorCode.VALIDATION_ERROR,
        f"Invalid substitute grant: {field} ({message}).",
        details={"fields": [{"field": field, "message": message}]},
    )


def require_granter(principal: Principal) -> None:
    """Refuse anyone but a teacher or an administrator (403)."""
    if principal.actor.role not in (Role.TEACHER, Role.ADMIN):
        raise forbidden("Only a teacher or an administrator can manage substitutes.")


def _clock(settings: dict[str, object], key: str, default: str) -> time:
    value = settings.get(key)
    try:
        return time.fromisoformat(value) if isinstance(value, str) else time.fromisoformat(default)
    except ValueError:
        return time.fromisoformat(default)


@dataclass(frozen=True, slots=True)
class DayBounds:
    """When a school day's substitute access runs: [starts_at, ends_at), UTC."""

    starts_at: datetime
    ends_at: datetime


async def day_bounds(school: School, day: date) -> DayBounds:
    """Return a school day's first bell and the end of its last period; on a day without
    bells, the school's default hours."""
    zone = zone_of(school.timezone)
    schedule = await load_schedule(None, school.id, (day,))
    bells = () if schedule is None else bells_on(schedule, day, zone)
    if bells:
        return DayBounds(bells[0].start, max(bell.end for bell in bells))
    settings = school.settings if isinstance(school.settings, dict) else {}
    starts = _clock(settings, "substitute_day_starts", DEFAULT_DAY_STARTS)
    ends = _clock(settings, "substitute_day_ends", DEFAULT_DAY_ENDS)
    return DayBounds(at_local(day, starts, zone), at_local(day, ends, zone))


def state_of(grant: SubstituteGrant, now: datetime) -> str:
    """Return where a grant stands: scheduled, live, ended or revoked."""
    if grant.revoked_at is not None:
        return "revoked"
    if now >= grant.ends_at:
        return "ended"
    return "live" if now >= grant.starts_at else "scheduled"


def short_name(user: User) -> str:
    """Return a staff member's name as a log line shows it: "J. Rivera"."""
    first = user.first_name.strip()
    return f"{first[:1]}. {user.last_name}" if first else user.last_name


def _ref(user: User | None) -> dict[str, Any] | None:
    return None if user is None else {"id": user.id, "name": user.display_name}


def grant_json(grant: SubstituteGrant, now: datetime, code: str | None = None) -> dict[str, Any]:
    """Serialise a grant whose substitute, absent teacher, room and granter are loaded."""
    substitute: User = grant.substitute
    location: Location | None = grant.location
    body: dict[str, Any] = {
        "id": grant.id,
        "day": grant.day.isoformat(),
        "starts_at": iso(grant.starts_at),
        "ends_at": iso(grant.ends_at),
        "state": state_of(grant, now),
        "substitute": _ref(substitute),
        "substitute_login": None if grant.code_hash is not None else substitute.login,
        "absent_teacher": _ref(grant.absent_teacher),
        "location": None if location is None else {"id": location.id, "name": location.name},
        "granted_by": _ref(grant.granted_by),
        "uses_code": grant.code_hash is not None,
        "revoked_at": iso(grant.revoked_at),
        "created_at": iso(grant.created_at),
    }
    return body


RELATED = ("substitute", "absent_teacher", "location", "granted_by")


async def own_rooms(principal: Principal) -> frozenset[int]:
    """Return the rooms assigned to the caller (not those a grant lends them)."""
    rows = await Location.filter(staff__id=principal.user.id).only("id")
    return frozenset(row.id for row in rows)


async def _substitute(principal: Principal, body: GrantCreate) -> User | None:
    """Return the existing account named by `substitute_id` (None for a named person)."""
    if (body.substitute_id is None) == (body.substitute is None):
        raise bad_field("substitute_id", "give exactly one of substitute_id and substitute")
    if body.substitute_id is None:
        return None
    user = await User.get_or_none(id=body.substitute_id, school_id=principal.actor.school_id)
    if user is None:
        raise not_found("user")
    if not user.active or user.role not in CLASSROOM_STAFF:
        raise bad_field("substitute_id", "an active substitute or teacher of the school")
    if user.id in (principal.user.id, body.absent_teacher_id):
        raise bad_field("substitute_id", "not the granting or the absent teacher")
    return user


# The substitute picker's most rows: a school has a handful of regular substitutes, a large
# district's pool a few hundred.
MAX_PEOPLE = 200


async def substitute_people(
    principal: Principal, q: str | None, limit: int = MAX_PEOPLE
) -> list[dict[str, Any]]:
    """Return the school's active substitutes who sign in themselves, by name: those a grant
    made for a named person (code only, a day each) are left out; `q`'s words must each be
    in a name or the e-mail."""
    require_granter(principal)
    query = User.filter(
        school_id=principal.actor.school_id, role=Role.SUBSTITUTE, active=True
    ).exclude(password_hash=CODE_ONLY)
    for word in (q or "").split()[:MAX_SEARCH_WORDS]:
        query = query.filter(
            Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(email__icontains=word)
        )
    rows = await query.order_by("last_name", "first_name", "id").limit(limit)
    return [{"id": row.id, "name": row.display_name, "email": row.email} for row in rows]


async def _check_scope(principal: Principal, body: GrantCreate) -> None:
    """Check the room and the absent teacher: of the school (404), fit (422), the caller's
    own for a teacher (403)."""
    if body.location_id is None and body.absent_teacher_id is None:
        raise bad_field("location_id", "give a room, an absent teacher, or both")
    school_id = principal.actor.school_id
    teacher = principal.actor.role is Role.TEACHER
    if body.location_id is not None:
        room = await Location.get_or_none(id=body.location_id, school_id=school_id)
        if room is None:
            raise not_found("location")
        if room.kind != LocationKind.CLASSROOM or not room.active:
            raise bad_field("location_id", "an active classroom")
        if teacher and room.id not in await own_rooms(principal):
            raise forbidden("A teacher can grant only their own room.")
    if body.absent_teacher_id is not None:
        absent = await User.get_or_none(id=body.absent_teacher_id, school_id=school_id)
        if absent is None:
            raise not_found("user")
        if absent.role != Role.TEACHER:
            raise bad_field("absent_teacher_id", "a teacher of the school")
        if teacher and absent.id != principal.user.id:
            raise forbidden("A teacher can grant only their own sections.")


def _check_day(day: date, today: date) -> None:
    if day < today:
        raise bad_field("day", "a past day")
    if day > today + timedelta(days=MAX_DAYS_AHEAD):
        raise bad_field("day", f"at most {MAX_DAYS_AHEAD} days ahead")


async def _unique_login() -> str:
    """Return a login no account has (random: a named substitute never types it)."""
    while True:
        login = f"substitute-{secrets.token_hex(5)}"
        if not await User.filter(login=login).exists():
            return login


async def create_grant(principal: Principal, body: GrantCreate) -> dict[str, Any]:
    """Grant a substitute a room and/or sections for a day; return it with its code (once)."""
    require_granter(principal)
    school = await School.get(id=principal.actor.school_id)
    now = utcnow()
    today = local_date(now, zone_of(school.timezone))
    day = body.day or today
    _check_day(day, today)
    account = await _substitute(principal, body)
    await _check_scope(principal, body)
    bounds = await day_bounds(school, day)
    if bounds.ends_at <= now:
        raise bad_field("day", "that school day is over")
    code = None if account is not None else new_code()
    async with in_transaction() as conn:
        if account is None:
            assert body.substitute is not None
            account = await User.create(
                using_db=conn,
                school_id=school.id,
                role=Role.SUBSTITUTE,
                login=await _unique_login(),
                first_name=body.substitute.first_name,
                last_name=body.substitute.last_name,
                email=body.substitute.email,
                password_hash=CODE_ONLY,
            )
        grant = await SubstituteGrant.create(
            using_db=conn,
            school_id=school.id,
            substitute_id=account.id,
            granted_by_id=principal.user.id,
            location_id=body.location_id,
            absent_teacher_id=body.absent_teacher_id,
            day=day,
            starts_at=max(bounds.starts_at, now.replace(microsecond=0)),
            ends_at=bounds.ends_at,
            code_hash=None if code is None else code_hash(code),
        )
    loaded = await SubstituteGrant.get(id=grant.id).select_related(*RELATED)
    return {**grant_json(loaded, now), "code": code}


async def _visible(principal: Principal) -> QuerySet[SubstituteGrant]:
    """Return the query of the grants the caller manages: an admin all the school's, a
    teacher those of their rooms, of their sections, or made by them."""
    require_granter(principal)
    query = SubstituteGrant.filter(school_id=principal.actor.school_id)
    if principal.actor.role is Role.TEACHER:
        rooms = sorted(await own_rooms(principal)) or [0]
        me = principal.user.id
        query = query.filter(
            Q(location_id__in=rooms) | Q(absent_teacher_id=me) | Q(granted_by_id=me)
        )
    return query


async def list_grants(principal: Principal, day: date | None) -> list[dict[str, Any]]:
    """Return the grants of a day (default today) the caller manages, earliest first."""
    query = await _visible(principal)
    if day is None:
        school = await School.get(id=principal.actor.school_id)
        day = local_date(utcnow(), zone_of(school.timezone))
    now = utcnow()
    rows = await query.filter(day=day).order_by("starts_at", "id").select_related(*RELATED)
    return [grant_json(row, now) for row in rows]


async def my_grants(principal: Principal) -> list[dict[str, Any]]:
    """Return the grants in force for the caller now (a substitute's banner): whom they cover,
    where, and until when; none for anyone else."""
    now = utcnow()
    ids = [grant.id for grant in principal.grants]
    if not ids:
        return []
    rows = await SubstituteGrant.filter(id__in=ids).order_by("ends_at").select_related(*RELATED)
    return [grant_json(row, now) for row in rows]


async def _managed(principal: Principal, grant_id: int) -> SubstituteGrant:
    grant = await (await _visible(principal)).filter(id=grant_id).get_or_none()
    if grant is None:
        raise not_found("substitute grant")
    return grant


async def revoke_grant(principal: Principal, grant_id: int) -> None:
    """Revoke a grant now: its code stops working and every session made from it ends (the
    hub closes their sockets; an account's sockets lose the grant's rooms and sections)."""
    grant = await _managed(principal, grant_id)
    async with in_transaction() as conn:
        if grant.revoked_at is None:
            await (
                SubstituteGrant.filter(id=grant.id, revoked_at__isnull=True)
                .using_db(conn)
                .update(revoked_at=utcnow())
            )
        await Session.filter(grant_id=grant.id).using_db(conn).delete()


async def reissue_code(principal: Principal, grant_id: int) -> dict[str, Any]:
    """Give a named substitute's grant a new code: the old one stops working, and the sessions
    made with it end (whoever else read it is signed out too)."""
    grant = await _managed(principal, grant_id)
    now = utcnow()
    if grant.code_hash is None:
        raise HallpassError(
            ErrorCode.NO_CODE, "This substitute signs in with their own account, not a code."
        )
    if grant.revoked_at is not None or now >= grant.ends_at:
        raise HallpassError(ErrorCode.GRANT_CLOSED, "This grant was revoked or its day is over.")
    code = new_code()
    async with in_transaction() as conn:
        await SubstituteGrant.filter(id=grant.id).using_db(conn).update(code_hash=code_hash(code))
        await Session.filter(grant_id=grant.id).using_db(conn).delete()
    loaded = await SubstituteGrant.get(id=grant.id).select_related(*RELATED)
    return {**grant_json(loaded, now), "code": code}


def invalid_code() -> HallpassError:
    """Return the 401 for a code that is not one (or no longer the grant's)."""
    return HallpassError(ErrorCode.INVALID_CODE, "That code is not valid. Check it and try again.")


async def redeem_code(text: str) -> SubstituteGrant:
    """Return the live grant a code opens, with its substitute loaded, or raise 401 saying why.

    Whether the code was revoked, is over or not begun is said only once the code matched a
    grant: a guesser learns nothing but "wrong".
    """
    code = normalise_code(text)
    if not well_formed(code):
        raise invalid_code()
    grant = await SubstituteGrant.get_or_none(code_hash=code_hash(code)).select_related(
        "substitute", "school"
    )
    if grant is None or not grant.substitute.active:
        raise invalid_code()
    now = utcnow()
    if grant.revoked_at is not None:
        raise HallpassError(ErrorCode.CODE_REVOKED, "This code was revoked. Ask the office.")
    if now >= grant.ends_at:
        raise HallpassError(ErrorCode.CODE_EXPIRED, "This code was for a school day now over.")
    if now < grant.starts_at:
        zone = zone_of(grant.school.timezone)
        when = grant.starts_at.astimezone(zone)
        raise HallpassError(
            ErrorCode.CODE_NOT_YET_VALID,
            f"This code works from {when:%A %d %B} at {time_of_day(when, zone)}.",
            details={"starts_at": iso(grant.starts_at)},
        )
    return grant


async def end_lapsed_sessions() -> int:
    """Delete the sessions of grants that ended or were revoked; return how many went.

    A code's session already expires with its grant; this removes any left (the clock moved,
    a grant's end brought forward), so the hub's access check closes their sockets.
    """
    # From the sessions' side: the few made from codes, not every grant ever made.
    lapsed = await Session.filter(
        Q(grant__ends_at__lte=utcnow()) | Q(grant__revoked_at__isnull=False),
        grant_id__isnull=False,
    ).values_list("id", flat=True)
    if not lapsed:
        return 0
    return await Session.filter(id__in=sorted(set(lapsed))).delete()
