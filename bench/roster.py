"""Roster import at district size: 20,000 users, 1,000 sections, 100,000 enrollments.

Writes the district's OneRoster zip (tests/roster/samples.py `district`), reads it, imports it
into a fresh SQLite file and a fresh PostgreSQL database (as `hallpass roster import` does:
every school org becomes a school), then imports it again unchanged. Prints the seconds of
each step and the statements that wrote (INSERT, UPDATE, DELETE; the history row apart), and,
with `--baseline FILE` (a previous run's `--json`), that run's figures and the ratios side by
side. The targets: an import under 60 s, a re-import under 20 s with zero writes. Only
127.0.0.1 is used; the test suite never runs this. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from server import db
from server.config import Settings
from server.roster.imports import run_import
from server.roster.read import read_path
from server.roster.records import Roster
from server.roster.targets import for_cli
from tests.roster.samples import district

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compare import side_by_side  # bench/ is not a package
from transitions import DEFAULT_PG_ADMIN_DSN, pg_admin, pg_dsn

FIRST_LIMIT = 60.0
AGAIN_LIMIT = 20.0
WRITES = ("INSERT", "UPDATE", "DELETE")


class Writes(logging.Handler):
    """Counts the statements that write (Tortoise logs each statement at DEBUG)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        sql = record.args[0] if isinstance(record.args, tuple) and record.args else record.msg
        text = str(sql).lstrip().upper()
        if text.startswith(WRITES) and '"ROSTER_IMPORTS"' not in text:
            self.count += 1


@dataclass
class Run:
    """One backend's figures."""

    backend: str
    first_seconds: float
    first_writes: int
    again_seconds: float
    again_writes: int
    rows: int

    def ok(self) -> bool:
        """Say whether the run meets the targets."""
        return (
            self.first_seconds < FIRST_LIMIT
            and self.again_seconds < AGAIN_LIMIT
            and self.again_writes == 0
        )


async def timed_import(roster: Roster) -> tuple[float, int, int]:
    """Import into every org's school; return seconds, write statements and rows changed."""
    logger = logging.getLogger("tortoise.db_client")
    handler = Writes()
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    started = time.perf_counter()
    try:
        targets = await for_cli(roster, None, None)
        outcome = await run_import(roster, targets, dry_run=False, source="district.zip")
    finally:
        logger.removeHandler(handler)
        logger.setLevel(logging.WARNING)
    seconds = time.perf_counter() - started
    if outcome.problems:
        raise SystemExit(f"roster bench: refused: {outcome.problems[:5]}")
    rows = sum(len(plan.changes) for plan in outcome.plans)
    return seconds, handler.count, rows


async def bench(backend: str, url: str, roster: Roster, folder: Path) -> Run:
    """Import twice into a fresh database."""
    settings = Settings(data_dir=folder, database_url=url, redis_url=None, secret_key="bench")
    await db.migrate(settings)
    await db.connect(settings)
    try:
        first, first_writes, rows = await timed_import(roster)
        again, again_writes, _ = await timed_import(roster)
    finally:
        await db.disconnect()
    return Run(backend, first, first_writes, again, again_writes, rows)


async def main_async(args: argparse.Namespace) -> list[Run]:
    """Write and read the district, then run each backend."""
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="hallpass-roster-") as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        path = district(folder / "district.zip", args.users, args.sections, args.enrollments)
        print(f"wrote {path.name} ({path.stat().st_size / 1e6:.1f} MB) in "
              f"{time.perf_counter() - started:.1f} s", flush=True)  # fmt: skip
        started = time.perf_counter()
        roster = read_path(path)
        read_seconds = time.perf_counter() - started
        if roster.problems:
            raise SystemExit(f"roster bench: the district has problems: {roster.problems[:5]}")
        print(
            f"read {len(roster.users)} users, {len(roster.sections)} sections, "
            f"{len(roster.enrollments)} enrollments in {read_seconds:.1f} s",
            flush=True,
        )
        if args.backend in ("sqlite", "all"):
            url = f"sqlite://{folder / 'bench.sqlite3'}"
            runs.append(await bench("sqlite", url, roster, folder))
            print(line(runs[-1]), flush=True)
        if args.backend in ("postgres", "all"):
            name = f"hp_roster_{uuid.uuid4().hex[:10]}"
            await pg_admin(args.pg_admin_dsn, f'CREATE DATABASE "{name}"')
            try:
                url = "postgres://" + pg_dsn(args.pg_admin_dsn, name).split("://", 1)[1]
                runs.append(await bench("postgres", url, roster, folder))
                print(line(runs[-1]), flush=True)
            finally:
                await pg_admin(args.pg_admin_dsn, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return runs


def line(run: Run) -> str:
    """Return one backend's figures as a line."""
    verdict = "ok" if run.ok() else "OVER TARGET"
    return (
        f"{run.backend:8} import {run.first_seconds:6.1f} s ({run.rows} rows, "
        f"{run.first_writes} write statements); re-import {run.again_seconds:5.1f} s "
        f"({run.again_writes} writes): {verdict}"
    )


def compare(runs: list[Run], baseline_path: Path) -> None:
    """Print this run and the baseline's side by side, with the ratios (this / baseline)."""
    baseline = {r["backend"]: r for r in json.loads(baseline_path.read_text())["runs"]}
    print(f"\n{'':8} {'import s':>22} {'re-import s':>22}   (this / baseline = ratio)")
    for run in runs:
        base = baseline.get(run.backend)
        if base is None:
            continue
        print(
            f"{run.backend:8} {side_by_side(run.first_seconds, base['first_seconds'])}"
            f"   {side_by_side(run.again_seconds, base['again_seconds'], 5)}"
        )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgres", "all"), default="all")
    parser.add_argument("--users", type=int, default=20_000)
    parser.add_argument("--sections", type=int, default=1_000)
    parser.add_argument("--enrollments", type=int, default=100_000)
    parser.add_argument("--json", type=Path, help="save the figures here")
    parser.add_argument("--baseline", type=Path, help="a previous run's --json, to compare")
    parser.add_argument(
        "--pg-admin-dsn",
        default=os.environ.get("HALLPASS_BENCH_POSTGRES", DEFAULT_PG_ADMIN_DSN),
    )
    args = parser.parse_args(argv)
    host = args.pg_admin_dsn.split("@")[-1].split("/")[0].split(":")[0]
    if host not in ("127.0.0.1", "localhost"):
        parser.error("--pg-admin-dsn must point at 127.0.0.1")
    return args


def main(argv: list[str] | None = None) -> None:
    """Run the bench."""
    args = parse_args(argv)
    print(
        f"roster: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs, "
        f"load {os.getloadavg()[0]:.2f}; {args.users} users, {args.sections} sections, "
        f"{args.enrollments} enrollments",
        flush=True,
    )
    runs = asyncio.run(main_async(args))
    if args.json is not None:
        args.json.write_text(json.dumps({"runs": [asdict(r) for r in runs]}, indent=2) + "\n")
    if args.baseline is not None:
        compare(runs, args.baseline)
    if not all(run.ok() for run in runs):
        sys.exit(1)


if __name__ == "__main__":
    main()
