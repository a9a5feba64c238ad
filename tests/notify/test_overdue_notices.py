"""Overdue notices on a real (local) push service: security (safety, can't be muted) and the
origin teacher (a courtesy they may mute) hear when a pass goes past due; if the school's grace
later expires it, security's "Expired" notice replaces the "Overdue" one (one safety topic).
"""

from __future__ import annotations

from server.notify.worker import DeliveryWorker
from server.services.scheduler import announce_overdue, expire_overdue_passes
from tests.conftest import Demo
from tests.notify.conftest import register
from tests.notify.push_service import PushService
from tests.test_overtime import advance, go_out
from tests.test_policies import at_local, call, local, set_policy

SECURITY = "monitor@demo.school"
TEACHER = "teacher1@demo.school"


async def test_security_and_the_teacher_hear_when_a_pass_goes_past_due(
    demo: Demo, push: PushService, worker: DeliveryWorker
) -> None:
    at_local(demo, local(4, 10))
    await set_policy(demo, "/api/policies/school", overtime_grace_minutes=10)
    guard = await register(demo, SECURITY, push)
    teacher = await register(demo, TEACHER, push)
    pass_id = await go_out(demo, "1003")  # Room 101 to Restroom North, due 10:05
    student = (await demo.get(TEACHER, f"/api/passes/{pass_id}")).json()["student"]["name"]
    first, last = student.split(" ", 1)
    short = f"{first} {last[0]}."

    advance(5)
    assert await announce_overdue() == [pass_id]
    assert await worker.run_once() == 2
    [alert] = push.to(guard)
    assert alert.payload["title"] == f"Overdue: {short}"
    assert alert.payload["body"] == (
        "Pass from Room 101 to Restroom North was due 10:05 AM and hasn't ended."
    )
    assert (alert.headers["urgency"], alert.headers["topic"]) == ("high", f"s{pass_id}")
    [courtesy] = push.to(teacher)
    assert (courtesy.payload["title"], courtesy.payload["category"]) == (
        f"Overdue: {short}",
        "room_overdue",
    )
    assert courtesy.payload["body"] == "Not back from Restroom North: was due 10:05 AM."
    assert courtesy.headers["topic"] == f"p{pass_id}"

    advance(10)  # the grace is over: expired, and security's alert is replaced, not doubled
    assert await announce_overdue() == []
    assert await expire_overdue_passes() == [pass_id]
    assert await worker.run_once() == 1
    _, expired = push.to(guard)
    assert expired.payload["title"] == f"Expired: {short}"
    assert expired.payload["body"].endswith("return not observed.")
    assert expired.headers["topic"] == alert.headers["topic"]
    assert len(push.to(teacher)) == 1


async def test_the_teacher_may_mute_overdue_notices_and_security_may_not(
    demo: Demo, push: PushService, worker: DeliveryWorker
) -> None:
    at_local(demo, local(4, 10))
    guard = await register(demo, SECURITY, push)
    teacher = await register(demo, TEACHER, push)
    muted = await call(demo, "PUT", TEACHER, "/api/me/notifications", {"muted": ["room_overdue"]})
    assert muted.status_code == 200, muted.text
    refused = await call(demo, "PUT", SECURITY, "/api/me/notifications", {"muted": ["overdue"]})
    assert refused.status_code == 422
    await go_out(demo, "1003")
    advance(5)
    assert len(await announce_overdue()) == 1
    assert await worker.run_once() == 1
    assert len(push.to(guard)) == 1
    assert push.to(teacher) == []
