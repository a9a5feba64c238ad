"""Two real `hallpass serve` processes on one PostgreSQL database and one Redis: `/ws` clients on
either process see every change made through either, through kills, reconnects, Redis cuts and
a Redis restart.

Most tests lease a Redis logical database of their own on the shared server (the servers' stream
keys are fixed, `hallpass:events:{school}`), flush it before and after, and cut only the
connections the servers opened to it (`CLIENT KILL ID`). The chaos test runs a `redis-server`
of its own, so that it can also kill and restart Redis itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import shutil
import signal
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import pytest
import redis.asyncio
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from tests.conftest import IN_CI, pg_admin, pg_dsn, tortoise_url
from tests.servers import free_port, hallpass_command, stop, wait_until_healthy

CHAOS_RUNS: Final = int(os.environ.get("HALLPASS_CHAOS_RUNS", "1"))
BURST_SECONDS: Final = 8.0
SETTLE_SECONDS: Final = 15.0  # how long the clients may take to catch up after the burst
ADMIN_NAME: Final = "hallpass-cluster-test"  # this test's own Redis connection
SERVER_CLIENT_NAME: Final = "hallpass"  # RedisStreamsBroker's default client name
STUDENTS: Final = [str(n) for n in (*range(1003, 1013), *range(1016, 1026))]
STAFF: Final = [
    "admin@demo.school",
    "teacher1@demo.school",
    "teacher2@demo.school",
    "nurse@demo.school",
    "monitor@demo.school",
]
DESTINATIONS: Final = ["Restroom North", "Restroom South", "Library", "Main Office", "Nurse"]
VERBS: Final = ["approve", "deny", "cancel", "arrive", "end"]
# Who watches, and through which process (0 = A, 1 = B) each starts.
WATCHERS: Final = [
    ("monitor@demo.school", 0),
    ("admin@demo.school", 1),
    ("teacher1@demo.school", 0),
    ("teacher2@demo.school", 1),
    ("nurse@demo.school", 0),
    ("1003", 1),
    ("1016", 0),
    ("monitor@demo.school", 1),
]

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


# ---------------------------------------------------------------------------------------------
# Redis: a logical database per test


def redis_db_url(base: str, number: int) -> str:
    """Return the Redis URL with its logical database replaced."""
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"/{number}"))


# Logical databases 1-15 are lent to one test at a time, through a lease key in database 0
# (SET NX with an expiry, so a crashed run's lease lapses): tests on parallel xdist workers, or
# in another checkout's run on the same server, never flush each other's streams.
DB_LEASE: Final = "hallpass-test:cluster-db:"
DB_LEASE_SECONDS: Final = 900


async def lease_logical_database(base: str) -> tuple[int, str]:
    """Return (number, token) of a logical database 1-15 leased to this test; wait for one."""
    token = uuid.uuid4().hex
    admin = redis.asyncio.Redis.from_url(redis_db_url(base, 0))
    try:
        async with asyncio.timeout(DB_LEASE_SECONDS):
            while True:
                for number in random.sample(range(1, 16), 15):
                    if await admin.set(f"{DB_LEASE}{number}", token, nx=True, ex=DB_LEASE_SECONDS):
                        return number, token
                await asyncio.sleep(0.5)
    finally:
        await admin.aclose()


async def release_logical_database(base: str, number: int, token: str) -> None:
    """End this test's lease of a logical database (only if it is still this test's)."""
    admin = redis.asyncio.Redis.from_url(redis_db_url(base, 0))
    try:
        key = f"{DB_LEASE}{number}"
        if await admin.get(key) == token.encode():
            await admin.delete(key)
    finally:
        await admin.aclose()


@pytest.fixture
async def cluster_redis(redis_url: str) -> AsyncIterator[tuple[str, int]]:
    """Return (url, db number) of a Redis logical database flushed before and after the test."""
    number, token = await lease_logical_database(redis_url)
    url = redis_db_url(redis_url, number)
    admin = redis.asyncio.Redis.from_url(url)
    try:
        await admin.flushdb()
        yield url, number
    finally:
        with contextlib.suppress(redis.RedisError, OSError):
            await admin.flushdb()
        await admin.aclose()
        await release_logical_database(redis_url, number, token)


@dataclass
class RedisServer:
    """A `redis-server` of the test's own, without persistence, that it may kill and restart."""

    binary: str
    folder: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Return its URL (logical database 0)."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start it on its port (again, after a kill) and wait until it answers."""
        self.process = subprocess.Popen(
            [
                *(self.binary, "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", str(self.folder)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.2, socket_timeout=0.5)
        deadline = time.monotonic() + 10
        try:
            while True:
                try:
                    client.ping()
                    return
                except (redis.RedisError, OSError):
                    if time.monotonic() > deadline or self.process.poll() is not None:
                        raise RuntimeError(f"redis-server did not start on {self.port}") from None
                    time.sleep(0.05)
        finally:
            client.close()

    def kill(self) -> None:
        """SIGKILL it: every connection drops, and what it held is gone."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """Run a private redis-server; skip without the binary (fail under CI=true)."""
    binary = shutil.which("redis-server")
    if binary is None:
        reason = "redis-server is not installed: the test stops and restarts a Redis of its own"
        if IN_CI:
            pytest.fail(f"CI=true needs it: {reason}")
        pytest.skip(reason)
    folder = tmp_path / "redis"
    folder.mkdir()
    server = RedisServer(binary, folder)
    server.start()
    try:
        yield server
    finally:
        server.kill()


async def cut_server_connections(url: str, number: int) -> int:
    """Kill every server connection to the test's logical database; return how many."""
    admin = redis.asyncio.Redis.from_url(url, decode_responses=True)
    try:
        await admin.client_setname(ADMIN_NAME)
        clients: list[dict[str, Any]] = await admin.client_list(_type="normal")
        killed = 0
        for client in clients:
            if client.get("name") == SERVER_CLIENT_NAME and str(client.get("db")) == str(number):
                with contextlib.suppress(redis.ResponseError):
                    await admin.client_kill_filter(_id=str(client["id"]))
                    killed += 1
        return killed
    finally:
        await admin.aclose()


# ---------------------------------------------------------------------------------------------
# Server processes


@dataclass
class Cluster:
    """Two `hallpass serve` processes on one database and one Redis."""

    database_url: str
    redis_url: str
    tmp_path: Path
    ports: list[int] = field(default_factory=list)
    processes: list[subprocess.Popen[bytes] | None] = field(default_factory=list)
    starts: int = 0

    def env(self) -> dict[str, str]:
        """Return the servers' environment."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("HALLPASS_")}
        env.update(
            HALLPASS_DATABASE_URL=self.database_url,
            HALLPASS_REDIS_URL=self.redis_url,
            HALLPASS_DATA_DIR=str(self.tmp_path / "var"),
            HALLPASS_SECRET_KEY="cluster-test-secret",
            HALLPASS_DEMO_TIMETABLE="0",  # the same flow at any hour
        )
        return env

    def url(self, n: int) -> str:
        """Return the HTTP base URL of process n."""
        return f"http://127.0.0.1:{self.ports[n]}"

    def ws(self, n: int) -> str:
        """Return the WebSocket URL of process n."""
        return f"ws://127.0.0.1:{self.ports[n]}/ws"

    def start(self, n: int) -> None:
        """Start process n (on its old port when restarting) and wait until it is healthy."""
        while len(self.ports) <= n:
            self.ports.append(free_port())
            self.processes.append(None)
        self.starts += 1
        log = self.tmp_path / f"server{n}-{self.starts}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [*hallpass_command(), "serve", "--host", "127.0.0.1", "--port", str(self.ports[n])],
                env=self.env(),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.processes[n] = process
        wait_until_healthy(process, self.url(n), log)

    def alive(self, n: int) -> bool:
        """Say whether process n runs."""
        process = self.processes[n]
        return process is not None and process.poll() is None

    def kill(self, n: int) -> None:
        """SIGKILL process n."""
        process = self.processes[n]
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=15)

    def stop_all(self) -> None:
        """Stop every process."""
        for process in self.processes:
            if process is not None:
                stop(process)


@pytest.fixture
def cluster(database_url: str, cluster_redis: tuple[str, int], tmp_path: Path) -> Iterator[Cluster]:
    """Run processes A and B (one after the other: migrations must not race)."""
    made = Cluster(database_url, cluster_redis[0], tmp_path)
    try:
        made.start(0)
        made.start(1)
        yield made
    finally:
        made.stop_all()


async def sign_in(http: httpx.AsyncClient, login: str) -> str:
    """Return a bearer token of the demo user."""
    response = await http.post("/api/session", json={"login": login, "password": "demo"})
    assert response.status_code == 200, response.text
    token: str = response.json()["token"]
    return token


async def recv(ws: ClientConnection, within: float, *, school: bool = False) -> dict[str, Any]:
    """Receive one frame as JSON, waiting at most `within` seconds (`school` frames skipped
    unless asked for)."""
    async with asyncio.timeout(within):
        while True:
            frame: dict[str, Any] = json.loads(await ws.recv())
            if school or frame.get("type") != "school":
                return frame


async def school_seq(database_url: str) -> tuple[int, str]:
    """Return the demo school's (event_seq, epoch) from the database."""
    conn = await asyncpg.connect(database_url, timeout=5)
    try:
        row = await conn.fetchrow("SELECT event_seq, epoch FROM schools WHERE slug = 'demo'")
        assert row is not None
        return int(row["event_seq"]), str(row["epoch"])
    finally:
        await conn.close()


# ---------------------------------------------------------------------------------------------
# 1. A change through B reaches a client of A


@pytest.mark.timeout(180)
@pytest.mark.parametrize("backend", ["postgres"])
async def test_a_client_on_one_process_sees_a_change_made_through_another(
    cluster: Cluster,
) -> None:
    async with (
        httpx.AsyncClient(base_url=cluster.url(0)) as a,
        httpx.AsyncClient(base_url=cluster.url(1)) as b,
    ):
        monitor = await sign_in(a, "monitor@demo.school")
        student = await sign_in(b, "1003")
        locations = await b.get("/api/locations", headers={"Authorization": f"Bearer {student}"})
        assert locations.status_code == 200, locations.text
        restroom = next(loc["id"] for loc in locations.json() if loc["name"] == "Restroom North")
        ws = await connect(cluster.ws(0))
        try:
            await ws.send(json.dumps({"type": "hello", "token": monitor}))
            first = await recv(ws, 5)
            assert first["type"] == "snapshot", first
            # No wait for A's broker reader: the school's feed subscribed (fixing where the
            # reader starts, the stream's top) before the snapshot was sent.
            started = time.monotonic()
            response = await b.post(
                "/api/passes",
                json={"destination_id": restroom},
                headers={"Authorization": f"Bearer {student}"},
            )
            assert response.status_code == 201, response.text
            created = response.json()
            frame = await recv(ws, 5)
            elapsed = time.monotonic() - started
            assert frame["type"] == "event", frame
            assert frame["name"] == "pass.created"
            assert frame["pass"]["id"] == created["id"]
            assert frame["seq"] > first["seq"]
            print(f"pass.created reached A's client {elapsed:.3f}s after B was asked")
            assert elapsed < 1.0, f"the event took {elapsed:.3f}s"
        finally:
            await ws.close()


@pytest.mark.timeout(180)
@pytest.mark.parametrize("backend", ["postgres"])
async def test_a_room_moved_between_teachers_rescopes_their_sockets_on_every_process(
    cluster: Cluster,
) -> None:
    async with (
        httpx.AsyncClient(base_url=cluster.url(0)) as a,
        httpx.AsyncClient(base_url=cluster.url(1)) as b,
    ):
        admin = {"Authorization": f"Bearer {await sign_in(a, 'admin@demo.school')}"}
        student = {"Authorization": f"Bearer {await sign_in(b, '1003')}"}
        places = (await a.get("/api/locations", headers=admin)).json()
        room = next(p for p in places if p["name"] == "Room 101")
        library = next(p["id"] for p in places if p["name"] == "Library")
        users = (await a.get("/api/users?role=teacher", headers=admin)).json()["users"]
        teacher1, teacher2 = (
            next(u["id"] for u in users if u["login"] == f"teacher{n}@demo.school") for n in (1, 2)
        )
        out = await b.post("/api/passes", json={"destination_id": library}, headers=student)
        assert out.status_code == 201, out.text
        # The teacher losing the room watches through B, the one gaining it through A.
        losing, gaining = await connect(cluster.ws(1)), await connect(cluster.ws(0))
        try:
            firsts = []
            for ws, login in ((losing, "teacher1@demo.school"), (gaining, "teacher2@demo.school")):
                token = await sign_in(a, login)
                await ws.send(json.dumps({"type": "hello", "token": token}))
                firsts.append(await recv(ws, 5))
            assert [[p["id"] for p in f["passes"]] for f in firsts] == [[out.json()["id"]], []]
            staff = [i for i in room["staff_ids"] if i != teacher1] + [teacher2]
            started = time.monotonic()
            moved = await a.patch(
                f"/api/locations/{room['id']}", json={"staff_ids": staff}, headers=admin
            )
            assert moved.status_code == 200, moved.text
            lost, gained = await recv(losing, 2), await recv(gaining, 2)
            elapsed = time.monotonic() - started
            assert (lost["type"], lost["passes"]) == ("snapshot", [])
            assert (gained["type"], [p["id"] for p in gained["passes"]]) == (
                "snapshot",
                [out.json()["id"]],
            )
            print(f"both sockets were re-scoped {elapsed:.3f}s after the change")
            assert elapsed < 1.0, f"re-scoping took {elapsed:.3f}s"
            ended = await b.post(f"/api/passes/{out.json()['id']}/end", headers=student)
            assert ended.status_code == 200, ended.text
            assert (await recv(gaining, 5))["name"] == "pass.ended"
            with pytest.raises(TimeoutError):
                await recv(losing, 1.5)  # no longer its room
        finally:
            await losing.close()
            await gaining.close()


# ---------------------------------------------------------------------------------------------
# 2. Chaos


@dataclass
class Connected:
    """What one WebSocket connection received."""

    process: int
    resumed: bool
    lo: int = 0  # events above this are what the connection owes (snapshot seq or since)
    hi: int = 0  # the highest seq it vouched for (ready seq or an event's)
    seqs: list[int] = field(default_factory=list)
    live: bool = False  # got its snapshot or ready


@dataclass
class Watcher:
    """A WebSocket client with a reference reducer: snapshot, then upsert by pass id."""

    login: str
    token: str
    home: int
    state: dict[int, dict[str, Any]] = field(default_factory=dict)
    seq: int | None = None
    epoch: str | None = None
    connections: list[Connected] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    snapshots: int = 0

    def apply(self, frame: dict[str, Any], conn: Connected) -> None:
        """Fold one server frame into the state, checking the order of seqs."""
        kind = frame.get("type")
        if kind == "snapshot":
            if conn.live or conn.seqs:
                self.errors.append(f"{self.login}: snapshot mid-stream {frame['seq']}")
            self.state = {p["id"]: p for p in frame["passes"]}
            self.seq, self.epoch = frame["seq"], frame["epoch"]
            conn.lo = conn.hi = frame["seq"]
            conn.live = True
            self.snapshots += 1
        elif kind == "ready":
            if frame["epoch"] != self.epoch or frame["seq"] < conn.hi:
                self.errors.append(f"{self.login}: ready {frame} after seq {conn.hi}")
            conn.hi = max(conn.hi, frame["seq"])
            self.seq = conn.hi
            conn.live = True
        elif kind == "event":
            seq = frame["seq"]
            if seq <= conn.hi:
                self.errors.append(f"{self.login}: event seq {seq} after {conn.hi} (dup/order)")
            conn.seqs.append(seq)
            conn.hi = max(conn.hi, seq)
            self.seq = conn.hi
            self.state[frame["pass"]["id"]] = frame["pass"]
        elif kind == "error":
            self.errors.append(f"{self.login}: error frame {frame}")

    def hello(self) -> dict[str, Any]:
        """Return the hello frame: a resume when there is something to resume from."""
        frame: dict[str, Any] = {"type": "hello", "token": self.token}
        if self.seq is not None and self.epoch is not None:
            frame.update(since=self.seq, epoch=self.epoch)
        return frame

    @property
    def current(self) -> Connected | None:
        """Return the latest connection."""
        return self.connections[-1] if self.connections else None


async def watch(watcher: Watcher, cluster: Cluster, stop_at: asyncio.Event, chaos: bool) -> None:
    """Keep the watcher connected until told to stop, dropping it at random while `chaos`."""
    rng = random.Random()
    process = watcher.home
    while not stop_at.is_set():
        if not cluster.alive(process):
            process = 0
        conn = Connected(process, resumed=watcher.seq is not None)
        if watcher.seq is not None:
            conn.lo = conn.hi = watcher.seq
        try:
            ws = await connect(cluster.ws(process), open_timeout=3)
        except (OSError, InvalidHandshake, TimeoutError):
            process = rng.choice([0, 1])
            await asyncio.sleep(0.05)
            continue
        watcher.connections.append(conn)
        drop_after = rng.uniform(0.3, 2.5) if chaos else None
        started = time.monotonic()
        try:
            await ws.send(json.dumps(watcher.hello()))
            while not stop_at.is_set():
                if drop_after is not None and time.monotonic() - started > drop_after:
                    break
                try:
                    frame = await recv(ws, 0.1)
                except TimeoutError:
                    continue
                watcher.apply(frame, conn)
        except ConnectionClosed:
            pass
        finally:
            await ws.close()
        if stop_at.is_set():
            return
        # Resume where it was, or on the other process (B may be down: then A).
        process = rng.choice([0, 1])


@dataclass
class Burst:
    """Random transitions by random users through random processes."""

    cluster: Cluster
    tokens: dict[str, str]
    destinations: dict[str, int]
    pass_ids: list[tuple[int, str]] = field(default_factory=list)  # (id, student login)
    statuses: dict[int, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    async def one(self, http: list[httpx.AsyncClient], rng: random.Random) -> None:
        """Make one random request."""
        n = rng.choice([0, 1])
        if not self.cluster.alive(n):
            n = 0
        roll = rng.random()
        if roll < 0.4 or not self.pass_ids:
            login = rng.choice(STUDENTS)
            path = "/api/passes"
            body: dict[str, Any] | None = {
                "destination_id": self.destinations[rng.choice(DESTINATIONS)]
            }
        elif roll < 0.6:
            # A student acts on a pass of their own.
            pass_id, login = rng.choice(self.pass_ids[-20:])
            path = f"/api/passes/{pass_id}/{rng.choice(['cancel', 'arrive', 'end'])}"
            body = None
        else:
            login = rng.choice(STAFF)
            pass_id, _ = rng.choice(self.pass_ids[-20:])
            path = f"/api/passes/{pass_id}/{rng.choice(VERBS)}"
            body = None
        headers = {"Authorization": f"Bearer {self.tokens[login]}"}
        try:
            response = await http[n].post(path, json=body, headers=headers, timeout=5)
        except httpx.TransportError:
            return  # B was killed mid-request
        self.statuses[response.status_code] = self.statuses.get(response.status_code, 0) + 1
        if response.status_code >= 500:
            self.failures.append(
                f"{path} as {login} on {n}: {response.status_code} {response.text}"
            )
        if response.status_code == 201:
            self.pass_ids.append((response.json()["id"], login))

    async def run(self, seconds: float, workers: int = 4) -> None:
        """Make requests from several workers for `seconds`."""
        async with (
            httpx.AsyncClient(base_url=self.cluster.url(0)) as a,
            httpx.AsyncClient(base_url=self.cluster.url(1)) as b,
        ):
            deadline = time.monotonic() + seconds

            async def worker(seed: int) -> None:
                rng = random.Random(seed)
                while time.monotonic() < deadline:
                    await self.one([a, b], rng)
                    await asyncio.sleep(rng.uniform(0.0, 0.05))

            await asyncio.gather(*(worker(random.randrange(1 << 30)) for _ in range(workers)))


async def chaos_monkey(cluster: Cluster, redis_server: RedisServer, log: list[str]) -> None:
    """Cut Redis connections, SIGKILL-restart B, and SIGKILL-restart Redis, mid-burst."""
    await asyncio.sleep(1.0)
    log.append(f"cut {await cut_server_connections(redis_server.url, 0)} redis connections")
    await asyncio.sleep(1.0)
    cluster.kill(1)
    log.append("killed B")
    await asyncio.sleep(0.5)
    await asyncio.to_thread(cluster.start, 1)
    log.append("restarted B")
    await asyncio.sleep(1.0)
    redis_server.kill()
    log.append("killed Redis")
    await asyncio.sleep(0.5)
    await asyncio.to_thread(redis_server.start)  # empty: no persistence, the streams are gone
    log.append("restarted Redis")
    await asyncio.sleep(1.0)
    log.append(f"cut {await cut_server_connections(redis_server.url, 0)} redis connections")


async def fresh(cluster: Cluster, token: str, hello: dict[str, Any]) -> list[dict[str, Any]]:
    """Connect anew to A, say hello, and return the frames up to the snapshot or ready."""
    ws = await connect(cluster.ws(0))
    frames: list[dict[str, Any]] = []
    try:
        await ws.send(json.dumps({"type": "hello", "token": token, **hello}))
        while True:
            frame = await recv(ws, 5)
            frames.append(frame)
            if frame["type"] in ("snapshot", "ready", "error"):
                return frames
    finally:
        await ws.close()


async def one_chaos_run(cluster: Cluster, redis_server: RedisServer, run: int) -> str:
    """Run one burst with chaos and check every watcher; return a summary line."""
    started = time.monotonic()
    if not cluster.alive(1):
        cluster.start(1)
    async with httpx.AsyncClient(base_url=cluster.url(0)) as a:
        tokens = {login: await sign_in(a, login) for login in [*STAFF, *STUDENTS]}
        response = await a.get(
            "/api/locations", headers={"Authorization": f"Bearer {tokens['1003']}"}
        )
        assert response.status_code == 200, response.text
        destinations = {loc["name"]: loc["id"] for loc in response.json()}
    # Every pass of this run ends open or today's; end the open ones left from an earlier run?
    # Not needed: the snapshot filter keeps them, and so does every reducer.
    watchers = [Watcher(login, tokens[login], home) for login, home in WATCHERS]
    stop_at = asyncio.Event()
    tasks = [asyncio.create_task(watch(w, cluster, stop_at, chaos=True)) for w in watchers]
    chaos_log: list[str] = []
    burst = Burst(cluster, tokens, destinations)
    try:
        await asyncio.sleep(0.5)
        await asyncio.gather(
            burst.run(BURST_SECONDS), chaos_monkey(cluster, redis_server, chaos_log)
        )
        # Calm: each watcher reconnects once more without dropping, and must catch up.
        stop_at.set()
        await asyncio.gather(*tasks)
        stop_at = asyncio.Event()
        tasks = [asyncio.create_task(watch(w, cluster, stop_at, chaos=False)) for w in watchers]
        final, epoch = await school_seq(cluster.database_url)
        # What each user is entitled to: a replay of the whole log, scoped to the user.
        entitled: dict[str, list[int]] = {}
        for login in {w.login for w in watchers}:
            frames = await fresh(cluster, tokens[login], {"since": 0, "epoch": epoch})
            assert frames[-1]["type"] == "ready", (login, frames[-1])
            entitled[login] = [f["seq"] for f in frames if f["type"] == "event"]
        deadline = time.monotonic() + SETTLE_SECONDS
        while time.monotonic() < deadline:
            if all(
                w.current is not None
                and w.current.live
                and (w.seq or 0) >= max(entitled[w.login], default=0)
                for w in watchers
            ):
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)  # nothing else may come
        stop_at.set()
        await asyncio.gather(*tasks)
    finally:
        stop_at.set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    assert not burst.failures, burst.failures
    problems: list[str] = []
    for w in watchers:
        problems.extend(w.errors)
        if (w.seq or 0) < max(entitled[w.login], default=0):
            problems.append(
                f"{w.login}: stuck at seq {w.seq}, entitled up to {entitled[w.login][-1]}"
            )
        owed = entitled[w.login]
        for n, conn in enumerate(w.connections):
            expected = [s for s in owed if conn.lo < s <= conn.hi]
            if conn.seqs != expected:
                missing = sorted(set(expected) - set(conn.seqs))
                extra = sorted(set(conn.seqs) - set(expected))
                problems.append(
                    f"{w.login} connection {n} on {'AB'[conn.process]} "
                    f"({'resume' if conn.resumed else 'new'} ({conn.lo}, {conn.hi}]): "
                    f"missing {missing} unexpected {extra}"
                )
        frames = await fresh(cluster, w.token, {})
        assert frames[-1]["type"] == "snapshot", frames[-1]
        truth = {p["id"]: (p["state"], p["version"]) for p in frames[-1]["passes"]}
        mine = {i: (p["state"], p["version"]) for i, p in w.state.items()}
        if mine != truth:
            diff = {
                i: (mine.get(i), truth.get(i))
                for i in set(mine) | set(truth)
                if mine.get(i) != truth.get(i)
            }
            problems.append(f"{w.login}: state differs from a fresh snapshot (mine, truth): {diff}")
    assert not problems, "\n".join([f"run {run}: {chaos_log}", *problems])
    connections = sum(len(w.connections) for w in watchers)
    resumed = sum(c.resumed and c.live for w in watchers for c in w.connections)
    delivered = sum(len(c.seqs) for w in watchers for c in w.connections)
    return (
        f"run {run}: seq {final}, {len(burst.pass_ids)} passes, "
        f"statuses {sorted(burst.statuses.items())}, "
        f"{connections} connections ({resumed} resumed), {delivered} events delivered, "
        f"{chaos_log}, {time.monotonic() - started:.1f}s"
    )


@asynccontextmanager
async def fresh_cluster(
    template: str, redis_info: tuple[str, int], tmp_path: Path
) -> AsyncIterator[Cluster]:
    """Run A and B on a new copy of the demo database and an emptied Redis database."""
    name = f"hp_test_{uuid.uuid4().hex[:12]}"
    await pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    admin = redis.asyncio.Redis.from_url(redis_info[0])
    made = Cluster(tortoise_url(pg_dsn(name)), redis_info[0], tmp_path)
    try:
        await admin.flushdb()
        await asyncio.to_thread(made.start, 0)
        await asyncio.to_thread(made.start, 1)
        yield made
    finally:
        await asyncio.to_thread(made.stop_all)
        await admin.aclose()
        await pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.timeout(120 + 60 * CHAOS_RUNS)
async def test_chaos_every_client_ends_equal_to_a_fresh_snapshot(
    postgres_template: str, own_redis: RedisServer, tmp_path: Path
) -> None:
    # Each run starts from a fresh demo database: the students' daily limits would soon
    # refuse most requests of later runs on one database.
    for run in range(CHAOS_RUNS):
        folder = tmp_path / f"run{run}"
        folder.mkdir()
        async with fresh_cluster(postgres_template, (own_redis.url, 0), folder) as cluster:
            print(await one_chaos_run(cluster, own_redis, run))
