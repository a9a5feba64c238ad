"""Scheduled passes start at their time, exactly once, and wait while the student is out."""

from __future__ import annotations

from datetime import timedelta

from server import clock
from server.models import Pass, PassEvent
from server.services.scheduler import start_due_passes
from tests.conftest import Demo, location_id, user_id


async def schedule(demo: Demo, student: str, destination: str, minutes_ahead: int) -> int:
    """Schedule a pass as the counselor/teacher and return its id."""
    start = clock.utcnow() + timedelta(minutes=minutes_ahead)
    staff = "counselor@demo.school" if destination == "Counselor" else "teacher1@demo.school"
    response = await demo.post(
        staff,
        "/api/passes",
        {
            "destination_id": await location_id(destination),
            "student_id": await user_id(student),
            "start_at": start.isoformat(),
        },
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def test_a_scheduled_pass_starts_when_its_time_comes_and_only_once(demo: Demo) -> None:
    pass_id = await schedule(demo, "1003", "Counselor", 30)
    assert await start_due_passes() == []

    clock.advance(timedelta(minutes=31))
    assert await start_due_passes() == [pass_id]
    assert await start_due_passes() == []
    started = await Pass.get(id=pass_id)
    assert started.state == "active"
    assert started.open_student_id == started.student_id
    names = [e.name for e in await PassEvent.filter(hall_pass_id=pass_id).order_by("seq")]
    assert names == ["pass.created", "pass.started"]


async def test_a_scheduled_pass_waits_while_the_student_is_out(demo: Demo) -> None:
    pass_id = await schedule(demo, "1004", "Library", 10)
    out = (await demo.request_pass("1004", "Restroom North")).json()
    clock.advance(timedelta(minutes=11))
    assert await start_due_passes() == []
    assert (await Pass.get(id=pass_id)).state == "scheduled"

    await demo.post("1004", f"/api/passes/{out['id']}/end")
    assert await start_due_passes() == [pass_id]


async def test_a_scheduled_pass_to_a_full_place_joins_the_line(demo: Demo) -> None:
    pass_id = await schedule(demo, "1005", "Restroom North", 5)
    for login in ("1006", "1007"):
        await demo.request_pass(login, "Restroom North")
    clock.advance(timedelta(minutes=6))
    await start_due_passes()
    assert (await Pass.get(id=pass_id)).state == "waiting"


async def test_staff_can_schedule_a_pass_while_the_student_is_out_now(demo: Demo) -> None:
    await demo.request_pass("1009", "Library")
    pass_id = await schedule(demo, "1009", "Nurse", 60)
    assert (await Pass.get(id=pass_id)).state == "scheduled"


async def test_a_teacher_scheduled_counselor_visit_waits_for_the_counselor_at_its_time(
    demo: Demo,
) -> None:
    start = clock.utcnow() + timedelta(minutes=15)
    made = await demo.post(
        "teacher1@demo.school",
        "/api/passes",
        {
            "destination_id": await location_id("Counselor"),
            "student_id": await user_id("1010"),
            "start_at": start.isoformat(),
        },
    )
    assert made.json()["state"] == "scheduled"
    clock.advance(timedelta(minutes=16))
    await start_due_passes()
    assert (await Pass.get(id=made.json()["id"])).state == "pending"
