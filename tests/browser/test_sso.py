"""Single sign-on in the app, end to end in Chromium: a student taps their school's button,
signs in at a real OpenID Provider on 127.0.0.1 (npm `oidc-provider`, tests/oidc/) and comes
back signed in; an account Hallpass doesn't know lands on the problem page; an admin adds a
provider (its secret never shown again) and turns students' passwords off.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.api import api
from tests.browser.conftest import CHROMEBOOK, PHONE, LiveServer, OpenContext, sign_in
from tests.browser.test_accessibility import violations
from tests.oidc.fixtures import OidcProvider

ADMIN = "admin@demo.school"
DOMAIN = "students.demo.school"
STUDENT = "1001"

AddProvider = Callable[..., dict[str, Any]]


def student_id(server: LiveServer, login: str) -> int:
    """Return a demo user's id by their login."""
    found = api(server, ADMIN, "GET", f"/api/users?q={login}")
    return next(int(u["id"]) for u in found["users"] if u["login"] == login)


@pytest.fixture
def add_provider(server: LiveServer, oidc_provider: OidcProvider) -> Iterator[AddProvider]:
    """Register Hallpass at the local provider and the provider in the demo school; each one
    added is removed after the test (its provider stops with it)."""
    added: list[int] = []

    def add(label: str = "Demo Schools Account", **fields: Any) -> dict[str, Any]:
        client_id = "hallpass-" + secrets.token_hex(4)
        client_secret = secrets.token_urlsafe(24)
        redirect_uri = api(server, ADMIN, "GET", "/api/sso/settings")["redirect_uri"]
        oidc_provider.add_client(client_id, client_secret, [redirect_uri])
        body = {
            "key": client_id,
            "kind": "oidc",
            "label": label,
            "issuer": oidc_provider.issuer,
            "client_id": client_id,
            "client_secret": client_secret,
            "allowed_domains": [DOMAIN],
            **fields,
        }
        provider: dict[str, Any] = api(server, ADMIN, "POST", "/api/sso/providers", body)
        added.append(provider["id"])
        return provider

    yield add
    for provider_id in added:
        api(server, ADMIN, "DELETE", f"/api/sso/providers/{provider_id}")


def sign_in_at_provider(page: Page, login: str, password: str) -> None:
    """Fill the local provider's own sign-in form, as a person would."""
    expect(page.get_by_role("heading", name="Sign in to the test provider")).to_be_visible()
    page.get_by_label("Email or username").fill(login)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_a_student_signs_in_with_the_schools_account_on_a_phone(
    server: LiveServer,
    new_context: OpenContext,
    oidc_provider: OidcProvider,
    add_provider: AddProvider,
) -> None:
    email = f"ava.{secrets.token_hex(3)}@{DOMAIN}"
    api(server, ADMIN, "PATCH", f"/api/users/{student_id(server, STUDENT)}", {"email": email})
    oidc_provider.add_account("ava-sub", email, password="correct horse")
    provider = add_provider()

    page = new_context(PHONE).new_page()
    page.goto(server.url + "/?school=demo")
    button = page.get_by_role("link", name="Sign in with Demo Schools Account")
    expect(button).to_be_visible()
    # The password form stays for staff and the demo.
    expect(page.get_by_label("Student number or e-mail")).to_be_visible()
    button.click()

    sign_in_at_provider(page, email, "correct horse")

    # Back in Hallpass, signed in through the callback: the student's own screen, live.
    page.locator("[data-status=live]").wait_for()
    expect(page.locator(".topbar__name")).to_contain_text("Student")
    assert re.match(r"^/(\?.*)?$", page.url.removeprefix(server.url)), page.url
    assert page.context.cookies(server.url), "no session cookie came back"
    newest = api(server, ADMIN, "GET", "/api/sso/attempts")[0]
    assert (newest["outcome"], newest["email"], newest["provider_key"]) == (
        "ok",
        email,
        provider["key"],
    )


def test_an_account_hallpass_does_not_know_lands_on_the_problem_page(
    server: LiveServer,
    new_context: OpenContext,
    oidc_provider: OidcProvider,
    add_provider: AddProvider,
) -> None:
    stranger = f"stranger.{secrets.token_hex(3)}@{DOMAIN}"
    oidc_provider.add_account("stranger-sub", stranger, password="pw")
    provider = add_provider()
    users_before = api(server, ADMIN, "GET", "/api/users?limit=1")["total"]

    # axe-core is injected as a script: the app's CSP would rightly refuse it.
    page = new_context(PHONE, bypass_csp=True).new_page()
    page.goto(server.url + "/")
    button = page.get_by_role("link", name="Sign in with Demo Schools Account")
    expect(button).to_be_visible()
    assert violations(page) == []
    button.click()
    sign_in_at_provider(page, stranger, "pw")

    expect(page).to_have_url(re.compile(r"/sign-in\?problem=sso_unknown_account"))
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text("This account isn't set up in Hallpass")
    expect(heading).to_be_focused()
    expect(page.get_by_role("alert")).to_contain_text("Ask your school's Hallpass administrator")
    retry = page.get_by_role("link", name=re.compile("^Try again"))
    expect(retry).to_have_attribute("href", re.compile(rf"^/api/sso/{provider['key']}/start\?"))
    # It fits a 360 px phone (nothing wider than the screen), and axe finds nothing serious.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert violations(page) == []
    # Nothing was created, and the attempt is in the log.
    assert api(server, ADMIN, "GET", "/api/users?limit=1")["total"] == users_before
    newest = api(server, ADMIN, "GET", "/api/sso/attempts")[0]
    assert (newest["outcome"], newest["email"]) == ("sso_unknown_account", stranger)

    page.get_by_role("link", name="Other ways to sign in").click()
    expect(page.get_by_label("Student number or e-mail")).to_be_visible()


def test_an_admin_adds_a_provider_and_turns_students_passwords_off(
    server: LiveServer, new_context: OpenContext, oidc_provider: OidcProvider
) -> None:
    secret = "never-shown-" + secrets.token_hex(8)
    page = new_context(CHROMEBOOK).new_page()
    sign_in(page, server.url, ADMIN)
    page.goto(server.url + "/admin/sign-in")
    expect(page.get_by_role("tab", name="Sign-in")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_label(re.compile("redirect"))).to_have_value(
        server.url + "/api/sso/callback"
    )

    page.get_by_role("button", name="Add a provider").click()
    form = page.get_by_role("form", name="New sign-in provider")
    # A kind fills in its issuer.
    form.get_by_label("Kind").select_option("google")
    expect(form.get_by_label("Issuer URL")).to_have_value("https://accounts.google.com")
    form.get_by_label("Kind").select_option("oidc")
    form.get_by_label("Button label").fill("Demo Schools Account")
    form.get_by_label("Issuer URL").fill(oidc_provider.issuer)
    form.get_by_label("Client ID").fill("hallpass-admin-test")
    form.get_by_label("Client secret").fill(secret)
    form.get_by_label("Allowed e-mail domains").fill(f"{DOMAIN}, @Staff.Demo.School")
    form.get_by_role("button", name="Add provider").click()

    card = page.get_by_role("listitem").filter(has_text="Demo Schools Account")
    expect(page.get_by_role("status").filter(has_text="Demo Schools Account added")).to_be_visible()
    expect(card.locator("[data-field=secret]")).to_have_text("Set")
    expect(card).to_contain_text(f"{DOMAIN}, staff.demo.school")
    # The secret is nowhere: not on the page, not in the form that edits it, not in the API.
    card.get_by_role("button", name="Edit Demo Schools Account").click()
    expect(card.get_by_role("button", name="Replace")).to_be_visible()
    assert secret not in page.content()
    values = card.locator("input").evaluate_all("inputs => inputs.map(i => i.value)")
    assert all(secret not in value for value in values)
    settings = api(server, ADMIN, "GET", "/api/sso/settings")
    assert secret not in str(settings)
    (created,) = [p for p in settings["providers"] if p["label"] == "Demo Schools Account"]
    assert created["secret_set"] is True
    card.get_by_role("button", name="Cancel").click()

    switch = page.get_by_role("switch", name="Students sign in with a password")
    expect(switch).to_be_checked()
    switch.uncheck()
    try:
        expect(page.get_by_role("status").filter(has_text="school's accounts only")).to_be_visible()
        assert api(server, ADMIN, "GET", "/api/sso/settings")["password_sign_in_students"] is False

        # A student's phone: the sign-in page says to use the button, and a password is refused.
        phone = new_context(PHONE).new_page()
        phone.goto(server.url + "/")
        expect(phone.get_by_role("link", name="Sign in with Demo Schools Account")).to_be_visible()
        expect(phone.get_by_text("Students sign in with the button above")).to_be_visible()
        phone.get_by_label("Student number or e-mail").fill(STUDENT)
        phone.get_by_label("Password").fill("demo")
        phone.get_by_role("button", name="Sign in", exact=True).click()
        expect(phone.get_by_role("alert")).to_contain_text("button")
        expect(phone.locator("[data-status]")).to_have_count(0)
        # Staff keep their passwords.
        phone.get_by_label("Student number or e-mail").fill("teacher1@demo.school")
        phone.get_by_role("button", name="Sign in", exact=True).click()
        phone.locator("[data-status=live]").wait_for()
    finally:
        api(server, ADMIN, "PATCH", "/api/school", {"password_sign_in_students": True})
        api(server, ADMIN, "DELETE", f"/api/sso/providers/{created['id']}")
