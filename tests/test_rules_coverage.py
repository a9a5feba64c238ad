"""The pure rules are fully specified by their own tests: every branch of `server/rules`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_rules_tests_alone_cover_every_branch_of_server_rules(tmp_path: Path) -> None:
    # In a subprocess: coverage must measure tests/rules on their own (the service tests would
    # hide an untested rule), and this run's own coverage settings must not interfere.
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "tests/rules",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:xdist",  # one process: pytest-cov measures it, as it did before xdist
            "--cov=server/rules",
            "--cov-branch",
            "--cov-report=term-missing:skip-covered",
            "--cov-fail-under=100",
        ],
        cwd=ROOT,
        env={**os.environ, "COVERAGE_FILE": str(tmp_path / "coverage")},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
