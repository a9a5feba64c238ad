"""Database configuration, start-up and migrations (Tortoise ORM's built-in migrator)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlsplit

import asyncpg
from tortoise import Tortoise, connections
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.migrations.api import migrate as run_migrations

from server.config import Settings
from server.preflight import StartupError

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
# A PostgreSQL server that does not answer within this fails the start-up, in one line.
CONNECT_TIMEOUT_SECONDS = 10.0


@asynccontextmanager
async def setup_lock(settings: Settings) -> AsyncIterator[None]:
    """Hold a lock while migrating and seeding, so processes starting at once take turns.

    On PostgreSQL it is a session advisory lock on a connection of its own (closing it releases
    the lock even if this process dies). SQLite serves one process, which needs no lock.
    """
    if settings.is_sqlite:
        yield
        return
    conn = await _postgres(settings)
    try:
        await conn.execute("SELECT pg_advisory_lock($1)", SETUP_LOCK_KEY)
        yield
    finally:
        await conn.close()


async def _postgres(settings: Settings) -> asyncpg.Connection:
    """Open a plain connection to the PostgreSQL database, or raise StartupError saying why."""
    dsn = settings.database_url.split("?", 1)[0]
    try:
        return await asyncpg.connect(dsn, timeout=CONNECT_TIMEOUT_SECONDS)
    except (OSError, TimeoutError, asyncpg.PostgresError) as exc:
        where = urlsplit(dsn)
        raise StartupError(
            f"can't reach PostgreSQL at {where.hostname}:{where.port or 5432}{where.path} ({exc})"
        ) from exc


async def is_new(settings: Settings) -> bool:
    """Say whether a PostgreSQL database was never set up: no table in its schema yet.

    Called under the setup lock, so of several processes starting on an empty database only
    the first finds it new. (A SQLite database is new when its file did not exist: see
    server/preflight.py.)
    """
    conn = await _postgres(settings)
    try:
        return not await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM information_schema.tables"
            " WHERE table_schema = current_schema())"
        )
    finally:
        await conn.close()


async def migrate(settings: Settings) -> None:
    """Bring the database schema up to date."""
    try:
        await run_migrations(config=tortoise_config(settings.database_url))
    finally:
        # Also when cancelled (Ctrl-C): an open SQLite connection's worker thread is not a
        # daemon, so leaving it open kept the interpreter from exiting.
        await Tortoise.close_connections()


async def connect(settings: Settings) -> None:
    """Open the ORM's connections for serving requests."""
    # Tortoise caches each model's INSERT statement by connection *name*, not dialect; a process
    # that reconnects "default" to another backend (the test suite does) must drop that cache.
    EXECUTOR_CACHE.clear()
    # The global fallback lets request tasks see the context the lifespan task created.
    await Tortoise.init(config=tortoise_config(settings.database_url), _enable_global_fallback=True)
    # Open now rather than on the first query: Tortoise's SQLite client keeps its connection
    # lock when opening fails, so every later query would wait on it forever; failing here
    # fails the start-up instead. Closing releases the half-open connection's thread.
    try:
        await connections.get("default").create_connection(with_db=True)
    except BaseException:
        await Tortoise.close_connections()
        raise


async def disconnect() -> None:
    """Close the ORM's connections."""
    await Tortoise.close_connections()
