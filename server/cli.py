"""The `hallpass` command line: serve, migrate, demo (DESIGN.md section 4)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from enum import Enum
from typing import Any

from server import db
from server.config import DEFAULT_PORT, Settings, from_env
from server.preflight import DatabaseFile, StartupError, check_sqlite, sqlite_path


class Seed(Enum):
    """When a command creates Demo High School."""

    NEVER = "never"  # `hallpass migrate`
    IF_NEW = "if new"  # `hallpass serve`: only in a database this start created
    IF_NO_SCHOOL = "if no school"  # `hallpass demo`: in any database without a school


class Seeded(Enum):
    """What became of the demo school."""

    CREATED = "created"
    SCHOOL_EXISTS = "a school exists"
    NOT_NEW = "not new"  # no school, but the database existed: left alone (`serve`)
    NOT_ASKED = "not asked"


def check_storage(settings: Settings) -> DatabaseFile | None:
    """Check the SQLite file before anything opens it (None: PostgreSQL or in memory)."""
    path = sqlite_path(settings.database_url) if settings.is_sqlite else None
    return None if path is None else check_sqlite(path)


def describe(settings: Settings) -> str:
    """Name the database for a message, without its password."""
    path = sqlite_path(settings.database_url) if settings.is_sqlite else None
    if path is not None:
        return str(path)
    return "the PostgreSQL database" if not settings.is_sqlite else "the in-memory database"


async def _migrate_and_seed(settings: Settings, *, seed: Seed) -> Seeded:
    from server.demo import ensure_demo
    from server.models import School
    from server.runtime import Runtime, using

    found = check_storage(settings)
    if seed is Seed.IF_NEW and found is DatabaseFile.EMPTY:
        # A file that exists but holds nothing was most likely emptied by accident (a failed
        # copy, a full disk): seeding it would publish the demo password over a real school.
        raise StartupError(
            f"{describe(settings)} is empty (0 bytes) but exists, so the demo school is not "
            "created in it: restore a backup, delete the file to start a new database, or run "
            "`hallpass demo` to create the demo school in it"
        )
    async with db.setup_lock(settings):
        if found is None:
            new = settings.is_sqlite or await db.is_new(settings)  # in memory: always new
        else:
            new = found is DatabaseFile.NEW
        await db.migrate(settings)
        if seed is Seed.NEVER:
            return Seeded.NOT_ASKED
        await db.connect(settings)
        try:
            if seed is Seed.IF_NO_SCHOOL or new:
                # Outside any app: the demo's password is hashed by a runtime of its own.
                with using(Runtime()):
                    created = await ensure_demo(timetable=settings.demo_timetable)
                return Seeded.CREATED if created else Seeded.SCHOOL_EXISTS
            return Seeded.SCHOOL_EXISTS if await School.exists() else Seeded.NOT_NEW
        finally:
            await db.disconnect()


def prepare(settings: Settings, *, seed: Seed) -> Seeded:
    """Check, migrate and maybe seed the database; exit in one line when it can't be used."""
    try:
        return asyncio.run(_migrate_and_seed(settings, seed=seed))
    except StartupError as exc:
        print(f"hallpass: {exc}", file=sys.stderr)
        sys.exit(1)


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """Return how uvicorn serves Hallpass (shared by `serve` and the tests' live server)."""
    return {
        # uvicorn's sans-I/O protocol, plus a way for the hub to write a frame without a task
        # switch (server/hub/protocol.py). Deflate roughly doubles memory per socket; client
        # frames are tiny (a hello), so a frame over 64 KiB is refused before anything reads it.
        "ws": "server.hub.protocol:HubWebSocketProtocol",
        "ws_per_message_deflate": False,
        "ws_max_size": 65536,
        # Protocol pings find dead connections (a closed laptop lid) within 40 s.
        "ws_ping_interval": 20.0,
        "ws_ping_timeout": 20.0,
        "proxy_headers": bool(settings.trusted_proxies),
        "forwarded_allow_ips": settings.trusted_proxies or None,
    }


def serve(args: argparse.Namespace, settings: Settings) -> int:
    """Check and migrate the database, seed the demo school in a new one, and serve."""
    import uvicorn

    if args.workers > 1 and settings.is_sqlite:
        print(
            "hallpass: several workers need PostgreSQL (set HALLPASS_DATABASE_URL); "
            "SQLite serves one process.",
            file=sys.stderr,
        )
        return 2
    seeded = prepare(settings, seed=Seed.IF_NEW)
    if seeded is Seeded.CREATED:
        print("hallpass: created Demo High School (password 'demo' for every account)")
    elif seeded is Seeded.NOT_NEW:
        print(
            f"hallpass: {describe(settings)} existed before this start and has no school; "
            "the demo school is only created in a new database (`hallpass demo` adds it)"
        )
    print(f"hallpass: serving http://{args.host}:{args.port}")
    uvicorn.run(
        "server.asgi:app",
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="info",
        **uvicorn_options(settings),
    )
    return 0


def main(argv: list[str] | None = None) -> None:
    """Run the `hallpass` command."""
    parser = argparse.ArgumentParser(prog="hallpass", description="Digital hall passes.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve_parser = commands.add_parser("serve", help="run the server (migrates first)")
    serve_parser.add_argument("--host", default="127.0.0.1")
    serve_parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    serve_parser.add_argument("--workers", type=int, default=1)
    commands.add_parser("migrate", help="bring the database schema up to date")
    commands.add_parser("demo", help="create Demo High School if the database has no school")
    args = parser.parse_args(argv)
    try:
        settings = from_env()
    except OSError as exc:  # the secret key could not be kept in the data folder
        print(
            f"hallpass: can't keep the secret key at {exc.filename} ({exc.strerror})",
            file=sys.stderr,
        )
        sys.exit(1)
    if args.command == "serve":
        sys.exit(serve(args, settings))
    if args.command == "migrate":
        prepare(settings, seed=Seed.NEVER)
        print("hallpass: database is up to date")
        return
    created = prepare(settings, seed=Seed.IF_NO_SCHOOL) is Seeded.CREATED
    print("hallpass: created Demo High School" if created else "hallpass: a school exists already")
