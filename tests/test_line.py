"""The fair line: a freed place is offered to the first in line, held for them, and taken.

Restroom North is a 5-minute self-start place for two. The server's clock is frozen on a
Tuesday at 10:00 in Chicago (the demo school's zone) and moves only when a test moves it, so
deadlines compare exactly. Students 1001-1015 are in Room 101 (teacher1); 1001 and
1002 form the demo's blocking encounter group.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from server import clock
from server.enums import PassState, Role
from server.errors import ErrorCode
from server.models import EncounterLog, Pass, PassEvent, School
from server.services.scheduler import expire_overdue_passes, lapse_offers, offer_free_places
from tests.conftest import Demo, location_id, user_id
from tests.invariants import assert_invariants
from tests.test_authorization import create_staff
from tests.test_error_shape import assert_error
from tests.test_policies import ADMIN, TEACHER, call, local, refusal, set_policy

RESTROOM = "Restroom North"  # capacity 2, 5 minutes
TUESDAY_10 = local(4, 10).astimezone(UTC)
KIOSK = "kiosk101@demo.school"


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Freeze the server's clock at TUESDAY_10 (plus whatever `clock.advance` adds)."""
    monkeypatch.setattr(clock, "datetime", SimpleNamespace(now=lambda tz: TUESDAY_10))
    clock.reset()
    yield
    clock.reset()


def advance(seconds: float) -> None:
    """Move the server's clock on."""
    clock.advance(timedelta(seconds=seconds))


async def go(demo: Demo, login: str, destination: str = RESTROOM) -> dict[str, Any]:
    """Request a pass as the student; return it (active or waiting)."""
    response = await demo.request_pass(login, destination)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def full_restroom_and_a_line(demo: Demo, *line: str) -> list[int]:
    """Send 1003 and 1004 to the restroom, then line up the given students; return the line."""
    for login in ("1003", "1004"):
        assert (await go(demo, login))["state"] == "active"
    waiting = [await go(demo, login) for login in line]
    assert [p["state"] for p in waiting] == ["waiting"] * len(line)
    return [int(p["id"]) for p in waiting]


async def end_first_out(demo: Demo) -> None:
    """1003 comes back from the restroom, freeing a place."""
    first = await Pass.get(student_id=await user_id("1003"), state=PassState.ACTIVE)
    assert (await demo.post("1003", f"/api/passes/{first.id}/end")).status_code == 200


async def end_second_out(demo: Demo) -> None:
    """1004 comes back from the restroom, freeing a place."""
    out = await Pass.get(student_id=await user_id("1004"), state=PassState.ACTIVE)
    assert (await demo.post("1004", f"/api/passes/{out.id}/end")).status_code == 200


async def event_names(pass_id: int) -> list[str]:
    """Return the names of a pass's events, in order."""
    return [e.name for e in await PassEvent.filter(hall_pass_id=pass_id).order_by("seq")]


async def seen_by(demo: Demo, login: str, pass_id: int) -> dict[str, Any]:
    """Return the pass as a user reads it."""
    response = await demo.get(login, f"/api/passes/{pass_id}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_a_freed_place_is_offered_held_for_the_first_in_line_and_taken(demo: Demo) -> None:
    first, second = await full_restroom_and_a_line(demo, "1005", "1006")
    assert (await seen_by(demo, "1006", second))["position"] == 2

    await end_first_out(demo)
    offered = await seen_by(demo, "1005", first)
    assert (offered["state"], offered["position"]) == ("waiting", 1)
    deadline = (await Pass.get(id=first)).offer_expires_at
    assert deadline == clock.utcnow() + timedelta(seconds=30)  # the default time to take it
    assert offered["offer_expires_at"] == deadline.isoformat().replace("+00:00", "Z")

    # The place is held: the second in line can't take it, and a newcomer queues behind.
    said = refusal(await demo.post("1006", f"/api/passes/{second}/take"), ErrorCode.NOT_YOUR_TURN)
    assert "you are 2nd in line" in said
    late = await go(demo, "1007")
    assert (late["state"], late["position"]) == ("waiting", 3)

    advance(29)
    taken = await demo.post("1005", f"/api/passes/{first}/take")
    assert taken.status_code == 200, taken.text
    assert (taken.json()["state"], taken.json()["offer_expires_at"]) == ("active", None)
    assert await event_names(first) == ["pass.created", "pass.offered", "pass.taken"]
    assert_error(await demo.post("1005", f"/api/passes/{first}/take"), 409)  # once
    await assert_invariants()


async def test_an_offer_not_taken_in_time_goes_to_the_back_and_the_next_is_offered(
    demo: Demo,
) -> None:
    first, second = await full_restroom_and_a_line(demo, "1005", "1006")
    await end_first_out(demo)
    advance(29.9)
    assert await lapse_offers() == []
    advance(0.1)  # half-open: at the deadline the offer has lapsed, sweep or no sweep
    said = refusal(await demo.post("1005", f"/api/passes/{first}/take"), ErrorCode.OFFER_EXPIRED)
    assert "back of the line" in said

    assert await lapse_offers() == [first]
    assert await lapse_offers() == []  # nothing happens twice
    back = await Pass.get(id=first)
    assert (back.state, back.offer_expires_at, back.queued_at) == (
        PassState.WAITING,
        None,
        clock.utcnow(),
    )
    assert (await seen_by(demo, "1005", first))["position"] == 2
    assert (await seen_by(demo, "1006", second))["position"] == 1
    assert (await Pass.get(id=second)).offer_expires_at is not None
    assert await event_names(first) == ["pass.created", "pass.offered", "pass.requeued"]
    assert await event_names(second) == ["pass.created", "pass.offered"]
    await assert_invariants()


async def test_alone_in_line_a_lapsed_offer_is_offered_again(demo: Demo) -> None:
    (only,) = await full_restroom_and_a_line(demo, "1005")
    await end_first_out(demo)
    advance(31)
    assert await lapse_offers() == [only]
    assert await event_names(only) == [
        "pass.created",
        "pass.offered",
        "pass.requeued",
        "pass.offered",
    ]
    assert (await Pass.get(id=only)).offer_expires_at == clock.utcnow() + timedelta(seconds=30)
    assert (await demo.post("1005", f"/api/passes/{only}/take")).status_code == 200


async def test_the_time_to_take_a_place_is_a_policy_setting(demo: Demo) -> None:
    restroom = await location_id(RESTROOM)
    student = await user_id("1005")
    await set_policy(demo, "/api/policies/school", offer_seconds=60)
    await set_policy(demo, f"/api/policies/destination/{restroom}", offer_seconds=120)
    await set_policy(demo, f"/api/policies/student/{student}", offer_seconds=15)
    first, second = await full_restroom_and_a_line(demo, "1005", "1006")
    await end_first_out(demo)  # offered to 1005: the student's own row beats everything
    deadline = (await Pass.get(id=first)).offer_expires_at
    assert deadline == clock.utcnow() + timedelta(seconds=15)
    await end_second_out(demo)  # offered to 1006: the destination's row beats the school's
    deadline = (await Pass.get(id=second)).offer_expires_at
    assert deadline == clock.utcnow() + timedelta(seconds=120)
    explained = (await demo.get(ADMIN, f"/api/students/{student}/policy")).json()
    assert explained["settings"]["offer_seconds"] == {
        "value": 15,
        "scope": "student",
        "target": str(student),
        "source": "this student",
    }


async def test_bad_offer_times_name_the_field(demo: Demo) -> None:
    for value in (9, 601, None, "30", 2.5, True):
        response = await call(
            demo, "PUT", ADMIN, "/api/policies/school", {"rules": {"offer_seconds": value}}
        )
        assert_error(response, 422, ErrorCode.VALIDATION_ERROR)
        fields = [f["field"] for f in response.json()["error"]["details"]["fields"]]
        assert "rules.offer_seconds" in fields, (value, response.text)
    assert (await demo.get(ADMIN, "/api/policies")).json() == []
    await set_policy(demo, "/api/policies/school", offer_seconds=10)
    await set_policy(demo, "/api/policies/school", offer_seconds=600)


async def test_leaving_the_line_with_a_place_offered_hands_it_to_the_next(demo: Demo) -> None:
    first, second = await full_restroom_and_a_line(demo, "1005", "1006")
    await end_first_out(demo)
    cancelled = await demo.post("1005", f"/api/passes/{first}/cancel")  # declining is leaving
    assert cancelled.json()["state"] == "cancelled"
    assert (await Pass.get(id=second)).offer_expires_at is not None
    assert await event_names(second) == ["pass.created", "pass.offered"]
    await assert_invariants()


async def test_a_student_an_encounter_group_holds_back_is_skipped_and_it_is_logged(
    demo: Demo,
) -> None:
    blocked, behind = await full_restroom_and_a_line(demo, "1001", "1005")
    await go(demo, "1002", "Library")  # the other member goes out while 1001 waits
    await end_first_out(demo)

    assert (await Pass.get(id=blocked)).offer_expires_at is None  # skipped, keeps its place
    assert (await Pass.get(id=behind)).offer_expires_at is not None
    (logged,) = await EncounterLog.filter(student_id=await user_id("1001"))
    assert (logged.outcome, logged.hall_pass_id, logged.others) == (
        "prevented",
        blocked,
        [await user_id("1002")],
    )
    mine = await seen_by(demo, "1001", blocked)
    assert (mine["state"], mine["position"], mine["offer_expires_at"]) == ("waiting", 2, None)
    said = refusal(await demo.post("1001", f"/api/passes/{blocked}/take"), ErrorCode.NOT_YOUR_TURN)
    assert "encounter" not in said.lower()
    assert "1002" not in said
    await assert_invariants()


async def test_staff_issued_and_kiosk_passes_wait_for_an_offer_too(demo: Demo) -> None:

    await create_staff(KIOSK, Role.KIOSK, "Door", "Kiosk", "Room 101")
    for login in ("1003", "1004"):
        await go(demo, login)
    restroom = await location_id(RESTROOM)
    issued = await demo.post(
        TEACHER, "/api/passes", {"destination_id": restroom, "student_id": await user_id("1005")}
    )
    at_door = await demo.post(
        KIOSK, "/api/passes", {"destination_id": restroom, "student_id": await user_id("1006")}
    )
    assert [issued.json()["state"], at_door.json()["state"]] == ["waiting", "waiting"]
    await end_first_out(demo)
    await end_second_out(demo)
    # The teacher takes the place for the student in their room; the kiosk for the one at it.
    for who, body in ((TEACHER, issued.json()), (KIOSK, at_door.json())):
        taken = await demo.post(who, f"/api/passes/{body['id']}/take")
        assert taken.status_code == 200, taken.text
        assert taken.json()["state"] == "active"
    await assert_invariants()


async def test_only_those_with_the_student_may_take_their_place(demo: Demo) -> None:
    (waiting,) = await full_restroom_and_a_line(demo, "1005")
    await end_first_out(demo)
    assert_error(await demo.post("nurse@demo.school", f"/api/passes/{waiting}/take"), 404)
    assert_error(await demo.post("1006", f"/api/passes/{waiting}/take"), 404)
    assert_error(await demo.post("teacher2@demo.school", f"/api/passes/{waiting}/take"), 404)
    assert (await Pass.get(id=waiting)).state == PassState.WAITING


async def test_an_overdue_pass_with_no_grace_gives_way_to_the_line_an_hour_past_due(
    demo: Demo,
) -> None:
    (waiting,) = await full_restroom_and_a_line(demo, "1005")
    out = sorted(p.id for p in await Pass.filter(state=PassState.ACTIVE))
    advance((5 + 60) * 60 - 6)
    assert await expire_overdue_passes() == []
    advance(6)
    assert sorted(await expire_overdue_passes()) == out
    assert (await Pass.get(id=waiting)).offer_expires_at is not None
    await assert_invariants()


async def test_a_place_freed_while_passes_were_off_is_offered_when_they_are_back_on(
    demo: Demo,
) -> None:
    (waiting,) = await full_restroom_and_a_line(demo, "1005")
    school = await School.get(slug="demo")
    await School.filter(id=school.id).update(passes_enabled=False)
    await end_first_out(demo)
    assert (await Pass.get(id=waiting)).offer_expires_at is None  # nobody leaves now
    assert await offer_free_places() == []
    await School.filter(id=school.id).update(passes_enabled=True)
    assert await offer_free_places() == [waiting]  # the sweep's last step
    assert await offer_free_places() == []
    await assert_invariants()


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"])
async def test_two_sweeps_at_once_send_each_lapsed_offer_back_once(demo: Demo) -> None:
    # As two worker processes would: each sweep on its own connection from the pool.
    line = await full_restroom_and_a_line(demo, "1005", "1006", "1007", "1008")
    await end_first_out(demo)
    await end_second_out(demo)
    advance(30)
    got = await asyncio.gather(*(lapse_offers() for _ in range(4)))
    assert sorted(i for ids in got for i in ids) == line[:2]
    for pass_id in line[:2]:
        assert await event_names(pass_id) == ["pass.created", "pass.offered", "pass.requeued"]
    for pass_id in line[2:]:
        assert await event_names(pass_id) == ["pass.created", "pass.offered"]
    await assert_invariants()


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"])
async def test_a_take_racing_the_lapse_sweep_happens_or_not_but_once(demo: Demo) -> None:
    (waiting,) = await full_restroom_and_a_line(demo, "1005")
    await end_first_out(demo)
    advance(30)
    requeued, taken = await asyncio.gather(
        lapse_offers(), demo.post("1005", f"/api/passes/{waiting}/take")
    )
    assert requeued == [waiting]  # at its deadline the offer lapsed, whoever came first
    names = await event_names(waiting)
    assert names[:4] == ["pass.created", "pass.offered", "pass.requeued", "pass.offered"]
    if taken.status_code == 200:  # the sweep came first, and offered the place again
        assert names[4:] == ["pass.taken"]
    else:  # the take came first, too late for the first offer
        assert_error(taken, 409, ErrorCode.OFFER_EXPIRED)
        assert names[4:] == []
    await assert_invariants()


async def test_a_student_held_back_is_logged_once_per_group_however_often_the_line_moves(
    demo: Demo,
) -> None:
    blocked, second, third = await full_restroom_and_a_line(demo, "1001", "1005", "1006")
    await go(demo, "1002", "Library")  # the demo group's other member, out for 15 minutes
    await end_first_out(demo)  # the place goes to 1005: 1001 skipped, logged
    await end_second_out(demo)  # the next to 1006: 1001 skipped again, not logged again
    advance(30)
    assert sorted(await lapse_offers()) == sorted([second, third])  # both offered again
    student = await user_id("1001")
    (logged,) = await EncounterLog.filter(student_id=student)
    assert (logged.outcome, logged.hall_pass_id) == ("prevented", blocked)

    # Another blocking group holds the same pass back: that one is logged, once.
    made = await demo.post(
        ADMIN,
        "/api/encounters/groups",
        {"name": "Hall", "mode": "block", "member_ids": [student, await user_id("1007")]},
    )
    assert made.status_code == 201, made.text
    library = await Pass.get(student_id=await user_id("1002"), state=PassState.ACTIVE)
    assert (await demo.post("1002", f"/api/passes/{library.id}/end")).status_code == 200
    await go(demo, "1007", "Library")
    assert (await demo.post("1005", f"/api/passes/{second}/cancel")).status_code == 200
    assert (await demo.post("1006", f"/api/passes/{third}/cancel")).status_code == 200
    rows = await EncounterLog.filter(student_id=student).order_by("id")
    assert [(r.group_id, r.hall_pass_id) for r in rows] == [
        (logged.group_id, blocked),
        (made.json()["id"], blocked),
    ]
    assert (await Pass.get(id=blocked)).offer_expires_at is None  # still held back
    await assert_invariants()
