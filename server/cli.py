"""The `hallpass` command line: serve, migrate, demo (DESIGN.md section 4)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from server import db
from server.config import DEFAULT_PORT, Settings, from_env


async def _migrate_and_seed(settings: Settings, *, seed: bool) -> bool:
    from server.demo import ensure_demo

    async with db.setup_lock(settings):
        await db.migrate(settings)
        if not seed:
            return False
        await db.connect(settings)
        try:
            return await ensure_demo()
        finally:
            await db.disconnect()


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
    """Migrate, seed the demo school on an empty database, and serve."""
    import uvicorn

    if args.workers > 1 and settings.is_sqlite:
        print(
            "hallpass: several workers need PostgreSQL (set HALLPASS_DATABASE_URL); "
            "SQLite serves one process.",
            file=sys.stderr,
        )
        return 2
    if asyncio.run(_migrate_and_seed(settings, seed=True)):
        print("hallpass: created Demo High School (password 'demo' for every account)")
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
    settings = from_env()
    if args.command == "serve":
        sys.exit(serve(args, settings))
    if args.command == "migrate":
        asyncio.run(_migrate_and_seed(settings, seed=False))
        print("hallpass: database is up to date")
        return
    created = asyncio.run(_migrate_and_seed(settings, seed=True))
    print("hallpass: created Demo High School" if created else "hallpass: a school exists already")
