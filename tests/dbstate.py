"""A full snapshot of the database, to assert that a refused request changed nothing."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tortoise import Tortoise
from tortoise.fields.relational import ManyToManyFieldInstance

from server.models import Session

# Signing in writes a session row by design; every other table must stay as it was.
EXCLUDED_TABLES = frozenset({Session._meta.db_table})

Snapshot = dict[str, list[dict[str, Any]]]


def _sort_key(row: dict[str, Any]) -> str:
    return repr(sorted(row.items()))


async def snapshot(only: Iterable[str] = ()) -> Snapshot:
    """Return every row of every table (model and many-to-many link tables), or of `only`."""
    apps = Tortoise.apps
    assert apps is not None, "the ORM is not initialised"
    tables: set[str] = set()
    for model in apps.get_models_iterable():
        tables.add(model._meta.db_table)
        for name in model._meta.m2m_fields:
            field = model._meta.fields_map[name]
            assert isinstance(field, ManyToManyFieldInstance)
            tables.add(field.through)
    wanted = set(only) or tables - EXCLUDED_TABLES
    assert wanted <= tables, f"no such tables: {wanted - tables}"
    # Raw rows rather than model instances: cheaper, and compared only with each other.
    connection = Tortoise.get_connection("default")
    return {
        table: sorted(
            await connection.execute_query_dict(f'SELECT * FROM "{table}"'), key=_sort_key
        )
        for table in sorted(wanted)
    }


def changes(before: Snapshot, after: Snapshot) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Return, per table, the rows that disappeared and the rows that appeared."""
    diff: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for table in sorted(before.keys() | after.keys()):
        old, new = before.get(table, []), after.get(table, [])
        gone = [row for row in old if row not in new]
        added = [row for row in new if row not in old]
        if gone or added:
            diff[table] = {"gone": gone, "added": added}
    return diff
