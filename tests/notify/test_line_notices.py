"""The line's notices on a real (local) push service: "your turn" reaches the student's phone
within a second of the place freeing, wakes it (urgency high), and never outlives the offer.

The server's clock is frozen on a Tuesday at 10:00 in Chicago, as in tests/test_line.py, so
the restroom is open and deadlines compare exactly.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from server import clock
from server.enums import PassState
from server.models import Delivery, Pass, User
from server.notify.worker import DeliveryWorker
from server.services.scheduler import lapse_offers
from tests.conftest import Demo
from tests.notify.conftest import attempts, deliveries, register
from tests.notify.push_service import PushService

# The clock is frozen at TUESDAY_10 for every test here, as for the line's own tests.
from tests.test_line import (  # noqa: F401 (frozen_clock is an autouse fixture)
    end_first_out,
    end_second_out,
    frozen_clock,
    full_restroom_and_a_line,
)


@pytest.fixture
async def running(worker: DeliveryWorker) -> DeliveryWorker:
    """Run the worker in the background, as the app does."""
    await worker.start()
    return worker  # the `worker` fixture stops it


async def test_your_turn_reaches_the_students_phone_within_a_second_of_the_place_freeing(
    demo: Demo, push: PushService, running: DeliveryWorker
) -> None:
    (waiting,) = await full_restroom_and_a_line(demo, "1005")
    phone = await register(demo, "1005", push)
    began = time.monotonic()
    await end_first_out(demo)  # 1003 is back: the place is offered to 1005
    [received] = await push.wait_for(1)
    latency = received.at - began
    print(f"'your turn' push decrypted {latency * 1000:.1f} ms after the freeing request began")
    assert latency < 1.0
    assert received.token == phone.token
    deadline = (await Pass.get(id=waiting)).offer_expires_at
    assert deadline == clock.utcnow() + timedelta(seconds=30)
    assert received.payload == {
        "title": "Your turn",
        "body": "Restroom North is yours until 10:00:30 AM. Take it in the app.",
        "category": "turn",
        "pass_id": waiting,
        "url": f"/passes/{waiting}",
        "tag": f"p{waiting}",
    }
    # Wakes the phone; kept by the push service no longer than the place is held.
    assert received.headers["urgency"] == "high"
    assert received.headers["topic"] == f"p{waiting}"
    assert 0 < int(received.headers["ttl"]) <= 30


async def test_a_turn_notice_not_sent_before_the_offer_lapsed_is_never_sent(
    demo: Demo, push: PushService, worker: DeliveryWorker
) -> None:
    (waiting,) = await full_restroom_and_a_line(demo, "1005")
    phone = await register(demo, "1005", push)
    push.answer(phone, (503, {}))  # the push service is down for the first try
    await end_first_out(demo)
    assert await worker.run_once() == 1
    [turn] = await deliveries(category="turn", channel="push")
    assert turn.expires_at == (await Pass.get(id=waiting)).offer_expires_at
    clock.advance(timedelta(seconds=20))  # the retry (10 s) leaves with what is left: 10 s
    assert await worker.run_once() == 1
    assert [r.headers["ttl"] for r in push.to(phone)] == ["30", "10"]

    # The next offer, with the worker held up until after it lapsed: never sent.
    clock.advance(timedelta(seconds=11))
    assert await lapse_offers() == [waiting]  # alone in line: requeued, offered again
    sent = len(push.to(phone))
    clock.advance(timedelta(seconds=30))
    assert await worker.run_once() == 2  # "back of the line", and the lapsed "your turn"
    second = (await deliveries(category="turn", channel="push"))[-1]
    assert second.state == "failed"
    assert [a.error for a in await attempts(second)] == ["expired before it could be sent"]
    assert [r.payload["title"] for r in push.to(phone)[sent:]] == ["Back of the line"]
    assert (await Pass.get(id=waiting)).state is PassState.WAITING
    assert await Delivery.filter(category="turn", channel="push", state="pending").count() == 0


async def test_security_hears_once_of_a_student_the_line_holds_back(
    demo: Demo, push: PushService, worker: DeliveryWorker
) -> None:
    guard = await register(demo, "monitor@demo.school", push)
    blocked, *_ = await full_restroom_and_a_line(demo, "1001", "1005", "1006")
    assert (await demo.request_pass("1002", "Library")).status_code == 201  # the group's other
    await end_first_out(demo)  # 1001 skipped: logged, security told
    await end_second_out(demo)  # skipped again: neither logged nor told again
    await worker.run_once()
    student = await User.get(login="1001", school__slug="demo")
    [told] = push.to(guard)
    assert (
        told.payload["title"]
        == f"Encounter prevented: {student.first_name} {student.last_name[0]}."
    )
    assert (
        told.payload["body"] == "A pass to Restroom North is held in line: a group member is out."
    )
    assert told.payload["category"] == "encounter"
    assert (told.headers["urgency"], told.headers["topic"]) == ("high", f"s{blocked}")
    [delivery] = await deliveries(category="encounter", channel="push")
    assert delivery.event_seq is None
