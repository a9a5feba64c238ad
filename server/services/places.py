"""The school's settings and places, as admins change them (issue 6: the admin API).

Every change runs inside the school's transaction (ADR 0002): a pass decision sees the old
settings or the new ones, never half. A change that can free room (passes back on, a higher
maximum or capacity) offers the line its places at once, in the same transaction; the sweep
(`offer_free_places`) would do it anyway within seconds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from server.auth.principal import Principal
from server.enums import LocationKind, PassState, Role
from server.errors import ErrorCode, HallpassError, forbidden, not_found
from server.models import Location, Pass, School, User
from server.rules.permissions import may_manage_policy
from server.services.passes import offer_places
from server.services.placement import OUTSIDE_PERIODS, fallback_of
from server.services.sso import PASSWORD_SIGN_IN_STUDENTS
from server.services.transaction import SchoolTransaction, school_transaction

# Security reads the settings (emergency mode switches passes off); only admins change them.
SETTINGS_READERS = frozenset({Role.ADMIN, Role.SECURITY})


def require_admin(principal: Principal) -> None:
    """Refuse anyone but an administrator (403)."""
    if not may_manage_policy(principal.actor):
        raise forbidden("Only an administrator can change the school's settings and places.")


def invalid(field: str, message: str) -> HallpassError:
    """Return the 422 naming one bad field."""
    return HallpassError(
        ErrorCode.VALIDATION_ERROR,
        f"Invalid request: {field}.",
        details={"fields": [{"field": field, "message": message}]},
    )


async def _out_now(conn: BaseDBAsyncClient | None, school_id: int) -> int:
    return await Pass.filter(school_id=school_id, state=PassState.ACTIVE).using_db(conn).count()


async def settings_json(conn: BaseDBAsyncClient | None, school: School) -> dict[str, Any]:
    """Serialise the school's settings."""
    return {
        "id": school.id,
        "name": school.name,
        "slug": school.slug,
        "timezone": school.timezone,
        "hallway_max": school.hallway_max,
        "passes_enabled": school.passes_enabled,
        "outside_periods": str(fallback_of(school)),
        "out": await _out_now(conn, school.id),
        "password_sign_in_students": (school.settings or {}).get(PASSWORD_SIGN_IN_STUDENTS)
        is not False,
    }


async def read_settings(principal: Principal) -> dict[str, Any]:
    """Return the caller's school's settings (admins and security)."""
    if principal.actor.role not in SETTINGS_READERS:
        raise forbidden("Only an administrator or security can see the school's settings.")
    school = await School.get(id=principal.actor.school_id)
    return await settings_json(None, school)


async def update_settings(principal: Principal, changes: Mapping[str, Any]) -> dict[str, Any]:
    """Change the school's settings (only those sent) and return them all."""
    require_admin(principal)
    async with school_transaction(principal.actor.school_id) as tx:
        in_document = (OUTSIDE_PERIODS, PASSWORD_SIGN_IN_STUDENTS)
        columns = {k: v for k, v in changes.items() if k not in in_document}
        # Kept in the settings document, beside the notification settings: only their keys.
        document = {
            k: (str(v) if k == OUTSIDE_PERIODS else v)
            for k, v in changes.items()
            if k in in_document
        }
        if document:
            settings = {**(tx.school.settings or {}), **document}
            columns["settings"] = tx.school.settings = settings
        if columns:
            for name, value in columns.items():
                setattr(tx.school, name, value)
            await School.filter(id=tx.school.id).using_db(tx.conn).update(**columns)
            await offer_places(tx, tx.now)
            tx.settings_changed = True
        return await settings_json(tx.conn, tx.school)


async def staff_of(conn: BaseDBAsyncClient | None, location_ids: list[int]) -> dict[int, list[int]]:
    """Return the user ids assigned to each location."""
    rows = await Location.filter(id__in=location_ids).using_db(conn).values("id", "staff__id")
    staff: dict[int, list[int]] = {i: [] for i in location_ids}
    for row in rows:
        if row["staff__id"] is not None:
            staff[row["id"]].append(row["staff__id"])
    return {i: sorted(ids) for i, ids in staff.items()}


def checks_in(location: Location, staff_ids: Sequence[int]) -> bool:
    """Say whether arrivals at a place are checked in: a classroom's teacher, or assigned staff."""
    # Only those may mark a pass arrived (rules/permissions.py Action.ARRIVE) besides security
    # and admins, who walk the halls; a restroom with nobody assigned never sees an arrival.
    return location.kind == LocationKind.CLASSROOM or bool(staff_ids)


def location_json(
    location: Location, staff_ids: list[int], *, with_staff: bool = True
) -> dict[str, Any]:
    """Serialise a location as GET /api/locations lists it (without the counts); the staff
    assigned only `with_staff` (admins)."""
    body: dict[str, Any] = {
        "id": location.id,
        "name": location.name,
        "kind": str(location.kind),
        "capacity": location.capacity,
        "approval": str(location.approval),
        "default_minutes": location.default_minutes,
        "is_destination": location.is_destination,
        "geometry": location.geometry,
        "max_out": location.max_out,
        "active": location.active,
        "checks_in": checks_in(location, staff_ids),
    }
    if with_staff:
        body["staff_ids"] = staff_ids
    return body


async def _check_name(tx: SchoolTransaction, name: str, location_id: int | None) -> None:
    # Under the lock: two admins naming two places alike can't both pass the check.
    same = Location.filter(school_id=tx.school.id, name__iexact=name).using_db(tx.conn)
    if location_id is not None:
        same = same.exclude(id=location_id)
    if await same.exists():
        raise invalid("name", "another place of the school has this name")


async def _staff(tx: SchoolTransaction, ids: list[int]) -> list[User]:
    """Return the users named, refusing repeats and anyone not active staff of the school."""
    if len(set(ids)) != len(ids):
        raise invalid("staff_ids", "an id is repeated")
    users = await User.filter(
        id__in=ids, school_id=tx.school.id, active=True, role__not=Role.STUDENT
    ).using_db(tx.conn)
    found = {user.id for user in users}
    for n, user_id in enumerate(ids):
        if user_id not in found:
            raise invalid(f"staff_ids[{n}]", "not an active staff member of the school")
    return users


def _stored(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Return the location columns of a validated body (geometry as stored, staff apart)."""
    values = {k: v for k, v in fields.items() if k != "staff_ids"}
    if "geometry" in values:
        geometry = values["geometry"]
        values["geometry"] = {} if geometry is None else geometry
    return values


async def create_location(principal: Principal, fields: Mapping[str, Any]) -> dict[str, Any]:
    """Create a place of the school and return it."""
    require_admin(principal)
    async with school_transaction(principal.actor.school_id) as tx:
        await _check_name(tx, fields["name"], None)
        users = await _staff(tx, list(fields.get("staff_ids", [])))
        location = await Location.create(
            using_db=tx.conn, school_id=tx.school.id, **_stored(fields)
        )
        if users:
            await location.staff.add(*users, using_db=tx.conn)
        tx.settings_changed = True  # screens list the new place
        return location_json(location, sorted(user.id for user in users))


async def update_location(
    principal: Principal, location_id: int, changes: Mapping[str, Any]
) -> dict[str, Any]:
    """Change a place of the school (only the fields sent) and return it."""
    require_admin(principal)
    async with school_transaction(principal.actor.school_id) as tx:
        location = (
            await Location.filter(id=location_id, school_id=tx.school.id)
            .using_db(tx.conn)
            .get_or_none()
        )
        if location is None:
            raise not_found("location")
        if "name" in changes:
            await _check_name(tx, changes["name"], location.id)
        if "staff_ids" in changes:
            users = await _staff(tx, list(changes["staff_ids"]))
            await location.staff.clear(using_db=tx.conn)
            if users:
                await location.staff.add(*users, using_db=tx.conn)
        values = _stored(changes)
        if values:
            location.update_from_dict(values)
            await location.save(using_db=tx.conn, update_fields=list(values))
            # A raised capacity or maximum frees room; a lowered one sends nobody back.
            await offer_places(tx, tx.now)
            tx.settings_changed = True
        staff = await staff_of(tx.conn, [location.id])
        return location_json(location, staff[location.id])
