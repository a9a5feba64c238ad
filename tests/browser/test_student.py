"""A student's pass from the phone: ask, go, come back; and asking while the Wi-Fi is down."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.api import api
from tests.browser.conftest import LiveServer, OpenContext, sign_in

# True once the device's last known state (pwa/src/live/lastKnown.ts) has an active pass to
# the place named by the argument.
SAVED_WITH_ACTIVE_PASS = """destination => {
  const saved = JSON.parse(localStorage.getItem("hallpass.lastKnown") ?? "null");
  return (saved?.passes ?? []).some(
    (p) => p.state === "active" && p.destination.name === destination
  );
}"""


def staff_passes(server: LiveServer, student_login: str) -> list[dict[str, Any]]:
    """Return every pass of one student, as security sees them through the API."""
    wanted = api(server, student_login, "GET", "/api/me")["id"]
    seen: list[dict[str, Any]] = api(server, "monitor@demo.school", "GET", "/api/passes?limit=500")
    return [p for p in seen if p["student"]["id"] == wanted]


def test_a_student_asks_for_a_self_start_place_goes_and_comes_back(
    server: LiveServer, new_context: OpenContext
) -> None:
    page = new_context().new_page()
    sign_in(page, server.url, "1003")

    page.get_by_role("button", name="Library").click()
    page.get_by_role("button", name="Ask for Library").click()

    now = page.locator(".pass-now")
    expect(now.get_by_role("heading", name="Library")).to_be_visible()
    expect(now.get_by_role("timer")).to_contain_text("left")
    page.get_by_role("button", name="I'm back").click()
    expect(page.locator(".history [data-pass-id]")).to_contain_text("Library")
    expect(page.get_by_role("heading", name="Where are you going?")).to_be_visible()


def test_a_student_sees_the_room_a_pass_would_leave_from(
    server: LiveServer, new_context: OpenContext
) -> None:
    # The suite's demo school has no sections: 1016 is in their homeroom all day.
    page = new_context().new_page()
    sign_in(page, server.url, "1016")

    expect(page.get_by_test_id("placement")).to_have_text("From Room 102")


def test_a_request_made_offline_is_shown_pending_and_reaches_the_server_once(
    server: LiveServer, new_context: OpenContext
) -> None:
    context = new_context()
    page = context.new_page()
    sign_in(page, server.url, "1004")
    page.get_by_role("button", name="Restroom North").click()

    context.set_offline(True)
    expect(page.locator("[data-status=offline]")).to_be_visible()
    page.get_by_role("button", name="Ask for Restroom North").click()
    expect(page.get_by_test_id("queued-pass")).to_contain_text("Pending · offline")
    assert staff_passes(server, "1004") == []

    context.set_offline(False)
    expect(page.locator(".pass-now").get_by_role("heading", name="Restroom North")).to_be_visible()
    expect(page.locator("[data-status=live]")).to_be_visible()
    # Replays from the page and the service worker share one idempotency key: one pass.
    page.wait_for_timeout(500)
    passes = staff_passes(server, "1004")
    assert [(p["destination"]["name"], p["state"]) for p in passes] == [
        ("Restroom North", "active")
    ]


def test_a_reload_during_an_outage_shows_the_last_known_pass_not_a_sign_in_form(
    server: LiveServer, new_context: OpenContext
) -> None:
    context = new_context()
    page = context.new_page()
    sign_in(page, server.url, "1007")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.get_by_role("button", name="Library").click()
    page.get_by_role("button", name="Ask for Library").click()
    expect(page.locator(".pass-now").get_by_role("timer")).to_be_visible()
    # The last known state is saved at most once a second: wait until it holds the pass.
    page.wait_for_function(SAVED_WITH_ACTIVE_PASS, arg="Library")

    context.set_offline(True)
    page.reload()
    expect(page.locator("[data-status=offline]")).to_contain_text("showing the last known state")
    expect(page.locator(".pass-now").get_by_role("heading", name="Library")).to_be_visible()

    context.set_offline(False)
    expect(page.locator("[data-status=live]")).to_be_visible()
    page.get_by_role("button", name="I'm back").click()
    expect(page.get_by_role("heading", name="Where are you going?")).to_be_visible()
