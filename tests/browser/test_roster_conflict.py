"""The Roster tab applies only what it previewed: a roster changed in between is never applied
on the strength of an old preview; the admin is asked to preview again.

A module of its own (its own server): it imports a roster behind the screen's back.
"""

from __future__ import annotations

import httpx
from playwright.sync_api import expect

from tests.browser.api import api, token
from tests.browser.conftest import CHROMEBOOK, LiveServer, OpenContext, sign_in
from tests.browser.test_roster_import import ADMIN, LINCOLN, district, upload
from tests.roster import samples


def test_a_preview_overtaken_by_another_import_is_not_applied(
    server: LiveServer, new_context: OpenContext
) -> None:
    data = samples.zip_bytes(district())
    page = new_context(CHROMEBOOK).new_page()
    sign_in(page, server.url, ADMIN)
    page.goto(server.url + "/admin/roster")
    upload(page, "district.zip", data)
    page.get_by_label("Which school of the file is this one?").select_option(LINCOLN)
    page.get_by_role("button", name="Preview changes").click()
    apply = page.get_by_role("button", name="Apply these changes")
    expect(apply).to_be_visible()

    # Another admin (here: a script) applies the same file first.
    headers = {"Authorization": f"Bearer {token(server, ADMIN)}", "Content-Type": "application/zip"}
    with httpx.Client(base_url=server.url, headers=headers) as client:
        done = client.post("/api/roster/imports", params={"org": LINCOLN}, content=data)
        assert done.status_code == 200, done.text

    apply.click()
    refused = "The roster changed since the preview: preview again before applying."
    expect(page.get_by_role("alert").filter(has_text=refused)).to_be_visible()
    expect(apply).to_have_count(0)  # the overtaken preview is gone
    # Only the script's import was applied; previewing again shows nothing left to do.
    imports = api(server, ADMIN, "GET", "/api/roster/imports")["imports"]
    assert [i["status"] for i in imports].count("applied") == 1
    page.get_by_role("button", name="Preview changes").click()
    expect(
        page.get_by_text("Nothing to change: the school already matches this roster.")
    ).to_be_visible()
