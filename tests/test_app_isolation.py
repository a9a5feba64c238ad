"""Two apps in one process share nothing: hooks, emergency listeners, passwords, limits (#14).

Each app owns its runtime (server/runtime.py). These tests run two apps on one database, as
two workers of one deployment would, and act through one of them only.
"""

from __future__ import annotations

import contextvars
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import argon2
import httpx
import pytest
from starlette.applications import Starlette

from server import runtime
from server.api.app import create_app
from server.auth.passwords import Passwords
from server.auth.ratelimit import LOGIN_FREE_FAILURES
from server.models import PassEvent, School, User
from server.runtime import Runtime
from tests.conftest import BASE_URL, CHEAP_PASSWORDS, Demo, settings_for

ADMIN = "admin@demo.school"
SECURITY = "monitor@demo.school"
# Another cheap profile, told apart from the test suite's by its memory cost.
OTHER_PASSWORDS = Passwords(argon2.PasswordHasher(time_cost=1, memory_cost=16, parallelism=1))


def runtime_of(app: Starlette) -> Runtime:
    """Return the runtime an app owns."""
    owned: Runtime = app.state.hallpass.runtime
    return owned


@pytest.fixture
async def other(
    app: Starlette, database_url: str, tmp_path: Path
) -> AsyncIterator[tuple[Starlette, Demo]]:
    """Return a second app on the `app` fixture's database, and a client of it."""
    made = create_app(
        settings_for(database_url, tmp_path),
        manage_database=False,
        runtime=Runtime(passwords=OTHER_PASSWORDS),
    )
    transport = httpx.ASGITransport(app=made)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        yield made, Demo(client)


async def test_an_after_commit_hook_fires_only_for_its_own_apps_commits(
    app: Starlette, demo: Demo, other: tuple[Starlette, Demo]
) -> None:
    second, second_demo = other
    seen: dict[str, list[str]] = {"first": [], "second": []}

    def recorder(name: str) -> Any:
        async def record(school: School, events: Sequence[PassEvent]) -> None:
            seen[name].extend(e.name for e in events)

        return record

    remove_first = runtime_of(app).after_commit.add(recorder("first"))
    remove_second = runtime_of(second).after_commit.add(recorder("second"))
    try:
        assert (await second_demo.request_pass("1003", "Library")).status_code == 201
        assert seen == {"first": [], "second": ["pass.created"]}
        assert (await demo.request_pass("1004", "Library")).status_code == 201
        assert seen == {"first": ["pass.created"], "second": ["pass.created"]}
    finally:
        remove_first()
        remove_second()


async def test_each_apps_hub_listens_to_its_own_app_only(
    app: Starlette, other: tuple[Starlette, Demo]
) -> None:
    second, _ = other
    first_runtime, second_runtime = runtime_of(app), runtime_of(second)
    async with app.router.lifespan_context(app):
        assert (len(first_runtime.after_commit), len(second_runtime.after_commit)) == (1, 0)
        assert len(first_runtime.emergency_listeners) == 1
        async with second.router.lifespan_context(second):
            assert (len(first_runtime.after_commit), len(second_runtime.after_commit)) == (1, 1)
            assert len(second_runtime.emergency_listeners) == 1
        assert (len(first_runtime.after_commit), len(second_runtime.after_commit)) == (1, 0)
        assert len(second_runtime.emergency_listeners) == 0
    assert len(first_runtime.after_commit) == len(first_runtime.emergency_listeners) == 0


async def test_an_emergency_listener_hears_only_its_own_apps_emergencies(
    app: Starlette, demo: Demo, other: tuple[Starlette, Demo]
) -> None:
    second, second_demo = other
    heard: dict[str, list[bool]] = {"first": [], "second": []}

    def listener(name: str) -> Any:
        async def hear(school_id: int, state: dict[str, Any]) -> None:
            heard[name].append(bool(state["active"]))

        return hear

    remove_first = runtime_of(app).emergency_listeners.add(listener("first"))
    remove_second = runtime_of(second).emergency_listeners.add(listener("second"))
    try:
        started = await second_demo.post(SECURITY, "/api/emergency", {"kind": "lockdown"})
        assert started.status_code == 201, started.text
        assert heard == {"first": [], "second": [True]}
        ended = await demo.client.delete("/api/emergency", headers=await demo.auth(ADMIN))
        assert ended.status_code == 200, ended.text
        assert heard == {"first": [False], "second": [True]}
    finally:
        remove_first()
        remove_second()


async def test_a_login_held_by_one_app_is_not_held_by_the_other(
    demo: Demo, other: tuple[Starlette, Demo]
) -> None:
    _, second_demo = other
    for _ in range(LOGIN_FREE_FAILURES):
        wrong = await demo.client.post("/api/session", json={"login": "1003", "password": "x"})
        assert wrong.status_code == 401
    right = {"login": "1003", "password": "demo"}
    assert (await demo.client.post("/api/session", json=right)).status_code == 429
    # Without Redis each app counts in its own memory: the other never saw those failures.
    assert (await second_demo.client.post("/api/session", json=right)).status_code == 200


async def test_each_app_hashes_new_passwords_with_its_own_profile(
    demo: Demo, other: tuple[Starlette, Demo]
) -> None:
    _, second_demo = other
    for client, login, passwords in (
        (demo, "1031", CHEAP_PASSWORDS),
        (second_demo, "1032", OTHER_PASSWORDS),
    ):
        body = {
            "login": login,
            "first_name": "Nora",
            "last_name": "Quinn",
            "role": "student",
            "password": "s3cret-enough",
            "student_number": login,
            "grade": 9,
        }
        created = await client.post(ADMIN, "/api/users", body)
        assert created.status_code == 201, created.text
        stored = await User.get(id=created.json()["id"])
        params = argon2.extract_parameters(stored.password_hash or "")
        assert params.memory_cost == passwords.hasher.memory_cost
    assert CHEAP_PASSWORDS.hasher.memory_cost != OTHER_PASSWORDS.hasher.memory_cost


def test_outside_any_app_there_is_no_runtime_to_fall_back_on() -> None:
    # A fresh context: no app, no `using` block (not even the test suite's own).
    with pytest.raises(RuntimeError, match="no Hallpass runtime"):
        contextvars.Context().run(runtime.current)
