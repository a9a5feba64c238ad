"""Every error anywhere is `{"error": {"code", "message"}}` (DESIGN.md section 4).

The code is a snake_case member of `server.errors.ErrorCode`, the message a non-empty sentence,
`details` optional, and the HTTP status is `STATUS[code]`: routing errors Starlette raises (unknown
path, wrong method), authentication, bodies, query strings and the pass rules alike.
`assert_error` is shared by the other API test modules, so every error they meet is checked too.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx
import pytest
from starlette.applications import Starlette

from server.api import locations
from server.api.routes import OPERATIONS
from server.auth.sessions import COOKIE_NAME
from server.enums import Role
from server.errors import STATUS, ErrorCode
from server.models import District, School, User
from tests.conftest import BASE_URL, CHEAP_PASSWORDS, Demo, location_id, user_id

SNAKE_CASE = re.compile(r"[a-z]+(_[a-z]+)*")
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
ADMIN = "admin@demo.school"


def assert_error(
    response: httpx.Response, status: int | None = None, code: ErrorCode | None = None
) -> ErrorCode:
    """Assert the response is the one error shape (and the status and code given); return it."""
    where = f"{response.request.method} {response.request.url.path} -> {response.status_code}"
    assert response.headers.get("content-type") == "application/json", where
    body = response.json()
    assert isinstance(body, dict), where
    assert set(body) == {"error"}, f"{where}: {body}"
    error = body["error"]
    assert isinstance(error, dict), f"{where}: {body}"
    assert set(error) in ({"code", "message"}, {"code", "message", "details"}), f"{where}: {body}"
    assert isinstance(error["code"], str), f"{where}: {body}"
    assert SNAKE_CASE.fullmatch(error["code"]), f"{where}: {body}"
    assert error["code"] in set(ErrorCode), f"{where}: unknown code {body}"
    assert isinstance(error["message"], str), f"{where}: {body}"
    assert error["message"].strip(), f"{where}: {body}"
    if "details" in error:
        assert isinstance(error["details"], dict), f"{where}: {body}"
        assert error["details"], f"{where}: {body}"
    actual = ErrorCode(error["code"])
    assert response.status_code == STATUS[actual], f"{where}: {body}"
    if status is not None:
        assert response.status_code == status, f"{where}: {body}"
    if code is not None:
        assert actual is code, f"{where}: {body}"
    return actual


def test_every_error_code_is_snake_case_with_an_error_status() -> None:
    assert set(STATUS) == set(ErrorCode)
    for code in ErrorCode:
        assert SNAKE_CASE.fullmatch(code.value), code
        assert 400 <= STATUS[code] < 500 or (code, STATUS[code]) in (
            (ErrorCode.INTERNAL_ERROR, 500),
            (ErrorCode.STORAGE_FULL, 503),
        ), code


def _example_path(path: str) -> str:
    # A policy row any school may have (grade 9), so body errors are reached.
    return path.replace("{id}", "1").replace("{scope}", "grade").replace("{target}", "9")


async def district_admin_of_demo() -> str:
    """Put Demo High School in a district with an administrator; return their login."""
    district = await District.create(name="Demo District", slug="demo-district")
    await School.filter(slug="demo").update(district_id=district.id)
    await User.create(
        school=await School.get(slug="demo"),
        role=Role.DISTRICT_ADMIN,
        login="district@demo.school",
        first_name="Dee",
        last_name="Strict",
        password_hash=await CHEAP_PASSWORDS.hash("demo"),
    )
    return "district@demo.school"


async def test_every_operation_answers_auth_body_and_id_errors_in_the_one_shape(
    demo: Demo,
) -> None:
    school_admin = await demo.auth(ADMIN)
    # The district's endpoints are a district administrator's: anyone else is refused (403)
    # before a body or an id is read, so theirs are checked as the one who may call them.
    district_admin = await demo.auth(await district_admin_of_demo())
    client = demo.client
    seen: set[ErrorCode] = set()
    by_path: dict[str, set[str]] = {}
    for op in OPERATIONS:
        by_path.setdefault(op.path, set()).add(op.method)
        path = _example_path(op.path)
        admin = district_admin if op.path.startswith("/api/district") else school_admin
        if op.authenticated:
            client.cookies.clear()
            for headers in (
                {},  # no token at all
                {"Authorization": "Bearer not-a-real-token"},  # a garbage token
                {"Authorization": "Bearer " + "x" * 5000},  # an absurdly long token
                {"Authorization": "Basic YWRtaW46ZGVtbw=="},  # another scheme
                {"Authorization": "Bearer "},  # the scheme without a token
                {"Cookie": f"{COOKIE_NAME}=garbage"},  # a garbage session cookie
            ):
                response = await client.request(op.method, path, headers=headers)
                seen.add(assert_error(response, 401, ErrorCode.NOT_AUTHENTICATED))
        if op.request is not None:
            for content, content_type, status in (
                (b"{", "application/json", 400),  # malformed JSON
                (b"{}", "text/plain", 415),  # not JSON at all
                (b"[" + b"1," * 40_000 + b"1]", "application/json", 413),  # over 64 KiB
                (b'{"unknown": 1}', "application/json", 422),  # fails validation
            ):
                response = await client.request(
                    op.method,
                    path,
                    content=content,
                    headers={**admin, "Content-Type": content_type},
                )
                seen.add(assert_error(response, status))
        if op.path_params:
            bad_path = op.path
            for param in op.path_params:
                bad_path = bad_path.replace(f"{{{param}}}", "abc")
            response = await client.request(op.method, bad_path, headers=admin)
            seen.add(assert_error(response, 404, ErrorCode.NOT_FOUND))
    for path, methods in by_path.items():
        admin = district_admin if path.startswith("/api/district") else school_admin
        for method in sorted(set(METHODS) - methods):
            response = await client.request(method, _example_path(path), headers=admin)
            seen.add(assert_error(response, 405, ErrorCode.METHOD_NOT_ALLOWED))
            assert "allow" in response.headers
    assert seen >= {
        ErrorCode.NOT_AUTHENTICATED,
        ErrorCode.MALFORMED_JSON,
        ErrorCode.UNSUPPORTED_MEDIA_TYPE,
        ErrorCode.PAYLOAD_TOO_LARGE,
        ErrorCode.VALIDATION_ERROR,
        ErrorCode.NOT_FOUND,
        ErrorCode.METHOD_NOT_ALLOWED,
    }


def allowed(response: httpx.Response) -> list[str]:
    """Return the methods a 405's Allow header names, in its order."""
    return [method.strip() for method in response.headers.get("allow", "").split(",")]


async def test_a_wrong_method_is_405_with_allow_naming_every_method_of_the_path(
    demo: Demo,
) -> None:
    # Allow named only one operation's method of a path with several (#13.8): RFC 9110 15.5.6.
    admin = await demo.auth(ADMIN)
    by_path: dict[str, set[str]] = {}
    for op in OPERATIONS:
        by_path.setdefault(op.path, set()).add(op.method)
    # The app's pages and files take GET (and so HEAD) only.
    expected = {**by_path, "/": {"GET"}, "/passes/1": {"GET"}, "/manifest.webmanifest": {"GET"}}
    failures: list[str] = []
    for path, methods in expected.items():
        allow = sorted(methods | ({"HEAD"} if "GET" in methods else set()))
        for method in sorted(set(METHODS) - methods):
            response = await demo.client.request(method, _example_path(path), headers=admin)
            assert_error(response, 405, ErrorCode.METHOD_NOT_ALLOWED)
            if allowed(response) != allow:
                failures.append(f"{method} {path}: Allow {allowed(response)}, expected {allow}")
    assert not failures, "\n".join(failures)


# A bug's 500 is documented nowhere (no operation promises one): it is what is checked here.
@pytest.mark.unchecked_responses
async def test_an_unexpected_exception_is_a_500_in_the_one_shape_that_tells_nothing(
    app: Starlette, demo: Demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Broken:
        @staticmethod
        def filter(*args: object, **kwargs: object) -> None:
            raise RuntimeError("secret internals")

    headers = await demo.auth(ADMIN)
    monkeypatch.setattr(locations, "Location", Broken)
    # Starlette re-raises after answering 500, for the server's log; a client sees the answer.
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        response = await client.get("/api/locations", headers=headers)
    assert_error(response, 500, ErrorCode.INTERNAL_ERROR)
    assert "secret" not in response.text
    assert "RuntimeError" not in response.text


UNKNOWN_PATHS = [
    # ("/" and the app's pages, /passes/12 or /admin, are the PWA's shell: tests/test_pwa_files.py)
    "/nope",  # an unknown top-level path
    "/passes",  # near an app page (/passes/{id}), but not one
    "/assets/nothing.js",  # a file the app's build doesn't have
    "/api",  # the API prefix alone
    "/api/pass",  # a near miss of /api/passes
    "/api/passes/1/fly",  # an unknown verb
    "/api/passes/1/end/again",  # a path below a verb
    "/API/ME",  # paths are case-sensitive
]


async def test_unknown_paths_answer_not_found_in_the_one_shape(demo: Demo) -> None:
    admin = await demo.auth(ADMIN)
    for path in UNKNOWN_PATHS:
        for headers in ({}, admin):
            response = await demo.client.get(path, headers=headers)
            assert_error(response, 404, ErrorCode.NOT_FOUND)


@dataclass(frozen=True)
class Scenario:
    """Steps that end in one request, and the error that request must answer."""

    name: str
    code: ErrorCode
    run: Callable[[Demo], Awaitable[httpx.Response]]


async def _forbidden(demo: Demo) -> httpx.Response:
    # A student may not schedule a pass for later.
    return await demo.post(
        "1003",
        "/api/passes",
        {"destination_id": await location_id("Library"), "start_at": "2030-01-01T10:00:00Z"},
    )


async def _invalid_transition(demo: Demo) -> httpx.Response:
    created = (await demo.request_pass("1003", "Library")).json()
    await demo.post("1003", f"/api/passes/{created['id']}/end")
    return await demo.post("1003", f"/api/passes/{created['id']}/end")


async def _already_out(demo: Demo) -> httpx.Response:
    await demo.request_pass("1003", "Library")
    return await demo.request_pass("1003", "Restroom North")


async def _blocked(demo: Demo) -> httpx.Response:
    await demo.request_pass("1001", "Library")
    # Staff are told that a rule holds the student (the student is put in line instead).
    return await demo.post(
        "teacher1@demo.school",
        "/api/passes",
        {
            "destination_id": await location_id("Restroom North"),
            "student_id": await user_id("1002"),
        },
    )


async def _blocked_on_approval(demo: Demo) -> httpx.Response:
    pending = (await demo.request_pass("1002", "Nurse")).json()
    await demo.request_pass("1001", "Library")
    return await demo.post("teacher1@demo.school", f"/api/passes/{pending['id']}/approve")


async def _not_a_destination(demo: Demo) -> httpx.Response:
    return await demo.request_pass("1003", "Room 102")


async def _no_home_room(demo: Demo) -> httpx.Response:
    school = await School.get(slug="demo")
    await User.create(
        school=school,
        role=Role.STUDENT,
        login="1099",
        first_name="New",
        last_name="Arrival",
        password_hash=await CHEAP_PASSWORDS.hash("demo"),
    )
    return await demo.request_pass("1099", "Library")


async def _passes_disabled(demo: Demo) -> httpx.Response:
    await School.filter(slug="demo").update(passes_enabled=False)
    return await demo.request_pass("1003", "Library")


async def _idempotency_conflict(demo: Demo) -> httpx.Response:
    key = {"idempotency_key": "tap-0001"}
    await demo.post("1003", "/api/passes", {"destination_id": await location_id("Library"), **key})
    return await demo.post(
        "1003", "/api/passes", {"destination_id": await location_id("Restroom North"), **key}
    )


async def _not_found_student(demo: Demo) -> httpx.Response:
    return await demo.post(
        "teacher1@demo.school",
        "/api/passes",
        {"destination_id": await location_id("Library"), "student_id": 999_999},
    )


async def _validation_query(demo: Demo) -> httpx.Response:
    return await demo.get(ADMIN, "/api/passes?limit=0")


async def _invalid_credentials(demo: Demo) -> httpx.Response:
    return await demo.client.post("/api/session", json={"login": "1003", "password": "wrong"})


async def _rate_limited(demo: Demo) -> httpx.Response:
    for _ in range(10):
        await demo.client.post("/api/session", json={"login": "1003", "password": "wrong"})
    return await demo.client.post("/api/session", json={"login": "1003", "password": "wrong"})


async def _school_required(demo: Demo) -> httpx.Response:
    other = await School.create(name="Second School", slug="second")
    await User.create(
        school=other,
        role=Role.STUDENT,
        login="1003",
        first_name="Same",
        last_name="Login",
        password_hash=await CHEAP_PASSWORDS.hash("demo"),
    )
    return await demo.client.post("/api/session", json={"login": "1003", "password": "demo"})


async def _origin_not_allowed(demo: Demo) -> httpx.Response:
    return await demo.client.post(
        "/api/session",
        json={"login": "1003", "password": "demo"},
        headers={"Origin": "https://evil.example"},
    )


async def _csrf_failed(demo: Demo) -> httpx.Response:
    # A cookie-authenticated change without the X-CSRF-Token header.
    token = await demo.token("1003")
    demo.client.cookies.clear()
    return await demo.client.post(
        "/api/passes", json={"destination_id": 1}, headers={"Cookie": f"{COOKIE_NAME}={token}"}
    )


async def _cookie_from_another_site(demo: Demo) -> httpx.Response:
    token = await demo.token("1003")
    demo.client.cookies.clear()
    return await demo.client.get(
        "/api/me", headers={"Cookie": f"{COOKIE_NAME}={token}", "Origin": "https://evil.example"}
    )


async def _logged_out_token(demo: Demo) -> httpx.Response:
    headers = await demo.auth("1003")
    await demo.client.delete("/api/session", headers=headers)
    return await demo.client.get("/api/me", headers=headers)


async def _foreign_student_id(demo: Demo) -> httpx.Response:
    # The id of a user who is not a student: staff can't issue a pass "for" a teacher.
    return await demo.post(
        ADMIN,
        "/api/passes",
        {
            "destination_id": await location_id("Library"),
            "student_id": await user_id("teacher2@demo.school"),
        },
    )


SCENARIOS = [
    Scenario("a student schedules a pass", ErrorCode.FORBIDDEN, _forbidden),
    Scenario("ending an ended pass", ErrorCode.INVALID_TRANSITION, _invalid_transition),
    Scenario("a second open pass", ErrorCode.ALREADY_OUT, _already_out),
    Scenario("an encounter group member is out", ErrorCode.BLOCKED, _blocked),
    Scenario("approving while an encounter member is out", ErrorCode.BLOCKED, _blocked_on_approval),
    Scenario("a classroom as destination", ErrorCode.NOT_A_DESTINATION, _not_a_destination),
    Scenario("a student without a classroom", ErrorCode.NO_HOME_ROOM, _no_home_room),
    Scenario("passes switched off", ErrorCode.PASSES_DISABLED, _passes_disabled),
    Scenario(
        "one idempotency key for two passes", ErrorCode.IDEMPOTENCY_CONFLICT, _idempotency_conflict
    ),
    Scenario("an unknown student id", ErrorCode.NOT_FOUND, _not_found_student),
    Scenario("a teacher's id as student_id", ErrorCode.NOT_FOUND, _foreign_student_id),
    Scenario("?limit=0", ErrorCode.VALIDATION_ERROR, _validation_query),
    Scenario("a wrong password", ErrorCode.INVALID_CREDENTIALS, _invalid_credentials),
    Scenario("the 11th wrong password in a row", ErrorCode.RATE_LIMITED, _rate_limited),
    Scenario("a login two schools share", ErrorCode.SCHOOL_REQUIRED, _school_required),
    Scenario("signing in from another site", ErrorCode.ORIGIN_NOT_ALLOWED, _origin_not_allowed),
    Scenario("a cookie request without CSRF token", ErrorCode.CSRF_FAILED, _csrf_failed),
    Scenario(
        "a cookie request from another site",
        ErrorCode.ORIGIN_NOT_ALLOWED,
        _cookie_from_another_site,
    ),
    Scenario("a logged-out token", ErrorCode.NOT_AUTHENTICATED, _logged_out_token),
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
async def test_errors_of_the_rules_and_of_auth_use_the_one_shape(
    demo: Demo, scenario: Scenario
) -> None:
    response = await scenario.run(demo)
    assert_error(response, code=scenario.code)
    if scenario.code is ErrorCode.RATE_LIMITED:
        assert int(response.headers["retry-after"]) >= 1
