"""Database configuration, start-up and migrations (Tortoise ORM's built-in migrator)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from tortoise import Tortoise
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.migrations.api import migrate as run_migrations

from server.config import Settings

MODELS = ["server.models"]
MIGRATIONS = "server.migrations"


def tortoise_config(database_url: str) -> dict[str, Any]:
    """Return the Tortoise configuration for one database URL."""
    url = database_url
    if url.startswith("postgresql://"):
        url = "postgres://" + url.removeprefix("postgresql://")
    return {
        "connections": {"default": url},
        "apps": {
            "models": {
                "models": MODELS,
                "default_connection": "default",
                "migrations": MIGRATIONS,
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


# Read by `tortoise makemigrations` ([tool.tortoise] in pyproject.toml) when schema changes.
TORTOISE_ORM = tortoise_config(os.environ.get("HALLPASS_DATABASE_URL", "sqlite://:memory:"))


# The PostgreSQL advisory-lock key held while migrating and seeding ("HALL" in ASCII).
SETUP_LOCK_KEY = 0x48414C4C


@asynccontextmanager
async def setup_lock(settings: Settings) -> AsyncIterator[None]:
    """Hold a lock while migrating and seeding, so processes starting at once take turns.

    On PostgreSQL it is a session advisory lock on a connection of its own (closing it releases
    the lock even if this process dies). SQLite serves one process, which needs no lock.
    """
    if settings.is_sqlite:
        yield
        return
    dsn = settings.database_url.split("?", 1)[0]
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("SELECT pg_advisory_lock($1)", SETUP_LOCK_KEY)
        yield
    finally:
        await conn.close()


async def migrate(settings: Settings) -> None:
    """Bring the database schema up to date."""
    await run_migrations(config=tortoise_config(settings.database_url))
    await Tortoise.close_connections()


async def connect(settings: Settings) -> None:
    """Open the ORM's connections for serving requests."""
    # Tortoise caches each model's INSERT statement by connection *name*, not dialect; a process
    # that reconnects "default" to another backend (the test suite does) must drop that cache.
    EXECUTOR_CACHE.clear()
    # The global fallback lets request tasks see the context the lifespan task created.
    await Tortoise.init(config=tortoise_config(settings.database_url), _enable_global_fallback=True)


async def disconnect() -> None:
    """Close the ORM's connections."""
    await Tortoise.close_connections()
