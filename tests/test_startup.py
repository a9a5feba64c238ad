"""Start-up on storage it can't use: `hallpass serve` exits at once, in one line naming the file.

And the demo school, with its published password, is only ever created in a new database
(items 15 and 16 of issue 13).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from server import db
from server.cli import Seed, Seeded, _migrate_and_seed
from server.models import School
from server.preflight import StartupError
from tests.conftest import (
    IN_CI,
    pg_admin,
    pg_dsn,
    postgres_reason,
    settings_for,
    tortoise_url,
)
from tests.servers import free_port, hallpass_command, start, stop

# "Within a few seconds": the interpreter and the server's imports take about one of them.
EXIT_WITHIN_SECONDS = 10.0
DB_NAME = "hallpass.sqlite3"


def serve_env(data_dir: Path) -> dict[str, str]:
    """Return the environment of a server on the default SQLite file in `data_dir`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALLPASS_")}
    env["HALLPASS_DATA_DIR"] = str(data_dir)
    return env


def run_hallpass(*args: str, env: dict[str, str]) -> tuple[int, str, float]:
    """Run a `hallpass` command to its end; return its exit code, output and duration."""
    started = time.monotonic()
    done = subprocess.run(
        [*hallpass_command(), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        timeout=EXIT_WITHIN_SECONDS,
        check=False,
    )
    return done.returncode, done.stdout.decode(), time.monotonic() - started


@contextmanager
def immutable(folder: Path) -> Iterator[None]:
    """Make a folder take no new file, even for root (`chattr +i`); skip where that can't be.

    The tests run as root, whom permission bits don't stop, and mounting read-only needs
    privileges a container lacks: the immutable attribute of ext4 (and most Linux file systems)
    is the honest way left to a read-only folder.
    """
    chattr = shutil.which("chattr")
    if chattr is None:
        pytest.skip("no chattr to make a folder read-only for root")
    made = subprocess.run([chattr, "+i", str(folder)], capture_output=True, check=False)
    if made.returncode != 0:
        pytest.skip(f"this file system can't make a folder immutable: {made.stderr.decode()}")
    try:
        yield
    finally:
        subprocess.run([chattr, "-i", str(folder)], check=True)


def write_garbage(data_dir: Path, good: Path) -> None:
    (data_dir / DB_NAME).write_bytes(os.urandom(8192))


def write_truncated(data_dir: Path, good: Path) -> None:
    (data_dir / DB_NAME).write_bytes(good.read_bytes()[: good.stat().st_size // 2])


def write_empty(data_dir: Path, good: Path) -> None:
    (data_dir / DB_NAME).write_bytes(b"")


def make_directory(data_dir: Path, good: Path) -> None:
    (data_dir / DB_NAME).mkdir()


def copy_good(data_dir: Path, good: Path) -> None:
    shutil.copyfile(good, data_dir / DB_NAME)


# (case, lay out the data folder from a good database, what the one line says, is the folder
# read-only). Every case names the database file, except the read-only folder, which names it.
BAD_STORAGE: list[tuple[str, Callable[[Path, Path], None], str, bool]] = [
    ("garbage bytes", write_garbage, "is not a SQLite database", False),
    ("a truncated copy", write_truncated, "is damaged or truncated", False),
    ("zero length", write_empty, "is empty (0 bytes)", False),
    ("a directory", make_directory, "is a directory", False),
    ("a read-only data folder", copy_good, "is not writable", True),
]


@pytest.mark.parametrize(
    ("layout", "says", "read_only"),
    [pytest.param(*case[1:], id=case[0]) for case in BAD_STORAGE],
)
def test_serve_on_storage_it_cannot_use_exits_at_once_naming_the_file(
    sqlite_template: Path,
    tmp_path: Path,
    layout: Callable[[Path, Path], None],
    says: str,
    read_only: bool,
) -> None:
    data_dir = tmp_path / "var"
    data_dir.mkdir()
    (data_dir / "secret_key").write_text("a-secret-kept-from-an-earlier-start")
    layout(data_dir, sqlite_template)
    env = serve_env(data_dir)
    port = str(free_port())
    if read_only:
        with immutable(data_dir):
            code, output, took = run_hallpass("serve", "--port", port, env=env)
        named = str(data_dir)
    else:
        code, output, took = run_hallpass("serve", "--port", port, env=env)
        named = str(data_dir / DB_NAME)
    assert code != 0, output
    assert took < EXIT_WITHIN_SECONDS
    lines = output.strip().splitlines()
    assert len(lines) == 1, output
    assert lines[0].startswith("hallpass: ")
    assert named in lines[0]
    assert says in lines[0]


def test_an_empty_file_is_not_seeded_by_serve_but_is_by_demo(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    data_dir.mkdir()
    (data_dir / DB_NAME).write_bytes(b"")
    env = serve_env(data_dir)
    code, output, _ = run_hallpass("serve", "--port", str(free_port()), env=env)
    assert code != 0
    assert "the demo school is not created" in output
    assert (data_dir / DB_NAME).stat().st_size == 0
    code, output, _ = run_hallpass("demo", env=env)
    assert (code, output.strip()) == (0, "hallpass: created Demo High School")


def test_ctrl_c_stops_a_migration_stuck_on_a_bad_file(tmp_path: Path) -> None:
    """Bypassing the start-up check: the migrator waits on Tortoise's leaked connection lock
    forever, and Ctrl-C must still end the process (the half-open connection's thread is not
    a daemon, so it has to be closed)."""
    bad = tmp_path / DB_NAME
    bad.write_bytes(os.urandom(8192))
    code = (
        "import asyncio, pathlib\n"
        "from server import db\n"
        "from server.config import Settings\n"
        f"settings = Settings(pathlib.Path({str(tmp_path)!r}), 'sqlite://{bad}', None, 'k')\n"
        "print('migrating', flush=True)\n"
        "asyncio.run(db.migrate(settings))\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline() == b"migrating\n"
        time.sleep(2)  # well into the wait on the lock
        assert process.poll() is None, "the migration failed instead of waiting"
        process.send_signal(signal.SIGINT)
        process.wait(timeout=5)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


# ---------------------------------------------------------------------------------------------
# Item 16: the demo school only in a new database


@pytest.fixture
async def new_database_url(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """Return the URL of a database never set up: no file yet, or a PostgreSQL one with no
    table."""
    if backend == "sqlite":
        yield f"sqlite://{tmp_path / 'var' / DB_NAME}"
        return
    reason = postgres_reason()
    if reason is not None:
        if IN_CI:
            pytest.fail(f"CI=true needs PostgreSQL: {reason}")
        pytest.skip(reason)
    name = f"hp_new_{uuid.uuid4().hex[:12]}"
    await pg_admin(f'CREATE DATABASE "{name}"')
    try:
        yield tortoise_url(pg_dsn(name))
    finally:
        await pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def schools(url: str, tmp_path: Path) -> list[str]:
    """Return the names of the schools in the database."""
    await db.connect(settings_for(url, tmp_path))
    try:
        return [school.name for school in await School.all()]
    finally:
        await db.disconnect()


async def test_serve_seeds_a_new_database_once(new_database_url: str, tmp_path: Path) -> None:
    settings = settings_for(new_database_url, tmp_path)
    assert await _migrate_and_seed(settings, seed=Seed.IF_NEW) is Seeded.CREATED
    assert await _migrate_and_seed(settings, seed=Seed.IF_NEW) is Seeded.SCHOOL_EXISTS
    assert await schools(new_database_url, tmp_path) == ["Demo High School"]


async def test_serve_leaves_an_existing_database_without_a_school_alone(
    new_database_url: str, tmp_path: Path
) -> None:
    settings = settings_for(new_database_url, tmp_path)
    assert await _migrate_and_seed(settings, seed=Seed.NEVER) is Seeded.NOT_ASKED  # migrate
    assert await _migrate_and_seed(settings, seed=Seed.IF_NEW) is Seeded.NOT_NEW  # serve
    assert await schools(new_database_url, tmp_path) == []
    assert await _migrate_and_seed(settings, seed=Seed.IF_NO_SCHOOL) is Seeded.CREATED  # demo
    assert await schools(new_database_url, tmp_path) == ["Demo High School"]


async def test_serve_refuses_an_empty_file_before_touching_it(tmp_path: Path) -> None:
    path = tmp_path / DB_NAME
    path.write_bytes(b"")
    with pytest.raises(StartupError, match=r"is empty \(0 bytes\)"):
        await _migrate_and_seed(settings_for(f"sqlite://{path}", tmp_path), seed=Seed.IF_NEW)
    assert path.stat().st_size == 0


def test_serve_after_migrate_says_why_it_has_no_demo_school(tmp_path: Path) -> None:
    env = serve_env(tmp_path / "var")
    code, output, _ = run_hallpass("migrate", env=env)
    assert code == 0, output
    log = tmp_path / "serve.log"
    process, url = start(env, log)
    try:
        login = httpx.post(f"{url}/api/session", json={"login": "1003", "password": "demo"})
        assert login.status_code == 401
    finally:
        stop(process)
    text = log.read_text()
    assert "created Demo High School" not in text
    assert f"{tmp_path / 'var' / DB_NAME} existed before this start and has no school" in text
