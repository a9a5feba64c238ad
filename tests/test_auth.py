"""Signing in: passwords, bearer tokens, the session cookie with CSRF and Origin checks."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from server import clock
from server.auth.sessions import COOKIE_NAME, purge_expired
from server.enums import Role
from server.models import School, User
from tests.conftest import BASE_URL, Demo, location_id


async def login(client: httpx.AsyncClient, login: str, password: str = "demo") -> httpx.Response:
    """POST /api/session."""
    return await client.post("/api/session", json={"login": login, "password": password})


async def test_a_wrong_password_and_an_unknown_login_look_the_same(
    client: httpx.AsyncClient,
) -> None:
    wrong = await login(client, "1003", "nope")
    unknown = await login(client, "9999", "nope")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.json()["error"]["code"] == "invalid_credentials"


async def test_ten_failures_lock_that_login_for_a_while_even_with_the_right_password(
    client: httpx.AsyncClient,
) -> None:
    for _ in range(10):
        assert (await login(client, "1003", "guess")).status_code == 401
    locked = await login(client, "1003", "demo")
    assert locked.status_code == 429
    assert locked.json()["error"]["code"] == "rate_limited"
    assert int(locked.headers["retry-after"]) > 0
    assert (await login(client, "1004", "demo")).status_code == 200  # others unaffected


async def test_the_session_cookie_is_httponly_secure_and_strict(
    client: httpx.AsyncClient,
) -> None:
    response = await login(client, "1003")
    cookie = response.headers["set-cookie"].lower()
    assert cookie.startswith(f"{COOKIE_NAME}=")
    for flag in ("httponly", "secure", "samesite=strict", "path=/"):
        assert flag in cookie


async def test_cookie_requests_need_the_csrf_header_for_changes(
    client: httpx.AsyncClient,
) -> None:
    session = (await login(client, "1003")).json()
    client.cookies.set(COOKIE_NAME, session["token"])
    me = await client.get("/api/me")
    assert me.status_code == 200
    assert me.json()["role"] == "student"
    assert me.json()["school"]["name"] == "Demo High School"

    body = {"destination_id": await location_id("Library")}
    without = await client.post("/api/passes", json=body)
    assert without.status_code == 403
    assert without.json()["error"]["code"] == "csrf_failed"
    wrong = await client.post("/api/passes", json=body, headers={"X-CSRF-Token": "nope"})
    assert wrong.json()["error"]["code"] == "csrf_failed"
    right = await client.post(
        "/api/passes", json=body, headers={"X-CSRF-Token": session["csrf_token"]}
    )
    assert right.status_code == 201


async def test_a_reloaded_page_gets_its_csrf_token_back_from_me_but_a_script_does_not(
    client: httpx.AsyncClient,
) -> None:
    session = (await login(client, "1003")).json()
    scripted = await client.get("/api/me", headers={"Authorization": f"Bearer {session['token']}"})
    assert "csrf_token" not in scripted.json()
    client.cookies.set(COOKIE_NAME, session["token"])
    reloaded = await client.get("/api/me")
    assert reloaded.json()["csrf_token"] == session["csrf_token"]


async def test_cookie_requests_from_another_site_are_refused(client: httpx.AsyncClient) -> None:
    session = (await login(client, "1003")).json()
    client.cookies.set(COOKIE_NAME, session["token"])
    foreign = await client.get("/api/me", headers={"Origin": "https://evil.example"})
    assert foreign.status_code == 403
    assert foreign.json()["error"]["code"] == "origin_not_allowed"
    same = await client.get("/api/me", headers={"Origin": BASE_URL})
    assert same.status_code == 200
    cross_login = await client.post(
        "/api/session",
        json={"login": "1003", "password": "demo"},
        headers={"Origin": "https://evil.example"},
    )
    assert cross_login.status_code == 403


async def test_logging_out_ends_the_token(demo: Demo) -> None:
    headers = await demo.auth("1003")
    assert (await demo.client.delete("/api/session", headers=headers)).status_code == 204
    after = await demo.client.get("/api/me", headers=headers)
    assert after.status_code == 401
    assert after.json()["error"]["code"] == "not_authenticated"


async def test_a_disabled_user_is_signed_out_at_once(demo: Demo) -> None:
    headers = await demo.auth("1003")
    await User.filter(login="1003").update(active=False)
    assert (await demo.client.get("/api/me", headers=headers)).status_code == 401
    assert (await login(demo.client, "1003")).status_code == 401


async def test_a_login_in_two_schools_needs_the_school(client: httpx.AsyncClient) -> None:
    other = await School.create(name="North Middle School", slug="north")
    demo_hash = (await User.get(login="1003")).password_hash
    await User.create(
        school=other,
        role=Role.STUDENT,
        login="1003",
        first_name="Zed",
        last_name="Quinn",
        password_hash=demo_hash,
    )
    ambiguous = await login(client, "1003")
    assert ambiguous.status_code == 400
    assert ambiguous.json()["error"]["code"] == "school_required"
    chosen = await client.post(
        "/api/session", json={"login": "1003", "password": "demo", "school": "north"}
    )
    assert chosen.json()["user"]["school"]["slug"] == "north"


@pytest.mark.parametrize("path", ["/healthz", "/api/me", "/openapi.json"])
async def test_every_response_carries_the_security_headers(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.get(path)
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "'unsafe-inline'" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"
    if path.startswith("/api/"):
        assert response.headers["cache-control"] == "no-store"


async def test_logins_are_not_case_sensitive(client: httpx.AsyncClient) -> None:
    response = await login(client, "Teacher1@Demo.School")
    assert response.status_code == 200
    assert response.json()["user"]["login"] == "teacher1@demo.school"


async def test_expired_sessions_are_purged(demo: Demo) -> None:
    headers = await demo.auth("1003")
    await demo.auth("1004")
    clock.advance(timedelta(hours=13))  # past the 12-hour session
    assert await purge_expired() == 2
    assert (await demo.client.get("/api/me", headers=headers)).status_code == 401
