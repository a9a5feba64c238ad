"""The users admin API: admins list, add, change, disable and reset users of their own school.

Nobody else gets in (403); no school sees another's users; no answer carries a password hash;
bad input is a 422 naming the field and changes nothing; a login is unique in the school; an
admin can't lock themselves out; disabling, a new role or a new password ends the user's
sessions and live sockets.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from websockets.exceptions import ConnectionClosed

from server.contract.users import StudentGroupOut, UserAdminOut, UserPageOut
from server.enums import Role
from server.errors import ErrorCode
from server.models import Session, User
from tests import dbstate
from tests.conftest import CHEAP_PASSWORDS, Demo, location_id, user_id
from tests.hub.test_ws import hello, live, recv
from tests.test_admin import field_of
from tests.test_authorization import create_other_school
from tests.test_error_shape import assert_error
from tests.test_policies import call

__all__ = ["live"]  # the fixture serving the app on a real port, for the socket test

ADMIN = "admin@demo.school"
USER_TABLES = ("users", "location_staff")
NOT_ADMINS = (
    "teacher1@demo.school",
    "nurse@demo.school",
    "counselor@demo.school",
    "monitor@demo.school",
    "kiosk101@demo.school",
    "1003",
)
NEW_STUDENT: dict[str, Any] = {
    "login": "1031",
    "first_name": "Nora",
    "last_name": "Quinn",
    "role": "student",
    "password": "s3cret-enough",
    "student_number": "1031",
    "grade": 9,
    "groups": ["Robotics", "Choir"],
}


async def add_user(demo: Demo, body: dict[str, Any]) -> dict[str, Any]:
    """POST a user as the admin, and insist it was created."""
    response = await call(demo, "POST", ADMIN, "/api/users", body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    UserAdminOut.model_validate(created)
    return created


async def patch_user(demo: Demo, who: str, /, **changes: object) -> httpx.Response:
    """PATCH a demo user (by login) as the admin."""
    return await call(demo, "PATCH", ADMIN, f"/api/users/{await user_id(who)}", changes)


async def users_page(demo: Demo, query: str = "") -> dict[str, Any]:
    """GET /api/users as the admin, and insist on its shape."""
    response = await demo.get(ADMIN, f"/api/users{query}")
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    UserPageOut.model_validate(page)
    return page


async def test_an_admin_adds_a_student_who_then_signs_in_from_their_room(demo: Demo) -> None:
    room = await location_id("Room 101")
    created = await add_user(demo, NEW_STUDENT | {"home_location_id": room})
    assert created | {"id": 0, "created_at": None} == {
        key: value for key, value in NEW_STUDENT.items() if key != "password"
    } | {
        "id": 0,
        "name": "Nora Quinn",
        "email": None,
        "home_location_id": room,
        "location_ids": [],
        "active": True,
        "created_at": None,
    }
    stored = await User.get(id=created["id"])
    assert stored.password_hash != NEW_STUDENT["password"]
    assert await CHEAP_PASSWORDS.verify(stored.password_hash, NEW_STUDENT["password"])
    assert (await demo.token("1031", NEW_STUDENT["password"])) is not None
    assert (await demo.request_pass("1031", "Library")).json()["origin"]["id"] == room


async def test_an_admin_adds_staff_with_their_places(demo: Demo) -> None:
    rooms = sorted([await location_id("Room 102"), await location_id("Library")])
    created = await add_user(
        demo,
        {
            "login": "Librarian@Demo.School",
            "first_name": "Lena",
            "last_name": "Park",
            "role": "teacher",
            "password": "books-books",
            "email": "lena@demo.school",
            "location_ids": rooms,
        },
    )
    assert (created["role"], created["location_ids"]) == ("teacher", rooms)
    await demo.token("librarian@demo.school", "books-books")  # case never makes logins differ
    me = (await demo.get("librarian@demo.school", "/api/me")).json()
    assert me["location_ids"] == rooms


async def test_no_answer_ever_carries_a_password_or_its_hash(demo: Demo) -> None:
    created = await add_user(demo, NEW_STUDENT)
    answers = [
        created,
        await users_page(demo),
        (await patch_user(demo, "1031", password="another-one")).json(),
    ]
    for answer in answers:
        assert "password" not in str(answer)
        assert "$argon2" not in str(answer)


async def test_the_list_filters_by_role_search_and_active_and_pages(demo: Demo) -> None:
    everyone = await users_page(demo, "?limit=200")
    assert everyone["total"] == len(everyone["users"]) == 38  # 6 staff, 30 students, 2 kiosks
    teachers = await users_page(demo, "?role=teacher")
    assert {u["login"] for u in teachers["users"]} == {
        "teacher1@demo.school",
        "teacher2@demo.school",
    }
    # Every word in a name, the login or the number; case ignored.
    assert [u["login"] for u in (await users_page(demo, "?q=sophia%20NG"))["users"]] == ["1003"]
    assert [u["login"] for u in (await users_page(demo, "?q=1016"))["users"]] == ["1016"]
    assert (await patch_user(demo, "1004", active=False)).status_code == 200
    assert [u["login"] for u in (await users_page(demo, "?active=false"))["users"]] == ["1004"]
    assert (await users_page(demo, "?active=true"))["total"] == 37
    first, second = await users_page(demo, "?limit=5"), await users_page(demo, "?limit=5&offset=5")
    assert (first["total"], len(first["users"]), second["offset"]) == (38, 5, 5)
    assert not {u["id"] for u in first["users"]} & {u["id"] for u in second["users"]}
    by_name = [(u["last_name"], u["first_name"]) for u in everyone["users"]]
    assert by_name == sorted(by_name)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?role=principal", "role"),
        ("?active=yes", "active"),
        ("?limit=0", "limit"),
        ("?limit=201", "limit"),
        ("?offset=-1", "offset"),
        ("?q=" + "x" * 101, "q"),
    ],
)
async def test_a_bad_list_query_is_named(demo: Demo, query: str, field: str) -> None:
    assert field_of(await demo.get(ADMIN, f"/api/users{query}")) == [field]


async def test_only_admins_manage_users_and_a_refusal_changes_nothing(demo: Demo) -> None:
    target = f"/api/users/{await user_id('1005')}"
    before = await dbstate.snapshot(("users", "location_staff"))
    for login in NOT_ADMINS:
        for method, path, body in (
            ("GET", "/api/users", None),
            ("POST", "/api/users", NEW_STUDENT),
            ("PATCH", target, {"active": False}),
        ):
            assert_error(await call(demo, method, login, path, body), 403, ErrorCode.FORBIDDEN)
    assert await dbstate.snapshot(("users", "location_staff")) == before


async def test_one_school_never_sees_or_changes_anothers_users(demo: Demo) -> None:
    other = await create_other_school()
    ours = await users_page(demo, "?limit=200")
    assert other.student_id not in {u["id"] for u in ours["users"]}
    before = await dbstate.snapshot(USER_TABLES)
    for user in (other.student_id, other.teacher_id):
        refused = await call(demo, "PATCH", ADMIN, f"/api/users/{user}", {"active": False})
        assert_error(refused, 404, ErrorCode.NOT_FOUND)
    # Their Room 201 is no home room of ours, and their places are not ours to assign.
    bad = await call(
        demo, "POST", ADMIN, "/api/users", NEW_STUDENT | {"home_location_id": other.classroom_id}
    )
    assert field_of(bad) == ["home_location_id"]
    assert await dbstate.snapshot(USER_TABLES) == before
    # Their admin sees only their three; the same login may exist in both schools.
    theirs = await call(demo, "GET", "admin@second.school", "/api/users")
    assert {u["id"] for u in theirs.json()["users"]} == {
        other.student_id,
        other.teacher_id,
        other.admin_id,
    }
    copy = await call(demo, "POST", "admin@second.school", "/api/users", NEW_STUDENT)
    assert copy.status_code == 201, copy.text
    assert (await add_user(demo, NEW_STUDENT))["login"] == "1031"


async def test_a_login_is_unique_in_the_school_whatever_its_case(demo: Demo) -> None:
    before = await dbstate.snapshot(USER_TABLES)
    taken = await call(
        demo, "POST", ADMIN, "/api/users", NEW_STUDENT | {"login": "TEACHER1@demo.school"}
    )
    assert_error(taken, 409, ErrorCode.LOGIN_TAKEN)
    renamed = await patch_user(demo, "1003", login="1004")
    assert_error(renamed, 409, ErrorCode.LOGIN_TAKEN)
    number = await call(demo, "POST", ADMIN, "/api/users", NEW_STUDENT | {"student_number": "1003"})
    assert_error(number, 409, ErrorCode.STUDENT_NUMBER_TAKEN)
    assert await dbstate.snapshot(USER_TABLES) == before
    # A user keeps their own login and number.
    assert (await patch_user(demo, "1003", login="1003", student_number="1003")).status_code == 200


@pytest.mark.parametrize(
    "spelling", ["teacher1@demo.\u017fchool", "\uff54eacher1@demo.school", "Teacher1@Demo.School"]
)
async def test_a_login_is_unique_in_the_school_whatever_its_spelling(
    demo: Demo, spelling: str
) -> None:
    before = await dbstate.snapshot(USER_TABLES)
    taken = await call(demo, "POST", ADMIN, "/api/users", NEW_STUDENT | {"login": spelling})
    assert_error(taken, 409, ErrorCode.LOGIN_TAKEN)
    assert await dbstate.snapshot(USER_TABLES) == before


async def test_a_login_is_stored_in_its_one_normalised_form(demo: Demo) -> None:
    made = await add_user(demo, NEW_STUDENT | {"login": "  \uff2aane.Doe@\u017fchool.ORG "})
    assert made["login"] == "jane.doe@school.org"
    renamed = await patch_user(demo, "1003", login="STRA\u1e9eE")
    assert renamed.json()["login"] == "strasse"
    assert await User.filter(login__in=["jane.doe@school.org", "strasse"]).count() == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"login": ""}, "login"),
        ({"login": None}, "login"),
        ({"first_name": "  "}, "first_name"),
        ({"last_name": "x" * 101}, "last_name"),
        ({"role": "principal"}, "role"),
        ({"role": None}, "role"),
        ({"password": "abc"}, "password"),
        ({"password": None}, "password"),
        ({"email": "not-an-address"}, "email"),
        ({"student_number": "10 03"}, "student_number"),
        ({"grade": 100}, "grade"),
        ({"grade": "9"}, "grade"),
        ({"groups": ["Robotics", ""]}, "groups[1]"),
        ({"groups": None}, "groups"),
        ({"home_location_id": 0}, "home_location_id"),
        ({"location_ids": [1, 1]}, "location_ids"),  # a student has no assigned places anyway
        ({"active": "false"}, "active"),
        ({"password_hash": "x"}, "password_hash"),  # unknown (and internal) fields are refused
        ({"school_id": 2}, "school_id"),
    ],
)
async def test_a_bad_field_is_named_and_nothing_changes(
    demo: Demo, body: dict[str, Any], field: str
) -> None:
    before = await dbstate.snapshot(USER_TABLES)
    assert field_of(await patch_user(demo, "1003", **body)) == [field]
    assert await dbstate.snapshot(USER_TABLES) == before


@pytest.mark.parametrize(
    ("login", "body", "field"),
    [
        ("1003", {"home_location_id": "Library"}, "home_location_id"),  # not a classroom
        ("teacher1@demo.school", {"grade": 10}, "grade"),  # for students only
        ("teacher1@demo.school", {"student_number": "9999"}, "student_number"),
        ("teacher1@demo.school", {"groups": ["Robotics"]}, "groups"),
        ("teacher1@demo.school", {"home_location_id": "Room 101"}, "home_location_id"),
        ("1003", {"location_ids": ["Library"]}, "location_ids"),  # students have a home room
        ("teacher1@demo.school", {"location_ids": [999_999]}, "location_ids[0]"),
    ],
)
async def test_fields_must_fit_the_role_and_the_school(
    demo: Demo, login: str, body: dict[str, Any], field: str
) -> None:
    resolved: dict[str, Any] = {}
    for key, value in body.items():
        if key == "home_location_id" and isinstance(value, str):
            value = await location_id(value)
        if key == "location_ids":
            value = [await location_id(v) if isinstance(v, str) else v for v in value]
        resolved[key] = value
    before = await dbstate.snapshot(USER_TABLES)
    assert field_of(await patch_user(demo, login, **resolved)) == [field]
    assert await dbstate.snapshot(USER_TABLES) == before


async def test_a_new_role_clears_what_the_old_one_had(demo: Demo) -> None:
    teacher = (await patch_user(demo, "1003", role="teacher")).json()
    assert (teacher["role"], teacher["student_number"], teacher["home_location_id"]) == (
        "teacher",
        None,
        None,
    )
    student = (await patch_user(demo, "teacher2@demo.school", role="student")).json()
    assert (student["role"], student["location_ids"]) == ("student", [])


async def test_an_admin_can_neither_disable_nor_demote_themselves(demo: Demo) -> None:
    before = await dbstate.snapshot(USER_TABLES)
    for change in ({"active": False}, {"role": "teacher"}):
        assert_error(await patch_user(demo, ADMIN, **change), 409, ErrorCode.SELF_LOCKOUT)
    assert await dbstate.snapshot(USER_TABLES) == before
    # Their own name, or their own password, they may change; their session stays.
    assert (await patch_user(demo, ADMIN, first_name="Dee", password="new-admin-pw")).is_success
    assert (await demo.get(ADMIN, "/api/me")).json()["name"] == "Dee Whitfield"


@pytest.mark.parametrize(
    "change", [{"active": False}, {"role": "admin"}, {"password": "fresh-pass"}]
)
async def test_disabling_a_new_role_or_a_new_password_ends_the_users_sessions(
    demo: Demo, change: dict[str, Any]
) -> None:
    token = await demo.token("teacher1@demo.school")
    bystander = await demo.auth("teacher2@demo.school")
    assert (await patch_user(demo, "teacher1@demo.school", **change)).status_code == 200
    stale = await demo.client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert_error(stale, 401, ErrorCode.NOT_AUTHENTICATED)
    assert not await Session.filter(user_id=await user_id("teacher1@demo.school")).exists()
    assert (await demo.client.get("/api/me", headers=bystander)).status_code == 200


async def test_a_disabled_user_cannot_sign_in_until_enabled_again(demo: Demo) -> None:
    assert (await patch_user(demo, "1003", active=False)).json()["active"] is False
    refused = await demo.client.post("/api/session", json={"login": "1003", "password": "demo"})
    assert_error(refused, 401, ErrorCode.INVALID_CREDENTIALS)
    assert (await patch_user(demo, "1003", active=True)).json()["active"] is True
    assert await demo.token("1003")


async def test_a_disabled_users_live_socket_is_closed(
    live: str, app: Starlette, demo: Demo
) -> None:
    ws, _ = await hello(live, await demo.token("teacher1@demo.school"))
    assert (await patch_user(demo, "teacher1@demo.school", active=False)).status_code == 200
    with pytest.raises(ConnectionClosed):
        await recv(ws, 1.5)
    assert ws.close_code == 4403


async def test_student_groups_are_listed_for_policy_and_encounter_admins(demo: Demo) -> None:
    await User.filter(login__in=["1003", "1004"]).update(groups=["Robotics"])
    await User.filter(login="1005").update(groups=["Robotics", "Choir"])
    await User.filter(login="1006").update(groups=["Choir"], active=False)  # not counted
    for login in (ADMIN, "monitor@demo.school"):
        response = await demo.get(login, "/api/student-groups")
        assert response.status_code == 200, response.text
        assert response.json() == [
            {"name": "Choir", "students": 1},
            {"name": "Robotics", "students": 3},
        ]
        for item in response.json():
            StudentGroupOut.model_validate(item)
    for login in ("teacher1@demo.school", "counselor@demo.school", "kiosk101@demo.school", "1003"):
        assert_error(await demo.get(login, "/api/student-groups"), 403, ErrorCode.FORBIDDEN)
    # Encounter groups are not student groups: they never appear here.
    listed = (await demo.get(ADMIN, "/api/student-groups")).text
    assert "Demo separation" not in listed


async def test_a_created_user_keeps_their_role(demo: Demo) -> None:
    kiosk = await add_user(
        demo,
        {
            "login": "kiosk-library@demo.school",
            "first_name": "Door",
            "last_name": "Library",
            "role": "kiosk",
            "password": "door-door",
            "location_ids": [await location_id("Library")],
        },
    )
    assert Role(kiosk["role"]) is Role.KIOSK


async def test_two_admins_adding_one_login_at_once_get_one_user(demo: Demo) -> None:
    await demo.auth(ADMIN)
    results = await asyncio.gather(
        *(call(demo, "POST", ADMIN, "/api/users", NEW_STUDENT) for _ in range(3))
    )
    assert sorted(r.status_code for r in results) == [201, 409, 409]
    for refused in (r for r in results if r.status_code == 409):
        assert_error(refused, 409, ErrorCode.LOGIN_TAKEN)
    assert await User.filter(login="1031").count() == 1
