"""The committed migrations match the models: a model change without a migration fails here."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tortoise import Tortoise
from tortoise.context import TortoiseContext
from tortoise.migrations.api import migrate
from tortoise.migrations.autodetector import MigrationAutodetector

from server.db import tortoise_config
from server.enums import EmergencyKind
from server.models import Emergency, RosterEntry, School, User


async def test_makemigrations_would_detect_no_changes(tmp_path: Path) -> None:
    config = tortoise_config(f"sqlite://{tmp_path / 'empty.sqlite3'}")
    async with TortoiseContext() as ctx:
        await ctx.init(config=config)
        assert ctx.apps is not None
        writers = await MigrationAutodetector(ctx.apps, config["apps"]).changes()
    assert [w.name for w in writers] == []


async def old_school_database(
    tmp_path: Path, target: str, logins: Sequence[str] = ()
) -> dict[str, Any]:
    """Return the config of a SQLite database migrated up to `target`, holding a school 'old'
    (and teachers with these logins, written as they were then); its connections closed."""
    config = tortoise_config(f"sqlite://{tmp_path / 'upgrade.sqlite3'}")
    await migrate(config=config, target=target)
    await Tortoise.init(config=config)
    try:
        conn = Tortoise.get_connection("default")
        await conn.execute_query(
            "INSERT INTO schools (name, slug, timezone, settings, passes_enabled, event_seq, "
            "epoch, created_at) VALUES ('Old', 'old', 'UTC', '{}', 1, 0, 'e', '2026-01-01')"
        )
        for login in logins:
            await conn.execute_query(
                "INSERT INTO users (school_id, role, login, first_name, last_name, groups, "
                "password_hash, active, created_at) "
                "VALUES (1, 'teacher', ?, 'A', 'B', '[]', 'x', 1, '2026-01-01')",
                [login],
            )
    finally:
        await Tortoise.close_connections()
    return config


async def test_0010_adds_emergencies_to_a_database_that_already_has_schools(
    tmp_path: Path,
) -> None:
    """A school made before emergencies existed is in none afterwards, and can start one."""
    config = await old_school_database(tmp_path, "models.0009_idempotent_verbs")
    await migrate(config=config)
    await Tortoise.init(config=config)
    try:
        school = await School.get(slug="old")
        assert school.emergency_id is None
        emergency = await Emergency.create(
            school=school, kind=EmergencyKind.DRILL, started_at=datetime.now(UTC)
        )
        assert (emergency.revision, emergency.ended_at) == (1, None)
        assert await RosterEntry.filter(emergency=emergency).count() == 0
    finally:
        await Tortoise.close_connections()


async def test_0011_stores_every_login_normalised_and_keeps_a_clashing_one(
    tmp_path: Path,
) -> None:
    """Logins written before normalising still sign in; a clash is left for an admin."""
    config = await old_school_database(
        tmp_path,
        "models.0010_emergency",
        logins=("Jane.Doe@School.org", "\u017fam", "Sam", "lee"),
    )
    await migrate(config=config)
    await Tortoise.init(config=config)
    try:
        logins = [user.login for user in await User.all().order_by("id")]
    finally:
        await Tortoise.close_connections()
    # "Sam" normalises to the "sam" that the long-s spelling already took: it stays as it was.
    assert logins == ["jane.doe@school.org", "sam", "Sam", "lee"]
