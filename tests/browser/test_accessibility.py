"""Every screen, on a phone and a Chromebook, has no serious or critical axe-core violation."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import CHROMEBOOK, PHONE, PWA, LiveServer, OpenContext, sign_in

AXE = PWA / "node_modules" / "axe-core" / "axe.min.js"
# (who signs in, where they go): every role's first screen, and the admin's tabs.
SCREENS = [
    (None, "/"),
    ("1010", "/"),
    ("teacher1@demo.school", "/"),
    ("nurse@demo.school", "/"),
    ("counselor@demo.school", "/"),
    ("monitor@demo.school", "/"),
    ("admin@demo.school", "/"),
    ("admin@demo.school", "/admin/places"),
    ("admin@demo.school", "/admin/school"),
    ("admin@demo.school", "/admin/policies"),
    ("admin@demo.school", "/admin/schedule"),
    ("admin@demo.school", "/admin/encounters"),
    ("admin@demo.school", "/admin/users"),
    ("admin@demo.school", "/admin/roster"),
    ("admin@demo.school", "/admin/sign-in"),
    ("kiosk101@demo.school", "/"),
]


def violations(page: Page) -> list[dict[str, Any]]:
    """Run axe-core on the page; return the serious and critical violations."""
    page.add_script_tag(path=str(AXE))
    found: list[dict[str, Any]] = page.evaluate(
        """async () => {
            const result = await axe.run(document, { resultTypes: ["violations"] });
            return result.violations
                .filter((v) => v.impact === "serious" || v.impact === "critical")
                .map((v) => ({ id: v.id, impact: v.impact, help: v.help,
                               nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5) }));
        }"""
    )
    return found


@pytest.mark.parametrize(("login", "where"), SCREENS, ids=lambda v: str(v))
def test_no_serious_or_critical_violation_on_a_phone_or_a_chromebook(
    server: LiveServer, new_context: OpenContext, login: str | None, where: str
) -> None:
    # axe is injected as a script: the app's CSP would rightly refuse it.
    page = new_context(PHONE, bypass_csp=True).new_page()
    if login is None:
        page.goto(server.url + where)
        page.get_by_role("button", name="Sign in").wait_for()
    else:
        sign_in(page, server.url, login)
        page.goto(server.url + where)
        page.locator("[data-status=live]").wait_for()
        page.locator(".loading").wait_for(state="detached")
    found: dict[str, list[dict[str, Any]]] = {}
    for name, viewport in (("phone", PHONE), ("chromebook", CHROMEBOOK)):
        page.set_viewport_size(viewport)
        found[name] = violations(page)
    assert found == {"phone": [], "chromebook": []}
