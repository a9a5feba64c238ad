"""The house style, checked by the suite (and so by CI): ruff, ruff format, mypy, and the app's
generated contract, `tsc --noEmit` and eslint. `scripts/check` runs the same commands directly."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import IN_CI

ROOT = Path(__file__).resolve().parents[1]
# Each check as it is typed at the repository's root ("python" is this test run's interpreter).
CHECKS: dict[str, tuple[str, ...]] = {
    "ruff": ("python", "-m", "ruff", "check", "."),
    "ruff-format": ("python", "-m", "ruff", "format", "--check", "."),
    "mypy": ("python", "-m", "mypy"),
    "pwa": ("npm", "--prefix", "pwa", "run", "check"),
}
# mypy from a cold cache and tsc + eslint with type information take a minute or two on a
# loaded two-core machine; the suite's usual 120 s is for one test's own work.
SECONDS = 600


@pytest.mark.timeout(SECONDS)
@pytest.mark.parametrize("name", list(CHECKS))
def test_the_code_passes(name: str) -> None:
    program, *args = CHECKS[name]
    if program == "python":
        program = sys.executable
    elif shutil.which(program) is None or not (ROOT / "pwa" / "node_modules").is_dir():
        reason = "the app's tools are not installed: `npm --prefix pwa ci`"
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    # No colours: the output is read in a test report.
    env = {**os.environ, "NO_COLOR": "1", "FORCE_COLOR": "0"}
    result = subprocess.run(
        [program, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=SECONDS - 30,
        check=False,
    )
    assert result.returncode == 0, (
        f"`{' '.join(CHECKS[name])}` failed ({result.returncode}):\n{result.stdout}{result.stderr}"
    )


def test_scripts_check_runs_the_same_commands() -> None:
    script = (ROOT / "scripts" / "check").read_text(encoding="utf-8")
    for command in CHECKS.values():
        assert " ".join(command).replace("python ", '"$python" ', 1) in script, command
