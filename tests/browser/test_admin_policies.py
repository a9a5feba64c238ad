"""The admin's Policies and Schedule tabs: overrides of the school's rules and the bell schedule."""

from __future__ import annotations

import re
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, OpenContext
from tests.browser.test_admin_view import admin_get, admin_page, open_tab, place, token


def as_user(
    server: LiveServer, login: str, method: str, path: str, body: Any = None
) -> httpx.Response:
    """Call the API as one user (bearer token)."""
    headers = {"Authorization": f"Bearer {token(server, login)}"}
    return httpx.request(method, server.url + path, json=body, headers=headers)


def policy(server: LiveServer, scope: str, target: str) -> dict[str, Any] | None:
    """Return one policy row as the API lists it, or None."""
    rows: list[dict[str, Any]] = admin_get(server, "/api/policies")
    return next((r for r in rows if r["scope"] == scope and r["target"] == target), None)


def student_id(server: LiveServer, login: str) -> int:
    """Return a demo student's user id from their login."""
    hits: list[dict[str, Any]] = admin_get(server, f"/api/students?q={login}")
    return int(next(h for h in hits if h["login"] == login)["id"])


def new_override(page: Page) -> Any:
    """Open the Policies tab's form for a new override."""
    open_tab(page, "Policies")
    page.get_by_role("button", name="Add an override").click()
    return page.get_by_role("form", name="New override")


def test_an_admin_adds_a_grade_override_and_the_api_shows_it(
    server: LiveServer, new_context: OpenContext
) -> None:
    page = admin_page(server, new_context)
    form = new_override(page)
    expect(page).to_have_url(re.compile(r"/admin/policies$"))
    form.get_by_label("Applies to", exact=True).select_option(label="A grade")
    form.get_by_label("Grade", exact=True).fill("9")
    form.get_by_label("Passes per day").fill("3")
    form.get_by_role("button", name="Add override").click()

    expect(page.get_by_role("status").filter(has_text="Grade 9: saved.")).to_be_visible()
    grades = page.get_by_role("list", name="Grades")
    expect(grades.get_by_text("3 passes a day")).to_be_visible()
    row = policy(server, "grade", "9")
    assert row is not None
    assert row["rules"] == {"passes_per_day": 3}


def test_an_accommodated_student_goes_past_the_schools_daily_limit(
    server: LiveServer, new_context: OpenContext
) -> None:
    admin = "admin@demo.school"
    one_a_day = {"rules": {"passes_per_day": 1}}
    assert as_user(server, admin, "PUT", "/api/policies/school", one_a_day).is_success
    try:
        page = admin_page(server, new_context)
        form = new_override(page)
        form.get_by_label("Applies to", exact=True).select_option(label="A student")
        form.get_by_label("Find a student").fill("1020")
        form.get_by_role("list", name="Matching students").get_by_role("button").first.click()
        expect(form.get_by_role("list", name="Chosen")).to_contain_text(re.compile(r"\w"))
        accommodation = form.get_by_role("checkbox", name=re.compile("Accommodation"))
        only_admins = re.compile("Only administrators see this")
        expect(accommodation).to_have_accessible_description(only_admins)
        accommodation.check()
        form.get_by_role("button", name="Add override").click()

        students = page.get_by_role("list", name="Students")
        expect(students.get_by_text(re.compile("accommodation"))).to_be_visible()
        sid = student_id(server, "1020")
        row = policy(server, "student", str(sid))
        assert row is not None
        assert row["rules"] == {"accommodation": True}

        # Two passes in one day for the accommodated student; the school allows one.
        library = place(server, "Library")["id"]
        for _ in range(2):
            made = as_user(server, "1020", "POST", "/api/passes", {"destination_id": library})
            assert made.status_code == 201, made.text
            ended = as_user(server, "1020", "POST", f"/api/passes/{made.json()['id']}/end")
            assert ended.is_success, ended.text
        # Another student (grade 10: no grade override of this module) is held at one.
        first = as_user(server, "1022", "POST", "/api/passes", {"destination_id": library})
        assert first.status_code == 201
        as_user(server, "1022", "POST", f"/api/passes/{first.json()['id']}/end")
        second = as_user(server, "1022", "POST", "/api/passes", {"destination_id": library})
        assert second.json()["error"]["code"] == "limit_reached"

        # "Why?" says where each rule comes from.
        why = page.get_by_role("region", name="Why?")
        why.get_by_label("Find a student").fill("1020")
        why.get_by_role("list", name="Matching students").get_by_role("button").first.click()
        why.get_by_role("button", name="Explain").click()
        expect(why.get_by_text("can start a pass now")).to_be_visible()
        per_day = why.locator("[data-setting=passes_per_day]")
        expect(per_day).to_have_text("1 · set by the school")
        accommodated = why.locator("[data-setting=accommodation]")
        expect(accommodated).to_have_text("yes · set by this student")
    finally:
        as_user(server, admin, "DELETE", "/api/policies/school")


def test_a_bad_override_value_shows_the_servers_message_by_the_field_and_changes_nothing(
    server: LiveServer, new_context: OpenContext
) -> None:
    page = admin_page(server, new_context)
    form = new_override(page)
    form.get_by_label("Grade", exact=True).fill("11")
    per_day = form.get_by_label("Passes per day")
    per_day.fill("500")
    form.get_by_role("button", name="Add override").click()

    expect(per_day).to_have_attribute("aria-invalid", "true")
    expect(per_day).to_have_accessible_description(re.compile("less than or equal to 100"))
    expect(form.get_by_text("less than or equal to 100")).to_be_visible()
    assert policy(server, "grade", "11") is None


def test_an_override_is_deleted_only_once_confirmed(
    server: LiveServer, new_context: OpenContext
) -> None:
    put = {"rules": {"cooldown_minutes": 20}}
    assert as_user(server, "admin@demo.school", "PUT", "/api/policies/grade/12", put).is_success
    page = admin_page(server, new_context)
    open_tab(page, "Policies")
    grades = page.get_by_role("list", name="Grades")
    expect(grades.get_by_text("20-minute cooldown")).to_be_visible()
    grades.get_by_role("button", name="Delete Grade 12").click()
    grades.get_by_role("button", name="Keep it").click()
    assert policy(server, "grade", "12") is not None

    grades.get_by_role("button", name="Delete Grade 12").click()
    grades.get_by_role("button", name="Yes, delete").click()
    expect(page.get_by_role("status").filter(has_text="Grade 12: override deleted")).to_be_visible()
    assert policy(server, "grade", "12") is None


def test_the_schedule_gets_a_new_period_and_the_api_shows_it(
    server: LiveServer, new_context: OpenContext
) -> None:
    page = admin_page(server, new_context)
    open_tab(page, "Schedule")
    expect(page.get_by_role("heading", name=re.compile("^Today"))).to_be_visible()
    regular = page.get_by_role("region", name="Day type regular")
    count = len(admin_get(server, "/api/schedule")["day_types"]["regular"]["periods"])
    regular.get_by_role("button", name="Add a period to regular").click()
    period = regular.get_by_role("group", name=f"regular period {count + 1}")
    period.get_by_label("Name").fill("Study hall")
    period.get_by_label("Start").fill("15:00")
    period.get_by_label("End").fill("15:45")
    page.get_by_role("button", name="Save schedule").click()

    expect(page.get_by_role("status").filter(has_text="Schedule saved.")).to_be_visible()
    periods = admin_get(server, "/api/schedule")["day_types"]["regular"]["periods"]
    assert periods[-1] == {"name": "Study hall", "start": "15:00", "end": "15:45"}


def test_a_bad_time_shows_the_error_at_that_periods_field(
    server: LiveServer, new_context: OpenContext
) -> None:
    before = admin_get(server, "/api/schedule")
    page = admin_page(server, new_context)
    open_tab(page, "Schedule")
    second = page.get_by_role("group", name="regular period 2")
    end = second.get_by_label("End")
    end.fill("08:30")  # before its start, 08:55
    page.get_by_role("button", name="Save schedule").click()

    expect(end).to_have_attribute("aria-invalid", "true")
    expect(end).to_have_accessible_description(re.compile("must be after the start"))
    expect(second.get_by_text("must be after the start")).to_be_visible()
    assert admin_get(server, "/api/schedule")["day_types"] == before["day_types"]
