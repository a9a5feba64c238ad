"""The door kiosk: a student types their number and goes, comes back and says so; the shared
screen never shows more than a first name and last initial."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import CHROMEBOOK, LiveServer, OpenContext, sign_in


def type_number(page: Page, number: str) -> None:
    """Tap the number on the kiosk's pad."""
    for digit in number:
        page.get_by_role("button", name=digit, exact=True).click()


def test_a_student_goes_out_and_comes_back_at_the_door(
    server: LiveServer, new_context: OpenContext
) -> None:
    page = new_context(CHROMEBOOK).new_page()
    sign_in(page, server.url, "kiosk101@demo.school")

    type_number(page, "1011")
    page.get_by_role("button", name="Next").click()
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


def test_another_rooms_number_gets_the_same_answer_as_no_student_at_all(
    server: LiveServer, new_context: OpenContext
) -> None:
    page = new_context().new_page()
    sign_in(page, server.url, "kiosk101@demo.school")
    answers = []
    for number in ("1020", "9999"):  # Room 102's student, and nobody
        type_number(page, number)
        page.get_by_role("button", name="Next").click()
        page.get_by_role("button", name="Library").click()
        answers.append(page.locator(".kiosk__done").inner_text())
        page.get_by_role("button", name="Done").click()
    assert answers[0] == answers[1]
    assert "1020" not in answers[0]
