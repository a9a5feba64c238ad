"""Shared fixtures: every database test runs on SQLite and on PostgreSQL.

Each backend gets a template database (migrated, Demo High School seeded) once per session;
each test gets a fresh copy of it: a file copy on SQLite, `CREATE DATABASE ... TEMPLATE` on
PostgreSQL. PostgreSQL tests skip when no server answers, except under CI=true, where they fail.

The suite runs on pytest-xdist workers, one per core (`-n auto`), unless the command line says
otherwise (`-n0` or `-p no:xdist`: in this process). Under xdist a "session" is one worker's, so
each worker builds its own templates (uniquely named) and everything a test makes is named or
placed per test: databases, Redis key prefixes or logical databases, ports, tmp_path.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any, TypeVar

import argon2
import asyncpg
import httpx
import pytest
from limits.aio import strategies as limits_strategies
from limits.aio.storage import memory as limits_memory
from starlette.applications import Starlette

from server import clock, db, runtime
from server.api.app import create_app
from server.auth import ratelimit
from server.auth.pass_marks import check_key
from server.auth.passwords import Passwords
from server.config import Settings
from server.demo import seed_demo
from server.models import Location, User
from server.runtime import Runtime
from tests.contract import checker

# The local OpenID Provider (tests/oidc/): the `oidc_provider` fixture.
pytest_plugins = ["tests.oidc.fixtures"]

PG_ADMIN_DSN = os.environ.get("HALLPASS_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
BASE_URL = "http://127.0.0.1:8000"
T = TypeVar("T")

# Argon2's cheapest profile keeps seeding and each test login to microseconds; the production
# parameters are exercised by tests/test_passwords.py. (Immutable: every runtime may use it.)
CHEAP_PASSWORDS = Passwords(argon2.PasswordHasher.from_parameters(argon2.profiles.CHEAPEST))


# Every test app's secret: the runtime outside the apps derives its pass check codes from it
# too, so a pass made by a service called directly reads the same as one made by a request,
# as in a deployment where every process has the one secret.
TEST_SECRET = "test-secret"


def cheap_runtime() -> Runtime:
    """Return a new runtime with cheap password hashing and the limits in memory."""
    return Runtime(passwords=CHEAP_PASSWORDS, check_key=check_key(TEST_SECRET))


@pytest.fixture(autouse=True)
def outside_apps() -> Iterator[Runtime]:
    """Give what a test runs outside any app (services it calls directly) a runtime of its own.

    A sync fixture, so that the test's loop and its async fixtures start in its context; an
    app's requests, sockets and lifespan run in the app's own runtime instead.
    """
    with runtime.using(cheap_runtime()) as made:
        yield made


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> None:
    """Distribute the tests over one xdist worker per core unless `-n` or a debugger is given."""
    # Here rather than `-n auto` in addopts, so that `-p no:xdist` (which removes the option)
    # still works. Runs before xdist's own hook, which turns "auto" into a number of workers.
    options = config.option
    if not config.pluginmanager.hasplugin("xdist") or hasattr(config, "workerinput"):
        return
    if getattr(options, "numprocesses", None) is not None or getattr(options, "tx", None):
        return
    if options.usepdb or options.collectonly or getattr(options, "dist", "no") != "no":
        return
    options.numprocesses = "auto"
    # Each module goes whole to one worker, so a browser module's server and Chromium start once
    # (module-scoped fixtures). "loadgroup" did not: pytest 9.2 keeps a test's id where
    # pytest-xdist 3.8 no longer adds the group, so every module was split over both workers.
    options.dist = "loadfile"


# The modules that take longest, longest first, by the paths their tests start with. They start
# first, and shorter tests fill in around them: the workers then finish at about the same time,
# rather than one running a long test alone at the end. (Whole modules move, in their order.)
LONG_FIRST = (
    "tests/test_concurrency.py",
    "tests/test_authorization.py",
    "tests/hub/test_cluster.py",
    "tests/test_properties.py",
    "tests/notify/test_cluster.py",
    "tests/test_emergency_race.py",
    "tests/test_schemathesis.py",
    "tests/browser/",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Put the tests of the longest modules first (every worker sorts alike: xdist checks)."""

    def rank(item: pytest.Item) -> int:
        path = item.path.relative_to(config.rootpath).as_posix()
        return next((n for n, p in enumerate(LONG_FIRST) if path.startswith(p)), len(LONG_FIRST))

    items.sort(key=rank)


# A test database need not survive a crash of the server: its commits return without waiting
# for the disk. (What other sessions see, and when, is the same: only durability changes.) A
# database's settings are not copied with it, so each copy gets this anew.
NO_SYNCHRONOUS_COMMIT = 'ALTER DATABASE "{name}" SET synchronous_commit = off'


def pg_dsn(database: str) -> str:
    """Return the DSN of a database on the test PostgreSQL server."""
    return PG_ADMIN_DSN.rsplit("/", 1)[0] + "/" + database


def tortoise_url(dsn: str) -> str:
    """Return a Tortoise URL for an asyncpg DSN."""
    return "postgres://" + dsn.split("://", 1)[1]


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion on its own loop in a worker thread.

    Session fixtures are set up from inside a test's running loop, where asyncio.run can't nest.
    """
    with ThreadPoolExecutor(1) as pool:
        # A thread starts with an empty context: give it the caller's (its runtime).
        return pool.submit(contextvars.copy_context().run, asyncio.run, coro).result()


async def pg_admin(sql: str) -> None:
    """Run one statement on the test server's admin database."""
    conn = await asyncpg.connect(PG_ADMIN_DSN, timeout=5)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def postgres_reason() -> str | None:
    """Return why PostgreSQL can't be used, or None when it answers."""
    try:
        run_sync(pg_admin("SELECT 1"))
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        return f"PostgreSQL at {PG_ADMIN_DSN} is not reachable ({exc.__class__.__name__}: {exc})"
    return None


def settings_for(url: str, data_dir: Path) -> Settings:
    """Return settings for a test app on the given database."""
    return Settings(
        data_dir=data_dir,
        database_url=url,
        redis_url=None,
        secret_key=TEST_SECRET,
        secure_cookies=True,
    )


async def _build_template(settings: Settings) -> None:
    await db.migrate(settings)
    await db.connect(settings)
    try:
        # Without its sections: a flow test must not depend on the hour the suite runs (in
        # period 2 student 1003 is in Room 102). tests/test_demo_timetable.py seeds them.
        with runtime.using(cheap_runtime()):  # built once per session, before any test's
            await seed_demo(timetable=False)
    finally:
        await db.disconnect()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the migrated, seeded SQLite file that each test copies."""
    folder = tmp_path_factory.mktemp("template")
    path = folder / "template.sqlite3"
    run_sync(_build_template(settings_for(f"sqlite://{path}", folder)))
    return path


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """Build the migrated, seeded PostgreSQL database each test clones."""
    reason = postgres_reason()
    if reason is not None:
        if IN_CI:
            pytest.fail(f"CI=true needs PostgreSQL: {reason}")
        pytest.skip(reason)
    name = f"hp_template_{uuid.uuid4().hex[:10]}"
    run_sync(pg_admin(f'CREATE DATABASE "{name}"'))
    run_sync(pg_admin(NO_SYNCHRONOUS_COMMIT.format(name=name)))
    run_sync(_build_template(settings_for(tortoise_url(pg_dsn(name)), Path("/tmp"))))
    yield name
    run_sync(pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


class Clones:
    """Copies of the template, made one test ahead and dropped after it, on a thread of their own.

    CREATE DATABASE and DROP DATABASE mostly wait on PostgreSQL's disk writes; made on this
    thread they overlap the tests instead of adding to them.
    """

    def __init__(self, template: str) -> None:
        self.template = template
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="pg-clones")
        self._next: Future[str] = self._thread.submit(asyncio.run, self._create())

    async def _create(self) -> str:
        name = f"hp_test_{uuid.uuid4().hex[:12]}"
        await pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        await pg_admin(NO_SYNCHRONOUS_COMMIT.format(name=name))
        return name

    def take(self) -> str:
        """Return a fresh copy of the template, and start making the next one."""
        ready, self._next = self._next, self._thread.submit(asyncio.run, self._create())
        return ready.result()

    def drop(self, name: str) -> None:
        """Drop a used copy (later, on the thread; its test has closed its connections)."""
        self._thread.submit(asyncio.run, pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def close(self) -> None:
        """Drop the copy made ahead and wait for every drop."""
        with contextlib.suppress(Exception):
            self.drop(self._next.result())
        self._thread.shutdown(wait=True)


@pytest.fixture(scope="session")
def postgres_clones(postgres_template: str) -> Iterator[Clones]:
    """Make and drop this worker's copies of the template."""
    clones = Clones(postgres_template)
    yield clones
    clones.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    """Name the database backend this test runs on."""
    return str(request.param)


@pytest.fixture
async def database_url(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[str]:
    """Return the URL of a fresh copy of the demo database on the test's backend."""
    if backend == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "hallpass.sqlite3"
        shutil.copyfile(template, path)
        yield f"sqlite://{path}"
        return
    clones: Clones = request.getfixturevalue("postgres_clones")
    name = await asyncio.to_thread(clones.take)
    try:
        yield tortoise_url(pg_dsn(name))
    finally:
        clones.drop(name)


@pytest.fixture
async def app(database_url: str, tmp_path: Path) -> AsyncIterator[Starlette]:
    """Return the app on a fresh demo database, with the ORM connected."""
    settings = settings_for(database_url, tmp_path)
    await db.connect(settings)
    try:
        yield create_app(settings, manage_database=False, runtime=cheap_runtime())
    finally:
        await db.disconnect()
        clock.reset()


@dataclass
class Demo:
    """A client of the demo school that signs in as anyone by login."""

    client: httpx.AsyncClient
    tokens: dict[str, str] = field(default_factory=dict)

    async def token(self, login: str, password: str = "demo") -> str:
        """Sign in (once per login) and return the bearer token."""
        if login not in self.tokens:
            response = await self.client.post(
                "/api/session", json={"login": login, "password": password}
            )
            assert response.status_code == 200, response.text
            self.tokens[login] = response.json()["token"]
        return self.tokens[login]

    async def auth(self, login: str) -> dict[str, str]:
        """Return the Authorization header of a user."""
        return {"Authorization": f"Bearer {await self.token(login)}"}

    async def post(self, login: str, path: str, body: object = None) -> httpx.Response:
        """POST as the user (JSON body when given)."""
        headers = await self.auth(login)
        if body is None:
            return await self.client.post(path, headers=headers)
        return await self.client.post(path, headers=headers, json=body)

    async def get(self, login: str, path: str) -> httpx.Response:
        """GET as the user."""
        return await self.client.get(path, headers=await self.auth(login))

    async def request_pass(self, login: str, destination: str) -> httpx.Response:
        """Ask for a pass to the named destination as a student."""
        return await self.post(
            login, "/api/passes", {"destination_id": await location_id(destination)}
        )


async def location_id(name: str) -> int:
    """Return the id of a demo location by name."""
    return (await Location.get(name=name, school__slug="demo")).id


async def user_id(login: str) -> int:
    """Return the id of a demo user by login."""
    return (await User.get(login=login, school__slug="demo")).id


@pytest.fixture(autouse=True)
def checked_responses(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[list[str]]:
    """Check every REST response the test receives against the OpenAPI document (tests/contract.py).

    A mismatch fails the test at teardown. A test that breaks the server on purpose (a fault
    injected, an answer the document can't promise) says so with `unchecked_responses`.
    """
    problems: list[str] = []
    if request.node.get_closest_marker("unchecked_responses") is not None:
        yield problems
        return

    def check(response: httpx.Response, stream: bool) -> None:
        if not stream:
            req = response.request
            problems.extend(
                checker().problems(
                    req.method,
                    req.url.path,
                    response.status_code,
                    response.content,
                    response.headers.get("content-type", ""),
                )
            )

    sync_send = httpx.Client.send
    async_send = httpx.AsyncClient.send

    def send(self: httpx.Client, req: httpx.Request, **kwargs: Any) -> httpx.Response:
        response = sync_send(self, req, **kwargs)
        check(response, kwargs.get("stream", False))
        return response

    async def asend(self: httpx.AsyncClient, req: httpx.Request, **kwargs: Any) -> httpx.Response:
        response = await async_send(self, req, **kwargs)
        check(response, kwargs.get("stream", False))
        return response

    monkeypatch.setattr(httpx.Client, "send", send)
    monkeypatch.setattr(httpx.AsyncClient, "send", asend)
    yield problems
    if problems:
        pytest.fail("responses that break the OpenAPI document:\n" + "\n".join(problems))


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """Return an HTTP client speaking to the app in process."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
        yield http


@pytest.fixture
def demo(client: httpx.AsyncClient) -> Demo:
    """Return a client of Demo High School."""
    return Demo(client)


class FakeClock:
    """The wall and monotonic clocks of the limiters, moved by hand."""

    def __init__(self) -> None:
        # On a whole hour: the limits' windows start on multiples of their length, so a test
        # that moves the clock by less than a window never crosses into the next by chance.
        self.now = 1_800_000_000.0

    def time(self) -> float:
        return self.now

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def limits_clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """Stop the clock of the in-memory counts and of the limiters; the test moves it."""
    clock = FakeClock()
    fake = SimpleNamespace(time=clock.time, monotonic=clock.monotonic)
    monkeypatch.setattr(limits_memory, "time", fake)
    monkeypatch.setattr(limits_strategies, "time", fake)
    monkeypatch.setattr(ratelimit, "time", fake)
    return clock
