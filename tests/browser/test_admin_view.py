"""The admin's screen: places, the school's settings, encounter groups and users."""

from __future__ import annotations

import re
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from tests.browser.conftest import CHROMEBOOK, LiveServer, OpenContext, sign_in


def token(server: LiveServer, login: str, password: str = "demo") -> str:
    """Return a bearer token for one user."""
    answer = httpx.post(server.url + "/api/session", json={"login": login, "password": password})
    answer.raise_for_status()
    value: str = answer.json()["token"]
    return value


def admin_get(server: LiveServer, path: str) -> Any:
    """GET an API path as the admin."""
    headers = {"Authorization": f"Bearer {token(server, 'admin@demo.school')}"}
    answer = httpx.get(server.url + path, headers=headers)
    answer.raise_for_status()
    return answer.json()


def place(server: LiveServer, name: str) -> dict[str, Any]:
    """Return one place as the API shows it."""
    places: list[dict[str, Any]] = admin_get(server, "/api/locations")
    return next(p for p in places if p["name"] == name)


def open_tab(page: Page, name: str) -> None:
    """Open an admin tab and wait for its panel."""
    page.get_by_role("tab", name=name).click()
    expect(page.get_by_role("tabpanel", name=name)).to_be_visible()


def admin_page(server: LiveServer, new_context: OpenContext) -> Page:
    """Sign the admin in on a Chromebook."""
    page = new_context(CHROMEBOOK).new_page()
    sign_in(page, server.url, "admin@demo.school")
    return page


def test_the_admin_changes_a_places_capacity_and_the_api_shows_it(
    server: LiveServer, new_context: OpenContext
) -> None:
    page = admin_page(server, new_context)
    open_tab(page, "Places")
    expect(page).to_have_url(re.compile(r"/admin/places$"))

    page.get_by_role("button", name="Edit Restroom South").click()
    form = page.get_by_role("form", name="Edit Restroom South")
    form.get_by_label("Capacity", exact=True).fill("3")
    form.get_by_role("button", name="Save changes").click()

    expect(page.get_by_role("status").filter(has_text="Restroom South saved.")).to_be_visible()
    assert place(server, "Restroom South")["capacity"] == 3


def test_a_bad_value_shows_the_servers_message_next_to_the_field_and_changes_nothing(
    server: LiveServer, new_context: OpenContext
) -> None:
    page = admin_page(server, new_context)
    open_tab(page, "Places")
    page.get_by_role("button", name="Edit Restroom North").click()
    form = page.get_by_role("form", name="Edit Restroom North")
    capacity = form.get_by_label("Capacity", exact=True)
    capacity.fill("0")
    form.get_by_role("button", name="Save changes").click()

    # The server's words for `capacity`, tied to the field (aria-describedby) and shown by it.
    expect(capacity).to_have_attribute("aria-invalid", "true")
    expect(capacity).to_have_accessible_description(re.compile("greater than or equal to 1"))
    expect(form.get_by_text("greater than or equal to 1")).to_be_visible()
    assert place(server, "Restroom North")["capacity"] == 2


def test_passes_switched_off_from_the_school_tab_reach_a_students_screen(
    server: LiveServer, new_context: OpenContext
) -> None:
    student = new_context().new_page()
    sign_in(student, server.url, "1005")
    expect(student.get_by_text("Passes are off right now")).to_have_count(0)

    page = admin_page(server, new_context)
    open_tab(page, "School")
    page.get_by_role("button", name="Switch passes off…").click()
    page.get_by_role("button", name="Yes, switch passes off").click()
    expect(page.get_by_role("status").filter(has_text="Passes are off")).to_be_visible()
    assert admin_get(server, "/api/school")["passes_enabled"] is False

    # The server pushes no school changes: the student's screen re-reads /api/me every 15 s,
    # and at once on a reload.
    student.reload()
    expect(student.get_by_text("Passes are off right now")).to_be_visible()

    page.get_by_role("button", name="Switch passes on").click()
    expect(page.get_by_role("status").filter(has_text="Passes are on.")).to_be_visible()
    assert admin_get(server, "/api/school")["passes_enabled"] is True


def test_a_school_policy_value_out_of_range_is_named_in_place(
    server: LiveServer, new_context: OpenContext
) -> None:
    page = admin_page(server, new_context)
    open_tab(page, "School")
    form = page.get_by_role("form", name="School-wide policy")
    offer = form.get_by_label("Offer time (seconds)")
    offer.fill("5")
    form.get_by_role("button", name="Save policy").click()
    expect(offer).to_have_accessible_description(re.compile("greater than or equal to 10"))
    offer.fill("45")
    form.get_by_role("button", name="Save policy").click()
    expect(form.get_by_role("status")).to_have_text("Policy saved.")
    rows = admin_get(server, "/api/policies")
    assert next(r for r in rows if r["scope"] == "school")["rules"]["offer_seconds"] == 45


def test_an_encounter_group_made_in_the_app_logs_the_collision_of_its_students(
    server: LiveServer, new_context: OpenContext
) -> None:
    page = admin_page(server, new_context)
    open_tab(page, "Encounter groups")
    page.get_by_role("button", name="New group").click()
    form = page.get_by_role("form", name="New encounter group")
    form.get_by_label("Name").fill("Gym class")
    names = [admin_get(server, f"/api/users?q={n}")["users"][0]["name"] for n in ("1010", "1011")]
    for number, name in zip(("1010", "1011"), names, strict=True):
        form.get_by_label("Find a student").fill(number)
        form.get_by_role("button", name=re.compile(f"^Add {name}")).click()
        expect(form.get_by_role("list", name="Chosen")).to_contain_text(name)
    form.get_by_label("Notes (staff only)").fill("Kept apart after the game.")
    form.get_by_role("button", name="Create group").click()
    group = page.locator("[data-group-id]").filter(has_text="Gym class")
    expect(group).to_contain_text(names[0])
    expect(group).to_contain_text(names[1])

    library = place(server, "Library")["id"]
    first = httpx.post(
        server.url + "/api/passes",
        json={"destination_id": library},
        headers={"Authorization": f"Bearer {token(server, '1010')}"},
    )
    assert first.status_code == 201, first.text
    second = httpx.post(
        server.url + "/api/passes",
        json={"destination_id": library},
        headers={"Authorization": f"Bearer {token(server, '1011')}"},
    )
    # Held back by the group: in line, as when the hallways are full (issue 13 item 1).
    assert second.json()["state"] == "waiting", second.text

    log = page.get_by_role("region", name="Encounter log")
    log.get_by_role("button", name="Refresh").click()
    entry = log.locator("[data-outcome=prevented]").filter(has_text=names[1])
    expect(entry).to_contain_text("Gym class")
    expect(entry).to_contain_text("Prevented")


def test_a_user_created_in_the_app_can_sign_in(
    server: LiveServer, new_context: OpenContext
) -> None:
    page = admin_page(server, new_context)
    open_tab(page, "Users")
    page.get_by_role("button", name="Add a user").click()
    form = page.get_by_role("form", name="New user")
    form.get_by_label("First name").fill("Robin")
    form.get_by_label("Last name").fill("Example")
    form.get_by_label("Role").select_option("student")
    form.get_by_label("Login").fill("2001")
    form.get_by_label("Password").fill("pa55word")
    form.get_by_label("Student number").fill("2001")
    form.get_by_label("Grade").fill("10")
    form.get_by_label("Home room").select_option(label="Room 101")
    form.get_by_role("button", name="Create user").click()
    expect(page.get_by_role("status").filter(has_text="Robin Example added")).to_be_visible()
    row = page.locator("[data-user-id]").filter(has_text="Robin Example")
    expect(row).to_contain_text("Room 101")

    # A login already taken is named on its field.
    page.get_by_role("button", name="Add a user").click()
    again = page.get_by_role("form", name="New user")
    again.get_by_label("First name").fill("Robin")
    again.get_by_label("Last name").fill("Again")
    again.get_by_label("Login").fill("2001")
    again.get_by_label("Password").fill("pa55word")
    again.get_by_role("button", name="Create user").click()
    expect(again.get_by_label("Login")).to_have_accessible_description(re.compile("has this login"))
    again.get_by_role("button", name="Cancel").click()

    student = new_context().new_page()
    sign_in(student, server.url, "2001", "pa55word")
    expect(student.get_by_role("heading", name="Where are you going?")).to_be_visible()


def test_the_tabs_work_from_the_keyboard_and_each_is_a_page(
    server: LiveServer, new_context: OpenContext
) -> None:
    page = admin_page(server, new_context)
    hallway = page.get_by_role("tab", name="Hallway")
    expect(hallway).to_have_attribute("aria-selected", "true")
    hallway.focus()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("tab", name="Places")).to_be_focused()
    expect(page.get_by_role("tabpanel", name="Places")).to_be_visible()
    page.keyboard.press("End")
    expect(page.get_by_role("tab", name="Sign-in")).to_have_attribute("aria-selected", "true")
    expect(page).to_have_url(re.compile(r"/admin/sign-in$"))

    page.reload()  # the server serves /admin/... as the app, and the tab comes back
    expect(page.get_by_role("tabpanel", name="Sign-in")).to_be_visible()
    page.go_back()
    expect(page.get_by_role("tabpanel", name="Places")).to_be_visible()


def test_a_disabled_user_cant_sign_in_until_enabled_with_a_new_password(
    server: LiveServer, new_context: OpenContext
) -> None:
    page = admin_page(server, new_context)
    open_tab(page, "Users")
    page.get_by_label("Search").fill("1012")
    name = admin_get(server, "/api/users?q=1012")["users"][0]["name"]
    row = page.locator("[data-user-id]")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(name)

    row.get_by_role("button", name=f"Edit {name}").click()
    row.get_by_role("button", name=f"Disable {name}").click()
    expect(page.get_by_role("status").filter(has_text="is disabled")).to_be_visible()
    refused = httpx.post(server.url + "/api/session", json={"login": "1012", "password": "demo"})
    assert refused.status_code == 401

    page.get_by_label("Status").select_option("false")
    row = page.locator("[data-user-id]").filter(has_text=name)
    row.get_by_role("button", name=f"Enable {name}").click()
    expect(page.get_by_role("status").filter(has_text="can sign in again")).to_be_visible()
    page.get_by_label("Status").select_option("true")
    row = page.locator("[data-user-id]").filter(has_text=name)
    row.get_by_role("button", name=f"Edit {name}").click()
    row.get_by_role("button", name=f"Reset {name}'s password").click()
    row.get_by_role("textbox", name="New password").fill("fresh-start")
    row.get_by_role("button", name="Set password").click()
    expect(page.get_by_role("status").filter(has_text="password is reset")).to_be_visible()
    assert token(server, "1012", "fresh-start")
