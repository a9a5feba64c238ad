"""Web Push end to end against a strict local push service: VAPID checked, bodies decrypted,
and each answer a push service can give (201, 404, 410, 413, 429, 5xx) handled as RFC 8030 says.
"""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import pytest

from server import clock
from server.models import Delivery, PushSubscription, User
from server.notify.payload import KEYS, SMALL_KEYS
from server.notify.vapid import vapid_key
from server.notify.worker import DeliveryWorker, purge_finished
from tests.conftest import Demo
from tests.notify.conftest import attempts, deliveries, register
from tests.notify.push_service import PushService, unb64url

NURSE = "nurse@demo.school"
TEACHER = "teacher1@demo.school"


async def nurse_pass(demo: Demo, student: str = "1003") -> int:
    """Have a Room 101 student ask for the nurse (pending: the teacher approves)."""
    response = await demo.request_pass(student, "Nurse")
    assert response.status_code == 201, response.text
    assert response.json()["state"] == "pending"
    return int(response.json()["id"])


async def test_the_vapid_key_is_made_once_and_kept(demo: Demo) -> None:
    first, second = await asyncio.gather(vapid_key(), vapid_key())
    assert first.public_key == second.public_key
    response = await demo.get("1003", "/api/push/key")
    assert response.status_code == 200
    assert response.json() == {"public_key": first.public_key}
    point = unb64url(first.public_key)
    assert len(point) == 65
    assert point[0] == 4  # an uncompressed P-256 point, as applicationServerKey wants


@pytest.fixture
async def running(worker: DeliveryWorker) -> DeliveryWorker:
    """Run the worker in the background, as the app does."""
    await worker.start()
    return worker  # the `worker` fixture stops it


async def test_a_nurse_pass_reaches_the_nurse_device_within_a_second(
    demo: Demo, push: PushService, running: DeliveryWorker
) -> None:
    device = await register(demo, NURSE, push)
    student = await User.get(login="1003", school__slug="demo")
    began = time.monotonic()
    pass_id = await nurse_pass(demo)
    [received] = await push.wait_for(1)
    latency = received.at - began
    print(f"nurse push decrypted {latency * 1000:.1f} ms after the request began")
    assert latency < 1.0
    assert received.token == device.token
    # What the notification needs, and no more.
    assert set(received.payload) == set(KEYS)
    assert received.payload == {
        "title": f"Nurse: {student.first_name} {student.last_name}",
        "body": "Asked to come from Room 101; waiting for the teacher's approval.",
        "category": "nurse",
        "pass_id": pass_id,
        "url": f"/passes/{pass_id}",
        "tag": f"p{pass_id}",
    }
    # Signed with the key browsers subscribe with; routine urgency, a topic per pass, a TTL.
    assert received.vapid_key == (await demo.get(NURSE, "/api/push/key")).json()["public_key"]
    assert received.headers["urgency"] == "normal"
    assert received.headers["topic"] == f"p{pass_id}"
    assert received.headers["ttl"] == "900"
    [delivery] = await deliveries(channel="push")
    async with asyncio.timeout(2):  # the worker records the 201 once it has read it
        while delivery.state != "sent":
            await asyncio.sleep(0.02)
            await delivery.refresh_from_db()
    assert [a.status for a in await attempts(delivery)] == [201]


@pytest.mark.parametrize("status", [404, 410])
async def test_a_gone_subscription_is_deleted_and_not_retried(
    demo: Demo, push: PushService, worker: DeliveryWorker, status: int
) -> None:
    device = await register(demo, NURSE, push)
    push.answer(device, (status, {}))
    await nurse_pass(demo)
    assert await worker.run_once() == 1
    [delivery] = await deliveries(channel="push")
    assert delivery.state == "gone"
    assert delivery.subscription_id is None  # the device row is gone, its record stays
    assert not await PushSubscription.exists()
    assert [a.status for a in await attempts(delivery)] == [status]
    clock.advance(timedelta(hours=2))
    assert await worker.run_once() == 0
    await nurse_pass(demo, "1004")
    assert await Delivery.filter(channel="push").count() == 1  # nothing for a deleted device


async def test_a_413_sends_the_smaller_payload(
    demo: Demo, push: PushService, worker: DeliveryWorker
) -> None:
    device = await register(demo, NURSE, push)
    push.answer(device, (413, {}))
    pass_id = await nurse_pass(demo)
    assert await worker.run_once() == 1
    assert await worker.run_once() == 1  # again at once, smaller
    first, second = push.to(device)
    assert set(first.payload) == set(KEYS)
    assert second.payload == {
        "title": first.payload["title"],
        "pass_id": pass_id,
        "url": f"/passes/{pass_id}",
        "tag": f"p{pass_id}",
    }
    assert set(second.payload) == set(SMALL_KEYS)
    assert second.size < first.size
    [delivery] = await deliveries(channel="push")
    assert delivery.state == "sent"
    tries = await attempts(delivery)
    assert [(a.status, a.reduced) for a in tries] == [(413, False), (201, True)]


async def test_a_429_waits_as_long_as_retry_after_says(
    demo: Demo, push: PushService, worker: DeliveryWorker
) -> None:
    device = await register(demo, NURSE, push)
    push.answer(device, (429, {"Retry-After": "120"}))
    await nurse_pass(demo)
    assert await worker.run_once() == 1
    [delivery] = await deliveries(channel="push")
    [first] = await attempts(delivery)
    assert first.status == 429
    assert delivery.state == "pending"
    assert abs((delivery.due_at - first.at) - timedelta(seconds=120)) < timedelta(seconds=1)
    clock.advance(timedelta(seconds=118))
    assert await worker.run_once() == 0  # not yet
    clock.advance(timedelta(seconds=3))
    assert await worker.run_once() == 1
    await delivery.refresh_from_db()
    assert delivery.state == "sent"
    assert [a.status for a in await attempts(delivery)] == [429, 201]
    assert len(push.to(device)) == 2


async def test_server_errors_retry_with_capped_backoff_then_give_up(
    demo: Demo, push: PushService, worker: DeliveryWorker
) -> None:
    # The test policy: 10 s, 20 s, then the 30 s cap; four tries at most.
    device = await register(demo, NURSE, push)
    push.answer(device, (500, {}), (503, {}), (502, {}), (500, {}))
    await nurse_pass(demo)
    assert await worker.run_once() == 1
    [delivery] = await deliveries(channel="push")
    waits: list[timedelta] = []
    for expected in (10, 20, 30):
        await delivery.refresh_from_db()
        last = (await attempts(delivery))[-1]
        waits.append(delivery.due_at - last.at)
        clock.advance(timedelta(seconds=expected - 1))
        assert await worker.run_once() == 0
        clock.advance(timedelta(seconds=2))
        assert await worker.run_once() == 1
    assert [round(w.total_seconds()) for w in waits] == [10, 20, 30]
    await delivery.refresh_from_db()
    assert delivery.state == "failed"
    assert [a.status for a in await attempts(delivery)] == [500, 503, 502, 500]
    clock.advance(timedelta(hours=1))
    assert await worker.run_once() == 0


async def test_a_server_error_then_success_is_sent_once(
    demo: Demo, push: PushService, worker: DeliveryWorker
) -> None:
    device = await register(demo, NURSE, push)
    push.answer(device, (500, {}))
    await nurse_pass(demo)
    assert await worker.run_once() == 1
    clock.advance(timedelta(seconds=11))
    assert await worker.run_once() == 1
    [delivery] = await deliveries(channel="push")
    assert delivery.state == "sent"
    assert [r.answered for r in push.to(device)] == [500, 201]


async def test_a_push_service_that_never_answers_slows_neither_the_api_nor_other_pushes(
    demo: Demo, push: PushService, running: DeliveryWorker
) -> None:
    held: list[asyncio.StreamWriter] = []

    async def accept_and_say_nothing(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        held.append(writer)

    dead = await asyncio.start_server(accept_and_say_nothing, "127.0.0.1", 0)
    dead_port = dead.sockets[0].getsockname()[1]
    try:
        silent = push.device().subscription(f"http://127.0.0.1:{dead_port}")
        response = await demo.post(NURSE, "/api/push/subscriptions", silent)
        assert response.status_code == 201, response.text
        teacher = await register(demo, TEACHER, push)
        slowest = 0.0
        for student in ("1003", "1004", "1005", "1006"):
            began = time.monotonic()
            await nurse_pass(demo, student)  # to the nurse's dead service and the teacher
            listed = await demo.get(NURSE, "/api/passes")
            assert listed.status_code == 200
            slowest = max(slowest, time.monotonic() - began)
        received = await push.wait_for(4, within=2.0)
        assert {r.token for r in received} == {teacher.token}
        assert slowest < 0.5, f"a request took {slowest:.3f} s while pushes hung"
        hanging = await Delivery.filter(
            recipient__login=NURSE, channel="push", state="pending"
        ).count()
        assert hanging == 4  # claimed, waiting on the silent service, nothing recorded yet
        assert len(held) >= 1
    finally:
        for writer in held:
            writer.close()
        dead.close()


async def test_finished_deliveries_are_purged_after_a_month(
    demo: Demo, push: PushService, worker: DeliveryWorker
) -> None:
    device = await register(demo, NURSE, push)
    push.answer(device, (201, {}), (500, {}))
    await nurse_pass(demo)
    await nurse_pass(demo, "1004")
    assert await worker.run_once() == 2  # one sent, one waiting to retry
    clock.advance(timedelta(days=31))
    await purge_finished(clock.utcnow() - timedelta(days=30))
    [left] = await deliveries(channel="push")
    assert left.state == "pending"
    assert len(await attempts(left)) == 1
