"""The teacher's room board: requests to approve or deny, and a pass issued to a student."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.api import ask, pass_of
from tests.browser.conftest import CHROMEBOOK, LiveServer, OpenContext, sign_in


def test_the_teacher_issues_a_pass_to_a_student_of_the_room(
    server: LiveServer, new_context: OpenContext
) -> None:
    page = new_context(CHROMEBOOK).new_page()
    sign_in(page, server.url, "teacher1@demo.school")
    issue = page.get_by_role("form", name="Issue a pass")
    students = issue.get_by_label("Student").locator("option")
    expect(students).to_have_count(16)  # "Choose a student" and Room 101's 15

    issue.get_by_label("Student").select_option(label="Evelyn Moore (1013)")
    issue.get_by_label("Going to").select_option(label="Library")
    issue.get_by_role("button", name="Issue pass").click()

    expect(issue.get_by_role("status")).to_have_text("Evelyn Moore: Library.")
    out = page.get_by_role("region", name="Out of class")
    expect(out.get_by_text("Evelyn Moore")).to_be_visible()


def test_a_denied_request_leaves_the_board_and_the_student_is_told(
    server: LiveServer, new_context: OpenContext
) -> None:
    asked = ask(server, "1014", "Nurse")
    page = new_context(CHROMEBOOK).new_page()
    sign_in(page, server.url, "teacher1@demo.school")
    row = page.locator(f"[data-pass-id='{asked['id']}']")
    row.get_by_role("button", name="Deny").click()
    expect(row).to_have_count(0)
    assert pass_of(server, asked["id"])["state"] == "denied"
