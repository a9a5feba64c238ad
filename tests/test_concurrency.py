"""Concurrent requests never break DESIGN.md invariants 1-4.

Each scenario fires its requests at once (asyncio.gather) and repeats for ROUNDS rounds, putting
the school back between rounds through the API (ending passes), and checks the invariants in the
database after every round. The races run on PostgreSQL only, which runs transactions side by
side on a pool of connections: in process, SQLite serialises them on its one connection, so
there a race is a sequence of requests that the other test files cover already. The last test
runs two real `hallpass serve` processes on one PostgreSQL database. A student racing their own
daily limit from several devices never gets more passes than it allows.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from server import clock, db
from server.enums import PassKind, PassState
from server.models import Pass, PassEvent
from tests.conftest import Demo, location_id, settings_for, user_id
from tests.invariants import assert_invariants
from tests.servers import start, stop

ROUNDS = 50
ADMIN = "admin@demo.school"
TEACHER1 = "teacher1@demo.school"
RESTROOM = "Restroom North"  # capacity 2, self-start
# Students outside the encounter group: 1003-1015 in Room 101, 1016-1030 in Room 102.
ROOM_101 = [str(n) for n in range(1003, 1016)]
ROOM_102 = [str(n) for n in range(1016, 1031)]
# Ten students from both rooms, for the capacity-2 restroom.
TEN = ROOM_101[:5] + ROOM_102[:5]
# Every test here races on PostgreSQL only (see above).
pytestmark = [pytest.mark.postgres, pytest.mark.parametrize("backend", ["postgres"])]


async def sign_in(demo: Demo, logins: Sequence[str]) -> None:
    """Sign everyone in first, so the concurrent requests that follow leave together."""
    for login in logins:
        await demo.token(login)


async def ask(
    demo: Demo, login: str, destination_id: int, idempotency_key: str | None = None
) -> httpx.Response:
    """POST /api/passes as a student, optionally with an Idempotency-Key header."""
    headers = await demo.auth(login)
    if idempotency_key is not None:
        headers["Idempotency-Key"] = idempotency_key
    return await demo.client.post(
        "/api/passes", headers=headers, json={"destination_id": destination_id}
    )


def error_code(response: httpx.Response) -> str:
    """Return the error code of an error response."""
    code: str = response.json()["error"]["code"]
    return code


async def end(demo: Demo, login: str, pass_id: int) -> None:
    """End a pass and insist it ended."""
    response = await demo.post(login, f"/api/passes/{pass_id}/end")
    assert response.status_code == 200, response.text
    assert response.json()["state"] == "ended"


async def take(demo: Demo, login: str, pass_id: int) -> None:
    """Take the place offered to a pass and insist it went out."""
    response = await demo.post(login, f"/api/passes/{pass_id}/take")
    assert response.status_code == 200, response.text
    assert response.json()["state"] == "active"


async def event_names(pass_id: int) -> list[str]:
    """Return the names of a pass's events, in seq order."""
    rows = await PassEvent.filter(hall_pass_id=pass_id).order_by("seq").values("name")
    return [row["name"] for row in rows]


async def passes_with_event(pass_ids: Iterable[int], name: str) -> list[int]:
    """Return the passes among `pass_ids` that have an event `name`, in the order of its seq."""
    rows = await (
        PassEvent.filter(hall_pass_id__in=list(pass_ids), name=name)
        .order_by("seq")
        .values("hall_pass_id")
    )
    return [row["hall_pass_id"] for row in rows]


async def open_passes_of(login: str) -> list[Pass]:
    """Return a student's pending, waiting and active passes, straight from the database."""
    return await Pass.filter(
        student_id=await user_id(login), state__in=["pending", "waiting", "active"]
    )


# 1. Two staff approve one pending pass at once.


async def test_two_staff_approving_one_pending_pass_at_once_start_it_exactly_once(
    demo: Demo,
) -> None:
    nurse = await location_id("Nurse")
    await sign_in(demo, [TEACHER1, ADMIN, *ROOM_101])
    for round_no in range(ROUNDS):
        student = ROOM_101[round_no % len(ROOM_101)]
        requested = await ask(demo, student, nurse)
        assert requested.status_code == 201, requested.text
        assert requested.json()["state"] == "pending"
        pass_id = requested.json()["id"]
        # Both may approve a Room 101 student's nurse pass; alternate who leaves first.
        approvers = [TEACHER1, ADMIN] if round_no % 2 == 0 else [ADMIN, TEACHER1]

        answers = await asyncio.gather(
            *(demo.post(who, f"/api/passes/{pass_id}/approve") for who in approvers)
        )

        assert sorted(a.status_code for a in answers) == [200, 409], [a.text for a in answers]
        won = next(a for a in answers if a.status_code == 200)
        lost = next(a for a in answers if a.status_code == 409)
        assert won.json()["state"] == "active"
        assert error_code(lost) == "invalid_transition"
        assert (await Pass.get(id=pass_id)).state == "active"
        assert await event_names(pass_id) == ["pass.created", "pass.approved"]
        await assert_invariants()
        await end(demo, student, pass_id)
    await assert_invariants()


# 2. Ten students ask for a capacity-2 restroom at once.


async def restroom_line_round(via: Callable[[str], Demo], students: Sequence[str]) -> None:
    """Ten students ask for the restroom at once: two go, eight wait in the order they were
    committed, and as the ones out come back the line moves first in, first out.

    `via` says which client (which server process) each user's requests go through.
    """
    restroom = await location_id(RESTROOM)
    answers = await asyncio.gather(*(ask(via(s), s, restroom) for s in students))

    assert [a.status_code for a in answers] == [201] * len(students), [a.text for a in answers]
    created = {a.json()["id"]: a.json() for a in answers}
    login_of = {a.json()["id"]: s for s, a in zip(students, answers, strict=True)}
    assert Counter(body["state"] for body in created.values()) == {"active": 2, "waiting": 8}
    # The order the requests were committed in is the order of their pass.created events.
    commit_order = await passes_with_event(created, "pass.created")
    line = [i for i in commit_order if created[i]["state"] == "waiting"]
    # Ids, queue times and the place each student was told all follow the commit order.
    assert line == sorted(line)
    waiting = await Pass.filter(id__in=line)
    queued_at = {p.id: p.queued_at for p in waiting if p.queued_at is not None}
    assert sorted(queued_at, key=lambda i: (queued_at[i], i)) == line
    assert [created[i]["position"] for i in line] == list(range(1, len(line) + 1))
    assert await listed_positions(via(ADMIN)) == {i: n for n, i in enumerate(line, 1)}
    await assert_invariants()

    out = [i for i in commit_order if created[i]["state"] == "active"]
    still_waiting = list(line)
    while out:
        await asyncio.gather(*(end(via(login_of[i]), login_of[i], i) for i in out))
        # Every pass that came back freed a place, offered to the first one still in line,
        # who stand at the front until they take it.
        offered, still_waiting = still_waiting[: len(out)], still_waiting[len(out) :]
        held = await Pass.filter(id__in=list(created), offer_expires_at__not_isnull=True)
        assert sorted(p.id for p in held) == sorted(offered)
        front = offered + still_waiting
        assert await listed_positions(via(ADMIN)) == {i: n for n, i in enumerate(front, 1)}
        await asyncio.gather(*(take(via(login_of[i]), login_of[i], i) for i in offered))
        active = await Pass.filter(id__in=list(created), state="active").values("id")
        assert sorted(row["id"] for row in active) == sorted(offered)
        assert await listed_positions(via(ADMIN)) == {i: n for n, i in enumerate(still_waiting, 1)}
        out = offered
    assert await passes_with_event(created, "pass.offered") == line
    assert sorted(await passes_with_event(created, "pass.taken")) == line
    await assert_invariants()


async def listed_positions(staff: Demo) -> dict[int, int]:
    """Return {pass id: place in line} of the waiting passes, as an admin lists them."""
    listed = await staff.get(ADMIN, "/api/passes?state=waiting")
    assert listed.status_code == 200, listed.text
    return {p["id"]: p["position"] for p in listed.json()}


@pytest.mark.timeout(300)  # half a minute alone (50 rounds of ten): room for a busy machine
async def test_ten_students_asking_for_a_two_place_restroom_at_once_queue_in_commit_order(
    demo: Demo,
) -> None:
    await sign_in(demo, [ADMIN, *TEN])
    for round_no in range(ROUNDS):
        # Rotate who asks first, so arrival order differs from login order.
        shift = round_no % len(TEN)
        await restroom_line_round(lambda _login: demo, TEN[shift:] + TEN[:shift])


# 3. Both members of a blocking encounter group ask at once.


async def test_two_members_of_a_blocking_group_asking_at_once_are_never_out_together(
    demo: Demo,
) -> None:
    restroom = await location_id(RESTROOM)
    await sign_in(demo, ["1001", "1002"])
    for round_no in range(ROUNDS):
        pair = ["1001", "1002"] if round_no % 2 == 0 else ["1002", "1001"]

        answers = await asyncio.gather(*(ask(demo, s, restroom) for s in pair))

        assert [a.status_code for a in answers] == [201, 201], [a.text for a in answers]
        states = [a.json()["state"] for a in answers]
        assert sorted(states) == ["active", "waiting"], states
        (held_login, held), (out_login, out) = sorted(
            zip(pair, answers, strict=True), key=lambda pa: pa[1].json()["state"] == "active"
        )
        # The held student waits in line, as for full hallways: no group, no name, no reason.
        assert [p.id for p in await open_passes_of(held_login)] == [held.json()["id"]]
        await assert_invariants()
        await end(demo, out_login, out.json()["id"])
        await assert_invariants()
        cancelled = await demo.post(held_login, f"/api/passes/{held.json()['id']}/cancel")
        assert cancelled.status_code == 200, cancelled.text
    await assert_invariants()


# 4. One student double-submits.


async def test_a_request_sent_five_times_at_once_opens_one_pass(demo: Demo) -> None:
    library = await location_id("Library")
    students = ROOM_101 + ROOM_102
    await sign_in(demo, students)
    for round_no in range(ROUNDS):
        student = students[round_no % len(students)]

        answers = await asyncio.gather(*(ask(demo, student, library) for _ in range(5)))

        statuses = sorted(a.status_code for a in answers)
        assert statuses == [201, 409, 409, 409, 409], [a.text for a in answers]
        assert {error_code(a) for a in answers if a.status_code == 409} == {"already_out"}
        opened = next(a for a in answers if a.status_code == 201).json()
        assert [p.id for p in await open_passes_of(student)] == [opened["id"]]
        await assert_invariants()
        await end(demo, student, opened["id"])
    await assert_invariants()


async def test_a_request_sent_five_times_at_once_with_one_idempotency_key_replays_one_pass(
    demo: Demo,
) -> None:
    library = await location_id("Library")
    students = ROOM_101 + ROOM_102
    await sign_in(demo, students)
    for round_no in range(ROUNDS):
        student = students[round_no % len(students)]
        key = f"double-tap-{round_no:04d}"

        answers = await asyncio.gather(*(ask(demo, student, library, key) for _ in range(5)))

        statuses = sorted(a.status_code for a in answers)
        assert statuses == [200, 200, 200, 200, 201], [a.text for a in answers]
        assert len({a.json()["id"] for a in answers}) == 1
        pass_id = answers[0].json()["id"]
        assert [p.id for p in await open_passes_of(student)] == [pass_id]
        assert await event_names(pass_id) == ["pass.created"]
        await assert_invariants()
        await end(demo, student, pass_id)
    await assert_invariants()


# 5. One student races their own daily limit from several devices.

DAILY_LIMIT = 3
DEVICES = 8


async def race_to_the_limit(demo: Demo, student: str, destination_id: int) -> list[int]:
    """Ask again and again, ending each pass at once, until the daily limit says no."""
    got: list[int] = []
    for _ in range(500):
        answer = await ask(demo, student, destination_id)
        if answer.status_code == 201:
            got.append(answer.json()["id"])
            await end(demo, student, answer.json()["id"])
            continue
        if error_code(answer) == "limit_reached":
            return got
        assert error_code(answer) == "already_out", answer.text  # another device's pass is out
    raise AssertionError("the limit never stopped the student")


async def test_a_student_racing_their_daily_limit_from_many_devices_never_exceeds_it(
    demo: Demo,
) -> None:
    # Passes end as soon as they start, so one open pass per student does not hold the race:
    # only counting under the school's lock does. Without it, a request that counted 2 of 3
    # could insert after another's third pass had already ended.
    student = ROOM_101[0]
    student_id = await user_id(student)
    library = await location_id("Library")
    chicago = ZoneInfo("America/Chicago")
    for day in range(3, 3 + ROUNDS // 5):  # a school day each round, from Monday 3 March 2025
        morning = datetime(2025, 3, day, 9, tzinfo=chicago)
        clock.reset()
        clock.advance(morning - datetime.now(UTC))
        demo.tokens.clear()  # yesterday's sessions have expired
        await sign_in(demo, [ADMIN, student])
        if day == 3:
            put = await demo.client.put(
                f"/api/policies/student/{student_id}",
                headers=await demo.auth(ADMIN),
                json={"rules": {"passes_per_day": DAILY_LIMIT}},
            )
            assert put.status_code == 200, put.text

        got = await asyncio.gather(
            *(race_to_the_limit(demo, student, library) for _ in range(DEVICES))
        )

        assert sum(len(ids) for ids in got) == DAILY_LIMIT, got
        counted = await Pass.filter(
            student_id=student_id,
            kind=PassKind.REQUESTED,
            requested_at__gte=morning.astimezone(UTC),
        ).exclude(state__in=[PassState.DENIED, PassState.CANCELLED])
        assert len(counted) == DAILY_LIMIT
        await assert_invariants()


# Two real server processes on one PostgreSQL database.


@pytest.fixture
def two_servers(database_url: str, tmp_path: Path) -> Iterator[list[str]]:
    """Run two `hallpass serve` processes on the test's database; return their base URLs."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALLPASS_")}
    env.update(HALLPASS_DATABASE_URL=database_url, HALLPASS_DATA_DIR=str(tmp_path / "var"))
    processes: list[subprocess.Popen[bytes]] = []
    urls: list[str] = []
    try:
        # One after the other: the second must not race the first through migrations.
        for n in range(2):
            process, url = start(env, tmp_path / f"server{n}.log")
            processes.append(process)
            urls.append(url)
        yield urls
    finally:
        for process in processes:
            stop(process)


@pytest.fixture
async def orm(database_url: str, tmp_path: Path) -> AsyncIterator[None]:
    """Connect this process's ORM to the test's database, to check the invariants."""
    await db.connect(settings_for(database_url, tmp_path))
    try:
        yield
    finally:
        await db.disconnect()


@pytest.mark.timeout(300)
@pytest.mark.usefixtures("orm")
async def test_two_server_processes_share_one_restroom_line_in_commit_order(
    two_servers: list[str],
) -> None:
    # uvicorn closes a connection idle for 5 s, httpx's default keep-alive: on a busy machine a
    # request could go out on a connection the server was closing (a ReadError). Expire first.
    limits = httpx.Limits(keepalive_expiry=2.0)
    async with (
        httpx.AsyncClient(base_url=two_servers[0], limits=limits) as first,
        httpx.AsyncClient(base_url=two_servers[1], limits=limits) as second,
    ):
        servers = [Demo(first), Demo(second)]
        # Half the students (and the admin) talk to one process, half to the other.
        server_of = {login: servers[n % 2] for n, login in enumerate([ADMIN, *TEN])}
        for login, server in server_of.items():
            await server.token(login)
        for round_no in range(ROUNDS):
            shift = round_no % len(TEN)
            await restroom_line_round(server_of.__getitem__, TEN[shift:] + TEN[:shift])
    await assert_invariants()
