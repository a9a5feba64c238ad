"""Sustained request -> approve -> end cycles per second against a real `hallpass serve`.

Each client is one student of Room 101 or Room 102 of a fresh Demo High School (the bench adds
its own students, so every client has one; `--schools N` spreads them over N schools). A cycle:
the student requests a Nurse pass (pending: the origin teacher must approve), the room's teacher
approves it (active), the student ends it. With `--roster`, the school first gets a district's
roster (bench/rostered.py) and the students a class that meets now, so every request places
its student against ~100,000 enrollments and the class's teacher approves. The server is a
`hallpass serve` subprocess on 127.0.0.1; nothing else is contacted. The bench is never run
by the test suite. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import asyncpg
import httpx
from tortoise.transactions import in_transaction

from server import db
from server.config import Settings
from server.demo import DEMO_PASSWORD, seed_demo
from server.enums import OPEN_STATES, Approval, LocationKind, PassState, Role
from server.models import Location, Pass, PassEvent, School, User
from server.runtime import Runtime, using

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compare import side_by_side  # bench/ is not a package

if TYPE_CHECKING:
    from server.roster.records import Roster

HOST = "127.0.0.1"
DEFAULT_PG_ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/test"
BENCH_PASSWORD = "bench"
ROOMS = ("Room 101", "Room 102")
DEMO_TEACHERS = ("teacher1@demo.school", "teacher2@demo.school")
MAX_SCHOOLS = 10
CALLS = ("request", "approve", "end")
# Bounds: the bench must never run away on a shared machine.
MAX_SECONDS = 600
MAX_CLIENTS = 500
STARTUP_SECONDS = 60.0
REQUEST_TIMEOUT = 30.0


@dataclass
class Stats:
    """Latencies (seconds) of successful calls, and errors by (call, status, code)."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: {c: [] for c in CALLS})
    cycle_latencies: list[float] = field(default_factory=list)
    errors: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    cycles: int = 0


@dataclass
class Usage:
    """CPU use during the measured window, in cores (1.0 = one core busy all the time).

    `server_cores` counts the server's process group and, on PostgreSQL, the backends of the
    bench database; `other_cores` is whatever else kept the machine busy (it should be ~0).
    """

    client_cores: float
    server_cores: float | None = None
    machine_busy: float | None = None

    @property
    def other_cores(self) -> float | None:
        """Return the cores used by processes that are neither server, database nor client."""
        if self.machine_busy is None or self.server_cores is None:
            return None
        return max(
            0.0, self.machine_busy * (os.cpu_count() or 1) - self.server_cores - self.client_cores
        )


@dataclass
class Result:
    """One configuration's measurements."""

    backend: str
    workers: int
    clients: int
    schools: int
    seconds: float
    cycles: int
    cycles_per_second: float
    latency_ms: dict[str, dict[str, float]]
    errors: dict[str, int]
    cpu_busy: float | None
    server_cores: float | None
    client_cores: float
    other_cores: float | None
    load_before: float
    checks: dict[str, Any]
    # With --roster: the rostered school's users, active sections and enrollments, places.
    roster: dict[str, int] | None = None


def percentile(values: list[float], q: float) -> float:
    """Return the nearest-rank q-quantile (0 < q <= 1) of the values, or NaN when empty."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def cpu_times() -> tuple[int, int] | None:
    """Return (busy, total) jiffies of all CPUs from /proc/stat, or None off Linux."""
    try:
        fields_ = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return None
    values = [int(v) for v in fields_]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return sum(values) - idle, sum(values)


def processes_cpu_seconds(pgid: int, cmdline_marker: str | None = None) -> float | None:
    """Return CPU seconds used so far by the live processes of a process group (Linux).

    With `cmdline_marker`, also count processes whose command line contains it: PostgreSQL
    names each backend after its database, so the bench database's backends are counted too.
    """
    ticks = 0
    try:
        entries = [entry for entry in Path("/proc").iterdir() if entry.name.isdigit()]
    except OSError:
        return None
    for entry in entries:
        try:
            # Fields after the command's closing parenthesis: pgrp is the 3rd, utime the 12th.
            rest = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            mine = int(rest[2]) == pgid
            if not mine and cmdline_marker is not None:
                mine = cmdline_marker.encode() in (entry / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue
        if mine:
            ticks += int(rest[11]) + int(rest[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def pg_dsn(admin_dsn: str, database: str) -> str:
    """Return the DSN of another database on the admin DSN's server."""
    return admin_dsn.rsplit("/", 1)[0] + "/" + database


async def pg_admin(admin_dsn: str, sql: str) -> None:
    """Run one statement on the PostgreSQL admin database."""
    conn = await asyncpg.connect(admin_dsn, timeout=10)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@dataclass(frozen=True)
class Layout:
    """Who is who: students spread over the schools, then over each school's two rooms.

    School 0 is Demo High School; further schools are bench-made copies of its two rooms and
    its Nurse, each with two teachers of its own, so schools never share a lock.
    """

    clients: int
    schools: int

    def student(self, i: int) -> str:
        """Return the login of client i's student (unique across schools)."""
        return f"bench{i + 1:03d}"

    def school_of(self, i: int) -> int:
        """Return the school index of client i."""
        return i % self.schools

    def room_of(self, i: int) -> int:
        """Return the room index (0: Room 101, 1: Room 102) of client i."""
        return (i // self.schools) % len(ROOMS)

    def teacher(self, school: int, room: int) -> str:
        """Return the login of the teacher of a room of a school."""
        if school == 0:
            return DEMO_TEACHERS[room]
        return f"teacher{room + 1}@bench{school + 1}.school"

    def slug(self, school: int) -> str:
        """Return a school's slug."""
        return "demo" if school == 0 else f"bench{school + 1}"

    def students(self) -> list[str]:
        """Return every bench student's login."""
        return [self.student(i) for i in range(self.clients)]


async def add_school(index: int, layout: Layout, staff_hash: str) -> School:
    """Create bench school `index` (>= 1): two classrooms, a Nurse, and their two teachers."""
    async with in_transaction() as conn:
        school = await School.create(
            using_db=conn, name=f"Bench School {index + 1}", slug=layout.slug(index), timezone="UTC"
        )
        for room, name in enumerate(ROOMS):
            place = await Location.create(
                using_db=conn,
                school=school,
                name=name,
                kind=LocationKind.CLASSROOM,
                is_destination=False,
            )
            teacher = await User.create(
                using_db=conn,
                school=school,
                role=Role.TEACHER,
                login=layout.teacher(index, room),
                first_name="Bench",
                last_name=f"Teacher {room + 1}",
                password_hash=staff_hash,
            )
            await teacher.assigned_locations.add(place, using_db=conn)
        await Location.create(
            using_db=conn,
            school=school,
            name="Nurse",
            kind=LocationKind.NURSE,
            approval=Approval.ORIGIN_TEACHER,
            default_minutes=15,
        )
    return school


async def prepare_database(
    settings: Settings, layout: Layout, roster: Roster | None = None
) -> dict[str, int] | None:
    """Migrate, seed Demo High School (and more schools), add one student per client.

    With a roster, import it into Demo High School and seat each room's students in a class
    of its teacher that meets now (bench/rostered.py); return the school's counts.
    """
    await db.migrate(settings)
    await db.connect(settings)
    try:
        # Outside the server's app: the seeding hashes with a runtime of its own.
        with using(Runtime()) as seeding:
            schools = [await seed_demo()]
        # One hash per password, not per user: an Argon2id hash takes ~0.25 s here.
        staff_hash = await seeding.passwords.hash(DEMO_PASSWORD)
        password_hash = await seeding.passwords.hash(BENCH_PASSWORD)
        for index in range(1, layout.schools):
            schools.append(await add_school(index, layout, staff_hash))
        rooms = {
            (index, room): await Location.get(school_id=school.id, name=name)
            for index, school in enumerate(schools)
            for room, name in enumerate(ROOMS)
        }
        async with in_transaction() as conn:
            for i in range(layout.clients):
                index, room = layout.school_of(i), layout.room_of(i)
                await User.create(
                    using_db=conn,
                    school=schools[index],
                    role=Role.STUDENT,
                    login=layout.student(i),
                    student_number=layout.student(i),
                    first_name="Bench",
                    last_name=f"Student {i + 1}",
                    grade=9 + i % 4,
                    home_location=rooms[(index, room)],
                    password_hash=password_hash,
                )
        if roster is None:
            return None
        from rostered import Seating, roster_school  # imports tests/: only with --roster

        seatings = [
            Seating(
                name,
                layout.teacher(0, room),
                tuple(
                    layout.student(i)
                    for i in range(layout.clients)
                    if layout.school_of(i) == 0 and layout.room_of(i) == room
                ),
            )
            for room, name in enumerate(ROOMS)
        ]
        return await roster_school(layout.slug(0), roster, seatings)
    finally:
        await db.disconnect()


async def check_database(settings: Settings, layout: Layout) -> dict[str, Any]:
    """After the run: every school's event log is gapless, no bench student holds a pass."""
    await db.connect(settings)
    try:
        gapless = True
        events = 0
        for school in await School.all():
            rows = await PassEvent.filter(school_id=school.id).values("seq")
            seqs = [int(row["seq"]) for row in rows]
            events += len(seqs)
            gapless &= sorted(seqs) == list(range(1, school.event_seq + 1))
        open_passes = await Pass.filter(
            state__in=list(OPEN_STATES), student__login__in=layout.students()
        ).count()
        ended = await Pass.filter(state=PassState.ENDED).count()
        # With --roster, every bench pass must have left a section (its class now), not a room.
        from_sections = await Pass.filter(
            section_id__not_isnull=True, student__login__in=layout.students()
        ).count()
    finally:
        await db.disconnect()
    return {
        "events": events,
        "gapless": gapless,
        "open_bench_passes": open_passes,
        "ended_passes": ended,
        "section_passes": from_sections,
    }


def hallpass_command() -> str:
    """Return the `hallpass` script of this interpreter's environment."""
    beside = Path(sys.executable).parent / "hallpass"
    if beside.exists():
        return str(beside)
    found = shutil.which("hallpass")
    if found is None:
        raise SystemExit("bench: no `hallpass` command; run `pip install -e .` first")
    return found


@contextmanager
def running_server(
    settings: Settings,
    port: int,
    log_path: Path,
    *,
    workers: int = 1,
    redis_url: str | None = None,
) -> Iterator[subprocess.Popen[bytes]]:
    """Run `hallpass serve` on 127.0.0.1 in its own process group; stop it on exit.

    The log is appended to, so several servers of one run can share it.
    """
    env = {key: value for key, value in os.environ.items() if not key.startswith("HALLPASS_")}
    env.update(
        HALLPASS_DATABASE_URL=settings.database_url,
        HALLPASS_DATA_DIR=str(settings.data_dir),
        HALLPASS_SECRET_KEY=settings.secret_key,
    )
    if redis_url is not None:
        env["HALLPASS_REDIS_URL"] = redis_url
    command = [
        hallpass_command(),
        "serve",
        "--host",
        HOST,
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    with log_path.open("ab") as log:
        proc = subprocess.Popen(
            command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield proc
    finally:
        stop_server(proc)


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    """Stop the server's process group (uvicorn and its workers): SIGINT, then SIGKILL."""
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGINT)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def server_exited(proc: subprocess.Popen[bytes], log_path: Path) -> RuntimeError:
    """Return the error for a server that exited early, with the end of its log."""
    tail = log_path.read_text(errors="replace")[-2000:]
    return RuntimeError(f"hallpass serve exited ({proc.returncode}):\n{tail}")


async def wait_until_up(
    http: httpx.AsyncClient, proc: subprocess.Popen[bytes], log_path: Path
) -> None:
    """Wait for /healthz to answer 200, failing if the server exits or takes too long."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise server_exited(proc, log_path)
        try:
            if (await http.get("/healthz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.2)
    raise RuntimeError(f"hallpass serve did not answer within {STARTUP_SECONDS:.0f}s")


async def login(http: httpx.AsyncClient, user: str, password: str) -> dict[str, str]:
    """Sign in and return the bearer header."""
    response = await http.post("/api/session", json={"login": user, "password": password})
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['token']}"}


@dataclass
class Client:
    """One simulated student and the teacher of their room."""

    http: httpx.AsyncClient
    student: dict[str, str]
    teacher: dict[str, str]
    destination_id: int

    async def call(
        self, stats: Stats, name: str, request: Awaitable[httpx.Response], expected: int
    ) -> dict[str, Any] | None:
        """Time one call; return its JSON on the expected status, else count an error."""
        start = time.perf_counter()
        try:
            response = await request
        except httpx.HTTPError as exc:
            stats.errors[(name, "-", type(exc).__name__)] += 1
            return None
        elapsed = time.perf_counter() - start
        if response.status_code != expected:
            try:
                code = str(response.json()["error"]["code"])
            except (ValueError, KeyError, TypeError):
                code = "?"
            stats.errors[(name, str(response.status_code), code)] += 1
            return None
        stats.latencies[name].append(elapsed)
        body: dict[str, Any] = response.json()
        return body

    async def cycle(self, stats: Stats) -> bool:
        """Request a Nurse pass, have the teacher approve it, end it; say whether all worked."""
        start = time.perf_counter()
        created = await self.call(
            stats,
            "request",
            self.http.post(
                "/api/passes",
                json={"destination_id": self.destination_id},
                headers=self.student,
            ),
            201,
        )
        if created is None or created["state"] != "pending":
            await self.recover()
            return False
        pass_id = created["id"]
        approved = await self.call(
            stats,
            "approve",
            self.http.post(f"/api/passes/{pass_id}/approve", headers=self.teacher),
            200,
        )
        if approved is None or approved["state"] != "active":
            await self.recover()
            return False
        ended = await self.call(
            stats, "end", self.http.post(f"/api/passes/{pass_id}/end", headers=self.student), 200
        )
        if ended is None or ended["state"] != "ended":
            await self.recover()
            return False
        stats.cycle_latencies.append(time.perf_counter() - start)
        stats.cycles += 1
        return True

    async def recover(self) -> None:
        """After a failed cycle, end or cancel whatever pass the student still holds."""
        try:
            response = await self.http.get(
                "/api/passes", params={"state": "pending,waiting,active"}, headers=self.student
            )
            for hall_pass in response.json() if response.status_code == 200 else []:
                verb = "end" if hall_pass["state"] == "active" else "cancel"
                await self.http.post(f"/api/passes/{hall_pass['id']}/{verb}", headers=self.student)
        except httpx.HTTPError:
            pass


async def drive(
    base_url: str,
    proc: subprocess.Popen[bytes],
    log_path: Path,
    database: str | None,
    layout: Layout,
    seconds: float,
    max_cycles: int,
) -> tuple[Stats, float, Usage]:
    """Sign everyone in, warm up one cycle per client, then run cycles for `seconds`."""
    clients = layout.clients
    limits = httpx.Limits(max_connections=clients + 8, max_keepalive_connections=clients + 8)
    async with httpx.AsyncClient(
        base_url=base_url, limits=limits, timeout=REQUEST_TIMEOUT, trust_env=False
    ) as http:
        await wait_until_up(http, proc, log_path)
        # Argon2id verification is deliberately slow: signing everyone in takes a while.
        print(
            f"bench: server up; signing in {clients} students and "
            f"{len(ROOMS) * layout.schools} teachers",
            flush=True,
        )
        signing_in = time.perf_counter()
        teachers = {
            (school, room): await login(http, layout.teacher(school, room), DEMO_PASSWORD)
            for school in range(layout.schools)
            for room in range(len(ROOMS))
        }
        students = await asyncio.gather(
            *(login(http, name, BENCH_PASSWORD) for name in layout.students())
        )
        print(
            f"bench: signed in {len(students) + len(teachers)} users in "
            f"{time.perf_counter() - signing_in:.1f}s",
            flush=True,
        )
        nurses: dict[int, int] = {}
        for i, student in enumerate(students[: layout.schools]):
            locations = (await http.get("/api/locations", headers=student)).json()
            nurses[layout.school_of(i)] = next(
                loc["id"] for loc in locations if loc["name"] == "Nurse"
            )
        team = [
            Client(
                http,
                student,
                teachers[(layout.school_of(i), layout.room_of(i))],
                nurses[layout.school_of(i)],
            )
            for i, student in enumerate(students)
        ]

        warm_up = Stats()
        await asyncio.gather(*(c.cycle(warm_up) for c in team))

        stats = Stats()
        started = 0
        cpu_before = cpu_times()
        server_before = processes_cpu_seconds(proc.pid, database)
        client_before = time.process_time()
        begin = time.perf_counter()
        deadline = begin + seconds

        async def run(client: Client) -> None:
            nonlocal started
            while time.perf_counter() < deadline and started < max_cycles:
                started += 1
                await client.cycle(stats)

        await asyncio.gather(*(run(c) for c in team))
        elapsed = time.perf_counter() - begin
        cpu_after = cpu_times()
        server_after = processes_cpu_seconds(proc.pid, database)
        client_cpu = time.process_time() - client_before
    usage = Usage(client_cores=client_cpu / elapsed)
    if cpu_before is not None and cpu_after is not None and cpu_after[1] > cpu_before[1]:
        usage.machine_busy = (cpu_after[0] - cpu_before[0]) / (cpu_after[1] - cpu_before[1])
    if server_before is not None and server_after is not None:
        usage.server_cores = (server_after - server_before) / elapsed
    return stats, elapsed, usage


async def bench_one(
    backend: str,
    workers: int,
    args: argparse.Namespace,
    workdir: Path,
    roster: Roster | None = None,
) -> Result:
    """Prepare a fresh database, serve it, drive it, check it, clean up."""
    data_dir = workdir / f"{backend}-{workers}"
    data_dir.mkdir()
    database = None
    if backend == "sqlite":
        url = f"sqlite://{data_dir / 'hallpass.sqlite3'}"
    else:
        database = f"hp_bench_{uuid.uuid4().hex[:10]}"
        await pg_admin(args.pg_admin_dsn, f'CREATE DATABASE "{database}"')
        url = "postgres://" + pg_dsn(args.pg_admin_dsn, database).split("://", 1)[1]
    settings = Settings(
        data_dir=data_dir,
        database_url=url,
        redis_url=None,
        secret_key=uuid.uuid4().hex,
        secure_cookies=True,
    )
    layout = Layout(args.clients, args.schools)
    load_before = os.getloadavg()[0]
    try:
        rostered = await prepare_database(settings, layout, roster)
        port = free_port()
        log_path = data_dir / "serve.log"
        with running_server(settings, port, log_path, workers=workers) as proc:
            stats, elapsed, usage = await drive(
                f"http://{HOST}:{port}",
                proc,
                log_path,
                database,
                layout,
                args.seconds,
                args.max_cycles,
            )
        checks = await check_database(settings, layout)
    finally:
        if database is not None:
            await pg_admin(args.pg_admin_dsn, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    latency = {
        name: {
            "p50": percentile(values, 0.50) * 1000,
            "p99": percentile(values, 0.99) * 1000,
            "n": float(len(values)),
        }
        for name, values in [*stats.latencies.items(), ("cycle", stats.cycle_latencies)]
    }
    return Result(
        backend=backend,
        workers=workers,
        clients=args.clients,
        schools=args.schools,
        seconds=elapsed,
        cycles=stats.cycles,
        cycles_per_second=stats.cycles / elapsed,
        latency_ms=latency,
        errors={" ".join(key): n for key, n in sorted(stats.errors.items())},
        cpu_busy=usage.machine_busy,
        server_cores=usage.server_cores,
        client_cores=usage.client_cores,
        other_cores=usage.other_cores,
        load_before=load_before,
        checks=checks,
        roster=rostered,
    )


def report(result: Result) -> str:
    """Format one result for the terminal."""
    lines = [
        f"{result.backend}, {result.workers} worker(s), {result.clients} clients, "
        f"{result.schools} school(s){', rostered' if result.roster else ''}: "
        f"{result.cycles} cycles in {result.seconds:.1f}s = {result.cycles_per_second:.1f} cycles/s"
        + (f"\n  CPU: machine {result.cpu_busy:.0%} busy" if result.cpu_busy is not None else "")
        + (
            f", server and database {result.server_cores:.2f} cores"
            if result.server_cores is not None
            else ""
        )
        + f", bench client {result.client_cores:.2f} cores"
        + (f", other {result.other_cores:.2f} cores" if result.other_cores is not None else "")
        + f"; load average before {result.load_before:.2f}",
        f"  {'call':<8} {'p50 ms':>8} {'p99 ms':>8} {'n':>7}",
    ]
    for name, row in result.latency_ms.items():
        lines.append(f"  {name:<8} {row['p50']:>8.1f} {row['p99']:>8.1f} {int(row['n']):>7}")
    errors = ", ".join(f"{k}: {n}" for k, n in result.errors.items()) or "none"
    lines.append(f"  errors: {errors}")
    lines.append(f"  checks: {json.dumps(result.checks)}")
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Parse and bound the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "all"], default="all")
    parser.add_argument(
        "--seconds", type=float, default=20.0, help="measured time per configuration (default 20)"
    )
    parser.add_argument("--clients", type=int, default=50, help="concurrent students (default 50)")
    parser.add_argument(
        "--schools",
        type=int,
        default=1,
        help="spread the students over this many schools (default 1)",
    )
    parser.add_argument(
        "--pg-workers",
        default="1,2",
        help="comma-separated worker counts to try on PostgreSQL (default 1,2)",
    )
    parser.add_argument(
        "--max-cycles",
        type=int,
        default=100_000,
        help="stop each configuration after this many cycles (default 100000)",
    )
    parser.add_argument(
        "--pg-admin-dsn", default=os.environ.get("HALLPASS_BENCH_POSTGRES", DEFAULT_PG_ADMIN_DSN)
    )
    parser.add_argument(
        "--roster",
        action="store_true",
        help="import a 20,000-user district into the school first; students in classes now",
    )
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    parser.add_argument(
        "--baseline",
        type=Path,
        action="append",
        default=[],
        help="a previous run's --json, printed side by side with ratios (repeatable)",
    )
    args = parser.parse_args(argv)
    if not 1 <= args.seconds <= MAX_SECONDS:
        parser.error(f"--seconds must be 1 to {MAX_SECONDS}")
    if not 1 <= args.clients <= MAX_CLIENTS:
        parser.error(f"--clients must be 1 to {MAX_CLIENTS}")
    if not 1 <= args.schools <= min(MAX_SCHOOLS, args.clients):
        parser.error(f"--schools must be 1 to {MAX_SCHOOLS}, and at most --clients")
    if args.roster and args.schools != 1:
        parser.error("--roster rosters Demo High School: use it with --schools 1")
    for path in args.baseline:
        if not path.is_file():
            parser.error(f"--baseline {path}: no such file")
    if not 1 <= args.max_cycles <= 1_000_000:
        parser.error("--max-cycles must be 1 to 1000000")
    try:
        args.workers_list = [int(w) for w in args.pg_workers.split(",") if w.strip()]
    except ValueError:
        parser.error("--pg-workers takes numbers, e.g. 1,2")
    if not args.workers_list or not all(1 <= w <= 8 for w in args.workers_list):
        parser.error("--pg-workers must list 1 to 8 workers")
    host = args.pg_admin_dsn.split("@")[-1].split("/")[0].split(":")[0]
    if host not in ("127.0.0.1", "localhost"):
        parser.error("--pg-admin-dsn must point at 127.0.0.1")
    return args


async def main_async(args: argparse.Namespace) -> list[Result]:
    """Run every configuration asked for, one after the other."""
    configs: list[tuple[str, int]] = []
    if args.backend in ("sqlite", "all"):
        configs.append(("sqlite", 1))
    if args.backend in ("postgres", "all"):
        configs.extend(("postgres", w) for w in args.workers_list)
    results = []
    with tempfile.TemporaryDirectory(prefix="hallpass-bench-") as tmp:
        roster = None
        if args.roster:
            from rostered import district_roster  # imports tests/: only with --roster

            roster = district_roster(Path(tmp))
        for backend, workers in configs:
            print(
                f"bench: {backend}, {workers} worker(s), {args.clients} clients, "
                f"{args.schools} school(s), "
                f"{'rostered, ' if roster is not None else ''}{args.seconds:g}s ...",
                flush=True,
            )
            result = await bench_one(backend, workers, args, Path(tmp), roster)
            print(report(result), flush=True)
            results.append(result)
    return results


def compare(results: list[Result], baseline_path: Path) -> str:
    """Return this run's figures next to a saved run's (same backend, workers, clients and
    schools), with the ratios this / baseline: above 1 is more cycles, or slower calls."""
    saved = json.loads(baseline_path.read_text())
    lines = [
        f"\nthis run / {baseline_path} ({saved.get('date', '?')}"
        + (f", load {saved['load']:.2f}" if "load" in saved else "")
        + ") = ratio"
    ]
    for result in results:
        base = next(
            (
                b
                for b in saved["results"]
                if (b["backend"], b["workers"], b["clients"], b["schools"])
                == (result.backend, result.workers, result.clients, result.schools)
            ),
            None,
        )
        if base is None:
            lines.append(f"  {result.backend}, {result.workers} worker(s): not in the baseline")
            continue
        rostered = (", rostered" if result.roster else "") + (
            " vs rostered" if base.get("roster") else ""
        )
        lines.append(
            f"  {result.backend}, {result.workers} worker(s){rostered}: cycles/s "
            f"{side_by_side(result.cycles_per_second, base['cycles_per_second'])}"
        )
        lines.append(f"    {'call':<8} {'p50 ms':>23} {'p99 ms':>23}")
        for name, row in result.latency_ms.items():
            old = base["latency_ms"].get(name)
            if old is None:
                continue
            lines.append(
                f"    {name:<8} {side_by_side(row['p50'], old['p50'])} "
                f"{side_by_side(row['p99'], old['p99'])}"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Run the bench and print (and optionally save) the results."""
    args = parse_args(argv)
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = os.getloadavg()
    print(f"bench: {started}, load averages {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}", flush=True)
    results = asyncio.run(main_async(args))
    if args.json is not None:
        args.json.write_text(
            json.dumps(
                {
                    "date": started,
                    "load": load[0],
                    "roster": args.roster,
                    "cpus": os.cpu_count(),
                    "python": sys.version.split()[0],
                    "results": [r.__dict__ for r in results],
                },
                indent=2,
            )
            + "\n"
        )
    for path in args.baseline:
        print(compare(results, path), flush=True)


if __name__ == "__main__":
    main()
