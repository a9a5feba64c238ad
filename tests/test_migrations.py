"""The committed migrations match the models: a model change without a migration fails here."""

from __future__ import annotations

from pathlib import Path

from tortoise.context import TortoiseContext
from tortoise.migrations.autodetector import MigrationAutodetector

from server.db import tortoise_config


async def test_makemigrations_would_detect_no_changes(tmp_path: Path) -> None:
    config = tortoise_config(f"sqlite://{tmp_path / 'empty.sqlite3'}")
    async with TortoiseContext() as ctx:
        await ctx.init(config=config)
        assert ctx.apps is not None
        writers = await MigrationAutodetector(ctx.apps, config["apps"]).changes()
    assert [w.name for w in writers] == []
