"""Lighthouse on each role's first screen, signed in, on the device the role uses.

pwa/scripts/lighthouse.mjs runs Lighthouse (the npm devDependency) in Debian's Chromium against
the module's `hallpass serve` with the demo school, the session cookie sent as a header.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any

import pytest

from tests.browser.conftest import CHROMIUM, PWA, LiveServer, _unavailable

SCRIPT = PWA / "scripts" / "lighthouse.mjs"
# Each screen as its users see it: students on phones (Lighthouse's throttled mobile), teachers
# on Chromebooks, the hall monitor on a tablet.
SCREENS = [
    ("student", "1003", "phone"),
    ("teacher", "teacher1@demo.school", "chromebook"),
    ("monitor", "monitor@demo.school", "tablet"),
]
FLOOR = {"accessibility": 100, "best-practices": 95}
# The performance score times the main thread and the network on a machine shared with the rest
# of the suite (two cores, load above 10 while it runs), so as a test it would measure the load,
# not the screen: `npm --prefix pwa run lighthouse` measures it on demand (the README records
# the scores). What makes a screen slow for a reason the code controls is held here instead:
# compressed text, nothing blocking the first render, no layout shift, a small download.
LOAD_FREE_AUDITS = [
    "uses-text-compression",
    "render-blocking-insight",
    "cumulative-layout-shift",
    "total-byte-weight",
]


def lighthouse(server: LiveServer, login: str, device: str) -> dict[str, Any]:
    """Run the script once and return its result line."""
    if shutil.which("node") is None or not (PWA / "node_modules" / "lighthouse").is_dir():
        _unavailable("Lighthouse is not installed: `npm --prefix pwa ci`")
    if not CHROMIUM.exists():
        _unavailable(f"Debian's chromium is not installed at {CHROMIUM}")
    run = subprocess.run(
        ["node", str(SCRIPT), "--url", server.url, "--login", login, "--device", device],
        capture_output=True,
        text=True,
        timeout=150,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    result: dict[str, Any] = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["runtimeError"] is None, result
    return result


@pytest.mark.timeout(330)
@pytest.mark.parametrize(("screen", "login", "device"), SCREENS, ids=[s[0] for s in SCREENS])
def test_each_roles_screen_scores_what_the_school_was_promised(
    server: LiveServer, screen: str, login: str, device: str
) -> None:
    result = lighthouse(server, login, device)
    scores = result["scores"]
    print(f"{screen} ({device}): {scores}; below 90: {result['failing']}")
    assert {k: scores[k] for k in FLOOR if scores[k] < FLOOR[k]} == {}, result["failing"]
    audits = result["audits"]
    missing = [audit for audit in LOAD_FREE_AUDITS if audit not in audits]
    assert missing == [], f"this Lighthouse has no {missing}"
    slow = {a: audits[a] for a in LOAD_FREE_AUDITS if audits[a] is not None and audits[a] < 0.9}
    assert slow == {}, result["failing"]
