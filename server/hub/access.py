"""Which live sockets must change: their session ended, their user was disabled or changed role
(close them), or their user's places changed (re-scope them).

Every process asks this twice a second about all its sockets, so the question is put as one
statement whose parameters are three arrays (PostgreSQL) or one JSON text (SQLite), and which
answers with the few sockets whose access changed, usually none. Building an `IN (...)` list of
thousands of ids through the ORM and reading a row back for every live session allocated enough
to set off collections of the whole heap, stalling fan-out for every client (docs/performance.md).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable

from tortoise import connections

from server.enums import Role
from server.rules.permissions import Actor

# What a socket was opened with: its session id, its user's role then, and (staff and kiosks)
# the places assigned to the user then, as sorted JSON ("[3,7]"). None for a student, whose
# passes are their own whatever the places' staff.
Access = tuple[int, Role, str | None]

# A held socket has no live match when the session was logged out or purged, the user was
# disabled, or the user's role is no longer that role (`u.id IS NULL`: close it), or when the
# user's assigned places are no longer those it was opened with (re-scope it). The places are
# compared only for staff, and read back only for the rows returned.
_POSTGRES = """
SELECT held.id, held.role, held.rooms, u.id IS NOT NULL,
       CASE WHEN u.id IS NULL THEN NULL ELSE ARRAY(
           SELECT ls.location_id FROM location_staff ls WHERE ls.users_id = u.id
       ) END
FROM unnest($1::int[], $2::text[], $3::text[]) AS held(id, role, rooms)
LEFT JOIN sessions s ON s.id = held.id
LEFT JOIN users u ON u.id = s.user_id AND u.active AND u.role = held.role
WHERE u.id IS NULL OR (held.rooms IS NOT NULL AND held.rooms <> '[' || array_to_string(ARRAY(
    SELECT ls.location_id FROM location_staff ls WHERE ls.users_id = u.id ORDER BY 1
), ',') || ']')
"""
# SQLite before 3.44 can't order an aggregate, so the places are compared as sets: as many rows
# as the held list has ids (the pair is unique), and none outside it.
_SQLITE = """
SELECT changed.id, changed.role, changed.rooms, changed.user_id IS NOT NULL, (
    SELECT json_group_array(ls.location_id) FROM location_staff ls
    WHERE ls.users_id = changed.user_id
)
FROM (
    SELECT held.id, held.role, held.rooms, (
        SELECT u.id FROM sessions s JOIN users u ON u.id = s.user_id
        WHERE s.id = held.id AND u.active AND u.role = held.role
    ) AS user_id
    FROM (
        SELECT json_extract(value, '$[0]') AS id, json_extract(value, '$[1]') AS role,
               json_extract(value, '$[2]') AS rooms
        FROM json_each(?)
    ) AS held
    WHERE NOT EXISTS (
        SELECT 1 FROM sessions s JOIN users u ON u.id = s.user_id
        WHERE s.id = held.id AND u.active AND u.role = held.role AND (held.rooms IS NULL OR (
            (SELECT count(*) FROM location_staff ls WHERE ls.users_id = u.id)
                = json_array_length(held.rooms)
            AND NOT EXISTS (
                SELECT 1 FROM location_staff ls WHERE ls.users_id = u.id
                AND ls.location_id NOT IN (SELECT value FROM json_each(held.rooms))
            )
        ))
    )
) AS changed
"""


def rooms_key(location_ids: Iterable[int]) -> str:
    """Return places as the access check compares them: sorted JSON without spaces."""
    return json.dumps(sorted(location_ids), separators=(",", ":"))


def access_of(session_id: int, actor: Actor) -> Access:
    """Return what a socket of this session and user is opened with."""
    rooms = None if actor.role is Role.STUDENT else rooms_key(actor.location_ids)
    return session_id, actor.role, rooms


async def changed(held: Collection[Access]) -> dict[Access, frozenset[int] | None]:
    """Return the held accesses that changed: None for those that no longer grant access (close
    the socket), else the places the user has now (re-scope it)."""
    if not held:
        return {}
    conn = connections.get("default")
    # Role is a StrEnum: its members encode as their values, with no per-item Python work.
    if conn.capabilities.dialect == "postgres":
        ids, roles, rooms = zip(*held, strict=True)
        _, rows = await conn.execute_query(_POSTGRES, [list(ids), list(roles), list(rooms)])
    else:
        _, rows = await conn.execute_query(_SQLITE, [json.dumps(list(held))])
    found: dict[Access, frozenset[int] | None] = {}
    for session_id, role, rooms, live, now in rows:
        places = json.loads(now) if isinstance(now, str) else now
        key = (int(session_id), Role(role), rooms)
        found[key] = frozenset(int(i) for i in places or ()) if live else None
    return found
