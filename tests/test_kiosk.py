"""The door kiosk: a student types their number to go out and to come back.

The kiosk finds only the students of its rooms, and answers any other number with the same
neutral 404; a pass it starts is the student's own request (kind `kiosk`, their limits, from
their room); it names students as "First L." only; each kiosk has 10 lookups a minute.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from server.auth.ratelimit import KIOSK_LOOKUPS
from server.enums import PassState
from server.errors import ErrorCode
from server.models import Pass, Policy, School, User
from tests import dbstate
from tests.conftest import Demo, FakeClock, location_id, user_id
from tests.test_admin import field_of
from tests.test_authorization import PASS_TABLES
from tests.test_error_shape import assert_error

KIOSK = "kiosk101@demo.school"  # Room 101's door: students 1001-1015
OTHER_KIOSK = "kiosk102@demo.school"  # Room 102's door: students 1016-1030


async def at_door(
    demo: Demo, number: str, destination: str = "Library", kiosk: str = KIOSK, **extra: Any
) -> httpx.Response:
    """A student types their number at the door and picks a destination."""
    body = {"student_number": number, "destination_id": await location_id(destination), **extra}
    return await demo.post(kiosk, "/api/kiosk/passes", body)


async def back(
    demo: Demo, number: str, kiosk: str = KIOSK, key: str | None = None
) -> httpx.Response:
    """A student back at the door types their number."""
    headers = await demo.auth(kiosk)
    if key is not None:
        headers["Idempotency-Key"] = key
    return await demo.client.post(
        "/api/kiosk/return", headers=headers, json={"student_number": number}
    )


async def test_the_demo_has_a_kiosk_at_each_classroom_door(demo: Demo) -> None:
    for login, room in ((KIOSK, "Room 101"), (OTHER_KIOSK, "Room 102")):
        me = (await demo.get(login, "/api/me")).json()
        assert (me["role"], me["location_ids"]) == ("kiosk", [await location_id(room)])


async def test_a_student_types_their_number_and_goes_out_from_their_room(demo: Demo) -> None:
    response = await at_door(demo, "1003")
    assert response.status_code == 201, response.text
    hall_pass = response.json()
    assert (hall_pass["state"], hall_pass["kind"]) == ("active", "kiosk")
    assert hall_pass["student"] == {
        "id": await user_id("1003"),
        "name": "Sophia N.",
        "short_name": "Sophia N.",
    }
    assert hall_pass["origin"]["name"] == "Room 101"
    assert "Nguyen" not in response.text
    stored = await Pass.get(id=hall_pass["id"])
    assert stored.created_by_id == await user_id(KIOSK)


async def test_back_at_the_door_ends_the_pass_once(demo: Demo) -> None:
    out = (await at_door(demo, "1003")).json()
    ended = await back(demo, "1003")
    assert ended.status_code == 200, ended.text
    assert (ended.json()["id"], ended.json()["state"]) == (out["id"], "ended")
    assert (ended.json()["ended_by"], ended.json()["student"]["name"]) == ("student", "Sophia N.")
    assert_error(await back(demo, "1003"), 409, ErrorCode.INVALID_TRANSITION)


async def test_a_pass_awaiting_approval_is_not_ended_at_the_door(demo: Demo) -> None:
    pending = await at_door(demo, "1003", "Nurse")
    assert pending.json()["state"] == "pending"  # the origin teacher approves, as for the student
    assert_error(await back(demo, "1003"), 409, ErrorCode.INVALID_TRANSITION)
    assert (await Pass.get(id=pending.json()["id"])).state is PassState.PENDING


async def test_the_students_own_limits_hold_at_the_door(demo: Demo) -> None:
    school = await School.get(slug="demo")
    await Policy.create(school=school, scope="school", target="", rules={"passes_per_day": 0})
    assert_error(await at_door(demo, "1003"), 409, ErrorCode.LIMIT_REACHED)
    # An encounter group holds the door too: the student is put in line, as for full hallways.
    await Policy.all().delete()
    assert (await demo.request_pass("1002", "Restroom North")).status_code == 201
    held = await at_door(demo, "1001")
    assert held.status_code == 201, held.text
    assert held.json()["state"] == "waiting"
    for word in ("Liam", "Johnson", "Demo separation", "encounter", "blocked"):
        assert word not in held.text


async def test_any_number_not_of_this_door_gets_one_neutral_answer(demo: Demo) -> None:
    await User.filter(login="1005").update(active=False)
    before = await dbstate.snapshot(PASS_TABLES)
    answers = [
        await at_door(demo, "1016"),  # Room 102's student, at Room 101's door
        await at_door(demo, "9999"),  # no such number
        await at_door(demo, "1005"),  # disabled
        await at_door(demo, "teacher1"),  # a login, not a number
        await back(demo, "1016"),
        await back(demo, "9999"),
    ]
    for answer in answers:
        assert_error(answer, 404, ErrorCode.NOT_FOUND)
    assert len({answer.text for answer in answers}) == 1
    assert await dbstate.snapshot(PASS_TABLES) == before
    # At its own door, the same student is known.
    assert (await at_door(demo, "1016", kiosk=OTHER_KIOSK)).status_code == 201


@pytest.mark.parametrize(
    "login", ["1003", "teacher1@demo.school", "monitor@demo.school", "admin@demo.school"]
)
async def test_only_a_kiosk_types_numbers_in(demo: Demo, login: str) -> None:
    assert (await demo.request_pass("1004", "Library")).status_code == 201
    before = await dbstate.snapshot(PASS_TABLES)
    assert_error(await at_door(demo, "1003", kiosk=login), 403, ErrorCode.FORBIDDEN)
    assert_error(await back(demo, "1004", kiosk=login), 403, ErrorCode.FORBIDDEN)
    assert await dbstate.snapshot(PASS_TABLES) == before


async def test_a_kiosk_has_ten_lookups_a_minute_and_another_door_is_not_held(
    demo: Demo, limits_clock: FakeClock
) -> None:
    for _ in range(KIOSK_LOOKUPS.amount):
        assert_error(await at_door(demo, "9999"), 404, ErrorCode.NOT_FOUND)
    before = await dbstate.snapshot(PASS_TABLES)
    held = await at_door(demo, "1003")  # even a real number: the door doesn't look it up
    assert_error(held, 429, ErrorCode.RATE_LIMITED)
    assert 1 <= int(held.headers["retry-after"]) <= KIOSK_LOOKUPS.get_expiry()
    assert_error(await back(demo, "1003"), 429, ErrorCode.RATE_LIMITED)
    assert await dbstate.snapshot(PASS_TABLES) == before
    assert (await at_door(demo, "1016", kiosk=OTHER_KIOSK)).status_code == 201
    limits_clock.now += KIOSK_LOOKUPS.get_expiry() + 1
    assert (await at_door(demo, "1003")).status_code == 201


async def by_id(demo: Demo, student: str, kiosk: str = KIOSK, **extra: Any) -> httpx.Response:
    """The kiosk's token makes a pass by student id through the ordinary endpoint."""
    body = {"destination_id": await location_id("Library"), "student_id": await user_id(student)}
    return await demo.post(kiosk, "/api/passes", body | extra)


async def test_a_kiosk_looking_students_up_by_id_counts_on_the_same_limit(
    demo: Demo, limits_clock: FakeClock
) -> None:
    for _ in range(KIOSK_LOOKUPS.amount):
        assert_error(await by_id(demo, "1016"), 404, ErrorCode.NOT_FOUND)
    before = await dbstate.snapshot(PASS_TABLES)
    assert_error(await by_id(demo, "1003"), 429, ErrorCode.RATE_LIMITED)
    assert_error(await at_door(demo, "1003"), 429, ErrorCode.RATE_LIMITED)
    assert await dbstate.snapshot(PASS_TABLES) == before


async def test_a_student_id_not_of_this_door_gets_one_neutral_answer(demo: Demo) -> None:
    before = await dbstate.snapshot(PASS_TABLES)
    elsewhere = await by_id(demo, "1016")  # Room 102's student, at Room 101's door
    body = {"destination_id": await location_id("Library"), "student_id": 999_999}
    unknown = await demo.post(KIOSK, "/api/passes", body)
    staff = await by_id(demo, "teacher1@demo.school")  # an id, but not a student's
    for answer in (elsewhere, unknown, staff):
        assert_error(answer, 404, ErrorCode.NOT_FOUND)
    assert elsewhere.text == unknown.text == staff.text
    assert await dbstate.snapshot(PASS_TABLES) == before
    assert (await by_id(demo, "1003")).status_code == 201  # its own room's student is found


async def test_a_kiosk_cannot_schedule_a_pass(demo: Demo) -> None:
    before = await dbstate.snapshot(PASS_TABLES)
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    scheduled = await by_id(demo, "1003", start_at=tomorrow)
    assert_error(scheduled, 403, ErrorCode.FORBIDDEN)
    assert await dbstate.snapshot(PASS_TABLES) == before


async def test_a_repeated_keyed_request_applies_once(demo: Demo) -> None:
    first = await at_door(demo, "1003", idempotency_key="door-0001")
    again = await at_door(demo, "1003", idempotency_key="door-0001")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["student"]["name"] == "Sophia N."
    conflict = await at_door(demo, "1004", idempotency_key="door-0001")  # another student
    assert_error(conflict, 409, ErrorCode.IDEMPOTENCY_CONFLICT)
    ended = await back(demo, "1003", key="back-0001")
    replayed = await back(demo, "1003", key="back-0001")
    assert (replayed.status_code, replayed.json()) == (200, ended.json())
    assert await Pass.filter(state=PassState.ENDED).count() == 1
    assert (await at_door(demo, "1004")).status_code == 201
    assert_error(await back(demo, "1004", key="back-0001"), 409, ErrorCode.IDEMPOTENCY_CONFLICT)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "student_number"),
        ({"student_number": ""}, "student_number"),
        ({"student_number": "10 03"}, "student_number"),
        ({"student_number": 1003}, "student_number"),
        ({"student_number": "1" * 33}, "student_number"),
        ({"student_number": "1003", "destination_id": "5"}, "destination_id"),
        ({"student_number": "1003", "student_id": 9}, "student_id"),
        ({"student_number": "1003", "idempotency_key": "short"}, "idempotency_key"),
    ],
)
async def test_a_bad_field_is_named_and_nothing_changes(
    demo: Demo, body: dict[str, Any], field: str
) -> None:
    full = {"destination_id": await location_id("Library")} | body
    before = await dbstate.snapshot(PASS_TABLES)
    assert field in field_of(await demo.post(KIOSK, "/api/kiosk/passes", full))
    assert await dbstate.snapshot(PASS_TABLES) == before


async def test_a_kiosk_without_a_room_finds_nobody(demo: Demo) -> None:
    await (await User.get(login=KIOSK)).assigned_locations.clear()
    assert_error(await at_door(demo, "1003"), 404, ErrorCode.NOT_FOUND)
