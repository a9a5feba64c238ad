"""Which live sockets must close: their session ended, or their user was disabled or changed role.

Every process asks this twice a second about all its sockets, so the question is put as one
statement whose parameters are two arrays (PostgreSQL) or one JSON text (SQLite), and which
answers with the few sockets that lost access, usually none. Building an `IN (...)` list of
thousands of ids through the ORM and reading a row back for every live session allocated enough
to set off collections of the whole heap, stalling fan-out for every client (docs/performance.md).
"""

from __future__ import annotations

import json
from collections.abc import Collection

from tortoise import connections

from server.enums import Role

# The socket's (session id, role it was opened with) has no live match: the session was
# logged out or purged, the user was disabled, or the user's role is no longer that role.
_POSTGRES = """
SELECT held.id, held.role
FROM unnest($1::int[], $2::text[]) AS held(id, role)
WHERE NOT EXISTS (
    SELECT 1 FROM sessions s JOIN users u ON u.id = s.user_id
    WHERE s.id = held.id AND u.active AND u.role = held.role
)
"""
_SQLITE = """
SELECT held.id, held.role
FROM (
    SELECT json_extract(value, '$[0]') AS id, json_extract(value, '$[1]') AS role
    FROM json_each(?)
) AS held
WHERE NOT EXISTS (
    SELECT 1 FROM sessions s JOIN users u ON u.id = s.user_id
    WHERE s.id = held.id AND u.active AND u.role = held.role
)
"""


async def revoked(held: Collection[tuple[int, Role]]) -> set[tuple[int, Role]]:
    """Return the (session id, role) pairs that no longer grant access, out of those held."""
    if not held:
        return set()
    conn = connections.get("default")
    # Role is a StrEnum: its members encode as their values, with no per-item Python work.
    if conn.capabilities.dialect == "postgres":
        ids, roles = zip(*held, strict=True)
        _, rows = await conn.execute_query(_POSTGRES, [list(ids), list(roles)])
    else:
        _, rows = await conn.execute_query(_SQLITE, [json.dumps(list(held))])
    return {(int(row[0]), Role(row[1])) for row in rows}
