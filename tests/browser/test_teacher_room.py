"""The teacher's room on a Chromebook (issue 17): end all, today's passes, a pass scheduled for
later with its minutes, "Has a pass" at once, and request notices that go when decided elsewhere.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import Locator, Page, expect

from tests.browser.api import api, ask, pass_of, place_id
from tests.browser.conftest import CHROMEBOOK, LiveServer, OpenContext, sign_in

TEACHER = "teacher1@demo.school"  # Room 101: students 1001-1015


def card(page: Page, heading: str) -> Locator:
    """Return the card whose heading starts with these words ("Out of class (2)")."""
    return page.locator("section.card").filter(
        has=page.get_by_role("heading", name=re.compile("^" + re.escape(heading)))
    )


def issue(server: LiveServer, student: str, destination: str) -> dict[str, object]:
    """Room 101's teacher sends a student of the room out now (through the API)."""
    students = api(server, TEACHER, "GET", f"/api/students?q={student}")
    body = {"destination_id": place_id(server, destination), "student_id": students[0]["id"]}
    created: dict[str, object] = api(server, TEACHER, "POST", "/api/passes", body)
    assert created["state"] == "active", created
    return created


def test_end_all_names_the_students_and_ends_exactly_them_after_a_yes(
    server: LiveServer, new_context: OpenContext
) -> None:
    first = issue(server, "1006", "Library")
    second = issue(server, "1007", "Main Office")
    page = new_context(CHROMEBOOK).new_page()
    sign_in(page, server.url, TEACHER)
    out = card(page, "Out of class")
    out.get_by_role("button", name="End all (2)").click()
    confirm = out.get_by_role("group", name="End all passes out of Room 101")
    expect(confirm).to_contain_text(str(first["student"]["name"]))  # type: ignore[index]
    expect(confirm).to_contain_text(str(second["student"]["name"]))  # type: ignore[index]
    # "Keep them out" changes nothing.
    confirm.get_by_role("button", name="Keep them out").click()
    expect(confirm).to_have_count(0)
    assert pass_of(server, int(str(first["id"])))["state"] == "active"

    out.get_by_role("button", name="End all (2)").click()
    # Meanwhile a third student leaves: the server ends nothing and the question names all 3.
    third = issue(server, "1009", "Library")
    confirm.get_by_role("button", name="End all 2").click()
    expect(confirm).to_contain_text("changed meanwhile")
    expect(confirm).to_contain_text(str(third["student"]["name"]))  # type: ignore[index]
    assert pass_of(server, int(str(first["id"])))["state"] == "active"
    confirm.get_by_role("button", name="End all 3").click()
    expect(out.locator("[data-pass-id]")).to_have_count(0)
    for created in (first, second, third):
        assert pass_of(server, int(str(created["id"])))["state"] == "ended"

    # Today's passes list them, with their times and minutes.
    history = card(page, "Today's passes")
    expect(history.locator("[data-pass-id]")).to_have_count(3)
    row = history.locator(f'[data-pass-id="{first["id"]}"]')
    expect(row).to_contain_text("Library")
    # "9:05 PM to 9:05 PM · under 1 min", an en dash between: the times, then the minutes.
    clock = r"\d{1,2}:\d\d\s?[AP]M"
    expect(row).to_contain_text(re.compile(clock + "\u2013" + clock + " · under 1 min"))


def test_a_pass_issued_shows_has_a_pass_in_the_class_list_at_once(
    server: LiveServer, new_context: OpenContext
) -> None:
    page = new_context(CHROMEBOOK).new_page()
    sign_in(page, server.url, TEACHER)
    student = (
        page.get_by_role("list", name=re.compile("^Students"))
        .locator("li")
        .filter(has_text="Mason Anderson")
    )
    expect(student).to_be_visible()
    expect(student).not_to_contain_text("Has a pass")
    form = page.get_by_role("form", name="Issue a pass")
    form.get_by_label("Student").select_option(label="Mason Anderson (1010)")
    form.get_by_label("Going to").select_option(label="Library")
    form.get_by_role("button", name="Issue pass").click()
    expect(student.get_by_text("Has a pass")).to_be_visible()
    # Back: the mark goes as soon as the pass ends, without a reload either.
    ended = card(page, "Out of class").locator("[data-pass-id]").filter(has_text="Mason Anderson")
    ended.get_by_role("button", name="End").click()
    expect(student.get_by_text("Has a pass")).to_have_count(0)


def test_the_teacher_schedules_a_pass_for_later_with_its_minutes_and_cancels_it(
    server: LiveServer, new_context: OpenContext
) -> None:
    page = new_context(CHROMEBOOK).new_page()
    sign_in(page, server.url, TEACHER)
    zone = api(server, TEACHER, "GET", "/api/me")["school"]["timezone"]
    form = page.get_by_role("form", name="Schedule a pass")
    form.get_by_label("Student").select_option(label="Lucas Rodriguez (1008)")
    form.get_by_label("Going to").select_option(label="Library")
    # Tomorrow at 10:40 on the school's clocks, for 25 minutes.
    tomorrow = (datetime.now(UTC).astimezone(ZoneInfo(zone)) + timedelta(days=1)).date()
    form.get_by_label("Day").fill(tomorrow.isoformat())
    form.get_by_label("Time").fill("10:40")
    form.get_by_label("Minutes").fill("25")
    form.get_by_role("button", name="Schedule pass").click()
    status = form.get_by_role("status")
    expect(status).to_contain_text("Scheduled Lucas Rodriguez: Library at 10:40")
    expect(status).to_contain_text("for 25 min")

    line = card(page, "In line and scheduled")
    row = line.locator("[data-pass-id]").filter(has_text="Lucas Rodriguez")
    expect(row).to_contain_text("at 10:40")
    expect(row).to_contain_text("25 min")
    pass_id = int(row.get_attribute("data-pass-id") or 0)
    scheduled = pass_of(server, pass_id)
    assert scheduled["state"] == "scheduled"
    assert scheduled["minutes"] == 25
    start = datetime.fromisoformat(scheduled["start_at"]).astimezone(ZoneInfo(zone))
    assert (start.date(), start.hour, start.minute) == (tomorrow, 10, 40)

    row.get_by_role("button", name="Cancel").click()
    expect(row).to_have_count(0)
    assert pass_of(server, pass_id)["state"] == "cancelled"


def test_a_request_notice_goes_when_another_device_decides_it(
    server: LiveServer, new_context: OpenContext
) -> None:
    page = new_context(CHROMEBOOK).new_page()
    sign_in(page, server.url, TEACHER)
    asked = ask(server, "1005", "Nurse")  # waits for Room 101's teacher
    notice = page.locator(".toast").filter(has_text="Pass request")
    expect(notice).to_be_visible()
    # The admin approves it from another device: the notice goes long before its 10 s are up.
    api(server, "admin@demo.school", "POST", f"/api/passes/{asked['id']}/approve")
    expect(notice).to_have_count(0, timeout=4000)
    expect(card(page, "Requests").locator(f'[data-pass-id="{asked["id"]}"]')).to_have_count(0)
