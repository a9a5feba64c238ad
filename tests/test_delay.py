"""Delay: the counselor puts a pending visit off; it is scheduled, and starts then, once.

The clock starts on Tuesday 4 March 2025 at 10:25 in Chicago (the demo school's zone), so the
school day doesn't turn over under a test. Counselor visits need the counselor to accept.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, timedelta
from typing import Any

import pytest

from server import clock
from server.errors import ErrorCode
from server.models import Pass, PassEvent
from server.services.scheduler import start_due_passes
from tests.conftest import Demo
from tests.invariants import assert_invariants
from tests.test_authorization import create_other_school
from tests.test_error_shape import assert_error
from tests.test_policies import ADMIN, TEACHER, at_local, local

COUNSELOR = "counselor@demo.school"


async def ask_counselor(demo: Demo, login: str) -> int:
    """Ask for a counselor visit as the student; return the pending pass's id."""
    response = await demo.request_pass(login, "Counselor")
    assert response.status_code == 201, response.text
    assert response.json()["state"] == "pending"
    return int(response.json()["id"])


async def delay(demo: Demo, pass_id: int, body: dict[str, Any], login: str = COUNSELOR) -> Any:
    """Delay the pass as `login` and return the response."""
    return await demo.post(login, f"/api/passes/{pass_id}/delay", body)


async def event_names(pass_id: int) -> list[str]:
    """Return the names of a pass's events in order."""
    return [e.name for e in await PassEvent.filter(hall_pass_id=pass_id).order_by("seq")]


def advance(minutes: float) -> None:
    """Move the server's clock on."""
    clock.advance(timedelta(minutes=minutes))


@pytest.fixture(autouse=True)
def tuesday_morning(demo: Demo) -> None:
    """Start every test at 10:25:30 on a school Tuesday."""
    at_local(demo, local(4, 10, 25, 30))


async def test_a_delayed_visit_is_scheduled_and_the_student_stays_in_class(demo: Demo) -> None:
    pass_id = await ask_counselor(demo, "1003")
    response = await delay(demo, pass_id, {"minutes": 14})
    assert response.status_code == 200, response.text
    body = response.json()
    # Rounded up to the minute: the student hears "The counselor will see you at 10:40".
    assert body["state"] == "scheduled"
    assert body["start_at"] == local(4, 10, 40).astimezone(UTC).isoformat().replace("+00:00", "Z")
    assert body["delayed_at"] is not None
    assert body["started_at"] is None
    assert await event_names(pass_id) == ["pass.created", "pass.delayed"]
    # The slot is free: meanwhile the student may use the restroom.
    restroom = await demo.request_pass("1003", "Restroom North")
    assert restroom.status_code == 201, restroom.text
    await demo.post("1003", f"/api/passes/{restroom.json()['id']}/end")
    # What the student and the origin teacher see: the scheduled visit, with its time.
    for login in ("1003", TEACHER):
        listed = (await demo.get(login, "/api/passes?state=scheduled")).json()
        assert [(p["id"], p["start_at"]) for p in listed] == [(pass_id, body["start_at"])]
    await assert_invariants()


async def test_at_its_time_the_sweep_starts_it_once_without_asking_again(demo: Demo) -> None:
    pass_id = await ask_counselor(demo, "1003")
    await delay(demo, pass_id, {"until": local(4, 10, 40).isoformat()})
    advance(14)
    assert await start_due_passes() == []  # 10:39:30: not yet
    advance(0.5)
    # A sweep after a restart reads only the database: it finds the pass due and starts it.
    assert await start_due_passes() == [pass_id]
    assert await start_due_passes() == []
    started = await Pass.get(id=pass_id)
    assert (started.state, started.open_student_id) == ("active", started.student_id)
    assert await event_names(pass_id) == ["pass.created", "pass.delayed", "pass.started"]
    await assert_invariants()


async def test_a_delayed_visit_waits_while_the_student_is_out_at_its_time(demo: Demo) -> None:
    pass_id = await ask_counselor(demo, "1004")
    await delay(demo, pass_id, {"minutes": 5})
    out = await demo.request_pass("1004", "Library")
    advance(10)
    assert await start_due_passes() == []
    assert (await Pass.get(id=pass_id)).state == "scheduled"
    await demo.post("1004", f"/api/passes/{out.json()['id']}/end")
    assert await start_due_passes() == [pass_id]


async def test_the_student_may_cancel_a_delayed_visit(demo: Demo) -> None:
    pass_id = await ask_counselor(demo, "1005")
    await delay(demo, pass_id, {"minutes": 30})
    cancelled = await demo.post("1005", f"/api/passes/{pass_id}/cancel")
    assert cancelled.json()["state"] == "cancelled"
    advance(31)
    assert await start_due_passes() == []


async def test_only_the_destinations_staff_or_an_admin_may_delay(demo: Demo) -> None:
    pass_id = await ask_counselor(demo, "1003")
    # The origin teacher sees the visit, but it is the counselor's to put off.
    assert_error(await delay(demo, pass_id, {"minutes": 5}, TEACHER), 403, ErrorCode.FORBIDDEN)
    # The student can't put off their own visit; another student doesn't see it at all.
    assert_error(await delay(demo, pass_id, {"minutes": 5}, "1003"), 403, ErrorCode.FORBIDDEN)
    assert_error(await delay(demo, pass_id, {"minutes": 5}, "1004"), 404, ErrorCode.NOT_FOUND)
    # A Nurse pass waits for the origin teacher: the nurse doesn't see it, nor may delay it.
    nurse = await demo.request_pass("1006", "Nurse")
    nurse_id = nurse.json()["id"]
    assert_error(await delay(demo, nurse_id, {"minutes": 5}, TEACHER), 403, ErrorCode.FORBIDDEN)
    assert (await delay(demo, nurse_id, {"minutes": 5}, ADMIN)).status_code == 200
    assert (await Pass.get(id=pass_id)).state == "pending"
    assert await event_names(pass_id) == ["pass.created"]


async def test_only_a_pending_visit_can_be_delayed(demo: Demo) -> None:
    pass_id = await ask_counselor(demo, "1003")
    assert (await delay(demo, pass_id, {"minutes": 5})).status_code == 200
    again = await delay(demo, pass_id, {"minutes": 10})  # scheduled now: cancel, or wait
    assert_error(again, 409, ErrorCode.INVALID_TRANSITION)
    out = await demo.request_pass("1004", "Restroom North")
    active = await delay(demo, out.json()["id"], {"minutes": 5}, ADMIN)
    assert_error(active, 409, ErrorCode.INVALID_TRANSITION)
    assert await event_names(pass_id) == ["pass.created", "pass.delayed"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "minutes"),
        ({"minutes": 5, "until": local(4, 11).isoformat()}, "until"),
        ({"minutes": 0}, "minutes"),
        ({"minutes": 241}, "minutes"),
        ({"minutes": "5"}, "minutes"),
        ({"until": local(4, 10).isoformat()}, "until"),  # the past
        ({"until": local(5, 9).isoformat()}, "until"),  # tomorrow
        ({"until": "2025-03-04T11:00:00"}, "until"),  # no offset: whose 11:00?
        ({"when": 5}, "when"),
    ],
)
async def test_a_bad_delay_names_the_field_and_changes_nothing(
    demo: Demo, body: dict[str, Any], field: str
) -> None:
    pass_id = await ask_counselor(demo, "1003")
    response = await delay(demo, pass_id, body)
    assert_error(response, 422, ErrorCode.VALIDATION_ERROR)
    assert field in [f["field"] for f in response.json()["error"]["details"]["fields"]]
    assert (await Pass.get(id=pass_id)).state == "pending"
    assert await event_names(pass_id) == ["pass.created"]


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"])
async def test_two_sweeps_at_once_start_a_delayed_visit_once(demo: Demo) -> None:
    ids = [await ask_counselor(demo, login) for login in ("1003", "1004", "1005")]
    for pass_id in ids:
        await delay(demo, pass_id, {"minutes": 5})
    advance(6)
    got = await asyncio.gather(*(start_due_passes() for _ in range(4)))
    # The counselor takes one at a time: one starts, the others join the line, each once.
    assert sorted(i for run in got for i in run) == sorted(ids)
    states = sorted([(await Pass.get(id=i)).state for i in ids])
    assert states == ["active", "waiting", "waiting"]
    for pass_id in ids:
        assert len(await event_names(pass_id)) == 3
    await assert_invariants()


async def test_another_schools_admin_gets_not_found(demo: Demo) -> None:
    pass_id = await ask_counselor(demo, "1003")
    await create_other_school()
    response = await delay(demo, pass_id, {"minutes": 5}, "admin@second.school")
    assert_error(response, 404, ErrorCode.NOT_FOUND)
    assert (await Pass.get(id=pass_id)).state == "pending"
