"""The README's Rosters section, run as written on a new demo school: it prints what it shows."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from tests.servers import hallpass_command

ROOT = Path(__file__).resolve().parents[1]


def rosters_section() -> str:
    """Return the README's Rosters section."""
    text = (ROOT / "README.md").read_text()
    return text.split("## Rosters\n", 1)[1].split("\n## ", 1)[0]


def test_the_readme_imports_the_example_roster_into_the_demo_school(tmp_path: Path) -> None:
    section = rosters_section()
    commands = re.search(r"```sh\n(.*?)```", section, re.S)
    shown = re.search(r"```text\n(.*?)```", section, re.S)
    assert commands is not None
    assert shown is not None
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALLPASS_")}
    env["HALLPASS_DATA_DIR"] = str(tmp_path / "var")  # the first command's ./var, elsewhere

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*hallpass_command(), *args], cwd=ROOT, env=env, capture_output=True, text=True
        )

    assert run("demo").returncode == 0
    outputs = []
    for line in commands.group(1).splitlines():
        program, *args = line.split()
        assert program == ".venv/bin/hallpass", line
        done = run(*args)
        assert (done.returncode, done.stderr) == (0, ""), line
        outputs.append(done.stdout)
    preview, imported = outputs
    assert "nothing was written (dry run)" in preview
    assert imported == shown.group(1)
    again = run("roster", "import", "examples/oneroster-demo")
    assert "users: 0 created, 0 updated, 0 disabled, 35 unchanged" in again.stdout
