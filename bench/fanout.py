"""WebSocket fan-out: time until all N clients have a pass change, and memory per client.

N WebSocket clients (in worker processes) sign in to ONE `hallpass serve` subprocess as
sessions of monitor@demo.school, who sees every pass. A demo student then requests a restroom
pass and ends it over HTTP; per change, the bench times from just before the HTTP request until
the last client has the change's event frame. The same clients are then pointed at a baseline:
a bare `websockets` server (this file, run with --baseline-server) that broadcast()s a frame of
the same size when a control connection sends one. It also reads the server's VmRSS before and
after connecting N idle clients. With `--roster`, Demo High School first gets a district's
roster and its students a class that meets now (bench/rostered.py), so each change places the
student against ~100,000 enrollments. Only 127.0.0.1 is used; the test suite never runs this.
See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import resource
import secrets
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection as Pipe
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.asyncio.server import ServerConnection, broadcast, serve
from websockets.exceptions import ConnectionClosed

from server import db
from server.auth.sessions import token_hash
from server.config import Settings
from server.demo import seed_demo
from server.models import Location, Session, User
from server.runtime import Runtime, using

sys.path.insert(0, str(Path(__file__).resolve().parent))
from transitions import (  # bench/ is not a package
    DEFAULT_PG_ADMIN_DSN,
    HOST,
    free_port,
    percentile,
    pg_admin,
    pg_dsn,
    running_server,
    stop_server,
    wait_until_up,
)

if TYPE_CHECKING:
    from server.roster.records import Roster

MONITOR = "monitor@demo.school"
STUDENTS = [str(1001 + i) for i in range(30)]  # the demo roster
MAX_CLIENTS = 10_000
MAX_CHANGES = 200
CHANGE_TIMEOUT = 30.0  # one change must reach every client within this
CONNECT_TIMEOUT = 30.0  # per connection (handshake + hello + first frame)
CONNECT_SECONDS = 300.0  # all N connections
GAP_SECONDS = 0.3  # quiet time between changes, so that they never overlap
IDLE_SECONDS = 5.0  # server CPU is read over this long with every client connected and idle
HANDSHAKES_IN_FLIGHT = 25  # per worker
REDIS_DB = 11


# ---------------------------------------------------------------- client worker processes


@dataclass
class _Tally:
    """Per seq, how many of this worker's clients have it, and when the last one got it."""

    expected: int = 0
    counts: dict[int, int] = field(default_factory=dict)


def worker_main(index: int, pipe: Pipe) -> None:
    """Run one client worker: connect on command, report when all its clients have a seq."""
    resource.setrlimit(resource.RLIMIT_NOFILE, raise_nofile())
    asyncio.run(_worker(index, pipe))


def raise_nofile() -> tuple[int, int]:
    """Return the RLIMIT_NOFILE with the soft limit raised to the hard limit."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    return hard, hard


async def _worker(index: int, pipe: Pipe) -> None:
    loop = asyncio.get_running_loop()
    commands: asyncio.Queue[Any] = asyncio.Queue()
    loop.add_reader(pipe.fileno(), lambda: commands.put_nowait(pipe.recv()))
    sockets: list[ClientConnection] = []
    readers: list[asyncio.Task[None]] = []
    tally = _Tally()

    async def read(ws: ClientConnection) -> None:
        with suppress(ConnectionClosed):
            async for raw in ws:
                now = time.monotonic()
                frame = json.loads(raw)
                if frame.get("type") != "event":
                    continue
                seq = int(frame["seq"])
                count = tally.counts.get(seq, 0) + 1
                if count >= tally.expected:
                    tally.counts.pop(seq, None)
                    pipe.send(("seq", index, seq, now, len(raw)))
                else:
                    tally.counts[seq] = count

    async def open_one(url: str, hello: str, gate: asyncio.Semaphore) -> ClientConnection | None:
        async with gate:
            try:
                async with asyncio.timeout(CONNECT_TIMEOUT):
                    ws = await connect(
                        url,
                        compression=None,
                        ping_interval=None,
                        max_size=2**22,
                        open_timeout=CONNECT_TIMEOUT,
                    )
                    await ws.send(hello)
                    first = json.loads(await ws.recv())
            except (OSError, TimeoutError, ConnectionClosed) as exc:
                print(f"worker {index}: connect failed: {exc!r}", file=sys.stderr, flush=True)
                return None
            if first.get("type") not in ("snapshot", "ready"):
                await ws.close()
                return None
            return ws

    while True:
        command = await commands.get()
        kind = command[0]
        if kind == "connect":
            _, url, hellos = command
            gate = asyncio.Semaphore(HANDSHAKES_IN_FLIGHT)
            opened = await asyncio.gather(*(open_one(url, h, gate) for h in hellos))
            fresh = [ws for ws in opened if ws is not None]
            sockets.extend(fresh)
            tally.expected = len(sockets)
            tally.counts.clear()
            readers.extend(asyncio.create_task(read(ws)) for ws in fresh)
            pipe.send(("connected", index, len(fresh)))
        elif kind == "close":
            for task in readers:
                task.cancel()
            await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
            await asyncio.gather(*readers, return_exceptions=True)
            sockets.clear()
            readers.clear()
            tally.expected = 0
            pipe.send(("closed", index, 0))
        elif kind == "clock":
            pipe.send(("clock", index, time.monotonic()))
        elif kind == "exit":
            return


class Workers:
    """The client worker processes and the pipe to each."""

    def __init__(self, count: int) -> None:
        context = multiprocessing.get_context("spawn")
        self.pipes: list[Pipe] = []
        self.procs = []
        for i in range(count):
            parent, child = context.Pipe()
            proc = context.Process(target=worker_main, args=(i, child), daemon=True)
            proc.start()
            self.pipes.append(parent)
            self.procs.append(proc)
        self.done: dict[int, list[float]] = {}  # seq -> time each worker had it everywhere
        self.sizes: list[int] = []  # bytes of each event frame reported

    def _recv(self, pipe: Pipe, timeout: float) -> tuple[Any, ...]:
        if not pipe.poll(timeout):
            raise TimeoutError("a client worker did not answer")
        message: tuple[Any, ...] = pipe.recv()
        return message

    def _await(self, kind: str, timeout: float) -> list[float]:
        """Wait for every worker's `kind` answer, filing seq reports that come meanwhile."""
        deadline = time.monotonic() + timeout
        answers: list[float] = []
        for pipe in self.pipes:
            while True:
                message = self._recv(pipe, max(0.0, deadline - time.monotonic()))
                if message[0] == "seq":
                    self._file(message)
                    continue
                if message[0] != kind:
                    raise RuntimeError(f"unexpected worker message {message}")
                answers.append(message[2])
                break
        return answers

    def _file(self, message: Any) -> None:
        _, _index, seq, at, size = message
        self.done.setdefault(seq, []).append(at)
        self.sizes.append(size)

    def connect(self, url: str, hellos: list[str]) -> int:
        """Spread the hellos over the workers, connect them all; return how many made it."""
        k = len(self.pipes)
        for i, pipe in enumerate(self.pipes):
            pipe.send(("connect", url, hellos[i::k]))
        return int(sum(self._await("connected", CONNECT_SECONDS)))

    def close(self) -> None:
        """Close every client connection."""
        for pipe in self.pipes:
            pipe.send(("close",))
        self._await("closed", 120.0)
        self.done.clear()

    def check_clock(self) -> float:
        """Check that the workers' time.monotonic() is the parent's; return the worst skew."""
        worst = 0.0
        for pipe in self.pipes:
            before = time.monotonic()
            pipe.send(("clock",))
            (at,) = self._await_one(pipe, "clock")
            after = time.monotonic()
            if not before <= at <= after:
                raise RuntimeError("time.monotonic() is not shared by the processes")
            worst = max(worst, after - before)
        return worst

    def _await_one(self, pipe: Pipe, kind: str) -> list[float]:
        while True:
            message = self._recv(pipe, 10.0)
            if message[0] == "seq":
                self._file(message)
            elif message[0] == kind:
                return [message[2]]

    def reached_all(self, seq: int, timeout: float) -> float:
        """Wait until every worker has seq on all its clients; return the last such time."""
        deadline = time.monotonic() + timeout
        while len(self.done.get(seq, [])) < len(self.pipes):
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"seq {seq} did not reach every client in {timeout:.0f}s")
            for pipe in self.pipes:
                if pipe.poll(min(left, 0.01)):
                    self._file(pipe.recv())
        return max(self.done.pop(seq))

    def stop(self) -> None:
        """End the worker processes."""
        for pipe in self.pipes:
            with suppress(OSError):
                pipe.send(("exit",))
        for proc in self.procs:
            proc.join(10)
            if proc.is_alive():
                proc.kill()


# ---------------------------------------------------------------- the baseline server


def baseline_server(port: int) -> None:
    """Serve the baseline: hello -> snapshot, and a control client's frames broadcast to all."""
    with suppress(ImportError):
        import uvloop  # uvicorn runs hallpass on uvloop: give the baseline the same loop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    resource.setrlimit(resource.RLIMIT_NOFILE, raise_nofile())
    clients: set[ServerConnection] = set()

    async def handler(ws: ServerConnection) -> None:
        hello = json.loads(await ws.recv())
        if hello.get("type") == "control":
            async for frame in ws:
                broadcast(clients, frame)
            return
        await ws.send(json.dumps({"type": "snapshot", "epoch": "x", "seq": 0, "passes": []}))
        clients.add(ws)
        try:
            await ws.wait_closed()
        finally:
            clients.discard(ws)

    async def run() -> None:
        async with serve(
            handler,
            HOST,
            port,
            compression=None,
            max_size=65536,
            ping_interval=20.0,
            ping_timeout=20.0,
        ) as server:
            await server.serve_forever()

    asyncio.run(run())


# ---------------------------------------------------------------- hallpass side


@dataclass
class Hallpass:
    """The prepared database and the tokens the bench needs."""

    settings: Settings
    monitor_tokens: list[str]
    student_tokens: list[str]
    restroom_id: int


async def prepare(settings: Settings, clients: int, roster: Roster | None = None) -> Hallpass:
    """Migrate, seed the demo school, and insert sessions (no sign-in, no rate limit).

    With a roster, import it into the demo school and seat its students in classes that meet
    now, Room 101's with teacher1 and Room 102's with teacher2 (bench/rostered.py).
    """
    await db.migrate(settings)
    await db.connect(settings)
    try:
        with using(Runtime()):  # outside the server's app: a runtime of its own
            await seed_demo()
        if roster is not None:
            from rostered import Seating, roster_school  # imports tests/: only with --roster

            half = len(STUDENTS) // 2
            seatings = [
                Seating("Room 101", "teacher1@demo.school", tuple(STUDENTS[:half])),
                Seating("Room 102", "teacher2@demo.school", tuple(STUDENTS[half:])),
            ]
            await roster_school("demo", roster, seatings)
        expires = datetime.now(UTC) + timedelta(hours=12)
        monitor = await User.get(login=MONITOR)
        students = [await User.get(login=login) for login in STUDENTS]
        monitor_tokens = [secrets.token_urlsafe(32) for _ in range(clients)]
        student_tokens = [secrets.token_urlsafe(32) for _ in students]
        rows = [
            Session(
                token_hash=token_hash(t),
                csrf_token=secrets.token_urlsafe(32),
                user_id=monitor.id,
                expires_at=expires,
            )
            for t in monitor_tokens
        ]
        rows += [
            Session(
                token_hash=token_hash(t),
                csrf_token=secrets.token_urlsafe(32),
                user_id=s.id,
                expires_at=expires,
            )
            for t, s in zip(student_tokens, students, strict=True)
        ]
        await Session.bulk_create(rows, batch_size=1000)
        restroom = await Location.get(name="Restroom North", school_id=monitor.school_id)
    finally:
        await db.disconnect()
    return Hallpass(settings, monitor_tokens, student_tokens, restroom.id)


def rss_kib(pid: int) -> int:
    """Return a process's resident set size in KiB, from /proc/<pid>/status."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


@dataclass
class Measure:
    """One target's numbers at one N."""

    target: str
    clients: int
    connected: int
    latencies_ms: list[float]
    kib_per_client: float
    frame_bytes: int
    load: float
    connect_seconds: float
    idle_cores: float
    # The server's CPU time over the timed changes, per change (for the baseline, per broadcast).
    cpu_ms_per_change: float

    def line(self) -> str:
        """Format as one line."""
        lat = self.latencies_ms
        return (
            f"{self.target:<10} N={self.clients:<5} connected={self.connected:<5} "
            f"p50={percentile(lat, 0.5):8.1f} ms  p99={percentile(lat, 0.99):8.1f} ms  "
            f"max={max(lat, default=float('nan')):8.1f} ms  n={len(lat):<3} "
            f"{self.kib_per_client:6.1f} KiB/client  frame={self.frame_bytes} B  "
            f"connect={self.connect_seconds:.1f}s  idle CPU={self.idle_cores:.2f} cores  "
            f"CPU/change={self.cpu_ms_per_change:.1f} ms  load={self.load:.2f}"
        )


def cpu_seconds(pid: int) -> float:
    """Return the CPU time (user + system) a process has used, from /proc/<pid>/stat."""
    rest = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(rest[11]) + int(rest[12])) / os.sysconf("SC_CLK_TCK")


def idle_rss(pids: list[int], before: int, clients: int) -> tuple[float, float]:
    """Return KiB per client (RSS growth over `clients` idle connections) and idle CPU cores."""
    time.sleep(2.0)  # let the handshakes' garbage go
    kib = (sum(rss_kib(p) for p in pids) - before) / max(1, clients)
    used = sum(cpu_seconds(p) for p in pids)
    time.sleep(IDLE_SECONDS)
    cores = (sum(cpu_seconds(p) for p in pids) - used) / IDLE_SECONDS
    return kib, cores


async def measure_hallpass(
    hp: Hallpass,
    workers: Workers,
    clients: int,
    changes: int,
    ports: list[int],
    procs: list[subprocess.Popen[bytes]],
    log_path: Path,
    label: str,
) -> tuple[Measure, list[str]]:
    """Connect the clients to the server(s), then time `changes` pass changes."""
    bases = [f"http://{HOST}:{p}" for p in ports]
    async with httpx.AsyncClient(base_url=bases[0], timeout=30.0, trust_env=False) as http:
        for base, proc in zip(bases, procs, strict=True):
            async with httpx.AsyncClient(base_url=base, trust_env=False) as probe:
                await wait_until_up(probe, proc, log_path)
        hello = [json.dumps({"type": "hello", "token": t}) for t in hp.monitor_tokens[:clients]]
        # Warm up the code paths (a few connections and one change) before reading RSS.
        urls = [f"ws://{HOST}:{p}/ws" for p in ports]
        for url in urls:
            workers.connect(url, hello[:8])
        workers.close()
        pids = [p.pid for p in procs]
        before = sum(rss_kib(p) for p in pids)
        began = time.monotonic()
        connected = 0
        share = (clients + len(urls) - 1) // len(urls)
        for i, url in enumerate(urls):
            connected += await asyncio.to_thread(
                workers.connect, url, hello[i * share : (i + 1) * share]
            )
        connect_seconds = time.monotonic() - began
        per_client, idle_cores = idle_rss(pids, before, connected)
        load = os.getloadavg()[0]
        print(
            f"{label}: {connected} clients connected in {connect_seconds:.1f}s; "
            f"timing {changes} changes (server pid {' '.join(map(str, pids))})",
            flush=True,
        )
        names: list[str] = []
        http_ms: list[float] = []
        workers.sizes.clear()
        latencies: list[float] = []
        seq = await current_seq(http, hp.student_tokens[0])
        cpu_before = sum(cpu_seconds(p) for p in pids)
        for i in range(changes):
            student = {"Authorization": f"Bearer {hp.student_tokens[(i // 2) % len(STUDENTS)]}"}
            if i % 2 == 0:
                start = time.monotonic()
                response = await http.post(
                    "/api/passes", headers=student, json={"destination_id": hp.restroom_id}
                )
                pass_id = response.json().get("id") if response.status_code == 201 else None
            else:
                start = time.monotonic()
                response = await http.post(f"/api/passes/{pass_id}/end", headers=student)
            http_ms.append((time.monotonic() - start) * 1000)
            if response.status_code not in (200, 201):
                raise RuntimeError(
                    f"{label}: change {i} failed: {response.status_code} {response.text[:300]}"
                )
            # Every change logs at least one event; wait until all clients have it before asking
            # the server for its seq, so that the probe (a WebSocket and a snapshot) does not
            # compete with the fan-out it is timing. A change may log more than one event
            # (an end that lets someone out of line): wait for each of them too.
            done = await asyncio.to_thread(workers.reached_all, seq + 1, CHANGE_TIMEOUT)
            new = await current_seq(http, hp.student_tokens[0])
            for s in range(seq + 2, new + 1):
                done = max(done, await asyncio.to_thread(workers.reached_all, s, CHANGE_TIMEOUT))
            names.append(f"{new - seq}")
            seq = new
            latencies.append((done - start) * 1000)
            await asyncio.sleep(GAP_SECONDS)
        cpu_ms = (sum(cpu_seconds(p) for p in pids) - cpu_before) * 1000 / changes
        await asyncio.to_thread(workers.close)
    frame = int(sum(workers.sizes) / max(1, len(workers.sizes)))
    print(
        f"{label}: the HTTP call alone (response received): p50 "
        f"{percentile(http_ms, 0.5):.1f} ms, p99 {percentile(http_ms, 0.99):.1f} ms",
        flush=True,
    )
    measure = Measure(
        label,
        clients,
        connected,
        latencies,
        per_client,
        frame,
        load,
        connect_seconds,
        idle_cores,
        cpu_ms,
    )
    return measure, names


async def current_seq(http: httpx.AsyncClient, token: str) -> int:
    """Return the school's event seq, read from a short-lived WebSocket's snapshot."""
    url = str(http.base_url).replace("http://", "ws://").rstrip("/") + "/ws"
    async with connect(url, compression=None, ping_interval=None, max_size=2**24) as ws:
        await ws.send(json.dumps({"type": "hello", "token": token}))
        first = json.loads(await ws.recv())
    return int(first["seq"])


def start_baseline(port: int, log_path: Path) -> subprocess.Popen[bytes]:
    """Start the baseline server (this file, --baseline-server) in its own process group."""
    with log_path.open("wb") as log:
        return subprocess.Popen(
            [sys.executable, __file__, "--baseline-server", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


async def measure_baseline(
    workers: Workers, clients: int, changes: int, frame_bytes: int, workdir: Path
) -> Measure:
    """The same clients and timing against the bare websockets server."""
    port = free_port()
    log_path = workdir / f"baseline-{clients}.log"
    proc = start_baseline(port, log_path)
    try:
        url = f"ws://{HOST}:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                control = await connect(url, compression=None, ping_interval=None)
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("baseline server did not start") from None
                await asyncio.sleep(0.2)
        await control.send(json.dumps({"type": "control"}))
        hello = [json.dumps({"type": "hello", "token": "x" * 43})] * clients
        workers.connect(url, hello[:8])
        workers.close()
        before = rss_kib(proc.pid)
        began = time.monotonic()
        connected = await asyncio.to_thread(workers.connect, url, hello)
        connect_seconds = time.monotonic() - began
        per_client, idle_cores = idle_rss([proc.pid], before, connected)
        load = os.getloadavg()[0]
        latencies: list[float] = []
        cpu_before = cpu_seconds(proc.pid)
        for seq in range(1, changes + 1):
            head = {"type": "event", "seq": seq, "name": "ended", "pass": {"note": ""}}
            pad = frame_bytes - len(json.dumps(head, separators=(",", ":")))
            head["pass"] = {"note": "x" * max(0, pad)}
            text = json.dumps(head, separators=(",", ":"))
            start = time.monotonic()
            await control.send(text)
            done = await asyncio.to_thread(workers.reached_all, seq, CHANGE_TIMEOUT)
            latencies.append((done - start) * 1000)
            await asyncio.sleep(GAP_SECONDS)
        cpu_ms = (cpu_seconds(proc.pid) - cpu_before) * 1000 / changes
        await control.close()
        await asyncio.to_thread(workers.close)
    finally:
        stop_server(proc)
    return Measure(
        "baseline",
        clients,
        connected,
        latencies,
        per_client,
        frame_bytes,
        load,
        connect_seconds,
        idle_cores,
        cpu_ms,
    )


# ---------------------------------------------------------------- main


async def redis_db_empty(url: str) -> bool:
    """Say whether the spare Redis database holds no key (so the bench may use it)."""
    from redis.asyncio import Redis

    client = Redis.from_url(url)
    try:
        return int(await client.dbsize()) == 0
    finally:
        await client.aclose()


async def redis_cleanup(url: str) -> None:
    """Delete the stream keys the two-process run made."""
    from redis.asyncio import Redis

    client = Redis.from_url(url)
    try:
        keys = [k async for k in client.scan_iter(match="hallpass:events:*", count=100)]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


async def main_async(args: argparse.Namespace) -> None:
    """Run every size against hallpass and the baseline, then the Redis pair if asked."""
    sizes = [int(s) for s in args.clients.split(",")]
    biggest = max(sizes)
    results: list[tuple[Measure, Measure]] = []
    workers = Workers(args.workers)
    try:
        workers.check_clock()  # the first answer waits for the workers to start
        skew = workers.check_clock()
        print(
            f"fanout: time.monotonic() agrees across processes (round trip {skew * 1e3:.2f} ms)",
            flush=True,
        )
        with tempfile.TemporaryDirectory(prefix="hallpass-fanout-") as tmp:
            workdir = Path(tmp)
            settings = Settings(
                data_dir=workdir,
                database_url=f"sqlite://{workdir / 'hp.sqlite3'}",
                redis_url=None,
                secret_key=uuid.uuid4().hex,
                secure_cookies=True,
            )
            roster = None
            if args.roster:
                from rostered import district_roster  # imports tests/: only with --roster

                roster = district_roster(workdir)
            hp = await prepare(settings, biggest, roster)
            for n in sizes:
                port = free_port()
                log_path = workdir / f"serve-{n}.log"
                with running_server(settings, port, log_path) as proc:
                    mine, events = await measure_hallpass(
                        hp, workers, n, args.changes, [port], [proc], log_path, "hallpass"
                    )
                print(mine.line(), f"(events per change: {sorted(set(events))})", flush=True)
                base = await measure_baseline(workers, n, args.changes, mine.frame_bytes, workdir)
                print(base.line(), flush=True)
                results.append((mine, base))
            if args.redis:
                await redis_pair(args, workers, sizes, workdir, roster)
    finally:
        workers.stop()
    print("\nsummary (ratio = hallpass / baseline)")
    for mine, base in results:
        p50 = percentile(mine.latencies_ms, 0.5) / percentile(base.latencies_ms, 0.5)
        p99 = percentile(mine.latencies_ms, 0.99) / percentile(base.latencies_ms, 0.99)
        print(
            f"N={mine.clients}: hallpass p50/p99 {percentile(mine.latencies_ms, 0.5):.1f}/"
            f"{percentile(mine.latencies_ms, 0.99):.1f} ms, baseline "
            f"{percentile(base.latencies_ms, 0.5):.1f}/{percentile(base.latencies_ms, 0.99):.1f}"
            f" ms, ratio p50 {p50:.2f}x p99 {p99:.2f}x; idle memory hallpass "
            f"{mine.kib_per_client:.1f} KiB/client, baseline {base.kib_per_client:.1f}",
            flush=True,
        )


async def redis_pair(
    args: argparse.Namespace,
    workers: Workers,
    sizes: list[int],
    workdir: Path,
    roster: Roster | None = None,
) -> None:
    """Two `hallpass serve` processes on PostgreSQL + Redis, the clients split across them."""
    redis_url = f"redis://127.0.0.1:6379/{REDIS_DB}"
    if not await redis_db_empty(redis_url):
        print(f"fanout: Redis database {REDIS_DB} is not empty; skipping the pair", flush=True)
        return
    database = f"hp_fanout_{uuid.uuid4().hex[:10]}"
    await pg_admin(args.pg_admin_dsn, f'CREATE DATABASE "{database}"')
    try:
        url = "postgres://" + pg_dsn(args.pg_admin_dsn, database).split("://", 1)[1]
        data_dir = workdir / "pg"
        data_dir.mkdir()
        settings = Settings(
            data_dir=data_dir,
            database_url=url,
            redis_url=redis_url,
            secret_key=uuid.uuid4().hex,
            secure_cookies=True,
        )
        hp = await prepare(settings, max(sizes), roster)
        for n in sizes:
            ports = [free_port(), free_port()]
            log_path = data_dir / f"serve-{n}.log"
            with (
                running_server(settings, ports[0], log_path, redis_url=redis_url) as one,
                running_server(settings, ports[1], log_path, redis_url=redis_url) as two,
            ):
                mine, _ = await measure_hallpass(
                    hp, workers, n, args.changes, ports, [one, two], log_path, "redis-pair"
                )
            print(mine.line(), flush=True)
    finally:
        await pg_admin(args.pg_admin_dsn, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        await redis_cleanup(redis_url)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Parse and bound the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--clients", default="1000,5000", help="comma-separated client counts (default 1000,5000)"
    )
    parser.add_argument(
        "--changes",
        type=int,
        # A p99 needs well over 100 samples; with 40 it is simply the slowest change.
        default=200,
        help="pass changes (and baseline broadcasts) per size (default 200)",
    )
    parser.add_argument("--workers", type=int, default=4, help="client processes (default 4)")
    parser.add_argument(
        "--redis",
        action="store_true",
        help="also run two hallpass processes on PostgreSQL + Redis "
        f"(redis://127.0.0.1:6379/{REDIS_DB}, which must be empty)",
    )
    parser.add_argument(
        "--roster",
        action="store_true",
        help="import a 20,000-user district into the demo school first; students in classes now",
    )
    parser.add_argument(
        "--pg-admin-dsn", default=os.environ.get("HALLPASS_BENCH_POSTGRES", DEFAULT_PG_ADMIN_DSN)
    )
    parser.add_argument("--baseline-server", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        sizes = [int(s) for s in args.clients.split(",") if s.strip()]
    except ValueError:
        parser.error("--clients takes numbers, e.g. 1000,5000")
    if not sizes or not all(1 <= s <= MAX_CLIENTS for s in sizes):
        parser.error(f"--clients must be 1 to {MAX_CLIENTS}")
    if not 2 <= args.changes <= MAX_CHANGES:
        parser.error(f"--changes must be 2 to {MAX_CHANGES}")
    if not 1 <= args.workers <= 16:
        parser.error("--workers must be 1 to 16")
    host = args.pg_admin_dsn.split("@")[-1].split("/")[0].split(":")[0]
    if host not in ("127.0.0.1", "localhost"):
        parser.error("--pg-admin-dsn must point at 127.0.0.1")
    return args


def main(argv: list[str] | None = None) -> None:
    """Run the bench (or, with --baseline-server, be the baseline server)."""
    args = parse_args(argv)
    if args.baseline_server is not None:
        baseline_server(args.baseline_server)
        return
    # The server inherits this limit: N sockets on each side need N descriptors.
    resource.setrlimit(resource.RLIMIT_NOFILE, raise_nofile())
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    sizes = [int(s) for s in args.clients.split(",")]
    if max(sizes) + 100 > soft:
        raise SystemExit(f"fanout: RLIMIT_NOFILE hard limit is {soft}; too low for {max(sizes)}")
    print(
        f"fanout: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs, "
        f"load {os.getloadavg()[0]:.2f}, RLIMIT_NOFILE {soft}, {args.workers} client "
        f"processes{', rostered' if args.roster else ''}",
        flush=True,
    )
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
