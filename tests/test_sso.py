"""Single sign-on against a real OpenID Provider on 127.0.0.1 (tests/oidc/): a student or a
teacher signs in through its redirects and login form; every failure lands on the app's
/sign-in page with its problem code, an attempt row, and nothing created."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import httpx
import pytest
from limits import RateLimitItemPerMinute
from starlette.applications import Starlette

from server import clock
from server.auth import ratelimit
from server.auth.oidc import seal_secret
from server.auth.passwords import CODE_ONLY
from server.auth.sessions import COOKIE_NAME
from server.enums import Role, SessionVia
from server.models import District, School, Session, SsoProvider, SsoRequest, User
from tests.conftest import Demo
from tests.oidc.fixtures import OidcProvider
from tests.sso_helpers import (
    CLIENT_ID,
    SITE,
    add_provider,
    browser,
    counts,
    last_attempt,
    problem_of,
    sign_in,
    start,
    through_provider,
)
from tests.test_error_shape import assert_error

STUDENT = "1003"
STUDENT_EMAIL = "ada.student@demo.school"
TEACHER = "teacher1@demo.school"


@pytest.fixture
async def google(demo: Demo, oidc_provider: OidcProvider) -> dict[str, Any]:
    """The demo school signs in with the local provider, whose accounts are its people's."""
    await User.filter(login=STUDENT).update(email=STUDENT_EMAIL)
    oidc_provider.add_account("g-student", "Ada.Student@demo.school", sourcedId="stu-1003")
    oidc_provider.add_account("g-teacher", TEACHER)
    return await add_provider(demo, oidc_provider)


async def test_a_student_signs_in_with_the_schools_account_and_the_cookie_works(
    app: Starlette, google: dict[str, Any]
) -> None:
    async with browser(app) as http:
        done = await sign_in(http, "ada.student@demo.school")
        assert done.status_code == 302
        assert done.headers["location"] == "/passes/"
        assert COOKIE_NAME in done.cookies
        me = await http.get("/api/me")
    assert me.status_code == 200
    assert me.json()["login"] == STUDENT
    session = await Session.get(user__login=STUDENT)
    assert session.via == SessionVia.SSO
    assert session.identity == "Ada.Student@demo.school"
    attempt = await last_attempt()
    assert (attempt.outcome, attempt.user_id) == ("ok", session.user_id)


async def test_a_teacher_signs_in_and_lands_where_they_started(
    app: Starlette, google: dict[str, Any]
) -> None:
    async with browser(app) as http:
        done = await sign_in(http, TEACHER, return_to="/admin")
        assert done.headers["location"] == "/admin"
        me = await http.get("/api/me")
    assert me.json()["role"] == "teacher"


async def test_a_return_to_of_another_site_goes_home_instead(
    app: Starlette, google: dict[str, Any]
) -> None:
    async with browser(app) as http:
        done = await sign_in(http, TEACHER, return_to="//evil.example/steal")
    assert done.headers["location"] == "/"


async def test_a_rostered_student_matches_by_sourced_id(
    app: Starlette, demo: Demo, oidc_provider: OidcProvider
) -> None:
    await User.filter(login="1004").update(source_id="stu-1004")
    oidc_provider.add_account("c-1004", "someone@elsewhere.example", sourcedId="stu-1004")
    await add_provider(
        demo, oidc_provider, "demo-classlink", kind="classlink", match_claim="sourced_id"
    )
    async with browser(app) as http:
        done = await sign_in(http, "c-1004", key="demo-classlink")
        assert done.headers["location"] == "/passes/"
        assert (await http.get("/api/me")).json()["login"] == "1004"


async def test_a_districts_provider_signs_in_at_the_school_chosen(
    app: Starlette, demo: Demo, oidc_provider: OidcProvider
) -> None:
    district = await District.create(name="Demo District", slug="demo-district")
    await School.filter(slug="demo").update(district=district)
    other = await School.create(name="North High", slug="north", district=district)
    same_person = await User.create(
        school=other,
        role="teacher",
        login=TEACHER,
        first_name="T",
        last_name="One",
        password_hash="x",
    )
    oidc_provider.add_client(CLIENT_ID, "district-secret", [f"{SITE}/api/sso/callback"])
    oidc_provider.add_account("d-teacher", TEACHER)
    await SsoProvider.create(
        district=district,
        key="district-ms",
        kind="microsoft",
        label="Microsoft",
        issuer=oidc_provider.issuer,
        client_id=CLIENT_ID,
        client_secret_sealed=seal_secret(app.state.hallpass.settings.secret_key, "district-secret"),
    )
    listed = (await demo.client.get("/api/sso/providers", params={"school": "north"})).json()
    assert [p["key"] for p in listed["providers"]] == ["district-ms"]
    assert listed["providers"][0]["district"] == {"slug": "demo-district", "name": "Demo District"}
    async with browser(app) as http:
        await sign_in(http, TEACHER, key="district-ms", school="north")
        assert (await http.get("/api/me")).json()["id"] == same_person.id
    async with browser(app) as http:
        await sign_in(http, TEACHER, key="district-ms", school=None)  # no school chosen
        me = (await http.get("/api/me")).json()
    assert me["school"]["slug"] == "demo"  # the first account by id


# Each failure: the page it lands on, its attempt row, and nothing created.


async def _fails(
    http: httpx.AsyncClient, response: httpx.Response, code: str, key: str | None = "demo-google"
) -> None:
    query = problem_of(response)
    assert query["problem"] == [code]
    assert query.get("provider") == ([key] if key else None)
    assert COOKIE_NAME not in response.cookies
    assert (await http.get("/api/me")).status_code == 401
    assert (await last_attempt()).outcome == code


async def test_an_account_unknown_to_the_school_is_refused(
    app: Starlette, google: dict[str, Any], oidc_provider: OidcProvider
) -> None:
    oidc_provider.add_account("g-stranger", "stranger@demo.school")
    before = await counts()
    async with browser(app) as http:
        await _fails(http, await sign_in(http, "stranger@demo.school"), "sso_unknown_account")
    assert await counts() == before
    assert (await last_attempt()).email == "stranger@demo.school"


async def test_a_disabled_account_is_refused(app: Starlette, google: dict[str, Any]) -> None:
    await User.filter(login=TEACHER).update(active=False)
    before = await counts()
    async with browser(app) as http:
        await _fails(http, await sign_in(http, TEACHER), "sso_account_disabled")
    assert await counts() == before


async def test_a_kiosk_account_never_signs_in_by_sso(
    app: Starlette, google: dict[str, Any], oidc_provider: OidcProvider
) -> None:
    oidc_provider.add_account("g-kiosk", "kiosk101@demo.school")
    before = await counts()
    async with browser(app) as http:
        await _fails(http, await sign_in(http, "kiosk101@demo.school"), "sso_unknown_account")
    assert await counts() == before


async def test_a_substitute_made_by_a_grant_signs_in_only_with_the_days_code(
    app: Starlette, google: dict[str, Any], oidc_provider: OidcProvider
) -> None:
    # Whoever granted the day typed this e-mail: the provider vouching for it proves nothing.
    await User.create(
        school=await School.get(slug="demo"),
        role=Role.SUBSTITUTE,
        login="sub-rivera",
        first_name="Jo",
        last_name="Rivera",
        email="jo.rivera@demo.school",
        password_hash=CODE_ONLY,
    )
    oidc_provider.add_account("g-rivera", "jo.rivera@demo.school")
    before = await counts()
    async with browser(app) as http:
        await _fails(http, await sign_in(http, "jo.rivera@demo.school"), "sso_unknown_account")
    assert await counts() == before


async def test_an_account_outside_the_allowed_domains_is_refused(
    app: Starlette, demo: Demo, google: dict[str, Any]
) -> None:
    changed = await demo.client.patch(
        f"/api/sso/providers/{google['id']}",
        json={"allowed_domains": ["students.demo.school"]},
        headers=await demo.auth("admin@demo.school"),
    )
    assert changed.json()["allowed_domains"] == ["students.demo.school"]
    before = await counts()
    async with browser(app) as http:
        await _fails(http, await sign_in(http, TEACHER), "sso_wrong_domain")
    assert await counts() == before


async def test_an_unverified_email_is_refused(
    app: Starlette, google: dict[str, Any], oidc_provider: OidcProvider
) -> None:
    oidc_provider.add_account("g-unverified", TEACHER, email_verified=False)
    before = await counts()
    async with browser(app) as http:
        await _fails(http, await sign_in(http, "g-unverified"), "sso_email_unverified")
    assert await counts() == before


async def test_cancelling_at_the_provider_says_so(app: Starlette, google: dict[str, Any]) -> None:
    before = await counts()
    async with browser(app) as http:
        await _fails(http, await sign_in(http, None, cancel=True), "sso_cancelled")
    assert await counts() == before


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param({"other_key": True}, id="signed with a key the provider does not publish"),
        pytest.param({"claims": {"aud": "another-client"}}, id="for another client"),
        pytest.param({"claims": {"iss": "https://evil.example"}}, id="from another issuer"),
        pytest.param({"claims": {"nonce": "replayed"}}, id="another sign-in's nonce"),
        pytest.param({"shift": -3600}, id="expired an hour ago"),
        pytest.param({"shift": 600}, id="issued ten minutes in the future"),
    ],
)
async def test_an_id_token_that_must_not_be_believed_is_refused(
    app: Starlette, google: dict[str, Any], oidc_provider: OidcProvider, bad: dict[str, Any]
) -> None:
    oidc_provider.issue_bad_id_tokens(**bad)
    before = await counts()
    async with browser(app) as http:
        await _fails(http, await sign_in(http, TEACHER), "sso_invalid_token")
    assert await counts() == before
    assert "ID token" in (await last_attempt()).detail


async def test_a_token_within_the_clock_skew_allowance_is_taken(
    app: Starlette, google: dict[str, Any], oidc_provider: OidcProvider
) -> None:
    oidc_provider.issue_bad_id_tokens(shift=60)  # the provider's clock a minute fast
    async with browser(app) as http:
        done = await sign_in(http, TEACHER)
    assert done.headers["location"] == "/passes/"


async def test_a_state_is_used_once(app: Starlette, google: dict[str, Any]) -> None:
    async with browser(app) as http:
        started = await start(http)
        done = await through_provider(http, started, TEACHER)
        assert done.headers["location"] == "/passes/"
        before = await counts()
        again = await http.get(done.request.url)  # the same code and state, replayed
        query = problem_of(again)
    assert query["problem"] == ["sso_state_invalid"]
    assert (await last_attempt()).detail == "state already used"
    assert await counts() == before


async def test_a_state_older_than_ten_minutes_has_expired(
    app: Starlette, google: dict[str, Any]
) -> None:
    before = await counts()
    async with browser(app) as http:
        started = await start(http)
        clock.advance(timedelta(minutes=11))
        await _fails(http, await through_provider(http, started, TEACHER), "sso_state_invalid")
    assert (await last_attempt()).detail == "state expired"
    assert await counts() == before


async def test_a_state_started_in_another_browser_is_refused(
    app: Starlette, google: dict[str, Any]
) -> None:
    async with browser(app) as victim, browser(app) as attacker:
        started = await start(attacker)
        # The attacker's own sign-in, handed to the victim's browser at the callback.
        location = started
        while location.is_redirect and "/api/sso/callback" not in location.headers["location"]:
            location = await attacker.get(location.url.join(location.headers["location"]))
            if location.status_code == 200:
                action = re.findall(r'action="([^"]+)"', location.text)[0]
                location = await attacker.post(
                    location.url.join(action), data={"login": TEACHER, "password": ""}
                )
        callback = location.url.join(location.headers["location"])
        before = await counts()
        await _fails(victim, await victim.get(callback), "sso_state_invalid", key=None)
    assert await counts() == before


async def test_a_provider_that_is_down_at_the_callback_is_unavailable(
    app: Starlette, google: dict[str, Any], oidc_provider: OidcProvider
) -> None:
    async with browser(app) as http:
        started = await start(http)
        url = started.url.join(started.headers["location"])
        answer = await http.get(url)
        form = await http.get(answer.url.join(answer.headers["location"]))
        action = form.text.split('action="')[1].split('"')[0]
        back = await http.post(form.url.join(action), data={"login": TEACHER})
        while "/api/sso/callback" not in back.headers["location"]:
            back = await http.get(back.url.join(back.headers["location"]))
        oidc_provider.stop()  # the code in hand, the token endpoint gone
        before = await counts()
        await _fails(
            http,
            await http.get(back.url.join(back.headers["location"])),
            "sso_provider_unavailable",
        )
    assert await counts() == before


async def test_a_provider_that_is_down_at_the_start_is_unavailable(
    app: Starlette, demo: Demo, oidc_provider: OidcProvider
) -> None:
    await add_provider(demo, oidc_provider)
    oidc_provider.stop()
    before = await counts()
    async with browser(app) as http:
        response = await start(http)
        await _fails(http, response, "sso_provider_unavailable")
    assert await counts() == before
    assert await SsoRequest.all().count() == 0


async def test_an_unknown_provider_is_a_404(app: Starlette) -> None:
    async with browser(app) as http:
        response = await start(http, key="nobody")
    assert response.status_code == 404


async def test_a_callback_without_a_state_is_refused(app: Starlette) -> None:
    before = await counts()
    async with browser(app) as http:
        response = await http.get("/api/sso/callback", params={"code": "x"})
        await _fails(http, response, "sso_state_invalid", key=None)
    assert await counts() == before


async def test_a_provider_that_allows_it_creates_an_unknown_student(
    app: Starlette, demo: Demo, oidc_provider: OidcProvider
) -> None:
    oidc_provider.add_account("g-new", "New.Kid@demo.school", given_name="New", family_name="Kid")
    await add_provider(demo, oidc_provider, create_users=True)
    async with browser(app) as http:
        await sign_in(http, "New.Kid@demo.school")
        me = (await http.get("/api/me")).json()
    assert (me["login"], me["role"], me["name"]) == ("new.kid@demo.school", "student", "New Kid")
    assert (await last_attempt()).detail == "user created by sign-in"


async def test_starts_from_one_address_are_rate_limited(
    app: Starlette, google: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ratelimit, "SSO_STARTS_PER_ADDRESS", RateLimitItemPerMinute(2))
    async with browser(app) as http:
        assert [(await start(http)).status_code for _ in range(2)] == [302, 302]
        refused = await start(http)
    assert_error(refused, 429)
    assert int(refused.headers["retry-after"]) >= 1
    assert await SsoRequest.all().count() == 2
