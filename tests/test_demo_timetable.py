"""The demo school's timetable (README, Demo accounts): who is where, and who approves, by period.

Monday 3 March 2025 in Chicago (CST, UTC-6): Period 2 is 08:55-09:45, lunch 11:35-12:05. The
suite's demo school has no sections (a flow test must not depend on the hour); these tests give
it the timetable `hallpass serve` seeds, with the same function.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from tortoise import connections

from server import clock
from server.demo import seed_timetable
from server.errors import ErrorCode
from server.models import Location, School, User
from tests.conftest import Demo
from tests.test_error_shape import assert_error


@pytest.fixture
async def timetabled(demo: Demo) -> Demo:
    """Demo High School with its timetable."""
    school = await School.get(slug="demo")
    places = {p.name: p for p in await Location.filter(school=school)}
    teachers = {u.login: u for u in await User.filter(school=school, role="teacher")}
    students = await User.filter(school=school, role="student").order_by("student_number")
    await seed_timetable(connections.get("default"), school, places, teachers, students)
    return demo


def at(demo: Demo, local: str) -> None:
    """Put the server's clock at a Chicago wall-clock time of Monday 3 March 2025."""
    hour, minute = map(int, local.split(":"))
    when = datetime(2025, 3, 3, hour + 6, minute, tzinfo=UTC)
    clock.reset()
    clock.advance(when - datetime.now(UTC))
    demo.tokens.clear()


async def origin_of(demo: Demo, login: str, destination: str) -> tuple[str, str | None]:
    """A student asks for a pass; return its origin and section, and end it."""
    made = await demo.request_pass(login, destination)
    assert made.status_code == 201, made.text
    body = made.json()
    verb = "end" if body["state"] == "active" else "cancel"
    done = await demo.post(login, f"/api/passes/{body['id']}/{verb}")
    assert done.status_code == 200, done.text
    return body["origin"]["name"], None if body["section"] is None else body["section"]["name"]


async def test_in_an_elective_period_five_students_of_each_room_swap(timetabled: Demo) -> None:
    at(timetabled, "09:00")  # Period 2
    assert await origin_of(timetabled, "1011", "Library") == ("Room 102", "Art")
    assert await origin_of(timetabled, "1026", "Library") == ("Room 101", "Spanish I")
    # DESIGN.md section 4's students of Room 101 and Room 102 stay in them all day.
    assert await origin_of(timetabled, "1003", "Library") == ("Room 101", "Spanish I")
    assert await origin_of(timetabled, "1016", "Library") == ("Room 102", "Art")


async def test_the_teacher_of_the_period_approves_the_nurse(timetabled: Demo) -> None:
    at(timetabled, "09:00")
    asked = await timetabled.request_pass("1011", "Nurse")
    assert (asked.status_code, asked.json()["state"]) == (201, "pending")
    pass_id = asked.json()["id"]
    refused = await timetabled.post("teacher1@demo.school", f"/api/passes/{pass_id}/approve")
    assert_error(refused, 404, ErrorCode.NOT_FOUND)
    approved = await timetabled.post("teacher2@demo.school", f"/api/passes/{pass_id}/approve")
    assert (approved.status_code, approved.json()["state"]) == (200, "active")


async def test_at_lunch_and_before_school_students_are_in_their_homeroom(
    timetabled: Demo,
) -> None:
    for moment in ("07:30", "11:40", "09:47"):  # before school, lunch, passing time
        at(timetabled, moment)
        assert await origin_of(timetabled, "1011", "Library") == ("Room 101", None), moment
        assert await origin_of(timetabled, "1026", "Library") == ("Room 102", None), moment


async def test_each_teacher_lists_who_they_have_in_a_period(timetabled: Demo) -> None:
    at(timetabled, "09:00")
    now = await timetabled.get("teacher2@demo.school", "/api/students")
    assert now.status_code == 200, now.text
    assert sorted(s["login"] for s in now.json()) == [str(n) for n in range(1011, 1026)]
    assert {s["section"]["name"] for s in now.json()} == {"Art"}
    third = await timetabled.get("teacher1@demo.school", "/api/students?period=Period%203")
    assert sorted(s["login"] for s in third.json()) == [str(n) for n in range(1001, 1016)]
