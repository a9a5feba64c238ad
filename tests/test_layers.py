"""Imports run one way: the layers of docs/architecture.md, checked by import-linter.

The contracts are pyproject.toml's [tool.importlinter]. A module that imports a layer above its
own (or a sibling marked independent) fails here with import-linter's report: which contract,
and the chain of imports that breaks it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Run as `lint-imports` does, in a fresh interpreter: the graph is read from the files, and the
# `server` it finds is the one under `root` (not whatever this process imported).
LINT = (
    "import sys; from importlinter.cli import lint_imports; "
    "sys.exit(lint_imports(no_cache=True, no_logo=True))"
)


def lint(root: Path) -> subprocess.CompletedProcess[str]:
    """Check the contracts of `root`'s pyproject.toml against `root`'s server package."""
    env = {**os.environ, "PYTHONPATH": str(root), "NO_COLOR": "1", "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-c", LINT],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_imports_run_one_way() -> None:
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout, result.stdout


@pytest.mark.parametrize(
    ("module", "wrong", "contract"),
    [
        # notify below the hub: the worker is handed the hub's publisher, never imports it
        ("server/notify/worker.py", "import server.hub.broker", "Layers run one way"),
        # the models below auth: the login rule is a base module
        ("server/models/user.py", "import server.auth.passwords", "Layers run one way"),
        # rules read no clock: `now` comes in with the facts
        ("server/rules/decision.py", "import server.clock", "Rules are pure"),
        # services queue deliveries through server.notify, not the outbox's insides
        ("server/services/passes.py", "import server.notify.routing", "through server.notify"),
    ],
)
def test_a_wrong_way_import_breaks_its_contract(
    tmp_path: Path, module: str, wrong: str, contract: str
) -> None:
    shutil.copytree(
        ROOT / "server", tmp_path / "server", ignore=shutil.ignore_patterns("__pycache__", "static")
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    with (tmp_path / module).open("a") as source:
        source.write(f"\n{wrong}  # the wrong way\n")
    result = lint(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    broken = [line for line in result.stdout.splitlines() if " BROKEN" in line]
    assert len(broken) == 1, result.stdout
    assert contract in broken[0], result.stdout
    importer = module.removesuffix(".py").replace("/", ".")
    assert f"{importer} -> {wrong.removeprefix('import ')}" in result.stdout, result.stdout
