"""End all: a teacher ends every pass out of their room at once, exactly the set confirmed.

All or none: a set that changed since the teacher looked is a 409 naming the current passes,
and nothing ends. Another school's room is a 404 before the body is read.
"""

from __future__ import annotations

import httpx
import pytest

from server.errors import ErrorCode
from server.models import Pass, PassEvent
from tests.conftest import Demo, location_id
from tests.invariants import assert_invariants
from tests.test_authorization import create_other_school
from tests.test_error_shape import assert_error
from tests.test_policies import ADMIN, TEACHER, at_local, local

OTHER_TEACHER = "teacher2@demo.school"  # Room 102


@pytest.fixture(autouse=True)
def tuesday_morning(demo: Demo) -> None:
    """Start every test at 10:25:30 on a school Tuesday."""
    at_local(demo, local(4, 10, 25, 30))


async def out(demo: Demo, login: str, destination: str) -> int:
    """Send a student out as themselves; return the active pass's id."""
    response = await demo.request_pass(login, destination)
    assert response.status_code == 201, response.text
    assert response.json()["state"] == "active", response.text
    return int(response.json()["id"])


async def end_all(demo: Demo, login: str, room: str, pass_ids: list[int]) -> httpx.Response:
    """POST end-all for a room of the demo as `login`."""
    room_id = await location_id(room)
    return await demo.post(login, f"/api/locations/{room_id}/end-all", {"pass_ids": pass_ids})


async def states(*pass_ids: int) -> list[str]:
    """Return the passes' states in the order given."""
    rows = {p.id: str(p.state) for p in await Pass.filter(id__in=pass_ids)}
    return [rows[i] for i in pass_ids]


async def test_the_teacher_ends_exactly_the_passes_out_of_their_room(demo: Demo) -> None:
    first = await out(demo, "1003", "Restroom North")
    second = await out(demo, "1004", "Library")
    elsewhere = await out(demo, "1016", "Restroom South")  # Room 102's: not touched
    response = await end_all(demo, TEACHER, "Room 101", [second, first])
    assert response.status_code == 200, response.text
    body = response.json()
    assert [p["id"] for p in body["passes"]] == [first, second]
    assert {p["state"] for p in body["passes"]} == {"ended"}
    assert {p["ended_by"] for p in body["passes"]} == {"staff"}
    assert await states(first, second, elsewhere) == ["ended", "ended", "active"]
    for pass_id in (first, second):
        names = [e.name for e in await PassEvent.filter(hall_pass_id=pass_id).order_by("seq")]
        assert names == ["pass.created", "pass.ended"]
    await assert_invariants()


async def test_a_changed_set_ends_nothing_and_names_the_current_passes(demo: Demo) -> None:
    first = await out(demo, "1003", "Restroom North")
    # The teacher looked when only 1003 was out; 1004 left since.
    second = await out(demo, "1004", "Library")
    response = await end_all(demo, TEACHER, "Room 101", [first])
    assert_error(response, 409, ErrorCode.PASSES_CHANGED)
    details = response.json()["error"]["details"]
    assert sorted(p["id"] for p in details["passes"]) == [first, second]
    assert await states(first, second) == ["active", "active"]


async def test_a_pass_that_came_back_meanwhile_ends_nothing(demo: Demo) -> None:
    first = await out(demo, "1003", "Restroom North")
    second = await out(demo, "1004", "Library")
    ended = await demo.post("1004", f"/api/passes/{second}/end")
    assert ended.status_code == 200, ended.text
    response = await end_all(demo, TEACHER, "Room 101", [first, second])
    assert_error(response, 409, ErrorCode.PASSES_CHANGED)
    assert [p["id"] for p in response.json()["error"]["details"]["passes"]] == [first]
    assert await states(first) == ["active"]


async def test_repeated_ids_or_another_rooms_pass_end_nothing(demo: Demo) -> None:
    first = await out(demo, "1003", "Restroom North")
    elsewhere = await out(demo, "1016", "Restroom South")
    for ids in ([first, first], [first, elsewhere]):
        response = await end_all(demo, TEACHER, "Room 101", ids)
        assert_error(response, 409, ErrorCode.PASSES_CHANGED)
    assert await states(first, elsewhere) == ["active", "active"]


async def test_nobody_out_and_nothing_confirmed_is_an_empty_answer(demo: Demo) -> None:
    response = await end_all(demo, TEACHER, "Room 101", [])
    assert response.status_code == 200, response.text
    assert response.json() == {"passes": []}


async def test_only_the_rooms_teacher_and_admins_may(demo: Demo) -> None:
    first = await out(demo, "1003", "Restroom North")
    for login in (OTHER_TEACHER, "nurse@demo.school", "monitor@demo.school", "1005"):
        response = await end_all(demo, login, "Room 101", [first])
        assert_error(response, 403, ErrorCode.FORBIDDEN)
    assert await states(first) == ["active"]
    response = await end_all(demo, ADMIN, "Room 101", [first])
    assert response.status_code == 200, response.text
    assert await states(first) == ["ended"]


async def test_another_schools_room_is_unknown_before_the_body_is_read(demo: Demo) -> None:
    other = await create_other_school()
    first = await out(demo, "1003", "Restroom North")
    path = f"/api/locations/{other.classroom_id}/end-all"
    for body in ({"pass_ids": [first]}, {"nonsense": True}):
        assert_error(await demo.post(TEACHER, path, body), 404, ErrorCode.NOT_FOUND)
        assert_error(await demo.post(ADMIN, path, body), 404, ErrorCode.NOT_FOUND)
    assert_error(
        await demo.post(TEACHER, "/api/locations/0/end-all", {"pass_ids": []}),
        404,
        ErrorCode.NOT_FOUND,
    )
    assert await states(first) == ["active"]


async def test_a_bad_body_is_a_422_that_ends_nothing(demo: Demo) -> None:
    first = await out(demo, "1003", "Restroom North")
    room = await location_id("Room 101")
    for body in ({}, {"pass_ids": "all"}, {"pass_ids": [0]}, {"pass_ids": [first], "x": 1}):
        response = await demo.post(TEACHER, f"/api/locations/{room}/end-all", body)
        assert_error(response, 422, ErrorCode.VALIDATION_ERROR)
    assert await states(first) == ["active"]


async def test_a_scheduled_pass_keeps_the_minutes_staff_chose(demo: Demo) -> None:
    start = local(4, 11, 0)
    student = (await demo.get(TEACHER, "/api/students?q=1005")).json()[0]["id"]
    response = await demo.post(
        TEACHER,
        "/api/passes",
        {
            "destination_id": await location_id("Library"),
            "student_id": student,
            "start_at": start.isoformat(),
            "minutes": 25,
        },
    )
    assert response.status_code == 201, response.text
    assert response.json()["state"] == "scheduled"
    assert response.json()["minutes"] == 25
    refused = await demo.post(
        "1005", "/api/passes", {"destination_id": await location_id("Library"), "minutes": 25}
    )
    assert_error(refused, 403, ErrorCode.FORBIDDEN)
    for bad in (0, 241):
        body = {"destination_id": await location_id("Library"), "student_id": student}
        assert_error(
            await demo.post(TEACHER, "/api/passes", body | {"minutes": bad}),
            422,
            ErrorCode.VALIDATION_ERROR,
        )
