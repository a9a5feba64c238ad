"""Signing in: passwords, bearer tokens, the session cookie with CSRF and Origin checks."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import pytest
from starlette.applications import Starlette

from server import clock
from server.api.app import create_app
from server.auth.ratelimit import LOGIN_FREE_FAILURES, UNKNOWN_LOGINS_PER_ADDRESS, Counters
from server.auth.sessions import COOKIE_NAME, purge_expired
from server.enums import Role
from server.models import School, User
from server.runtime import Runtime
from tests.conftest import BASE_URL, CHEAP_PASSWORDS, Demo, location_id
from tests.hub.conftest import IN_CI, REDIS_URL, redis_reason


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


async def test_a_few_failures_hold_that_login_for_a_while_even_with_the_right_password(
    client: httpx.AsyncClient,
) -> None:
    for _ in range(LOGIN_FREE_FAILURES):
        assert (await login(client, "1003", "guess")).status_code == 401
    locked = await login(client, "1003", "demo")
    assert locked.status_code == 429
    assert locked.json()["error"]["code"] == "rate_limited"
    assert int(locked.headers["retry-after"]) > 0
    assert (await login(client, "1004", "demo")).status_code == 200  # others unaffected


async def from_address(app: Starlette, address: str) -> httpx.AsyncClient:
    """Return a client whose requests come from this address."""
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url=BASE_URL)


async def test_a_spray_of_made_up_logins_from_one_address_locks_nobody_out(
    app: Starlette,
) -> None:
    """A school behind one NAT address: an attacker among them can't keep the others out."""
    async with await from_address(app, "203.0.113.7") as school:
        for i in range(UNKNOWN_LOGINS_PER_ADDRESS.amount + 5):
            assert (await login(school, f"made-up-{i}", "guess")).status_code in (401, 429)
        sprayed = await login(school, "made-up-again", "guess")
        assert sprayed.status_code == 429  # the spray itself is held
        assert sprayed.json()["error"]["code"] == "rate_limited"
        for who in ("teacher1@demo.school", "1003", "admin@demo.school"):
            assert (await login(school, who)).status_code == 200, who
        assert (await login(school, "1004", "typo")).status_code == 401  # a real login: checked


async def test_a_logins_failures_count_from_every_address(app: Starlette) -> None:
    for n in range(LOGIN_FREE_FAILURES):
        async with await from_address(app, f"198.51.100.{n}") as guesser:
            assert (await login(guesser, "1003", "guess")).status_code == 401
    async with await from_address(app, "192.0.2.1") as owner:
        assert (await login(owner, "1003")).status_code == 429


@pytest.mark.parametrize(
    "spelling",
    [
        "teacher2@demo.\u017fchool",  # a long s: PostgreSQL's upper() made it an S
        "TEACHER2@DEMO.SCHOOL",
        "\uff54eacher2@demo.school",  # a full-width t
        " teacher2@demo.school ",
    ],
)
async def test_every_spelling_of_a_login_is_that_login(
    client: httpx.AsyncClient, spelling: str
) -> None:
    signed_in = await login(client, spelling)
    assert signed_in.status_code == 200
    assert signed_in.json()["user"]["login"] == "teacher2@demo.school"


async def test_every_spelling_of_a_login_counts_on_one_limit(client: httpx.AsyncClient) -> None:
    spellings = ["teacher2@demo.\u017fchool", "Teacher2@Demo.School", "teacher2@demo.school"]
    for n in range(LOGIN_FREE_FAILURES):
        assert (await login(client, spellings[n % 3], "guess")).status_code == 401
    assert (await login(client, "teacher2@demo.school")).status_code == 429


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


async def twin_in_another_school(password_hash: str | None = None) -> None:
    """Give login 1003 to a student of a second school (the demo's password unless told)."""
    other = await School.create(name="North Middle School", slug="north")
    await User.create(
        school=other,
        role=Role.STUDENT,
        login="1003",
        first_name="Zed",
        last_name="Quinn",
        password_hash=password_hash or (await User.get(login="1003")).password_hash,
    )


async def test_a_login_in_two_schools_needs_the_school(client: httpx.AsyncClient) -> None:
    await twin_in_another_school()
    ambiguous = await login(client, "1003")
    assert ambiguous.status_code == 400
    assert ambiguous.json()["error"]["code"] == "school_required"
    chosen = await client.post(
        "/api/session", json={"login": "1003", "password": "demo", "school": "north"}
    )
    assert chosen.json()["user"]["school"]["slug"] == "north"


async def test_a_wrong_password_for_a_login_in_two_schools_is_just_wrong_and_counted(
    client: httpx.AsyncClient,
) -> None:
    await twin_in_another_school()
    for _ in range(LOGIN_FREE_FAILURES):
        wrong = await login(client, "1003", "guess")
        assert wrong.status_code == 401  # not school_required: that would say the login exists
        assert wrong.json()["error"]["code"] == "invalid_credentials"
    assert (await login(client, "1003")).status_code == 429


async def test_a_password_that_opens_one_of_two_accounts_signs_into_that_one(
    client: httpx.AsyncClient,
) -> None:
    await twin_in_another_school(await CHEAP_PASSWORDS.hash("north-only"))
    north = await login(client, "1003", "north-only")
    assert north.status_code == 200
    assert north.json()["user"]["school"]["slug"] == "north"
    assert (await login(client, "1003")).json()["user"]["school"]["slug"] == "demo"


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


@pytest.mark.redis
async def test_with_redis_failures_on_one_worker_hold_the_login_on_another(
    app: Starlette,
) -> None:
    """Two app instances (two workers) on one database and one Redis share the limits."""
    reason = redis_reason()
    if reason is not None:
        if IN_CI:
            pytest.fail(f"CI=true needs Redis: {reason}")
        pytest.skip(reason)
    prefix = f"hallpass-test:{uuid.uuid4().hex}"  # this test's keys only
    settings = app.state.hallpass.settings  # the fixture's app only opened the database
    workers = [
        create_app(
            settings,
            manage_database=False,
            runtime=Runtime(
                passwords=CHEAP_PASSWORDS, counters=Counters(REDIS_URL, key_prefix=prefix)
            ),
        )
        for _ in range(2)
    ]
    try:
        for n in range(LOGIN_FREE_FAILURES):
            async with await from_address(workers[n % 2], "192.0.2.9") as client:
                assert (await login(client, "1003", "guess")).status_code == 401
        for worker in workers:
            async with await from_address(worker, "192.0.2.10") as client:
                assert (await login(client, "1003")).status_code == 429
    finally:
        for worker in workers:
            await worker.state.hallpass.runtime.counters.shared.reset()
            await worker.state.hallpass.close()
