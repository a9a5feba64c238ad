"""The staff's student lookup: a teacher finds the students of their own rooms, school-wide
staff find any student of the school, students and kiosks find nobody, and no answer carries
an accommodation or an encounter group.
"""

from __future__ import annotations

from typing import Any

import pytest

from server.contract.users import StudentOut
from server.enums import Role
from server.errors import ErrorCode
from server.models import Policy, School, User
from tests.conftest import Demo, location_id, user_id
from tests.test_admin import field_of
from tests.test_authorization import create_other_school, create_staff
from tests.test_error_shape import assert_error

ROOM_101 = {str(n) for n in range(1001, 1016)}
ROOM_102 = {str(n) for n in range(1016, 1031)}


async def lookup(demo: Demo, login: str, query: str = "") -> list[dict[str, Any]]:
    """GET /api/students as the user, and insist on its shape."""
    response = await demo.get(login, f"/api/students{query}")
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    for item in found:
        StudentOut.model_validate(item)
    return found


def logins(found: list[dict[str, Any]]) -> set[str]:
    """Return the logins of the students found."""
    return {item["login"] for item in found}


async def test_a_teacher_finds_the_students_of_their_own_room_only(demo: Demo) -> None:
    assert logins(await lookup(demo, "teacher1@demo.school")) == ROOM_101
    assert logins(await lookup(demo, "teacher2@demo.school")) == ROOM_102
    await create_staff("sub@demo.school", Role.SUBSTITUTE, "Sam", "Keller", "Room 102")
    assert logins(await lookup(demo, "sub@demo.school")) == ROOM_102
    # Another teacher's room, asked for by id, is refused rather than quietly empty.
    room_102 = await location_id("Room 102")
    refused = await demo.get("teacher1@demo.school", f"/api/students?location_id={room_102}")
    assert_error(refused, 403, ErrorCode.FORBIDDEN)


@pytest.mark.parametrize(
    "login",
    ["nurse@demo.school", "counselor@demo.school", "monitor@demo.school", "admin@demo.school"],
)
async def test_school_wide_staff_find_every_student_and_filter_by_room(
    demo: Demo, login: str
) -> None:
    assert logins(await lookup(demo, login)) == ROOM_101 | ROOM_102
    room_102 = await location_id("Room 102")
    assert logins(await lookup(demo, login, f"?location_id={room_102}")) == ROOM_102


@pytest.mark.parametrize("login", ["1003", "kiosk101@demo.school"])
async def test_students_and_kiosks_find_nobody(demo: Demo, login: str) -> None:
    assert_error(await demo.get(login, "/api/students"), 403, ErrorCode.FORBIDDEN)


async def test_a_student_comes_with_minimal_fields_and_whether_they_are_out(demo: Demo) -> None:
    assert (await demo.request_pass("1003", "Library")).status_code == 201
    found = await lookup(demo, "teacher1@demo.school", "?q=nguyen")
    assert found == [
        {
            "id": await user_id("1003"),
            "name": "Sophia Nguyen",
            "login": "1003",
            "student_number": "1003",
            "grade": 11,
            "home_location": {"id": await location_id("Room 101"), "name": "Room 101"},
            "has_open_pass": True,
            # A teacher's list says what it is for: in a school without sections, the homeroom
            # list (no period, no section), in the student's home room.
            "period": None,
            "section": None,
            "room": {"id": await location_id("Room 101"), "name": "Room 101"},
        }
    ]
    assert [s["has_open_pass"] for s in await lookup(demo, "teacher1@demo.school", "?q=1004")] == [
        False
    ]


async def test_the_search_matches_every_word_in_names_login_or_number(demo: Demo) -> None:
    admin = "admin@demo.school"
    assert logins(await lookup(demo, admin, "?q=SOPHIA")) == {"1003"}
    assert logins(await lookup(demo, admin, "?q=ava%20mart")) == {"1001"}
    assert logins(await lookup(demo, admin, "?q=101")) >= {"1010", "1011", "1012"}
    assert await lookup(demo, admin, "?q=nobody-like-this") == []
    assert await lookup(demo, admin, "?q=%25") == []  # a LIKE wildcard is a plain character
    assert len(await lookup(demo, admin, "?limit=4")) == 4
    by_name = [(s["name"].split()[-1], s["name"]) for s in await lookup(demo, admin)]
    assert by_name == sorted(by_name)


async def test_no_accommodation_and_no_encounter_group_is_ever_shown(demo: Demo) -> None:
    school = await School.get(slug="demo")
    await Policy.create(
        school=school,
        scope="student",
        target=str(await user_id("1001")),
        rules={"accommodation": True},
    )
    await User.filter(login="1001").update(groups=["Robotics"])
    for login in ("teacher1@demo.school", "admin@demo.school", "monitor@demo.school"):
        response = await demo.get(login, "/api/students?q=1001")
        text = response.text.lower()
        for word in ("accommodation", "encounter", "separation", "robotics", "groups"):
            assert word not in text, (login, word)


async def test_disabled_students_and_other_schools_are_never_found(demo: Demo) -> None:
    other = await create_other_school()
    await User.filter(login="1004").update(active=False)
    everyone = await lookup(demo, "admin@demo.school", "?limit=200")
    assert "1004" not in logins(everyone)
    assert other.student_id not in {s["id"] for s in everyone}
    # Another school's room is unknown here.
    refused = await demo.get("admin@demo.school", f"/api/students?location_id={other.classroom_id}")
    assert_error(refused, 404, ErrorCode.NOT_FOUND)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?limit=0", "limit"),
        ("?limit=201", "limit"),
        ("?limit=ten", "limit"),
        ("?location_id=0", "location_id"),
        ("?location_id=abc", "location_id"),
        ("?q=" + "x" * 101, "q"),
    ],
)
async def test_a_bad_query_is_named(demo: Demo, query: str, field: str) -> None:
    assert field_of(await demo.get("admin@demo.school", f"/api/students{query}")) == [field]


async def test_a_teacher_without_rooms_finds_nobody(demo: Demo) -> None:
    await create_staff("float@demo.school", Role.TEACHER, "Fay", "Lowe", "Room 101")
    await (await User.get(login="float@demo.school")).assigned_locations.clear()
    assert await lookup(demo, "float@demo.school") == []
