"""Which live sockets must change: their session ended, their user was disabled or changed role
(close them), or their user's places or taught sections changed (re-scope them).

Every process asks this twice a second about all its sockets, so the question is put as one
statement whose parameters are four arrays (PostgreSQL) or one JSON text (SQLite), and which
answers with the few sockets whose access changed, usually none. Building an `IN (...)` list of
thousands of ids through the ORM and reading a row back for every live session allocated enough
to set off collections of the whole heap, stalling fan-out for every client (docs/performance.md).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

from tortoise import connections

from server.clock import utcnow
from server.enums import CLASSROOM_STAFF, EnrollmentRole, Role
from server.models import SubstituteGrant
from server.rules.permissions import Actor

# What a socket was opened with: its session id, its user's role then, (staff and kiosks) the
# places assigned to the user then, and (teachers and substitutes) the sections they taught
# then, both as sorted JSON ("[3,7]"). None where the role's view does not depend on them: a
# student's passes are their own whatever the places' staff, and only classroom staff act on
# passes by their sections (server/auth/principal.py, `taught_by`).
Access = tuple[int, Role, str | None, str | None]


@dataclass(frozen=True, slots=True)
class Scope:
    """What a live user is given now: their assigned places and the sections they teach."""

    location_ids: frozenset[int]
    section_ids: frozenset[int]


# The sections a user teaches, as `taught_by` reads them: on the enrollments index
# (school_id, user_id, active), a handful of rows per teacher. `{true}` is how the dialect tests
# the boolean so that the index's third column is used.
_TAUGHT = (
    "FROM enrollments e WHERE e.school_id = u.school_id AND e.user_id = u.id"
    f" AND e.active{{true}} AND e.role = '{EnrollmentRole.TEACHER.value}'"
)

# The substitute grants in force now, passed in (a handful, read by the ORM with the moved
# clock tests use): `g(usr, loc, absent)`, the substitute, the grant's room, the absent teacher.
# What a user has is their own (assigned places, taught sections) and what their grants add: the
# grant's room, the absent teacher's rooms, sections and those sections' rooms, as
# server/auth/principal.py::principal_for computes it.
_GRANTED = (
    "FROM g JOIN enrollments ge ON ge.user_id = g.absent AND ge.school_id = u.school_id"
    f" AND ge.active{{true}} AND ge.role = '{EnrollmentRole.TEACHER.value}'"
)


def _rooms(true: str) -> str:
    """Return the SELECT of a user `u`'s places now: assigned, and granted (a grant's room, the
    absent teacher's rooms and their sections' rooms), one column `x`; `true` is how the
    dialect tests a boolean."""
    return (
        "SELECT ls.location_id AS x FROM location_staff ls WHERE ls.users_id = u.id"
        " UNION SELECT g.loc FROM g WHERE g.usr = u.id AND g.loc IS NOT NULL"
        " UNION SELECT gs.location_id FROM g JOIN location_staff gs ON gs.users_id = g.absent"
        " WHERE g.usr = u.id"
        f" UNION SELECT sec.location_id {_GRANTED.format(true=true)}"
        " JOIN sections sec ON sec.id = ge.section_id"
        " WHERE g.usr = u.id AND sec.location_id IS NOT NULL"
    )


def _sections(true: str) -> str:
    """Return the SELECT of a user `u`'s sections now: taught, and granted, one column `x`."""
    return (
        f"SELECT e.section_id AS x {_TAUGHT.format(true=true)}"
        f" UNION SELECT ge.section_id {_GRANTED.format(true=true)} WHERE g.usr = u.id"
    )


# A held socket has no live match when the session was logged out or purged, the user was
# disabled, or the user's role is no longer that role (`u.id IS NULL`: close it), or when the
# user's places or sections (their own and their grants') are no longer those it was opened
# with (re-scope it). Each is compared only where held (not NULL), and read back only for the
# rows returned.
_POSTGRES = f"""
WITH g AS (SELECT * FROM unnest($5::int[], $6::int[], $7::int[]) AS g(usr, loc, absent))
SELECT held.id, held.role, held.rooms, held.sections, u.id IS NOT NULL,
       CASE WHEN u.id IS NULL THEN NULL ELSE ARRAY({_rooms("")}) END,
       CASE WHEN u.id IS NULL OR held.sections IS NULL THEN NULL ELSE ARRAY(
           {_sections("")}
       ) END
FROM unnest($1::int[], $2::text[], $3::text[], $4::text[]) AS held(id, role, rooms, sections)
LEFT JOIN sessions s ON s.id = held.id
LEFT JOIN users u ON u.id = s.user_id AND u.active AND u.role = held.role
WHERE u.id IS NULL OR (held.rooms IS NOT NULL AND held.rooms <> '[' || array_to_string(ARRAY(
    {_rooms("")} ORDER BY 1
), ',') || ']') OR (held.sections IS NOT NULL AND held.sections <> '[' || array_to_string(ARRAY(
    {_sections("")} ORDER BY 1
), ',') || ']')
"""
# SQLite before 3.44 can't order an aggregate, so places and sections are compared as sets: as
# many rows as the held list has ids (UNION makes them distinct), and none outside it.
# `active = 1` (not bare `active`) lets SQLite use the index's third column.
_SQLITE_ROOMS = _rooms(" = 1")
_SQLITE_SECTIONS = _sections(" = 1")
_SQLITE = f"""
WITH g AS (
    SELECT json_extract(value, '$[0]') AS usr, json_extract(value, '$[1]') AS loc,
           json_extract(value, '$[2]') AS absent
    FROM json_each(?)
)
SELECT changed.id, changed.role, changed.rooms, changed.sections, u.id IS NOT NULL, (
    SELECT json_group_array(x) FROM ({_SQLITE_ROOMS})
), CASE WHEN u.id IS NULL OR changed.sections IS NULL THEN NULL ELSE (
    SELECT json_group_array(x) FROM ({_SQLITE_SECTIONS})
) END
FROM (
    SELECT held.id, held.role, held.rooms, held.sections, (
        SELECT u.id FROM sessions s JOIN users u ON u.id = s.user_id
        WHERE s.id = held.id AND u.active AND u.role = held.role
    ) AS user_id
    FROM (
        SELECT json_extract(value, '$[0]') AS id, json_extract(value, '$[1]') AS role,
               json_extract(value, '$[2]') AS rooms, json_extract(value, '$[3]') AS sections
        FROM json_each(?)
    ) AS held
    WHERE NOT EXISTS (
        SELECT 1 FROM sessions s JOIN users u ON u.id = s.user_id
        WHERE s.id = held.id AND u.active AND u.role = held.role AND (held.rooms IS NULL OR (
            (SELECT count(*) FROM ({_SQLITE_ROOMS})) = json_array_length(held.rooms)
            AND NOT EXISTS (
                SELECT 1 FROM ({_SQLITE_ROOMS}) AS r
                WHERE r.x NOT IN (SELECT value FROM json_each(held.rooms))
            )
        )) AND (held.sections IS NULL OR (
            (SELECT count(*) FROM ({_SQLITE_SECTIONS})) = json_array_length(held.sections)
            AND NOT EXISTS (
                SELECT 1 FROM ({_SQLITE_SECTIONS}) AS t
                WHERE t.x NOT IN (SELECT value FROM json_each(held.sections))
            )
        ))
    )
) AS changed
LEFT JOIN users u ON u.id = changed.user_id
"""


async def granted_now(now: datetime) -> list[tuple[int, int | None, int | None]]:
    """Return the substitute grants in force at `now` as (substitute, room, absent teacher),
    for substitutes and teachers only (as `principal_for` gives them): usually a handful."""
    rows = await SubstituteGrant.filter(
        ends_at__gt=now,
        starts_at__lte=now,
        revoked_at__isnull=True,
        substitute__role__in=sorted(CLASSROOM_STAFF),
    ).values_list("substitute_id", "location_id", "absent_teacher_id")
    return [(int(row[0]), row[1], row[2]) for row in rows]


def ids_key(ids: Iterable[int]) -> str:
    """Return places or sections as the access check compares them: sorted JSON, no spaces."""
    return json.dumps(sorted(ids), separators=(",", ":"))


def access_of(session_id: int, actor: Actor) -> Access:
    """Return what a socket of this session and user is opened with."""
    rooms = None if actor.role is Role.STUDENT else ids_key(actor.location_ids)
    sections = ids_key(actor.section_ids) if actor.role in CLASSROOM_STAFF else None
    return session_id, actor.role, rooms, sections


def _ids(value: str | list[int] | None) -> frozenset[int]:
    """Read back ids as the dialect returns them: a JSON text (SQLite) or an array."""
    ids = json.loads(value) if isinstance(value, str) else value
    return frozenset(int(i) for i in ids or ())


async def changed(held: Collection[Access]) -> dict[Access, Scope | None]:
    """Return the held accesses that changed: None for those that no longer grant access (close
    the socket), else the places and taught sections the user has now (re-scope it)."""
    # A copy: the hub passes its live view of the held keys, which sockets joining or leaving
    # change while this awaits.
    held = list(held)
    if not held:
        return {}
    conn = connections.get("default")
    grants = await granted_now(utcnow())
    # Role is a StrEnum: its members encode as their values, with no per-item Python work.
    if conn.capabilities.dialect == "postgres":
        ids, roles, rooms, sections = zip(*held, strict=True)
        users = [grant[0] for grant in grants]
        places = [grant[1] for grant in grants]
        absent = [grant[2] for grant in grants]
        _, rows = await conn.execute_query(
            _POSTGRES,
            [list(ids), list(roles), list(rooms), list(sections), users, places, absent],
        )
    else:
        _, rows = await conn.execute_query(
            _SQLITE, [json.dumps([list(grant) for grant in grants]), json.dumps(list(held))]
        )
    found: dict[Access, Scope | None] = {}
    for session_id, role, rooms, sections, live, places, taught in rows:
        key = (int(session_id), Role(role), rooms, sections)
        found[key] = Scope(_ids(places), _ids(taught)) if live else None
    return found
