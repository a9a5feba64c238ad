"""Read a roster from a path or an upload: a OneRoster zip or folder, or one flat CSV file.

Pure apart from reading the path: no database. A `Roster` with problems must not be imported;
its `problems` lists the first of them (file, line, column, code, message) and
`problem_count` counts them all.
"""

from __future__ import annotations

from pathlib import Path, PurePath

from server.logins import normalize_login
from server.roster.files import Files, is_zip, read_folder, read_zip
from server.roster.flat import read_flat
from server.roster.oneroster import FILES, read_oneroster
from server.roster.problems import ProblemCode, Problems
from server.roster.records import Roster


def read_path(path: Path) -> Roster:
    """Read a OneRoster zip, a folder of OneRoster CSV files, or a flat `.csv` file."""
    problems = Problems(FILES)
    if path.is_dir():
        return _oneroster(read_folder(path, problems), problems)
    if not path.is_file():
        problems.add(path.name, None, None, ProblemCode.MISSING_FILE, f"There is no file {path}.")
        return _finish(Roster(format="oneroster"), problems)
    return _read(path.read_bytes(), path.name, problems)


def read_upload(data: bytes, filename: str) -> Roster:
    """Read an uploaded body: a OneRoster zip's bytes (known by its magic bytes) or a flat CSV."""
    name = PurePath(filename.replace("\\", "/")).name or "roster.csv"
    return _read(data, name, Problems(FILES))


def _read(data: bytes, name: str, problems: Problems) -> Roster:
    if is_zip(data):
        return _oneroster(read_zip(data, name, problems), problems)
    if name.lower().endswith(".zip"):
        problems.add(name, None, None, ProblemCode.BAD_ZIP, f"{name} is not a zip.")
        return _finish(Roster(format="oneroster"), problems)
    return _finish(read_flat(name, data, problems), problems)


def _oneroster(files: Files, problems: Problems) -> Roster:
    if not files and len(problems):
        # The zip could not be opened: its problem says why; "no users.csv" would not help.
        return _finish(Roster(format="oneroster"), problems)
    return _finish(read_oneroster(files, problems), problems)


def _finish(roster: Roster, problems: Problems) -> Roster:
    _unique_logins(roster, problems)
    roster.problems = problems.listed()
    roster.problem_count = len(problems)
    return roster


def _unique_logins(roster: Roster, problems: Problems) -> None:
    # Logins are unique in a school: two people signing in as one would be refused by the
    # database half-way through an import, so the file is refused now, both lines named.
    column = "username" if roster.format == "oneroster" else "email"
    seen: dict[str, int] = {}
    for user in roster.users.values():
        if user.deleted or not user.login:
            continue
        login = normalize_login(user.login)
        first = seen.setdefault(login, user.where.line)
        if first != user.where.line:
            problems.add(
                user.where.file,
                user.where.line,
                column,
                ProblemCode.DUPLICATE_ID,
                f"{user.login!r} signs in two people: the one on line {first} and this one.",
            )
