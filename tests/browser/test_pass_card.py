"""The student's pass card on a 360 px phone, as a hall monitor checks it (issue 17).

Who (the whole name), where from and to, when they left and are due back on the 12-hour
clock, a running clock, the check code and a live mark that moves; "Overdue" in red words;
"I'm back" offline says so at once and is sent once; the sign-in page asks nothing.
"""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import ConsoleMessage, Page, Request, expect

from tests.browser.api import api, ask
from tests.browser.conftest import PHONE, LiveServer, OpenContext, sign_in
from tests.browser.test_accessibility import violations

TWELVE_HOUR = re.compile(r"^\d{1,2}:\d{2} (AM|PM)$")
TEACHER = "teacher1@demo.school"  # Room 101: students 1003-1015
MONITOR = "monitor@demo.school"  # sees every pass

# The offline queue the page and the service worker share (pwa/service-worker/queue.ts).
OUTBOX_SIZE = """() => new Promise((resolve, reject) => {
  const open = indexedDB.open("hallpass");
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const count = open.result.transaction("outbox").objectStore("outbox").count();
    count.onsuccess = () => resolve(count.result);
  };
})"""


def student_name(server: LiveServer, login: str) -> str:
    """Return a demo student's full name."""
    name: str = api(server, login, "GET", "/api/me")["name"]
    return name


def mark(page: Page) -> tuple[str | None, str | None]:
    """Return the live mark's step and kind as the card draws them."""
    drawn = page.locator(".pass-card .live-mark")
    return drawn.get_attribute("data-step"), drawn.get_attribute("data-mark")


def test_the_card_shows_who_where_when_a_running_clock_the_code_and_a_moving_mark(
    server: LiveServer, new_context: OpenContext
) -> None:
    created: dict[str, Any] = ask(server, "1005", "Library")
    name = student_name(server, "1005")
    page = new_context(PHONE).new_page()
    page.clock.install()  # the page's timers run on a clock the test holds (flowing until paused)
    sign_in(page, server.url, "1005")
    card = page.locator(".pass-card")

    expect(card.get_by_test_id("pass-student")).to_have_text(name)
    # The header shows the whole name too: nothing cut off with an ellipsis at 360 px.
    header = page.locator(".topbar__name")
    expect(header).to_contain_text(name)
    assert header.evaluate("e => e.scrollWidth <= e.clientWidth")
    expect(card.get_by_role("heading", name="Library")).to_be_visible()
    expect(card).to_contain_text("Room 101")
    left = card.get_by_test_id("pass-left").inner_text()
    due = card.get_by_test_id("pass-due").inner_text()
    assert TWELVE_HOUR.match(left), left
    assert TWELVE_HOUR.match(due), due
    expect(card.get_by_test_id("pass-code")).to_have_text(created["check_code"])
    expect(card.get_by_test_id("pass-state")).to_have_text("Out")

    # The clock runs in seconds, and the mark moves on within a few of them.
    page.clock.pause_at(page.evaluate("Date.now()") / 1000 + 1)
    now_before = card.get_by_test_id("pass-now").inner_text()
    step_before, kind_before = mark(page)
    page.clock.run_for(4000)
    now_after = card.get_by_test_id("pass-now").inner_text()
    step_after, kind_after = mark(page)
    assert re.match(r"^\d{1,2}:\d{2}:\d{2} (AM|PM)$", now_after), now_after
    assert now_after != now_before
    assert step_after == str(int(step_before or "0") + 1)
    assert kind_after != kind_before
    # The mark is drawn from the school's seed: it names what it shows for a screen reader.
    expect(page.get_by_role("img", name=re.compile(r"^Live mark: \w+ \w+$"))).to_be_visible()


def test_an_overdue_pass_is_red_and_says_so_in_words(
    server: LiveServer, new_context: OpenContext
) -> None:
    ask(server, "1016", "Restroom South")  # 5 minutes
    context = new_context(PHONE, bypass_csp=True)  # axe is injected as a script
    page = context.new_page()
    page.clock.install()
    sign_in(page, server.url, "1016")
    card = page.locator(".pass-card")
    expect(card.get_by_test_id("pass-state")).to_have_text("Out")
    expect(card).not_to_have_class(re.compile("pass-card--overdue"))

    page.clock.fast_forward("06:00")  # past due by the clock the card counts on
    badge = card.get_by_test_id("pass-state")
    expect(badge).to_have_text("Overdue")
    expect(card).to_have_class(re.compile("pass-card--overdue"))
    expect(card.get_by_role("alert")).to_contain_text("Overdue")
    expect(card.get_by_role("timer").last).to_contain_text("over")
    assert badge.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(185, 28, 28)"
    today = page.locator(".history [data-pass-id]")
    expect(today).to_contain_text("Overdue")
    assert violations(page) == []


def test_im_back_offline_says_ending_at_once_queues_once_and_a_pass_ended_meanwhile_is_no_error(
    server: LiveServer, new_context: OpenContext
) -> None:
    created = ask(server, "1007", "Library")
    context = new_context(PHONE)
    page = context.new_page()
    sign_in(page, server.url, "1007")
    card = page.locator(".pass-card")
    expect(card.get_by_test_id("pass-state")).to_have_text("Out")

    context.set_offline(True)
    expect(page.locator("[data-status=offline]")).to_be_visible()
    page.get_by_role("button", name="I'm back").click()
    expect(card.get_by_test_id("pass-queued")).to_have_text("Ending · will send when online")
    # One verb waits for the pass: there is no second "I'm back" to tap, and one queued action.
    expect(page.get_by_role("button", name="I'm back")).to_have_count(0)
    assert page.evaluate(OUTBOX_SIZE) == 1

    # Meanwhile the teacher ends the pass: the queued "I'm back" asks for what already happened.
    api(server, TEACHER, "POST", f"/api/passes/{created['id']}/end")
    context.set_offline(False)
    expect(page.locator("[data-status=live]")).to_be_visible()
    expect(page.get_by_role("heading", name="Where are you going?")).to_be_visible()
    page.wait_for_function(f"async () => ({OUTBOX_SIZE})() .then((n) => n === 0)")
    expect(page.locator(".toast")).to_have_count(0)  # no "Not sent: I'm back"
    ended = api(server, MONITOR, "GET", f"/api/passes/{created['id']}")
    assert (ended["state"], ended["ended_by"]) == ("ended", "staff")


def test_im_back_offline_is_sent_once_the_connection_is_back(
    server: LiveServer, new_context: OpenContext
) -> None:
    created = ask(server, "1018", "Library")
    context = new_context(PHONE)
    page = context.new_page()
    sign_in(page, server.url, "1018")
    context.set_offline(True)
    expect(page.locator("[data-status=offline]")).to_be_visible()
    page.get_by_role("button", name="I'm back").click()
    expect(page.get_by_test_id("pass-queued")).to_contain_text("Ending")

    context.set_offline(False)
    expect(page.get_by_role("heading", name="Where are you going?")).to_be_visible()
    expect(page.locator(".history [data-pass-id]")).to_contain_text("Back")
    ended = api(server, MONITOR, "GET", f"/api/passes/{created['id']}")
    assert (ended["state"], ended["ended_by"]) == ("ended", "student")
    expect(page.locator(".toast")).to_have_count(0)


def test_today_lists_the_pass_the_student_is_out_on(
    server: LiveServer, new_context: OpenContext
) -> None:
    created = ask(server, "1009", "Main Office")
    page = new_context(PHONE).new_page()
    sign_in(page, server.url, "1009")
    today = page.get_by_role("complementary").filter(has=page.get_by_role("heading", name="Today"))
    expect(today.locator(f"[data-pass-id='{created['id']}']")).to_contain_text("Main Office")
    expect(today.locator(f"[data-pass-id='{created['id']}']")).to_contain_text("Out")
    expect(today).not_to_contain_text("No passes yet today")


def test_the_sign_in_page_of_a_fresh_browser_asks_nothing_and_logs_no_error(
    server: LiveServer, new_context: OpenContext
) -> None:
    context = new_context(PHONE)
    page = context.new_page()
    errors: list[str] = []
    asked_me: list[str] = []

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    def request(sent: Request) -> None:
        if sent.url.endswith("/api/me"):
            asked_me.append(sent.url)

    page.on("console", console)
    page.on("request", request)
    page.goto(server.url + "/")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert (errors, asked_me) == ([], [])

    # Signed in, the hint is set with the session, and a reload resumes it.
    sign_in(page, server.url, "1010")
    hints = [c for c in context.cookies() if c["name"] == "hallpass_signed_in"]
    assert [(c["value"], c["httpOnly"]) for c in hints] == [("1", False)]
    page.reload()
    page.locator("[data-status=live]").wait_for()
    assert asked_me

    # Signed out, the hint goes with the session: the sign-in page asks nothing again.
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert [c for c in context.cookies() if c["name"] == "hallpass_signed_in"] == []
    asked_me.clear()
    page.reload()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert (errors, asked_me) == ([], [])


def test_the_hall_monitor_sees_the_same_check_code_and_live_mark_as_the_students_card(
    server: LiveServer, new_context: OpenContext
) -> None:
    created: dict[str, Any] = ask(server, "1007", "Library")
    student = new_context(PHONE).new_page()
    sign_in(student, server.url, "1007")
    monitor = new_context({"width": 1024, "height": 768}).new_page()
    sign_in(monitor, server.url, MONITOR)
    monitor.goto(f"{server.url}/passes/{created['id']}")
    check = monitor.locator(".passpanel").get_by_test_id("check")

    expect(check).to_contain_text(created["check_code"])
    expect(student.locator(".pass-card").get_by_test_id("pass-code")).to_have_text(
        created["check_code"]
    )
    # Both screens draw the mark from the school's seed and their estimate of the server's
    # clock (each page's within a second, from the Date header): at the same step they draw
    # the same colour and shape. Two pages may stand on either side of a step's edge for up to
    # a second of its four, so read again over a few steps until both are on the same one.
    for _ in range(24):
        on_card = mark(student)
        on_panel = check.locator(".live-mark")
        seen = on_panel.get_attribute("data-step"), on_panel.get_attribute("data-mark")
        if on_card[0] == seen[0]:
            assert on_card == seen
            return
        student.wait_for_timeout(500)
    raise AssertionError(f"the two screens never drew the same step: {on_card} {seen}")
