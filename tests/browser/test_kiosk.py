"""The door kiosk: a student types their number, says "yes, that's me", and goes; comes back
and says so. The shared screen never shows more than a first name and last initial, refuses a
wrong number at once, shows how free each place is, says DRILL in a drill, and only a staff
member's sign-in takes it out of kiosk mode."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.api import api, ask
from tests.browser.conftest import CHROMEBOOK, LiveServer, OpenContext, sign_in
from tests.browser.test_accessibility import violations


def type_number(page: Page, number: str) -> None:
    """Tap the number on the kiosk's pad."""
    for digit in number:
        page.get_by_role("button", name=digit, exact=True).click()


def kiosk(new_context: OpenContext, server: LiveServer, *, axe: bool = False) -> Page:
    """Open Room 101's door kiosk on its Chromebook (axe: with its CSP bypassed for axe-core)."""
    page = new_context(CHROMEBOOK, bypass_csp=axe).new_page()
    sign_in(page, server.url, "kiosk101@demo.school")
    return page


def test_a_student_goes_out_and_comes_back_at_the_door(
    server: LiveServer, new_context: OpenContext
) -> None:
    page = kiosk(new_context, server, axe=True)

    type_number(page, "1011")
    page.get_by_role("button", name="Next").click()
    question = page.get_by_role("heading", name="Are you Harper T.?")
    expect(question).to_be_visible()
    expect(question).to_be_focused()  # read out first; a second Enter answers nothing
    page.keyboard.press("Enter")
    expect(question).to_be_visible()
    assert violations(page) == []
    page.get_by_role("button", name="Yes, that's me").click()
    page.get_by_role("button", name="Library").click()
    expect(page.get_by_role("status").filter(has_text="go to Library")).to_contain_text(
        "Harper T.: go to Library. Back by"
    )
    out = page.get_by_role("complementary")
    expect(out).to_contain_text("Harper T.")
    page.get_by_role("button", name="Done").click()

    page.get_by_role("button", name="I'm back").first.click()
    expect(page.get_by_role("heading", name="Welcome back: type your number")).to_be_visible()
    page.keyboard.type("1011")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Welcome back, Harper T.")).to_be_visible()
    expect(out).to_contain_text("Nobody is out.")
    # The whole screen, start to end, never carried a full name.
    assert "Thomas" not in page.content()


def test_no_its_not_me_goes_back_to_the_number_and_sends_nobody(
    server: LiveServer, new_context: OpenContext
) -> None:
    page = kiosk(new_context, server)
    type_number(page, "1012")
    page.keyboard.press("Enter")
    question = page.get_by_role("heading", name="Are you Logan T.?")
    expect(question).to_be_visible()
    page.get_by_role("button", name="No", exact=True).click()
    expect(page.get_by_role("heading", name="Type your student number")).to_be_visible()
    expect(page.get_by_role("heading", name="Where are you going?")).to_have_count(0)
    passes = api(server, "monitor@demo.school", "GET", "/api/passes")
    assert not [p for p in passes if "Logan" in p["student"]["name"]]


def test_a_wrong_number_is_refused_at_once_before_any_place(
    server: LiveServer, new_context: OpenContext
) -> None:
    page = kiosk(new_context, server)
    answers = []
    for number in ("1020", "9999"):  # Room 102's student, and nobody
        type_number(page, number)
        page.get_by_role("button", name="Next").click()
        refusal = page.locator(".kiosk__done")
        expect(refusal).to_contain_text("No student with this number at this door.")
        # No place was offered, and nobody was named.
        expect(page.get_by_role("heading", name="Where are you going?")).to_have_count(0)
        expect(page.get_by_role("heading", name="Are you")).to_have_count(0)
        answers.append(refusal.inner_text())
        page.get_by_role("button", name="Done").click()
    assert answers[0] == answers[1]
    assert "1020" not in answers[0]


def test_place_buttons_say_how_free_each_place_is(
    server: LiveServer, new_context: OpenContext
) -> None:
    for student, place in (
        ("1016", "Restroom North"),
        ("1017", "Restroom North"),
        ("1018", "Restroom South"),
    ):
        assert ask(server, student, place)["state"] == "active"
    page = kiosk(new_context, server)
    type_number(page, "1013")
    page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Yes, that's me").click()
    expect(page.get_by_role("button", name="Restroom North")).to_contain_text(
        "Full · you'd be next in line"
    )
    expect(page.get_by_role("button", name="Restroom South")).to_contain_text("1 of 2 free")
    page.get_by_role("button", name="Start again").click()
    for student in ("1016", "1017", "1018"):
        mine = api(server, student, "GET", "/api/passes?state=active")
        api(server, student, "POST", f"/api/passes/{mine[0]['id']}/end")


def test_leaving_kiosk_mode_needs_a_staff_sign_in(
    server: LiveServer, new_context: OpenContext
) -> None:
    page = kiosk(new_context, server, axe=True)
    leave = page.get_by_role("button", name="Leave kiosk mode")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    leave.click()
    dialog = page.get_by_role("dialog", name="Leave kiosk mode")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Staff e-mail")).to_be_focused()
    assert violations(page) == []
    page.keyboard.press("Escape")  # cancels: the kiosk stays, focus back where it was
    expect(dialog).to_have_count(0)
    expect(leave).to_be_focused()

    leave.click()
    for email, password in (("teacher1@demo.school", "wrong"), ("1011", "demo")):
        dialog.get_by_label("Staff e-mail").fill(email)
        dialog.get_by_label("Password").fill(password)
        dialog.get_by_role("button", name="Leave kiosk mode").click()
        expect(dialog.get_by_role("alert")).to_contain_text("not a staff e-mail and password")
    dialog.get_by_role("button", name="Cancel").click()
    page.reload()
    expect(page.get_by_role("heading", name="Type your student number")).to_be_visible()

    leave.click()
    dialog.get_by_label("Staff e-mail").fill("teacher1@demo.school")
    dialog.get_by_label("Password").fill("demo")
    dialog.get_by_role("button", name="Leave kiosk mode").click()
    expect(page.get_by_role("heading", name="Sign in to Hallpass")).to_be_visible()
    page.reload()  # the session is over on the server too
    expect(page.get_by_role("heading", name="Sign in to Hallpass")).to_be_visible()


def test_in_a_drill_the_kiosk_says_drill_as_every_screen_does(
    server: LiveServer, new_context: OpenContext
) -> None:
    page = kiosk(new_context, server)
    teacher = new_context(CHROMEBOOK).new_page()
    sign_in(teacher, server.url, "teacher1@demo.school")
    api(server, "admin@demo.school", "POST", "/api/emergency", {"kind": "drill"})
    try:
        for screen in (page, teacher):
            expect(screen.get_by_role("heading", name="Drill", level=1)).to_be_visible()
        banner = ".emergency__banner--drill h1"
        assert page.locator(banner).inner_text() == teacher.locator(banner).inner_text()
        assert "Emergency" not in page.locator(".emergency__banner").inner_text()
        expect(page.get_by_text("Passes are stopped. Stay in class")).to_be_visible()
    finally:
        api(server, "admin@demo.school", "DELETE", "/api/emergency")
