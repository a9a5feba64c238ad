"""The Roster tab: an admin previews a OneRoster zip, applies exactly that, finds it in the
history and reads a section's roster; a bad zip lists every error by file, line and column.
"""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import FilePayload, Page, expect

from tests.browser.api import api
from tests.browser.conftest import CHROMEBOOK, PHONE, LiveServer, OpenContext, sign_in
from tests.roster import samples

ADMIN = "admin@demo.school"
LINCOLN = "org-lhs"


def district() -> samples.Files:
    """A small district's OneRoster 1.1 export: three schools, Lincoln High among them."""
    files = samples.oneroster(students_per_school=24, sections_per_school=6)
    for row in files["classes.csv"].rows:
        if row.get("periods") == "HR":
            row["periods"] = ""  # a homeroom with no bell period: the demo's bells have none
    return files


def upload(page: Page, name: str, data: bytes) -> None:
    """Choose a file in the import form and ask for its preview."""
    file: FilePayload = {"name": name, "mimeType": "application/zip", "buffer": data}
    page.get_by_label("Roster file").set_input_files(file)
    page.get_by_role("button", name="Preview changes").click()


def lincoln_classes(files: samples.Files) -> list[dict[str, str]]:
    """Return Lincoln High's classes in the file."""
    return [r for r in files["classes.csv"].rows if r["schoolSourcedId"] == LINCOLN]


def test_an_admin_previews_applies_and_reads_a_sections_roster(
    server: LiveServer, new_context: OpenContext
) -> None:
    files = district()
    page = new_context(CHROMEBOOK).new_page()
    sign_in(page, server.url, ADMIN)
    page.goto(server.url + "/admin/roster")

    # The district's file has three schools: the screen asks which one this school is.
    upload(page, "district.zip", samples.zip_bytes(files))
    page.get_by_label("Which school of the file is this one?").select_option(LINCOLN)
    page.get_by_role("button", name="Preview changes").click()

    counts = page.get_by_role("region", name="What the import changes, by kind of record")
    sections_row = counts.get_by_role("row", name="Sections")
    expect(sections_row.get_by_role("cell").first).to_have_text(str(len(lincoln_classes(files))))
    changes = page.get_by_role("region", name=re.compile(r"^The .*changes$"))
    expect(changes.get_by_role("row").nth(1)).to_be_visible()
    # A preview writes nothing.
    assert api(server, ADMIN, "GET", "/api/sections")["total"] == 0

    page.get_by_role("button", name="Apply these changes").click()
    expect(page.get_by_role("status").filter(has_text="Roster imported")).to_be_visible()
    listed: dict[str, Any] = api(server, ADMIN, "GET", "/api/sections?limit=500")
    assert listed["total"] == len(lincoln_classes(files))

    history = page.get_by_role("region", name="Roster imports, newest first")
    newest = history.get_by_role("row").nth(1)
    expect(newest).to_contain_text("Applied")
    expect(newest).to_contain_text("district.zip")
    expect(newest).to_contain_text("Dana Whitfield")

    page.get_by_label("Period", exact=True).select_option("")  # every section, whatever the hour
    section = max(listed["sections"], key=lambda s: s["student_count"])
    page.get_by_role("button", name=f"Roster of {section['title']}", exact=True).click()
    roster = page.get_by_role("region", name=f"Students of {section['title']}")
    expect(roster.get_by_role("row")).to_have_count(section["student_count"] + 1)
    first = api(server, ADMIN, "GET", f"/api/sections/{section['id']}")["students"][0]
    expect(roster.get_by_role("row").nth(1)).to_contain_text(first["name"])


def test_a_bad_zip_shows_every_error_with_its_file_line_and_column(
    server: LiveServer, new_context: OpenContext
) -> None:
    files = district()
    bad_class = files["classes.csv"].rows[2]
    bad_class["classType"] = "lecture"
    bad_enrollment = files["enrollments.csv"].rows[4]
    bad_enrollment["role"] = "principal"
    page = new_context(PHONE).new_page()
    sign_in(page, server.url, ADMIN)
    page.goto(server.url + "/admin/roster")
    before = api(server, ADMIN, "GET", "/api/sections")["total"]

    upload(page, "broken.zip", samples.zip_bytes(files))

    expect(
        page.get_by_role("heading", name="broken.zip can't be imported: 2 errors")
    ).to_be_focused()
    errors = page.get_by_role("region", name="2 errors", exact=True)
    rows = errors.get_by_role("row")
    expect(rows).to_have_count(3)  # the header and one row per error
    cells = [rows.nth(n).get_by_role("cell") for n in (1, 2)]
    expect(cells[0]).to_have_text(
        [
            "classes.csv",
            str(files["classes.csv"].line_of(bad_class)),
            "classType",
            re.compile("lecture"),
        ]
    )
    expect(cells[1]).to_have_text(
        [
            "enrollments.csv",
            str(files["enrollments.csv"].line_of(bad_enrollment)),
            "role",
            re.compile("principal"),
        ]
    )
    # Nothing was written, and there is nothing to apply.
    assert api(server, ADMIN, "GET", "/api/sections")["total"] == before
    expect(page.get_by_role("button", name="Apply these changes")).to_have_count(0)
