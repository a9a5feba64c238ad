"""The hall monitor's student lookup (issue 17): GET /api/students/{id}/today answers security
and admins with where a student should be now and their passes of today, for their own school's
students only; and every place says whether it checks arrivals in."""

from __future__ import annotations

from typing import Any

import pytest

from server.contract.places import LocationOut
from server.contract.whereabouts import StudentDay
from server.errors import ErrorCode
from tests.conftest import Demo, location_id, user_id
from tests.test_authorization import create_other_school
from tests.test_error_shape import assert_error


async def day_of(demo: Demo, login: str, student: str) -> dict[str, Any]:
    """GET the student's day as the user, and insist on its shape."""
    response = await demo.get(login, f"/api/students/{await user_id(student)}/today")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    StudentDay.model_validate(body)
    return body


@pytest.mark.parametrize("login", ["monitor@demo.school", "admin@demo.school"])
async def test_security_and_admins_see_a_students_passes_of_today_and_where_they_belong(
    demo: Demo, login: str
) -> None:
    started = await demo.request_pass("1005", "Restroom North")
    assert started.status_code == 201, started.text
    other = await demo.request_pass("1006", "Library")
    assert other.status_code == 201, other.text

    day = await day_of(demo, login, "1005")
    assert day["student"]["login"] == "1005"
    assert day["student"]["has_open_pass"] is True
    # Only this student's passes.
    assert [p["id"] for p in day["passes"]] == [started.json()["id"]]
    assert day["passes"][0]["destination"]["name"] == "Restroom North"
    # The same place the student's own screen gives (their section's room, else home room).
    own = await demo.get("1005", "/api/placement")
    assert own.status_code == 200, own.text
    assert day["expected"] == own.json()
    assert day["expected"]["room"] is not None


async def test_a_student_who_is_not_out_has_no_passes_today(demo: Demo) -> None:
    day = await day_of(demo, "monitor@demo.school", "1010")
    assert day["passes"] == []
    assert day["student"]["has_open_pass"] is False


@pytest.mark.parametrize(
    "login", ["teacher1@demo.school", "nurse@demo.school", "counselor@demo.school", "1005"]
)
async def test_everyone_else_is_refused(demo: Demo, login: str) -> None:
    sid = await user_id("1005")
    assert_error(await demo.get(login, f"/api/students/{sid}/today"), 403, ErrorCode.FORBIDDEN)


async def test_another_schools_student_staff_and_bad_ids_are_unknown(demo: Demo) -> None:
    other = await create_other_school()
    for path in (
        f"/api/students/{other.student_id}/today",
        f"/api/students/{await user_id('teacher1@demo.school')}/today",  # not a student
        "/api/students/0/today",
        "/api/students/abc/today",
    ):
        assert_error(await demo.get("monitor@demo.school", path), 404, ErrorCode.NOT_FOUND)


async def test_places_say_whether_they_check_arrivals_in(demo: Demo) -> None:
    for login in ("1005", "monitor@demo.school", "admin@demo.school"):
        response = await demo.get(login, "/api/locations")
        assert response.status_code == 200, response.text
        places = {p["name"]: LocationOut.model_validate(p) for p in response.json()}
        # Nobody is assigned to a restroom: no arrival is ever recorded there.
        assert places["Restroom North"].checks_in is False
        assert places["Room 101"].checks_in is True  # its teacher
        assert places["Nurse"].checks_in is True  # the nurse
        # Staff assignments stay the admins'.
        assert (places["Nurse"].staff_ids is not None) is (login == "admin@demo.school")


async def test_assigning_staff_to_a_place_makes_it_check_in(demo: Demo) -> None:
    restroom = await location_id("Restroom South")
    monitor = await user_id("monitor@demo.school")
    response = await demo.client.patch(
        f"/api/locations/{restroom}",
        json={"staff_ids": [monitor]},
        headers=await demo.auth("admin@demo.school"),
    )
    assert response.status_code == 200, response.text
    assert response.json()["checks_in"] is True
