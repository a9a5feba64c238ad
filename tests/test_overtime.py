"""Overtime: the sweep ends a pass past its due time and grace as expired, once, by the system.

Restroom North is a 5-minute self-start place for two. The clock starts on a Tuesday at 10:00
in Chicago (the demo school's zone), so the school day doesn't turn over under a test.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from server import clock
from server.enums import EndedBy, PassState
from server.errors import ErrorCode
from server.models import Pass, PassEvent
from server.services.scheduler import expire_overdue_passes
from tests.conftest import Demo, user_id
from tests.invariants import assert_invariants
from tests.test_error_shape import assert_error
from tests.test_policies import ADMIN, TEACHER, at_local, call, local, refusal, set_policy

RESTROOM = "Restroom North"  # capacity 2, 5 minutes
LIBRARY_MINUTES = 15


def advance(minutes: float) -> None:
    """Move the server's clock on."""
    clock.advance(timedelta(minutes=minutes))


async def go_out(demo: Demo, login: str, destination: str = RESTROOM) -> int:
    """Request a pass as the student; return its id."""
    response = await demo.request_pass(login, destination)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def event_names(pass_id: int) -> list[str]:
    """Return the names of a pass's events, in order."""
    return [e.name for e in await PassEvent.filter(hall_pass_id=pass_id).order_by("seq")]


async def test_a_pass_past_its_grace_expires_once_by_the_system(demo: Demo) -> None:
    at_local(demo, local(4, 10))
    await set_policy(demo, "/api/policies/school", overtime_grace_minutes=10)
    pass_id = await go_out(demo, "1003")

    advance(5 + 10 - 0.1)  # overdue, but still within the grace
    assert await expire_overdue_passes() == []
    assert (await Pass.get(id=pass_id)).state == PassState.ACTIVE

    advance(0.1)  # due time + grace: it expires, and a second sweep finds nothing
    assert await expire_overdue_passes() == [pass_id]
    assert await expire_overdue_passes() == []

    expired = await Pass.get(id=pass_id)
    assert (expired.state, expired.ended_by, expired.open_student_id) == (
        PassState.EXPIRED,
        EndedBy.SYSTEM,
        None,
    )
    assert expired.ended_at is not None
    assert expired.due_at is not None
    assert expired.ended_at - expired.due_at >= timedelta(minutes=10)
    assert await event_names(pass_id) == ["pass.created", "pass.expired"]
    event = await PassEvent.get(hall_pass_id=pass_id, name="pass.expired")
    assert event.actor_id is None
    assert (event.data["state"], event.data["ended_by"]) == ("expired", "system")
    body = (await demo.get(TEACHER, f"/api/passes/{pass_id}")).json()
    assert (body["state"], body["ended_by"]) == ("expired", "system")
    # It is over: the student can't end it, and may go out again.
    assert_error(await demo.post("1003", f"/api/passes/{pass_id}/end"), 409)
    await go_out(demo, "1003")
    await assert_invariants()


async def test_without_a_grace_a_pass_never_expires(demo: Demo) -> None:
    at_local(demo, local(4, 10))
    pass_id = await go_out(demo, "1003")
    advance(5 * 60)  # the student never came back, and nobody set a grace
    assert await expire_overdue_passes() == []
    assert (await Pass.get(id=pass_id)).state == PassState.ACTIVE


async def test_a_pass_ended_in_time_is_left_alone(demo: Demo) -> None:
    at_local(demo, local(4, 10))
    await set_policy(demo, "/api/policies/school", overtime_grace_minutes=0)
    pass_id = await go_out(demo, "1003")
    advance(4)
    assert (await demo.post("1003", f"/api/passes/{pass_id}/end")).status_code == 200
    advance(60)
    assert await expire_overdue_passes() == []
    assert await event_names(pass_id) == ["pass.created", "pass.ended"]


async def test_a_sweep_after_a_restart_catches_up_on_every_school_pass(demo: Demo) -> None:
    # The server was down for two hours: the first sweep after it expires what it missed,
    # each pass by its own grace (a student's accommodation holds theirs a little longer).
    at_local(demo, local(4, 10))
    await set_policy(demo, "/api/policies/school", overtime_grace_minutes=10)
    await set_policy(
        demo, f"/api/policies/student/{await user_id('1004')}", overtime_grace_minutes=240
    )
    first = await go_out(demo, "1003")
    kept = await go_out(demo, "1004", "Library")
    advance(120)
    assert await expire_overdue_passes() == [first]
    assert (await Pass.get(id=kept)).state == PassState.ACTIVE
    await assert_invariants()


async def test_the_place_an_expired_pass_frees_goes_to_the_next_in_line(demo: Demo) -> None:
    at_local(demo, local(4, 10))
    restroom = (await demo.get(ADMIN, "/api/locations")).json()
    restroom_id = next(p["id"] for p in restroom if p["name"] == RESTROOM)
    await set_policy(demo, f"/api/policies/destination/{restroom_id}", overtime_grace_minutes=2)
    out = [await go_out(demo, "1003"), await go_out(demo, "1004")]
    advance(1)
    line = [await go_out(demo, "1005"), await go_out(demo, "1006")]
    assert [(await Pass.get(id=i)).state for i in line] == [PassState.WAITING] * 2

    advance(6)  # 7 minutes after the first two left: past 5 + 2
    assert await expire_overdue_passes() == out
    offered = [await Pass.get(id=i) for i in line]
    assert [(p.state, p.offer_expires_at is not None) for p in offered] == [
        (PassState.WAITING, True)
    ] * 2
    assert await event_names(line[0]) == ["pass.created", "pass.offered"]
    last = [e.name for e in await PassEvent.all().order_by("-seq").limit(4)]
    assert last == ["pass.offered", "pass.offered", "pass.expired", "pass.expired"]
    await assert_invariants()


async def test_expired_passes_count_toward_limits_and_the_cooldown_runs_from_the_expiry(
    demo: Demo,
) -> None:
    at_local(demo, local(4, 10))
    await set_policy(
        demo,
        "/api/policies/school",
        passes_per_day=2,
        cooldown_minutes=10,
        overtime_grace_minutes=0,
    )
    first = await go_out(demo, "1003")
    advance(5)
    assert await expire_overdue_passes() == [first]
    refusal(await demo.request_pass("1003", "Library"), ErrorCode.COOLDOWN)
    advance(10)
    await go_out(demo, "1003", "Library")  # the second of two today
    student = await user_id("1003")
    body = (await demo.get(TEACHER, f"/api/students/{student}/policy")).json()
    assert body["today"] == 2  # the expired pass counts


async def test_the_explanation_shows_the_grace_and_who_set_it(demo: Demo) -> None:
    await set_policy(demo, "/api/policies/grade/11", overtime_grace_minutes=15)
    student = await user_id("1003")  # in grade 11
    grade = (await demo.get(ADMIN, f"/api/students/{student}/policy")).json()
    assert grade["settings"]["overtime_grace_minutes"] == {
        "value": 15,
        "scope": "grade",
        "target": "11",
        "source": "grade 11",
    }
    await set_policy(demo, f"/api/policies/student/{student}", overtime_grace_minutes=None)
    own = (await demo.get(ADMIN, f"/api/students/{student}/policy")).json()
    assert own["settings"]["overtime_grace_minutes"] == {
        "value": None,
        "scope": "student",
        "target": str(student),
        "source": "this student",
    }


async def test_bad_grace_settings_name_the_field(demo: Demo) -> None:
    for value in (241, -1, "10", 2.5, True):
        response = await call(
            demo, "PUT", ADMIN, "/api/policies/school", {"rules": {"overtime_grace_minutes": value}}
        )
        assert_error(response, 422, ErrorCode.VALIDATION_ERROR)
        fields = [f["field"] for f in response.json()["error"]["details"]["fields"]]
        assert "rules.overtime_grace_minutes" in fields, (value, response.text)
    assert (await demo.get(ADMIN, "/api/policies")).json() == []
    await set_policy(demo, "/api/policies/school", overtime_grace_minutes=240)


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"])
async def test_two_sweeps_at_once_expire_each_pass_once(demo: Demo) -> None:
    # As two worker processes would: each sweep on its own connection from the pool.
    at_local(demo, local(4, 10))
    await set_policy(demo, "/api/policies/school", overtime_grace_minutes=1)
    out = [await go_out(demo, login) for login in ("1003", "1004")]
    out += [await go_out(demo, login, "Library") for login in ("1005", "1006", "1007")]
    line = await go_out(demo, "1008")
    advance(LIBRARY_MINUTES + 1)
    got = await asyncio.gather(*(expire_overdue_passes() for _ in range(4)))
    assert sorted(i for ids in got for i in ids) == sorted(out)
    for pass_id in out:
        assert await event_names(pass_id) == ["pass.created", "pass.expired"]
    assert await event_names(line) == ["pass.created", "pass.offered"]
    await assert_invariants()


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"])
async def test_a_student_ending_as_the_sweep_expires_ends_the_pass_once(demo: Demo) -> None:
    at_local(demo, local(4, 10))
    await set_policy(demo, "/api/policies/school", overtime_grace_minutes=0)
    for round_ in range(5):
        login = str(1003 + round_)
        pass_id = await go_out(demo, login, "Library")
        advance(LIBRARY_MINUTES)
        _, ended = await asyncio.gather(
            expire_overdue_passes(), demo.post(login, f"/api/passes/{pass_id}/end")
        )
        final = await Pass.get(id=pass_id)
        names = await event_names(pass_id)
        if ended.status_code == 200:
            assert (final.state, names[-1]) == (PassState.ENDED, "pass.ended")
        else:
            assert_error(ended, 409, ErrorCode.INVALID_TRANSITION)
            assert (final.state, names[-1]) == (PassState.EXPIRED, "pass.expired")
        assert len(names) == 2
    await assert_invariants()
