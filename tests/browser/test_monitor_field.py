"""The hall monitor on a tablet after the field test (issue 17): look up any student, students at
a place without check-in counted there after the walk, overdue first, empty places folded into
one line, places added later on the map and positioned by the admin, and a "!" that leaves the
initials readable."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest
from playwright.sync_api import FloatRect, Page, Route, ViewportSize, expect

from tests.browser.api import api, ask, place_id
from tests.browser.conftest import CHROMEBOOK, LiveServer, OpenContext, sign_in

MONITOR = "monitor@demo.school"
ADMIN = "admin@demo.school"
# The monitor's tablet, held in landscape.
TABLET: ViewportSize = {"width": 1024, "height": 768}
WALK = timedelta(minutes=3)  # server/rules/walk.py WALK_MINUTES


def open_monitor(new_context: OpenContext, server: LiveServer, **options: Any) -> Page:
    """Open the hall monitor's screen on the tablet, with the first snapshot on the map."""
    page = new_context(TABLET, **options).new_page()
    sign_in(page, server.url, MONITOR)
    expect(page.get_by_role("heading", name="Live map")).to_be_visible()
    expect(page.locator('[data-place="Nurse"]')).to_be_visible()
    return page


def end(server: LiveServer, student: str, hall_pass: dict[str, Any]) -> None:
    """End a pass as its student (the module's server is shared by its tests)."""
    api(server, student, "POST", f"/api/passes/{hall_pass['id']}/end")


def student_named(server: LiveServer, login: str) -> dict[str, Any]:
    """Return a demo student as the monitor's lookup finds them."""
    found: list[dict[str, Any]] = api(server, MONITOR, "GET", f"/api/students?q={login}")
    return next(s for s in found if s["login"] == login)


def test_the_monitor_looks_up_a_student_who_is_not_out_and_one_who_is(
    server: LiveServer, new_context: OpenContext
) -> None:
    monitor = open_monitor(new_context, server)
    lookup = monitor.locator(".lookup")
    search = monitor.get_by_label("Any student, by name or number")

    # Not out: nowhere in the out list, yet found, with where the timetable has them now.
    student = student_named(server, "1010")
    expected = api(server, "1010", "GET", "/api/placement")
    search.fill(student["name"])
    lookup.locator(f'[data-student-id="{student["id"]}"]').click()
    day = lookup.locator(f'[data-lookup-student="{student["id"]}"]')
    expect(day.get_by_role("heading", name=student["name"])).to_be_visible()
    where = f"Should be in: {expected['room']['name']}"
    expect(day.locator("[data-expected]")).to_contain_text(where)
    expect(day).to_contain_text("No passes today.")

    # Out now: today's pass is listed and opens on the map's panel.
    hall_pass = ask(server, "1013", "Library")
    other = student_named(server, "1013")
    search.fill(other["name"])
    lookup.locator(f'[data-student-id="{other["id"]}"]').click()
    listed = lookup.locator(f'[data-lookup-student="{other["id"]}"]')
    row = listed.locator(f'[data-pass-id="{hall_pass["id"]}"]')
    expect(row).to_contain_text("Library")
    row.get_by_role("button").click()
    expect(monitor).to_have_url(re.compile(rf"/passes/{hall_pass['id']}$"))
    expect(monitor.locator(".passpanel").get_by_role("heading", name=other["name"])).to_be_focused()
    end(server, "1013", hall_pass)


@pytest.fixture
def library_checks_in(server: LiveServer) -> Iterator[None]:
    """Assign the monitor to the Library (so it checks arrivals in), then undo it."""
    library = place_id(server, "Library")
    me = api(server, MONITOR, "GET", "/api/me")
    changed = api(server, ADMIN, "PATCH", f"/api/locations/{library}", {"staff_ids": [me["id"]]})
    assert changed["checks_in"] is True
    yield
    api(server, ADMIN, "PATCH", f"/api/locations/{library}", {"staff_ids": []})


def move_clock(page: Page, to: datetime) -> None:
    """Move the page's clock to `to`, and the server's Date headers with it.

    The page counts from the server's time it learns from each answer's Date header
    (pwa/src/live/clock.ts): any answer after the jump would take the page back to the real time.
    (The page's context must block service workers: requests they answer bypass `page.route`.)
    """
    by = to - datetime.now(UTC)

    def shifted(route: Route) -> None:
        response = route.fetch()
        headers = dict(response.headers)
        headers["date"] = format_datetime(datetime.now(UTC) + by, usegmt=True)
        route.fulfill(response=response, headers=headers)

    page.route("**/api/**", shifted)
    page.clock.set_system_time(to)


def test_a_restroom_student_is_at_the_restroom_once_the_walk_is_over(
    server: LiveServer, new_context: OpenContext, library_checks_in: None
) -> None:
    restroom = ask(server, "1014", "Restroom North")
    library = ask(server, "1015", "Library")
    monitor = open_monitor(new_context, server, service_workers="block")
    marker = monitor.locator(f'[data-place="Restroom North"] [data-pass-id="{restroom["id"]}"]')
    row = monitor.locator(f'.outlist [data-pass-id="{restroom["id"]}"]')
    checked = monitor.locator(f'.outlist [data-pass-id="{library["id"]}"]')
    expect(row).to_contain_text("On the way")
    expect(marker).to_have_class(re.compile(r"\bmarker--coming\b"))

    # The page's clock, moved past the typical walk (not yet due: restrooms give 5 minutes).
    started = datetime.fromisoformat(restroom["started_at"])
    move_clock(monitor, started + WALK + timedelta(seconds=5))
    expect(row).to_contain_text("Here · no check-in", timeout=10_000)
    expect(marker).to_have_class(re.compile(r"\bmarker--presumed\b"))
    expect(marker).to_have_attribute("aria-label", re.compile(r"at Restroom North \(no check-in\)"))
    expect(monitor.locator('[data-list-place="Restroom North"]')).to_contain_text("1 here")
    # A place that checks students in still waits for the check-in.
    expect(checked).to_contain_text("On the way")
    end(server, "1014", restroom)
    end(server, "1015", library)


@pytest.fixture
def one_minute_main_office(server: LiveServer) -> Iterator[None]:
    """Give the Main Office a one-minute limit (the shortest a school can set), then restore it."""
    office = place_id(server, "Main Office")
    usual = next(
        p["default_minutes"]
        for p in api(server, ADMIN, "GET", "/api/locations")
        if p["id"] == office
    )
    api(server, ADMIN, "PATCH", f"/api/locations/{office}", {"default_minutes": 1})
    yield
    api(server, ADMIN, "PATCH", f"/api/locations/{office}", {"default_minutes": usual})


def boxes_overlap(a: FloatRect, b: FloatRect) -> bool:
    """Say whether two bounding boxes share any area."""
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


def test_overdue_students_come_first_empty_places_fold_and_the_flag_clears_the_initials(
    server: LiveServer, new_context: OpenContext, one_minute_main_office: None
) -> None:
    # Out first (the longest out), but not overdue: the Library gives ten minutes or more.
    first = ask(server, "1019", "Library")
    late = [ask(server, "1020", "Main Office"), ask(server, "1021", "Main Office")]
    monitor = open_monitor(new_context, server)
    rows = monitor.locator(".outlist [data-pass-id]")
    expect(rows).to_have_count(3)
    expect(rows.first).to_have_attribute("data-pass-id", str(first["id"]))

    due = max(datetime.fromisoformat(p["due_at"]) for p in late)
    monitor.clock.set_system_time(due + timedelta(seconds=2))
    expect(rows.first).to_have_attribute("data-over", "true", timeout=10_000)
    assert {rows.nth(i).get_attribute("data-pass-id") for i in (0, 1)} == {
        str(p["id"]) for p in late
    }
    expect(rows.nth(2)).to_have_attribute("data-pass-id", str(first["id"]))
    places = monitor.locator(".outlist__place")
    expect(places.first).to_have_attribute("data-list-place", "Main Office")

    # One line for every place nobody is at, not a "Nobody here" line each.
    empty = monitor.locator(".outlist__empty")
    expect(empty).to_have_count(1)
    expect(empty).to_contain_text(re.compile(r"^Nobody at: .*Counselor.*Nurse"))
    for name in ("Nurse", "Counselor", "Restroom North", "Restroom South"):
        expect(monitor.locator(f'[data-list-place="{name}"]')).to_have_count(0)

    # The "!" flag sits clear of the initials and of the marker beside it.
    markers = monitor.locator('[data-place="Main Office"] .marker[data-over="true"]')
    expect(markers).to_have_count(2)
    dots = [markers.nth(i).locator(".marker__dot").bounding_box() for i in (0, 1)]
    assert dots[0]
    assert dots[1]
    for i, neighbour in ((0, dots[1]), (1, dots[0])):
        flag = markers.nth(i).locator(".marker__flag circle").bounding_box()
        text = markers.nth(i).locator(".marker__text").bounding_box()
        assert flag
        assert text
        assert not boxes_overlap(flag, text), (flag, text)
        assert not boxes_overlap(flag, neighbour), (flag, neighbour)
        expect(markers.nth(i).locator(".marker__text")).to_have_text(re.compile(r"^[A-Z]{2}$"))
    for hall_pass, student in ((first, "1019"), (late[0], "1020"), (late[1], "1021")):
        end(server, student, hall_pass)


def test_a_place_added_later_is_on_the_map_and_the_admin_positions_it(
    server: LiveServer, new_context: OpenContext
) -> None:
    gym = api(
        server, ADMIN, "POST", "/api/locations", {"name": "Gym", "kind": "other", "capacity": 5}
    )
    assert gym["geometry"] == {}
    monitor = open_monitor(new_context, server)
    tray = monitor.locator('[data-place="Gym"]')
    expect(tray).to_have_attribute("data-unplaced", "true")
    # In the tray, under the plan's places and inside the map.
    gym_box = tray.locator("rect.place__box").bounding_box()
    room_box = monitor.locator('[data-place="Room 102"] rect.place__box').bounding_box()
    map_box = monitor.locator("svg.hallmap").bounding_box()
    assert gym_box
    assert room_box
    assert map_box
    assert gym_box["y"] >= room_box["y"] + room_box["height"]
    assert gym_box["y"] + gym_box["height"] <= map_box["y"] + map_box["height"] + 1

    admin = new_context(CHROMEBOOK).new_page()
    sign_in(admin, server.url, ADMIN)
    admin.get_by_role("tab", name="Places").click()
    admin.get_by_role("button", name="Edit Gym").click()
    form = admin.get_by_role("form", name="Edit Gym")
    form.get_by_role("button", name="Put it on the floor plan").click()
    x = form.get_by_label("X (from the left)")
    y = form.get_by_label("Y (from the top)")
    expect(x).to_have_value("400")
    expect(y).to_have_value("235")

    # The keyboard: arrows move ten units, Shift+arrow one.
    handle = form.get_by_role("slider", name="Gym: position")
    handle.focus()
    admin.keyboard.press("ArrowRight")
    admin.keyboard.press("ArrowRight")
    admin.keyboard.press("Shift+ArrowDown")
    expect(x).to_have_value("420")
    expect(y).to_have_value("236")
    # Typed numbers.
    x.fill("700")
    y.fill("20")
    expect(handle).to_have_attribute("aria-valuetext", "x 700, y 20")
    # A drag: 50 plan units to the left and 100 down, whatever the plan's scale on screen.
    plan = form.locator("svg.placeplan__svg").bounding_box()
    start = handle.locator("rect").bounding_box()
    assert plan
    assert start
    scale = plan["width"] / 1000
    admin.mouse.move(start["x"] + 20, start["y"] + 20)
    admin.mouse.down()
    admin.mouse.move(start["x"] + 20 - 25 * scale, start["y"] + 20 + 50 * scale, steps=4)
    admin.mouse.move(start["x"] + 20 - 50 * scale, start["y"] + 20 + 100 * scale, steps=4)
    admin.mouse.up()
    expect(x).to_have_value(re.compile(r"^(649|650|651)$"))
    expect(y).to_have_value(re.compile(r"^(119|120|121)$"))
    form.get_by_role("button", name="Save changes").click()
    expect(admin.get_by_text("Gym saved.")).to_be_visible()

    saved = next(p for p in api(server, ADMIN, "GET", "/api/locations") if p["id"] == gym["id"])
    assert saved["geometry"]["width"] == 200
    assert saved["geometry"]["height"] == 130
    assert 649 <= saved["geometry"]["x"] <= 651
    assert 119 <= saved["geometry"]["y"] <= 121

    # On the monitor's map, in its place now (the map reads places when it opens).
    monitor.reload()
    placed = monitor.locator('[data-place="Gym"]')
    expect(placed).to_be_visible()
    expect(placed).not_to_have_attribute("data-unplaced", "true")
    api(server, ADMIN, "PATCH", f"/api/locations/{gym['id']}", {"active": False})
