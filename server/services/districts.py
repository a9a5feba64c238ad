"""Districts: their schools, administrators, reports, and one person's accounts across them.

A district administrator's user row lives in one school of the district, but every school
endpoint refuses the role (server/api/context.py); what they do goes through here, always
limited to the schools of their own district: another district's school is a 404.
`User.person_key` links one person's rows across the district's schools; only district-level
work (the CLI, a district roster import) sets it, never a school's own admin.
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from server import runtime
from server.auth.principal import Principal
from server.clock import utcnow
from server.enums import LocationKind, PassState, Role, SessionVia
from server.errors import ErrorCode, HallpassError, forbidden, not_found
from server.logins import normalize_login
from server.models import District, Location, Pass, School, Session, User
from server.rules.localtime import day_start, week_start
from server.services.places import settings_json
from server.services.views import iso

# The places a new school starts with, so its first pass can be made before an admin or a
# roster adds rooms: (name, kind, capacity). A roster import adds the classrooms.
DEFAULT_PLACES = (
    ("Restroom", LocationKind.RESTROOM, 2),
    ("Nurse", LocationKind.NURSE, None),
    ("Main Office", LocationKind.OFFICE, None),
)
BUSIEST = 5


def school_json(school: School) -> dict[str, Any]:
    """Serialise a school as the district's list shows it."""
    return {
        "id": school.id,
        "name": school.name,
        "slug": school.slug,
        "timezone": school.timezone,
        "source_id": school.source_id,
    }


async def district_json(district: District) -> dict[str, Any]:
    """Serialise a district with its schools, by name."""
    schools = await School.filter(district_id=district.id).order_by("name", "id")
    return {
        "id": district.id,
        "name": district.name,
        "slug": district.slug,
        "source_id": district.source_id,
        "schools": [school_json(s) for s in schools],
    }


async def district_of(principal: Principal) -> District:
    """Return the district of a district administrator (403 when their school has none)."""
    school = await School.get(id=principal.actor.school_id)
    if school.district_id is None:
        raise forbidden("Your account's school belongs to no district.")
    return await District.get(id=school.district_id)


async def school_in(district: District, school_id: int) -> School:
    """Return one school of the district; another district's (or none) is a 404."""
    school = await School.get_or_none(id=school_id, district_id=district.id)
    if school is None:
        raise not_found("school")
    return school


def slug_taken(slug: str) -> HallpassError:
    """Return the 409 for a slug another school (or district) has."""
    return HallpassError(ErrorCode.SLUG_TAKEN, f'The slug "{slug}" is taken: choose another.')


async def create_school(district: District, name: str, slug: str, timezone: str) -> School:
    """Create a school of the district with its default places."""
    if await School.exists(slug=slug):
        raise slug_taken(slug)
    try:
        async with in_transaction() as conn:
            school = await School.create(
                using_db=conn, name=name, slug=slug, timezone=timezone, district_id=district.id
            )
            for place, kind, capacity in DEFAULT_PLACES:
                await Location.create(
                    using_db=conn, school=school, name=place, kind=kind, capacity=capacity
                )
    except IntegrityError as exc:  # the same slug, created at the same moment
        raise slug_taken(slug) from exc
    return school


def one_time_password() -> str:
    """Return a password to hand over once (about 96 bits)."""
    return secrets.token_urlsafe(12)


async def create_account(
    school: School, role: Role, email: str, first_name: str, last_name: str
) -> tuple[User, str]:
    """Create an account with its e-mail as login and a one-time password; return both."""
    login = normalize_login(email)
    if await User.exists(school_id=school.id, login=login):
        raise HallpassError(
            ErrorCode.LOGIN_TAKEN, f"{school.name} already has an account with this login."
        )
    password = one_time_password()
    password_hash = await runtime.current().passwords.hash(password)
    try:
        user = await User.create(
            school=school,
            role=role,
            login=login,
            email=email.strip(),
            first_name=first_name,
            last_name=last_name,
            password_hash=password_hash,
        )
    except IntegrityError as exc:
        raise HallpassError(
            ErrorCode.LOGIN_TAKEN, f"{school.name} already has an account with this login."
        ) from exc
    return user, password


def created_json(user: User, school: School, password: str) -> dict[str, Any]:
    """Serialise a new account with its one-time password."""
    return {
        "id": user.id,
        "login": user.login,
        "name": user.display_name,
        "role": str(user.role),
        "school": school_json(school),
        "password": password,
    }


async def _totals(school_id: int, since: datetime) -> dict[str, Any]:
    rows = await Pass.filter(school_id=school_id, requested_at__gte=since).values(
        "state", "started_at", "ended_at"
    )
    by_state = Counter(str(row["state"]) for row in rows)
    minutes = [
        (row["ended_at"] - row["started_at"]).total_seconds() / 60
        for row in rows
        if row["state"] == PassState.ENDED and row["started_at"] and row["ended_at"]
    ]
    return {
        "by_state": {state: by_state[state] for state in sorted(by_state)},
        "total": len(rows),
        "average_minutes_out": round(sum(minutes) / len(minutes), 1) if minutes else None,
    }


async def school_report(school: School) -> dict[str, Any]:
    """Return a school's numbers: no person's name, only counts and places."""
    now = utcnow()
    zone = ZoneInfo(school.timezone)
    roles = Counter(
        str(role)
        for role in await User.filter(school_id=school.id, active=True).values_list(
            "role", flat=True
        )
    )
    week = week_start(now, zone)
    places = Counter(
        str(name)
        for name in await Pass.filter(school_id=school.id, requested_at__gte=week).values_list(
            "destination__name", flat=True
        )
    )
    busiest = sorted(places.items(), key=lambda item: (-item[1], item[0]))[:BUSIEST]
    return {
        "school": school_json(school),
        "generated_at": iso(now),
        "users_by_role": {role: roles[role] for role in sorted(roles)},
        "today": await _totals(school.id, day_start(now, zone)),
        "this_week": await _totals(school.id, week),
        "busiest_destinations": [{"name": name, "passes": n} for name, n in busiest],
    }


async def school_settings(school: School) -> dict[str, Any]:
    """Return a school's settings as GET /api/school shows them to its admins."""
    return await settings_json(None, school)


# -- One person, several schools -----------------------------------------------------------


async def other_accounts(user: User, session: Session) -> list[User]:
    """Return the caller's active accounts in the other schools of their district.

    Accounts linked by `person_key` (set only by district-level work); and for a session
    started by single sign-on, the accounts whose e-mail is the identity the provider vouched
    for. A password session never reaches an account by its e-mail alone: anyone can type an
    e-mail into a profile. A substitute's code session reaches nothing.
    """
    school = await School.get(id=user.school_id)
    if school.district_id is None or session.via == SessionVia.CODE:
        return []
    district_schools = School.filter(district_id=school.district_id).exclude(id=school.id)
    school_ids = list(await district_schools.values_list("id", flat=True))
    if not school_ids:
        return []
    found: dict[int, User] = {}
    if user.person_key:
        for other in await User.filter(
            person_key=user.person_key, school_id__in=school_ids, active=True
        ):
            found[other.id] = other
    if session.via == SessionVia.SSO and session.identity:
        identity = session.identity.strip().casefold()
        for other in await User.filter(
            school_id__in=school_ids, active=True, email__iexact=identity
        ):
            found[other.id] = other
    # A kiosk is a device, never a person's other account.
    return sorted(
        (u for u in found.values() if u.role != Role.KIOSK), key=lambda u: (u.school_id, u.id)
    )


async def my_schools(user: User, session: Session) -> list[dict[str, Any]]:
    """Return the other schools the caller may switch to, with their role there (by name)."""
    accounts = await other_accounts(user, session)
    schools = {s.id: s for s in await School.filter(id__in=[u.school_id for u in accounts])}
    seen: set[int] = set()
    listed = []
    for account in accounts:
        if account.school_id in seen:
            continue  # two accounts in one school: the first (oldest) is the one switched to
        seen.add(account.school_id)
        school = schools[account.school_id]
        listed.append(
            {"id": school.id, "name": school.name, "slug": school.slug, "role": str(account.role)}
        )
    return sorted(listed, key=lambda item: (str(item["name"]), int(item["id"])))


async def account_in(user: User, session: Session, school_id: int) -> User:
    """Return the caller's account in that school of the district, or 404."""
    for account in await other_accounts(user, session):
        if account.school_id == school_id:
            return account
    raise not_found("account of yours in that school")


# -- District-level work (the CLI) ---------------------------------------------------------


class DistrictError(Exception):
    """A district command that can't be done: its message says why, in one line."""


@dataclass(frozen=True, slots=True)
class AccountRef:
    """`login@school-slug`: one account, as the CLI names it."""

    login: str
    school_slug: str

    @classmethod
    def parse(cls, text: str) -> AccountRef:
        """Read `LOGIN@SLUG` (the last `@` splits: a login may be an e-mail)."""
        login, at, slug = text.rpartition("@")
        if not at or not login or not slug:
            raise DistrictError(f'"{text}" is not LOGIN@SCHOOL-SLUG.')
        return cls(normalize_login(login), slug)


async def create_district(name: str, slug: str, school_slugs: Sequence[str]) -> District:
    """Create a district; the schools named (by slug) join it."""
    if await District.exists(slug=slug):
        raise DistrictError(f'A district with the slug "{slug}" exists.')
    schools = await _schools(school_slugs)
    async with in_transaction() as conn:
        district = await District.create(using_db=conn, name=name, slug=slug)
        for school in schools:
            await _join(school, district, conn)
    return district


async def _schools(slugs: Iterable[str]) -> list[School]:
    schools = []
    for slug in slugs:
        school = await School.get_or_none(slug=slug)
        if school is None:
            raise DistrictError(f'No school with the slug "{slug}".')
        schools.append(school)
    return schools


async def _join(school: School, district: District, conn: Any) -> None:
    if school.district_id not in (None, district.id):
        raise DistrictError(f"{school.name} ({school.slug}) belongs to another district.")
    school.district_id = district.id
    await school.save(using_db=conn, update_fields=["district_id"])


async def district_by_slug(slug: str) -> District:
    """Return the district of a slug, or raise DistrictError."""
    district = await District.get_or_none(slug=slug)
    if district is None:
        raise DistrictError(f'No district with the slug "{slug}".')
    return district


async def add_schools(district: District, slugs: Sequence[str]) -> list[School]:
    """Add existing schools (by slug) to the district."""
    schools = await _schools(slugs)
    async with in_transaction() as conn:
        for school in schools:
            await _join(school, district, conn)
    return schools


async def add_district_admin(
    district: District, email: str, first_name: str, last_name: str, school_slug: str | None
) -> tuple[User, School, str]:
    """Make a district administrator (their row in `school_slug`, else the district's first
    school); return them, the school and their one-time password."""
    query = School.filter(district_id=district.id)
    if school_slug is not None:
        query = query.filter(slug=school_slug)
    school = await query.order_by("id").first()
    if school is None:
        raise DistrictError(
            f'No school "{school_slug}" in {district.name}.'
            if school_slug
            else f"{district.name} has no school yet: add one first."
        )
    try:
        user, password = await create_account(
            school, Role.DISTRICT_ADMIN, email, first_name, last_name
        )
    except HallpassError as exc:
        raise DistrictError(exc.message) from exc
    return user, school, password


async def link_accounts(district: District, refs: Sequence[AccountRef]) -> str:
    """Give the accounts one `person_key` (they become one person); return the key.

    Each must be in a different school of the district. An account already linked brings
    its key along, so linking a third school to two linked ones keeps their key.
    """
    if len(refs) < 2:
        raise DistrictError("Name at least two accounts, LOGIN@SCHOOL-SLUG each.")
    users: list[User] = []
    for ref in refs:
        school = await School.get_or_none(slug=ref.school_slug, district_id=district.id)
        if school is None:
            raise DistrictError(f'No school "{ref.school_slug}" in {district.name}.')
        user = await User.get_or_none(school_id=school.id, login=ref.login)
        if user is None:
            raise DistrictError(f'No account "{ref.login}" in {school.name}.')
        if user.role == Role.KIOSK:
            raise DistrictError(f'"{ref.login}" is a kiosk device, not a person.')
        users.append(user)
    if len({u.school_id for u in users}) != len(users):
        raise DistrictError("Name one account per school.")
    keys = sorted({u.person_key for u in users if u.person_key})
    key = keys[0] if keys else f"{district.id}:manual:{secrets.token_hex(8)}"
    async with in_transaction() as conn:
        if len(keys) > 1:  # two linked groups become one person
            await User.filter(person_key__in=keys[1:]).using_db(conn).update(person_key=key)
        await User.filter(id__in=[u.id for u in users]).using_db(conn).update(person_key=key)
    return key


async def list_districts() -> list[dict[str, Any]]:
    """Return every district with its schools (for `hallpass district list`)."""
    return [await district_json(d) for d in await District.all().order_by("slug")]
