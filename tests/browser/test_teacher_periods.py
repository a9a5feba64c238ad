"""The teacher's class by period: the picker lists today's periods with the teacher's section and
room in each, and choosing one lists that class and offers only its students a pass.

A module of its own: it imports a roster and makes today a school day, which the other teacher
tests must not see.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx
from playwright.sync_api import expect

from tests.browser.api import api, token
from tests.browser.conftest import CHROMEBOOK, LiveServer, OpenContext, sign_in

ADMIN = "admin@demo.school"
TEACHER = "teacher1@demo.school"
CHEMISTRY = ["1001", "1002", "1003", "1004"]
COLUMNS = ["student_number", "first_name", "last_name", "grade", "email", "section", "period"]
COLUMNS += ["room", "teacher_email"]


def make_today_a_regular_day(server: LiveServer) -> None:
    """Add today (the school's date) to the bell schedule's overrides as a regular day."""
    today = api(server, ADMIN, "GET", "/api/schedule/today")["date"]
    schedule = api(server, ADMIN, "GET", "/api/schedule")
    overrides = [o for o in schedule["overrides"] if o["date"] != today]
    body = {
        "day_types": schedule["day_types"],
        "weekdays": schedule["weekdays"],
        "overrides": [*overrides, {"date": today, "day_type": "regular", "note": "test"}],
    }
    api(server, ADMIN, "PUT", "/api/schedule", body)


def import_chemistry(server: LiveServer) -> None:
    """Import a flat CSV: four of Room 101's students in teacher1's Chemistry, period 2."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for number in CHEMISTRY:
        [student] = api(server, ADMIN, "GET", f"/api/users?q={number}&role=student")["users"]
        person = [number, student["first_name"], student["last_name"], student["grade"], ""]
        writer.writerow([*person, "Chemistry", "Period 2", "Room 101", TEACHER])
    headers = {"Authorization": f"Bearer {token(server, ADMIN)}", "Content-Type": "text/csv"}
    with httpx.Client(base_url=server.url, headers=headers) as client:
        answer = client.post("/api/roster/imports", content=out.getvalue().encode())
        assert answer.status_code == 200, answer.text


def test_the_teacher_picks_a_period_and_sees_that_class(
    server: LiveServer, new_context: OpenContext
) -> None:
    make_today_a_regular_day(server)
    import_chemistry(server)
    page = new_context(CHROMEBOOK).new_page()
    sign_in(page, server.url, TEACHER)

    picker = page.get_by_label("Period", exact=True)
    expect(picker.locator("option[value='Period 2']")).to_have_text(
        "Period 2 (08:55\u201309:45) · Chemistry · Room 101"
    )
    expect(picker.locator("option").first).to_contain_text("Now (")
    picker.select_option("Period 2")

    expect(page.get_by_role("heading", name="Class: Period 2 · Room 101 (4)")).to_be_visible()
    listed = page.get_by_role("list", name="Students, Period 2 · Room 101").get_by_role("listitem")
    expect(listed).to_have_count(len(CHEMISTRY))
    issue = page.get_by_role("form", name="Issue a pass")
    # "Choose a student" and the four of the class, nobody else of the room.
    expect(issue.get_by_label("Student").locator("option")).to_have_count(len(CHEMISTRY) + 1)
    names: list[dict[str, Any]] = api(server, TEACHER, "GET", "/api/students?period=Period%202")
    expect(listed.first).to_contain_text(names[0]["name"])
