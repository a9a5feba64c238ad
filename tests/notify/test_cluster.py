"""Two real `hallpass serve` processes, one PostgreSQL database, one Redis, one push service:
every push is sent once, and every toast shown once per socket, whichever process committed
the event and whichever claimed the row.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect

from tests.hub.conftest import redis_url  # noqa: F401 (a fixture cluster_redis needs)
from tests.hub.test_cluster import Cluster, cluster_redis, recv, sign_in  # noqa: F401
from tests.notify.push_service import PushService, push_service

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

NURSE = "nurse@demo.school"
TEACHER = "teacher1@demo.school"
STUDENTS = [str(n) for n in range(1003, 1013)]  # Room 101, teacher1's


@dataclass
class NotifyCluster(Cluster):
    """The hub's test cluster, allowed to push to the test's push service on 127.0.0.1."""

    def env(self) -> dict[str, str]:
        """Return the servers' environment, with the push service's host allowed."""
        return {**super().env(), "HALLPASS_PUSH_HOSTS": "127.0.0.1"}


@pytest.fixture
def notify_cluster(
    database_url: str, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[NotifyCluster]:
    """Run processes A and B (one after the other: migrations must not race)."""
    redis_db: tuple[str, int] = request.getfixturevalue("cluster_redis")
    made = NotifyCluster(database_url, redis_db[0], tmp_path)
    try:
        made.start(0)
        made.start(1)
        yield made
    finally:
        made.stop_all()


async def push_rows(database_url: str) -> list[tuple[str, str]]:
    """Return every push delivery's (key, state)."""
    conn = await asyncpg.connect(database_url, timeout=5)
    try:
        rows = await conn.fetch("SELECT key, state FROM deliveries WHERE channel = 'push'")
        return [(str(r["key"]), str(r["state"])) for r in rows]
    finally:
        await conn.close()


@pytest.mark.timeout(180)
@pytest.mark.parametrize("backend", ["postgres"])
async def test_two_processes_send_each_push_once(
    notify_cluster: NotifyCluster, database_url: str
) -> None:
    async with (
        push_service() as push,
        httpx.AsyncClient(base_url=notify_cluster.url(0)) as a,
        httpx.AsyncClient(base_url=notify_cluster.url(1)) as b,
    ):
        await register_device(a, NURSE, push)
        await register_device(b, TEACHER, push)
        teacher = {"Authorization": f"Bearer {await sign_in(a, TEACHER)}"}
        nurse_office = await location(a, teacher, "Nurse")

        # Requests through both processes at once, then the teacher approves each through the
        # other process: every event commits on one process, and both workers hunt for rows.
        async def ask(student: str, n: int) -> int:
            http = (a, b)[n % 2]
            token = await sign_in(http, student)
            made = await http.post(
                "/api/passes",
                json={"destination_id": nurse_office},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert made.status_code == 201, made.text
            return int(made.json()["id"])

        began = time.monotonic()
        ids = await asyncio.gather(*(ask(s, n) for n, s in enumerate(STUDENTS)))
        first = await push.wait_for(1)
        print(f"first push decrypted {1000 * (first[0].at - began):.0f} ms after the requests")
        approvals = await asyncio.gather(
            *(
                (b, a)[n % 2].post(f"/api/passes/{pid}/approve", headers=teacher)
                for n, pid in enumerate(ids)
            )
        )
        assert all(r.status_code == 200 for r in approvals), [r.text for r in approvals]

        # One request: the nurse and the teacher; one approval that lets the student go: the
        # nurse (the student has no device).
        rows = await settle(database_url)
        assert len(rows) >= 2 * len(STUDENTS) + 1
        received = await push.wait_for(len(rows), within=10)
        await asyncio.sleep(2.5)  # longer than a poll and a claim: a duplicate would show
        assert len(push.received) == len(rows)
        seen = collections.Counter(
            (r.token, r.payload["pass_id"], r.payload["body"]) for r in received
        )
        assert [k for k, n in seen.items() if n > 1] == []
        assert {state for _, state in await push_rows(database_url)} == {"sent"}
        assert push.refused == []


async def settle(database_url: str) -> list[tuple[str, str]]:
    """Return the push rows once the set stops growing (every event committed)."""
    previous: list[tuple[str, str]] = []
    for _ in range(50):
        rows = await push_rows(database_url)
        if rows and len(rows) == len(previous):
            return rows
        previous = rows
        await asyncio.sleep(0.2)
    return previous


async def register_device(http: httpx.AsyncClient, login: str, push: PushService) -> None:
    """Register a new device of the push service for a user, through one process."""
    token = await sign_in(http, login)
    device = push.device()
    response = await http.post(
        "/api/push/subscriptions",
        json=device.subscription(push.base_url),
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.text


async def location(http: httpx.AsyncClient, headers: dict[str, str], name: str) -> int:
    """Return a demo location's id."""
    places = (await http.get("/api/locations", headers=headers)).json()
    return int(next(p["id"] for p in places if p["name"] == name))


@pytest.mark.timeout(180)
@pytest.mark.parametrize("backend", ["postgres"])
async def test_a_toast_made_through_one_process_reaches_each_socket_once(
    notify_cluster: NotifyCluster,
) -> None:
    async with (
        httpx.AsyncClient(base_url=notify_cluster.url(0)) as a,
        httpx.AsyncClient(base_url=notify_cluster.url(1)) as b,
    ):
        nurse_token = await sign_in(a, NURSE)
        # The nurse has a screen open on each process; every request goes through B, and
        # whichever process's worker claims a row, each socket gets each notice once.
        sockets = [await connect(notify_cluster.ws(n)) for n in (0, 1)]
        try:
            for ws in sockets:
                await ws.send(json.dumps({"type": "hello", "token": nurse_token}))
                assert (await recv(ws, 5))["type"] == "snapshot"
            # No wait for the broker readers: each feed subscribed (fixing where its reader
            # starts, the streams' top) before its snapshot was sent.
            staff = {"Authorization": f"Bearer {await sign_in(b, TEACHER)}"}
            nurse_office = await location(b, staff, "Nurse")
            began = time.monotonic()
            passes = []
            for student in STUDENTS[:5]:
                token = await sign_in(b, student)
                made = await b.post(
                    "/api/passes",
                    json={"destination_id": nurse_office},
                    headers={"Authorization": f"Bearer {token}"},
                )
                assert made.status_code == 201, made.text
                passes.append(int(made.json()["id"]))
            received = [await toasts(ws, len(passes)) for ws in sockets]
            print(
                f"five toasts on both processes {time.monotonic() - began:.3f}s after B was asked"
            )
            await asyncio.sleep(2.5)  # longer than a poll and a claim: a duplicate would show
            for n, ws in enumerate(sockets):
                late = [f for f in await frames_until_quiet(ws) if f["type"] == "notification"]
                frames = received[n] + late
                assert sorted(f["pass_id"] for f in frames) == sorted(passes), n
                assert len({f["id"] for f in frames}) == len(passes), n
                assert {f["category"] for f in frames} == {"nurse"}
        finally:
            for ws in sockets:
                await ws.close()


async def toasts(ws: ClientConnection, n: int) -> list[dict[str, Any]]:
    """Return the next n notification frames of a socket, skipping events."""
    found: list[dict[str, Any]] = []
    while len(found) < n:
        frame = await recv(ws, 5)
        if frame["type"] == "notification":
            found.append(frame)
    return found


async def frames_until_quiet(ws: ClientConnection) -> list[dict[str, Any]]:
    """Return what a socket receives until it is quiet for half a second."""
    frames: list[dict[str, Any]] = []
    with contextlib.suppress(TimeoutError):
        while True:
            frames.append(await recv(ws, 0.5))
    return frames
