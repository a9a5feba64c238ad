"""The school's users as admins manage them: list, create, change, disable, reset a password.

Every change runs in the school's transaction, so two admins can't both take one login or
student number (the check and the write happen under the school's lock). Disabling a user,
changing their role or resetting their password deletes their sessions: their next request is
401, and the hub closes their live sockets within half a second (server/hub/access.py asks
for the sessions its sockets hold, and a deleted one no longer answers). Changing a user's
places keeps their sessions: the same check sends their sockets a fresh snapshot of their new
scope.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q

from server import runtime
from server.auth.principal import Principal
from server.enums import LocationKind, Role
from server.errors import ErrorCode, HallpassError, forbidden, not_found
from server.logins import normalize_login
from server.models import Location, Session, User
from server.rules.decision import FieldProblem
from server.rules.permissions import may_manage_policy
from server.services.transaction import SchoolTransaction, school_transaction
from server.services.validation import invalid
from server.services.views import iso

STUDENT_FIELDS = ("student_number", "grade", "groups", "home_location_id")
STAFF_FIELDS = ("location_ids",)
# Words of a search, at most: each must match the first name, last name, login or number.
MAX_SEARCH_WORDS = 5


def require_user_admin(principal: Principal) -> None:
    """Refuse anyone but an administrator (403)."""
    if not may_manage_policy(principal.actor):
        raise forbidden("Only an administrator can manage the school's users.")


def search(q: str | None) -> Q:
    """Return the filter of a search: every word in a name, the login or the student number."""
    condition = Q()
    for word in (q or "").split()[:MAX_SEARCH_WORDS]:
        condition &= (
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(login__icontains=word)
            | Q(student_number__icontains=word)
        )
    return condition


async def assigned_ids(conn: BaseDBAsyncClient | None, user_ids: list[int]) -> dict[int, list[int]]:
    """Return the location ids assigned to each user."""
    rows = await User.filter(id__in=user_ids).using_db(conn).values("id", "assigned_locations__id")
    found: dict[int, list[int]] = {i: [] for i in user_ids}
    for row in rows:
        if row["assigned_locations__id"] is not None:
            found[row["id"]].append(row["assigned_locations__id"])
    return {i: sorted(ids) for i, ids in found.items()}


def user_admin_json(user: User, location_ids: list[int]) -> dict[str, Any]:
    """Serialise a user as admins see them (never the password hash)."""
    return {
        "id": user.id,
        "login": user.login,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "name": user.display_name,
        "role": str(user.role),
        "email": user.email,
        "student_number": user.student_number,
        "grade": user.grade,
        "groups": list(user.groups or []),
        "home_location_id": user.home_location_id,
        "location_ids": location_ids,
        "active": user.active,
        "created_at": iso(user.created_at),
    }


async def list_users(
    principal: Principal,
    *,
    role: Role | None,
    q: str | None,
    active: bool | None,
    limit: int,
    offset: int,
) -> dict[str, Any]:
    """Return one page of the school's users matching the filters, and the total."""
    require_user_admin(principal)
    query = User.filter(search(q), school_id=principal.actor.school_id)
    if role is not None:
        query = query.filter(role=role)
    if active is not None:
        query = query.filter(active=active)
    total = await query.count()
    users = await query.order_by("last_name", "first_name", "id").offset(offset).limit(limit)
    places = await assigned_ids(None, [u.id for u in users])
    return {
        "users": [user_admin_json(u, places[u.id]) for u in users],
        "total": total,
        "limit": limit,
        "offset": offset,
    }


async def student_groups(principal: Principal) -> list[dict[str, Any]]:
    """Return the school's student groups with their active students, by name (admins, security)."""
    if principal.actor.role not in (Role.ADMIN, Role.SECURITY):
        raise forbidden("Only an administrator or security can list the student groups.")
    lists = await User.filter(
        school_id=principal.actor.school_id, role=Role.STUDENT, active=True
    ).values_list("groups", flat=True)
    counts: dict[str, int] = {}
    for groups in lists:
        for name in set(groups or []):
            counts[name] = counts.get(name, 0) + 1
    return [{"name": name, "students": counts[name]} for name in sorted(counts, key=str.lower)]


async def _check_unique(
    tx: SchoolTransaction, fields: Mapping[str, Any], user_id: int | None
) -> None:
    # Under the school's lock: two admins can't both pass the check with one login or number.
    others = User.filter(school_id=tx.school.id).using_db(tx.conn)
    if user_id is not None:
        others = others.exclude(id=user_id)
    login = fields.get("login")
    if login is not None and await others.filter(login=normalize_login(login)).exists():
        raise HallpassError(ErrorCode.LOGIN_TAKEN, "Another user of the school has this login.")
    number = fields.get("student_number")
    if number is not None and await others.filter(student_number=number).exists():
        raise HallpassError(
            ErrorCode.STUDENT_NUMBER_TAKEN, "Another user of the school has this student number."
        )


def _no_district_admin(role: Role) -> None:
    """Refuse a school admin's change that makes or touches a district administrator (403).

    Their row lives in a school, but their rights are the district's: a school admin who could
    make one, or reset one's password, could read every school of the district.
    """
    if role is Role.DISTRICT_ADMIN:
        raise forbidden("A district administrator's account is managed by the district.")


def _check_role_fields(role: Role, fields: Mapping[str, Any]) -> None:
    """Refuse student fields for staff and assigned places for students (422 naming them)."""
    problems = []
    if role is Role.STUDENT:
        if fields.get("location_ids"):
            problems.append(FieldProblem("location_ids", "students have a home room instead"))
    else:
        problems += [
            FieldProblem(name, "for students only")
            for name in STUDENT_FIELDS
            if fields.get(name) not in (None, [])
        ]
    if problems:
        raise invalid(problems)


async def _home_room(tx: SchoolTransaction, location_id: int | None) -> None:
    if location_id is None:
        return
    room = await Location.filter(
        id=location_id, school_id=tx.school.id, kind=LocationKind.CLASSROOM, active=True
    ).using_db(tx.conn)
    if not room:
        raise invalid([FieldProblem("home_location_id", "not an active classroom of the school")])


async def _places(tx: SchoolTransaction, ids: list[int]) -> list[Location]:
    if len(set(ids)) != len(ids):
        raise invalid([FieldProblem("location_ids", "an id is repeated")])
    places = await Location.filter(id__in=ids, school_id=tx.school.id, active=True).using_db(
        tx.conn
    )
    found = {place.id for place in places}
    for n, location_id in enumerate(ids):
        if location_id not in found:
            raise invalid([FieldProblem(f"location_ids[{n}]", "not an active place of the school")])
    return places


async def end_sessions(conn: BaseDBAsyncClient, user_id: int, keep: int | None = None) -> int:
    """Delete the user's sessions (but `keep`): their tokens stop working, their sockets close."""
    sessions = Session.filter(user_id=user_id).using_db(conn)
    if keep is not None:
        sessions = sessions.exclude(id=keep)
    return await sessions.delete()


def _taken(exc: IntegrityError) -> HallpassError:
    # The database's unique (school, login) caught what the check could not (a case-exact
    # twin written outside the API); the check under the lock catches the rest first.
    return HallpassError(ErrorCode.LOGIN_TAKEN, "Another user of the school has this login.")


async def create_user(principal: Principal, fields: Mapping[str, Any]) -> dict[str, Any]:
    """Create a user of the admin's school and return them."""
    require_user_admin(principal)
    role = Role(fields["role"])
    _no_district_admin(role)
    _check_role_fields(role, fields)
    # Off the lock: it takes a while.
    password_hash = await runtime.current().passwords.hash(fields["password"])
    async with school_transaction(principal.actor.school_id) as tx:
        await _check_unique(tx, fields, None)
        await _home_room(tx, fields.get("home_location_id"))
        places = await _places(tx, list(fields.get("location_ids", [])))
        values = {k: v for k, v in fields.items() if k not in ("password", "location_ids")}
        try:
            user = await User.create(
                using_db=tx.conn, school_id=tx.school.id, password_hash=password_hash, **values
            )
        except IntegrityError as exc:
            raise _taken(exc) from exc
        if places:
            await user.assigned_locations.add(*places, using_db=tx.conn)
        return user_admin_json(user, sorted(place.id for place in places))


async def update_user(
    principal: Principal, user_id: int, changes: Mapping[str, Any], *, session_id: int | None
) -> dict[str, Any]:
    """Change a user of the admin's school (only the fields sent) and return them.

    `session_id` is the caller's own session: resetting their own password keeps it.
    """
    require_user_admin(principal)
    password = changes.get("password")
    password_hash = None if password is None else await runtime.current().passwords.hash(password)
    async with school_transaction(principal.actor.school_id) as tx:
        user = await User.filter(id=user_id, school_id=tx.school.id).using_db(tx.conn).get_or_none()
        if user is None:
            raise not_found("user")
        old_role = Role(user.role)
        role = Role(changes.get("role", old_role))
        _no_district_admin(old_role)
        _no_district_admin(role)
        if user.id == principal.actor.user_id and (
            changes.get("active") is False or role is not old_role
        ):
            raise HallpassError(
                ErrorCode.SELF_LOCKOUT,
                "You can't disable your own account or change your own role: ask another "
                "administrator.",
            )
        _check_role_fields(role, changes)
        await _check_unique(tx, changes, user.id)
        if "home_location_id" in changes:
            await _home_room(tx, changes["home_location_id"])
        places = None
        if "location_ids" in changes:
            places = await _places(tx, list(changes["location_ids"]))
        values = {k: v for k, v in changes.items() if k not in ("password", "location_ids")}
        if role is not old_role and role is Role.STUDENT:
            places = []  # a student has a home room, not assigned places
        elif role is not old_role and old_role is Role.STUDENT:
            values |= {
                "student_number": None,
                "grade": None,
                "groups": [],
                "home_location_id": None,
            }
        if password_hash is not None:
            values["password_hash"] = password_hash
        if values:
            user.update_from_dict(values)
            try:
                await user.save(using_db=tx.conn, update_fields=list(values))
            except IntegrityError as exc:
                raise _taken(exc) from exc
        if places is not None:
            await user.assigned_locations.clear(using_db=tx.conn)
            if places:
                await user.assigned_locations.add(*places, using_db=tx.conn)
        disabled = changes.get("active") is False
        if disabled or role is not old_role or password_hash is not None:
            keep = session_id if user.id == principal.actor.user_id else None
            await end_sessions(tx.conn, user.id, keep)
        located = await assigned_ids(tx.conn, [user.id])
        return user_admin_json(user, located[user.id])
