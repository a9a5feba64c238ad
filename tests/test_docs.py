"""The documentation is true: docs/architecture.md names every module, and the curl examples run.

The module tree in docs/architecture.md must name each Python module under server/ and nothing
that isn't there. Every `curl` in README.md and docs/api.md runs, in the documents' order, on one
in-process app of a fresh demo school (tests/doc_examples.py); each must answer 2xx, or the error
its shown output names, with the keys its shown JSON has.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from starlette.applications import Starlette

from server import clock, db
from server.api.app import create_app
from tests import doc_examples
from tests.conftest import settings_for

ROOT = Path(__file__).resolve().parent.parent
ARCHITECTURE = ROOT / "docs" / "architecture.md"
DOCUMENTS = ("README.md", "docs/api.md")
EXAMPLES_MOMENT = datetime(2025, 3, 4, 10, 0, tzinfo=ZoneInfo("America/Chicago"))

# Folders the tree names as a whole rather than file by file: the migrations are one numbered
# file per model change, read by the migration tool, not by people finding their way around.
WHOLE_FOLDERS = ("migrations/",)

# An entry of the tree: indented by two spaces per level, then one or more names (`spec.py,
# export.py`), then its description. Deeper-indented lines continue a description.
ENTRY = re.compile(r"^(?P<indent> *)(?P<names>[\w.]+(?:\.py|/)(?:, [\w.]+(?:\.py|/))*)(?: |$)")
DESCRIPTION_INDENT = 8


def module_tree(markdown: str) -> list[str]:
    """Return every path the `server/` tree of the Modules section names, relative to server/."""
    section = markdown.split("\n## Modules\n", 1)[1]
    block = section.split("```\nserver/\n", 1)[1].split("\n```", 1)[0]
    named: list[str] = []
    folders: dict[int, str] = {}
    for line in block.splitlines():
        match = ENTRY.match(line)
        if match is None or len(match["indent"]) >= DESCRIPTION_INDENT:
            continue
        depth = len(match["indent"]) // 2
        parent = "".join(folders[level] for level in range(1, depth))
        for name in match["names"].split(", "):
            named.append(parent + name)
            if name.endswith("/"):
                folders[depth] = name
    return named


def server_modules() -> list[str]:
    """Return each module under server/ that the tree must name, relative to server/."""
    server = ROOT / "server"
    modules = []
    for path in sorted(server.rglob("*.py")):
        relative = path.relative_to(server).as_posix()
        if path.name == "__init__.py" or relative.startswith(WHOLE_FOLDERS):
            continue
        modules.append(relative)
    return modules


def where(path: str) -> str:
    """Say where in the tree a missing path goes: `name` under `folder/`, or at the top."""
    folder, _, name = path.rstrip("/").rpartition("/")
    name += "/" if path.endswith("/") else ""
    return f"{name!r} under '{folder}/'" if folder else f"{name!r} at the top (under server/)"


def test_the_module_tree_of_architecture_md_names_every_module_and_only_those() -> None:
    named = module_tree(ARCHITECTURE.read_text())
    assert len(named) > 50, f"the module tree was not found or not parsed: {named}"
    modules = server_modules()
    folders = sorted({m.rsplit("/", 1)[0] + "/" for m in modules if "/" in m} | set(WHOLE_FOLDERS))
    missing = [m for m in modules if m not in named]
    missing += [f for f in folders if f not in named]
    stale = [n for n in named if not (ROOT / "server" / n).exists()]
    problems = missing + stale
    assert problems == [], (
        "docs/architecture.md, ## Modules, is out of date with server/.\n"
        + "".join(f"  add {where(m)}, with a one-line description\n" for m in missing)
        + "".join(f"  remove {n!r}: there is no server/{n}\n" for n in stale)
    )


def test_the_module_tree_parser_reads_nesting_lists_and_descriptions() -> None:
    tree = (
        "intro\n\n## Modules\n\n```\nserver/\n  cli.py          the command\n"
        "  api/            HTTP\n    spec.py, export.py  the OpenAPI document;\n"
        "                    routes.py is only a word here\n  db.py           the database\n```\n"
    )
    assert module_tree(tree) == ["cli.py", "api/", "api/spec.py", "api/export.py", "db.py"]


@pytest.fixture
async def docs_app(sqlite_template: Path, tmp_path: Path) -> AsyncIterator[Starlette]:
    """Return the app on a fresh demo school, its clock on the docs' Tuesday morning."""
    path = tmp_path / "hallpass.sqlite3"
    shutil.copyfile(sqlite_template, path)
    settings = settings_for(f"sqlite://{path}", tmp_path)
    await db.connect(settings)
    # The examples name times on Tuesday 4 March 2025 (a delay "until 10:40", appointments at
    # 10:30 and 12:45), so the school's clock reads 10:00 that day, Chicago time.
    clock.advance(EXAMPLES_MOMENT - clock.utcnow())
    try:
        yield create_app(settings, manage_database=False)
    finally:
        await db.disconnect()
        clock.reset()


async def test_every_curl_example_runs_in_order_with_the_answers_it_shows(
    docs_app: Starlette,
) -> None:
    found = [
        example
        for document in DOCUMENTS
        for example in doc_examples.examples((ROOT / document).read_text(), document)
    ]
    assert len(found) >= 20, f"the examples were not found: {[e.where for e in found]}"
    transport = httpx.ASGITransport(app=docs_app)
    async with httpx.AsyncClient(transport=transport, base_url=doc_examples.SERVER) as client:
        shell = doc_examples.Shell(client)
        for example in found:
            failure = None
            try:
                await shell.run(example)
            except doc_examples.ExampleError as exc:
                failure = f"{example.where}: {exc}\n{example.script}"
            if failure is not None:
                pytest.fail(failure, pytrace=False)


async def test_the_shell_reads_quotes_variables_and_comments_as_bash_does() -> None:
    shell = doc_examples.Shell(httpx.AsyncClient(), variables={"ID": "7", "T": "abc"})
    script = (
        'curl -s -X POST http://127.0.0.1:8000/api/x -H "Authorization: Bearer $T" \\\n'
        '  -d \'{"id": \'$ID\', "in": "$ID"}\'   # a comment; not a command\n'
    )
    [line] = doc_examples.split_commands(script)
    assert await shell.parse(line) == [
        [
            "curl", "-s", "-X", "POST", "http://127.0.0.1:8000/api/x",
            "-H", "Authorization: Bearer abc", "-d", '{"id": 7, "in": "$ID"}',
        ]
    ]  # fmt: skip
    with pytest.raises(doc_examples.ExampleError, match=r"\$NOPE is used before"):
        await shell.parse("curl http://127.0.0.1:8000/api/$NOPE")


def test_an_answer_is_checked_against_the_status_and_keys_shown() -> None:
    example = doc_examples.Example("x", "curl ...", '{"a": 1, "b": [\n{"c": 2},\n... (more)\n]}')
    doc_examples.check(example, doc_examples.Answer(200, '{"a": 5, "b": [{"c": 3}]}'))
    with pytest.raises(doc_examples.ExampleError, match=r"\.b\[0\]\.d: in the answer"):
        doc_examples.check(example, doc_examples.Answer(200, '{"a": 5, "b": [{"c": 3, "d": 4}]}'))
    with pytest.raises(doc_examples.ExampleError, match="answered 404"):
        doc_examples.check(example, doc_examples.Answer(404, '{"error": {"code": "not_found"}}'))
    silent = doc_examples.Example("x", "curl ...", None)
    with pytest.raises(doc_examples.ExampleError, match="answered 409"):
        doc_examples.check(silent, doc_examples.Answer(409, "{}"))
