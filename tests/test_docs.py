"""The documentation is true: docs/architecture.md names every module, and the curl examples run.

The module tree in docs/architecture.md must name each Python module under server/ and nothing
that isn't there. Every `curl` in README.md and docs/api.md runs, in the documents' order, on one
in-process app of a fresh demo school (tests/doc_examples.py); each must answer 2xx, or the error
its shown output names, with the keys its shown JSON has.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARCHITECTURE = ROOT / "docs" / "architecture.md"

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
    assert not missing and not stale, (
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
