"""`hallpass roster import PATH [--dry-run] [--school SLUG] [--org SOURCEDID]`."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import pytest

from server import db
from server.cli import main
from server.config import Settings
from server.enums import ImportStatus
from server.models import Enrollment, RosterImport, School, Section, User
from tests.conftest import settings_for
from tests.roster.flatfiles import BAD_PERIODS, DEMO_FLAT
from tests.roster.samples import oneroster, write_zip

T = TypeVar("T")


@pytest.fixture
def cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[..., tuple[int, str, str]]:
    """Run `hallpass ARGS` in this process on a fresh demo database: exit status and output."""
    monkeypatch.setenv("HALLPASS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("HALLPASS_SECRET_KEY", "test-secret")

    def run(*args: str) -> tuple[int, str, str]:
        try:
            main(list(args))
            status = 0
        except SystemExit as exc:
            status = int(exc.code or 0)
        captured = capsys.readouterr()
        return status, captured.out, captured.err

    assert run("demo")[0] == 0
    return run


def query(tmp_path: Path, read: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Read the CLI's database once it has finished."""
    settings: Settings = settings_for(f"sqlite://{tmp_path / 'hallpass.sqlite3'}", tmp_path)

    async def run() -> T:
        await db.connect(settings)
        try:
            return await read()
        finally:
            await db.disconnect()

    return asyncio.run(run())


def test_a_flat_file_is_imported_into_the_school_named(
    cli: Callable[..., tuple[int, str, str]], tmp_path: Path
) -> None:
    path = tmp_path / "lincoln.csv"
    path.write_text(DEMO_FLAT)
    status, out, err = cli("roster", "import", str(path), "--school", "demo")
    assert (status, err) == (0, "")
    assert "users: 2 created, 3 updated, 0 disabled, 0 unchanged" in out
    assert "sections: 2 created" in out

    async def read() -> tuple[list[str], int, list[RosterImport]]:
        adopted = await User.filter(login__in=["1001", "1002"]).values_list("source_id", flat=True)
        return (
            sorted(str(s) for s in adopted),
            await Enrollment.filter(active=True).count(),
            await RosterImport.all(),
        )

    adopted, enrollments, entries = query(tmp_path, read)
    assert adopted == ["student:1001", "student:1002"]
    assert enrollments == 6  # Algebra: 2 students, a teacher; Biology: the same
    assert [(e.status, e.created_by_id, e.source) for e in entries] == [
        (ImportStatus.APPLIED, None, "lincoln.csv")
    ]
    again, out, _ = cli("roster", "import", str(path), "--school", "demo")
    assert again == 0
    assert "users: 0 created, 0 updated, 0 disabled, 5 unchanged" in out


def test_a_dry_run_prints_the_first_changes_and_writes_only_its_history(
    cli: Callable[..., tuple[int, str, str]], tmp_path: Path
) -> None:
    path = tmp_path / "lincoln.csv"
    path.write_text(DEMO_FLAT)
    status, out, _ = cli("roster", "import", str(path), "--school", "demo", "--dry-run")
    assert status == 0
    assert "+ users student:2001: Grace Hopper" in out
    assert "~ users student:1001: Ada Lovelace (first_name, last_name, source_id)" in out
    assert "nothing was written (dry run)" in out

    async def read() -> tuple[int, list[ImportStatus]]:
        statuses = [r.status for r in await RosterImport.all()]
        return await Section.all().count(), statuses

    assert query(tmp_path, read) == (0, [ImportStatus.PREVIEWED])


def test_every_problem_is_printed_as_file_line_column_and_nothing_is_written(
    cli: Callable[..., tuple[int, str, str]], tmp_path: Path
) -> None:
    path = tmp_path / "lincoln.csv"
    path.write_text(BAD_PERIODS)
    status, out, err = cli("roster", "import", str(path), "--school", "demo")
    assert status == 1
    assert out == ""
    lines = err.splitlines()
    assert lines[0].startswith('lincoln.csv:3: period: No period "9" in the bell schedule')
    assert lines[1] == 'lincoln.csv:4: day_type: No day type "B" in the bell schedule.'
    assert lines[2] == "hallpass: 2 problem(s); nothing was imported"

    async def read() -> tuple[int, int, list[ImportStatus]]:
        statuses = [r.status for r in await RosterImport.all()]
        return (
            await User.filter(source_id__not_isnull=True).count(),
            await Section.all().count(),
            statuses,
        )

    assert query(tmp_path, read) == (0, 0, [ImportStatus.REJECTED])


def test_a_district_zip_makes_a_school_per_org_and_a_second_run_changes_nothing(
    cli: Callable[..., tuple[int, str, str]], tmp_path: Path
) -> None:
    path = write_zip(oneroster(students_per_school=10, sections_per_school=3), tmp_path / "d.zip")
    status, out, err = cli("roster", "import", str(path))
    assert (status, err) == (0, "")
    assert out.count("(new school)") == 3

    async def read() -> list[tuple[str, str | None]]:
        schools = await School.all().order_by("id")
        return [(s.slug, s.source_id) for s in schools]

    schools = query(tmp_path, read)
    assert schools[0] == ("demo", None)
    assert sorted(slug for slug, _ in schools[1:]) == [
        "lincoln-high-school",
        "oak-grove-elementary",
        "riverside-middle-school",
    ]
    again, out, _ = cli("roster", "import", str(path))
    assert again == 0
    assert " 0 created, 0 updated, 0 disabled" in out
    assert " created" not in out.replace(" 0 created", "")


def test_a_file_of_several_schools_needs_org_to_go_into_one(
    cli: Callable[..., tuple[int, str, str]], tmp_path: Path
) -> None:
    path = write_zip(oneroster(students_per_school=10, sections_per_school=3), tmp_path / "d.zip")
    status, _, err = cli("roster", "import", str(path), "--school", "demo")
    assert status == 1
    assert "choose one with --org" in err
    assert "Lincoln High School" in err
    flat = tmp_path / "flat.csv"
    flat.write_text(DEMO_FLAT)
    status, _, err = cli("roster", "import", str(flat))
    assert (status, err) == (
        1,
        "hallpass: The file names no school: choose one with --school SLUG.\n",
    )
