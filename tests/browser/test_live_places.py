"""A student's place tiles at 360 px follow the school live (`school` frames), with no polling;
a pass in line says why; a full place offers a free one of the same kind."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Locator, Page, Request, expect

from tests.browser.api import api, ask
from tests.browser.conftest import LiveServer, OpenContext, sign_in

ADMIN = "admin@demo.school"


def tile(page: Page, name: str) -> Locator:
    """Return a destination tile's note by the place's name."""
    return page.locator(".tile", has_text=name).locator(".tile__note")


def watch_location_reads(page: Page) -> list[str]:
    """Record every GET /api/locations the page makes from now on."""
    seen: list[str] = []

    def record(request: Request) -> None:
        if request.method == "GET" and "/api/locations" in request.url:
            seen.append(request.url)

    page.on("request", record)
    return seen


@pytest.fixture
def no_hallway_max(server: LiveServer) -> Iterator[None]:
    """Leave the school without a hallway maximum after the test."""
    yield
    api(server, ADMIN, "PATCH", "/api/school", {"hallway_max": None})


def test_counts_change_within_a_second_when_another_student_goes_out_and_comes_back(
    server: LiveServer, new_context: OpenContext
) -> None:
    page = new_context().new_page()
    sign_in(page, server.url, "1010")
    note = tile(page, "Restroom South")
    expect(note).to_have_text("2 of 2 free")
    reads = watch_location_reads(page)

    # Timed from the API's answer (the other student's phone) to this screen's tile.
    trip = ask(server, "1011", "Restroom South")
    started = time.monotonic()
    expect(note).to_have_text("1 of 2 free", timeout=1000)
    went_out = time.monotonic() - started
    api(server, "1011", "POST", f"/api/passes/{trip['id']}/end")
    started = time.monotonic()
    expect(note).to_have_text("2 of 2 free", timeout=1000)
    came_back = time.monotonic() - started
    print(f"browser: tile moved {went_out * 1000:.0f} ms and {came_back * 1000:.0f} ms after")

    # Nothing polled: the counts came over the socket.
    page.wait_for_timeout(500)
    assert reads == []


def test_at_the_hallway_maximum_the_tiles_say_so_and_the_pass_in_line_says_why(
    server: LiveServer, new_context: OpenContext, no_hallway_max: None
) -> None:
    page = new_context().new_page()
    sign_in(page, server.url, "1012")
    api(server, ADMIN, "PATCH", "/api/school", {"hallway_max": 1})
    out = ask(server, "1013", "Main Office")
    try:
        expect(page.get_by_test_id("hallways-full")).to_be_visible(timeout=1000)
        # The Library has room, but a pass there would wait: the tile says so.
        expect(tile(page, "Library")).to_have_text("Hallways full · you'd wait in line")
        page.get_by_role("button", name="Library").click()
        page.get_by_role("button", name="Ask for Library · get in line").click()
        card = page.locator(".pass-now")
        expect(card.get_by_role("heading", name="Library")).to_be_visible()
        expect(card.get_by_test_id("line-reason")).to_have_text("In line: the hallways are full.")
        page.get_by_role("button", name="Cancel").click()
        expect(page.get_by_role("heading", name="Where are you going?")).to_be_visible()
    finally:
        api(server, "1013", "POST", f"/api/passes/{out['id']}/end")
    expect(page.get_by_test_id("hallways-full")).to_have_count(0)


def test_a_full_restroom_offers_the_free_one_and_one_tap_goes_there(
    server: LiveServer, new_context: OpenContext
) -> None:
    page = new_context().new_page()
    sign_in(page, server.url, "1014")
    logins = ("1005", "1006")
    trips = [ask(server, login, "Restroom North") for login in logins]
    try:
        expect(tile(page, "Restroom North")).to_have_text("Full · you'd be next in line")
        page.get_by_role("button", name="Restroom North").click()
        expect(page.get_by_test_id("free-alternative")).to_have_text(
            "Restroom North is full. Restroom South is free."
        )
        page.get_by_role("button", name="Go to Restroom South").click()
        card = page.locator(".pass-now")
        expect(card.get_by_role("heading", name="Restroom South")).to_be_visible()
        expect(card.get_by_role("timer")).to_be_visible()  # out, not in line
        page.get_by_role("button", name="I'm back").click()
    finally:
        for login, trip in zip(logins, trips, strict=True):
            api(server, login, "POST", f"/api/passes/{trip['id']}/end")
