"""What a cheap Chromebook downloads: the first screen of every role within 150 KB gzipped."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import TypedDict

import pytest

# Issue 4: JavaScript and CSS shipped for the first view, at most 150 KB gzipped.
BUDGET_BYTES = 150 * 1024
VIEWS = [
    "src/views/student/StudentView.tsx",
    "src/views/teacher/TeacherView.tsx",
    "src/views/care/CareView.tsx",
    "src/views/monitor/MonitorView.tsx",
    "src/views/admin/AdminView.tsx",
    "src/views/kiosk/KioskView.tsx",
]


class Chunk(TypedDict, total=False):
    """One entry of Vite's build manifest (dist/.vite/manifest.json)."""

    file: str
    css: list[str]
    imports: list[str]


def files_of(manifest: dict[str, Chunk], key: str, seen: set[str]) -> set[str]:
    """Return the JS and CSS files a chunk loads with it: itself, its CSS and static imports."""
    if key in seen:
        return set()
    seen.add(key)
    chunk = manifest[key]
    found = {chunk["file"], *chunk.get("css", [])}
    for imported in chunk.get("imports", []):
        found |= files_of(manifest, imported, seen)
    return found


def gzipped(dist: Path, files: set[str]) -> int:
    """Return the summed gzip size (level 9, as servers compress static files) of files."""
    return sum(len(gzip.compress((dist / name).read_bytes(), 9)) for name in files)


@pytest.mark.parametrize("view", VIEWS, ids=lambda v: Path(v).stem)
def test_the_shell_and_a_roles_first_screen_fit_the_budget(built_app: Path, view: str) -> None:
    manifest = json.loads((built_app / ".vite" / "manifest.json").read_text())
    shell = files_of(manifest, "index.html", set())
    first_screen = shell | files_of(manifest, view, set())
    size = gzipped(built_app, first_screen)
    print(f"{Path(view).stem}: {size / 1024:.1f} KiB gzipped in {len(first_screen)} files")
    assert size <= BUDGET_BYTES
