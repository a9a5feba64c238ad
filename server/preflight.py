"""Start-up checks of the SQLite database: fail at once, in one line naming the file.

Without them a bad file hung `hallpass serve` for good: Tortoise's SQLite client takes its
connection lock before it opens the file and never releases it when opening fails (the
migrator swallows the first error and waits on the lock forever), and aiosqlite's worker thread
of the half-open connection kept the process alive after Ctrl-C. Checking the file with the
standard library first turns each of those cases into a message the operator can act on.
"""

from __future__ import annotations

import sqlite3
import tempfile
from enum import Enum
from pathlib import Path
from typing import Final

from tortoise.backends.base.config_generator import expand_db_url

# How long the check waits for another process's write lock before calling the file locked.
BUSY_TIMEOUT_SECONDS: Final = 5.0
# What the operator can do about a file SQLite can't use.
REPLACE_HINT: Final = "restore a backup, or move the file away to start a new database"


class StartupError(Exception):
    """Hallpass cannot start on this storage; the message names the file and the problem."""


class DatabaseFile(Enum):
    """What the check found at the database's path."""

    NEW = "new"  # no file yet: SQLite creates it, and `hallpass serve` seeds the demo school
    EMPTY = "empty"  # an existing file of 0 bytes: usable, but never seeded by `serve`
    EXISTING = "existing"  # a SQLite database that passed PRAGMA quick_check


def sqlite_path(database_url: str) -> Path | None:
    """Return the file of a SQLite URL as Tortoise reads it, or None for an in-memory one."""
    file_path = str(expand_db_url(database_url)["credentials"]["file_path"])
    if file_path == ":memory:" or file_path.startswith("file::memory:"):
        return None
    return Path(file_path).resolve()


def check_sqlite(path: Path, *, busy_timeout: float = BUSY_TIMEOUT_SECONDS) -> DatabaseFile:
    """Say what is at `path`, or raise StartupError unless SQLite can read and write it there."""
    _check_folder(path.parent)
    if not path.exists():
        return DatabaseFile.NEW
    if path.is_dir():
        raise StartupError(f"{path} is a directory, not a database file")
    if not path.is_file():
        raise StartupError(f"{path} is not a regular file, so it can't be a database")
    try:
        with path.open("r+b"):
            pass
    except OSError as exc:
        raise StartupError(f"{path} can't be opened for writing ({exc.strerror})") from exc
    if path.stat().st_size == 0:
        return DatabaseFile.EMPTY
    _check_database(path, busy_timeout)
    return DatabaseFile.EXISTING


def _check_folder(folder: Path) -> None:
    """Create the folder if need be and prove a file can be made in it."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StartupError(f"can't create the data folder {folder} ({exc.strerror})") from exc
    # SQLite writes its journal (-wal, -shm) beside the database, so a folder that takes no new
    # file is as fatal as a read-only database. Trying it is the only honest test: os.access
    # says yes to root, whom neither permission bits nor `chattr +i` are asked about there.
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".hallpass-write-check-"):
            pass
    except OSError as exc:
        raise StartupError(
            f"the data folder {folder} is not writable ({exc.strerror}); SQLite keeps its "
            "journal there"
        ) from exc


def _check_database(path: Path, busy_timeout: float) -> None:
    """Open an existing file read-write without creating anything and run PRAGMA quick_check."""
    try:
        conn = sqlite3.connect(f"{path.as_uri()}?mode=rw", uri=True, timeout=busy_timeout)
    except sqlite3.Error as exc:
        raise StartupError(f"{path} can't be opened by SQLite ({exc})") from exc
    try:
        rows = conn.execute("PRAGMA quick_check").fetchall()
    except sqlite3.DatabaseError as exc:
        raise StartupError(_explain(path, exc)) from exc
    finally:
        conn.close()
    problems = [str(row[0]) for row in rows if row[0] != "ok"]
    if problems or not rows:
        first = problems[0] if problems else "no answer"
        raise StartupError(f"{path} failed PRAGMA quick_check ({first}): {REPLACE_HINT}")


def _explain(path: Path, exc: sqlite3.DatabaseError) -> str:
    """Return the one line that says what SQLite found wrong with the file."""
    name = getattr(exc, "sqlite_errorname", "")
    if name == "SQLITE_NOTADB":
        return f"{path} is not a SQLite database ({exc}): {REPLACE_HINT}"
    if name == "SQLITE_CORRUPT":
        return f"{path} is damaged or truncated ({exc}): {REPLACE_HINT}"
    if name.startswith("SQLITE_BUSY") or name.startswith("SQLITE_LOCKED"):
        return f"{path} is locked by another process ({exc}); is another hallpass running?"
    return f"{path} can't be read by SQLite ({exc})"
