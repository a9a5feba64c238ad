"""The nurse's and counselor's screen (issue 4): accept or put off a visit, arrived, end."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import Locator, Page, expect

from tests.browser.api import api, ask, pass_of
from tests.browser.conftest import CHROMEBOOK, PHONE, LiveServer, OpenContext, sign_in

# The one expected time, as the card and the nurse's notice both say it.
EXPECTED = re.compile(r"Expected about (\d{1,2}:\d\d\s?[AP]M) \(3-min walk\)")


def section(page: Page, heading: str) -> Locator:
    """Return the card whose heading starts with these words ("Requests (2)" for "Requests")."""
    return page.locator("section.card").filter(
        has=page.get_by_role("heading", name=re.compile("^" + re.escape(heading)))
    )


def daytime_zone() -> str:
    """Return a time zone where it is now between 06:00 and 21:00.

    A visit can only be put off to later the same school day, so a 20-minute delay near the
    school's midnight would be refused: the test moves the school to where it is daytime.
    """
    now = datetime.now(UTC)
    for zone in ("America/Chicago", "Europe/London", "Asia/Tokyo", "Pacific/Auckland"):
        if 6 <= now.astimezone(ZoneInfo(zone)).hour < 21:
            return zone
    raise AssertionError("no daytime zone in the list")  # the four zones cover every hour


def test_the_counselor_accepts_one_visit_and_delays_another(
    server: LiveServer, new_context: OpenContext
) -> None:
    api(server, "admin@demo.school", "PATCH", "/api/school", {"timezone": daytime_zone()})
    first = ask(server, "1020", "Counselor")
    second = ask(server, "1021", "Counselor")
    page = new_context(CHROMEBOOK).new_page()
    sign_in(page, server.url, "counselor@demo.school")
    expect(page.get_by_role("heading", name="Counselor", exact=True)).to_be_visible()

    requests = section(page, "Requests")
    expect(requests.locator("[data-pass-id]")).to_have_count(2)
    requests.locator(f'[data-pass-id="{first["id"]}"]').get_by_role("button", name="Accept").click()
    coming = section(page, "On the way").locator(f'[data-pass-id="{first["id"]}"]')
    expect(coming).to_contain_text(first["student"]["name"])
    expect(coming).to_contain_text(EXPECTED)
    assert pass_of(server, first["id"])["state"] == "active"

    row = requests.locator(f'[data-pass-id="{second["id"]}"]')
    row.get_by_role("button", name="Delay").click()
    row.get_by_label(re.compile("^Delay .* by$")).select_option("20")
    before = datetime.now(UTC)
    row.get_by_role("button", name="Delay visit").click()
    later = section(page, "Later").locator(f'[data-pass-id="{second["id"]}"]')
    expect(later).to_contain_text("Delayed to")
    expect(requests.locator("[data-pass-id]")).to_have_count(0)
    delayed = pass_of(server, second["id"])
    assert delayed["state"] == "scheduled"
    start = datetime.fromisoformat(delayed["start_at"])
    assert before + timedelta(minutes=19) < start <= before + timedelta(minutes=22)


def test_the_nurse_sees_a_visit_coming_marks_it_arrived_and_ends_it(
    server: LiveServer, new_context: OpenContext
) -> None:
    visit = ask(server, "1022", "Nurse")
    page = new_context(PHONE).new_page()
    sign_in(page, server.url, "nurse@demo.school")

    # The student's teacher approves a nurse visit; the nurse sees it asked for meanwhile.
    asked = section(page, "Requests").locator(f'[data-pass-id="{visit["id"]}"]')
    expect(asked).to_contain_text("Their teacher approves")
    expect(asked.get_by_role("button", name="Accept")).to_have_count(0)
    api(server, "teacher2@demo.school", "POST", f"/api/passes/{visit['id']}/approve")

    coming = section(page, "On the way").locator(f'[data-pass-id="{visit["id"]}"]')
    expect(coming).to_contain_text(visit["student"]["name"])
    expect(coming).to_contain_text(EXPECTED)
    expect(coming.get_by_role("timer")).to_contain_text("left")
    coming.get_by_role("button", name="Arrived").click()

    here = section(page, "Here now").locator(f'[data-pass-id="{visit["id"]}"]')
    expect(here).to_contain_text("Arrived")
    expect(coming).to_have_count(0)
    here.get_by_role("button", name="End visit").click()

    done = section(page, "Today's visits").locator(f'[data-pass-id="{visit["id"]}"]')
    expect(done).to_contain_text(visit["student"]["name"])
    expect(section(page, "Today's visits").get_by_role("heading")).to_have_text(
        "Today's visits (1)"
    )
    ended = pass_of(server, visit["id"])
    assert ended["state"] == "ended"
    assert ended["arrived_at"] is not None


def test_the_card_and_the_notice_say_one_expected_time_and_a_no_show_is_no_visit(
    server: LiveServer, new_context: OpenContext
) -> None:
    visit = ask(server, "1023", "Nurse")
    page = new_context(PHONE).new_page()
    sign_in(page, server.url, "nurse@demo.school")
    api(server, "teacher2@demo.school", "POST", f"/api/passes/{visit['id']}/approve")

    coming = section(page, "On the way").locator(f'[data-pass-id="{visit["id"]}"]')
    expect(coming).to_contain_text(EXPECTED)
    found = EXPECTED.search(coming.inner_text())
    assert found is not None
    # The notice of the same pass names the same time, in the same words.
    notice = page.locator(".toast").filter(has_text=visit["student"]["name"]).last
    expect(notice).to_contain_text("(3-min walk)")
    said = re.search(r"expected about (\d{1,2}:\d\d\s?[AP]M)", notice.inner_text())
    assert said is not None
    assert said.group(1).split() == found.group(1).split()

    # "End" before the student arrived asks first; "Keep waiting" changes nothing.
    coming.get_by_role("button", name="End", exact=True).click()
    confirm = coming.get_by_role("group", name=re.compile("before arrival$"))
    expect(confirm).to_contain_text("hasn't arrived")
    confirm.get_by_role("button", name="Keep waiting").click()
    expect(confirm).to_have_count(0)
    assert pass_of(server, visit["id"])["state"] == "active"
    coming.get_by_role("button", name="End", exact=True).click()
    confirm.get_by_role("button", name="End without a visit").click()
    expect(coming).to_have_count(0)

    # Ended, never arrived: listed as didn't arrive, not among the visits.
    missed = section(page, "Didn't arrive").locator(f'[data-pass-id="{visit["id"]}"]')
    expect(missed).to_contain_text(visit["student"]["name"])
    visits = section(page, "Today's visits")
    expect(visits.locator(f'[data-pass-id="{visit["id"]}"]')).to_have_count(0)
    ended = pass_of(server, visit["id"])
    assert ended["state"] == "ended"
    assert ended["arrived_at"] is None
    history = api(server, "nurse@demo.school", "GET", f"/api/passes/{visit['id']}/history")
    assert history[-1]["summary"].startswith("Ended before arriving (no visit) by ")
