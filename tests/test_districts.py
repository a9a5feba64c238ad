"""Districts: a district administrator creates schools, their admins, and reads each school's
settings and report, and nothing of any school besides; one person switches between their
accounts in two schools of a district (docs/districts.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from server.api.routes import OPERATIONS
from server.auth.sessions import create_session
from server.contract.district import AdminCreated, DistrictOut, MySchoolOut, SchoolReport
from server.enums import LocationKind, Role, SessionVia
from server.errors import ErrorCode
from server.models import District, Location, School, Session, User
from tests import dbstate
from tests.conftest import CHEAP_PASSWORDS, Demo, user_id
from tests.hub.test_ws import live, recv
from tests.test_error_shape import assert_error

__all__ = ["live"]

DISTRICT_ADMIN = "chief@north.example"
# What a district administrator may call besides the district's own endpoints: who am I,
# signing out, the schools of their other accounts, and the district's single sign-on.
THEIRS = {
    ("GET", "/api/sso/settings"),
    ("POST", "/api/sso/providers"),
    ("PATCH", "/api/sso/providers/{id}"),
    ("DELETE", "/api/sso/providers/{id}"),
    ("GET", "/api/sso/attempts"),
    ("DELETE", "/api/session"),
    ("GET", "/api/me"),
    ("GET", "/api/me/schools"),
    ("POST", "/api/session/switch"),
}
DISTRICT_TABLES = ("districts", "schools", "users", "locations", "sessions")


@dataclass(frozen=True)
class North:
    """North District: Demo High School and West Middle School; a district admin in the demo;
    and South District's school, another district's."""

    district_id: int
    demo_id: int
    west_id: int
    south_id: int


async def make_user(
    school: School, login: str, role: Role, password: str = "demo", **fields: Any
) -> User:
    """Create an account (password `demo` unless told)."""
    return await User.create(
        school=school,
        role=role,
        login=login,
        first_name=fields.pop("first_name", "Pat"),
        last_name=fields.pop("last_name", "Reyes"),
        password_hash=await CHEAP_PASSWORDS.hash(password),
        **fields,
    )


@pytest.fixture
async def north(demo: Demo) -> North:
    """Put the demo school in a district with a second school, and a third in another."""
    district = await District.create(name="North District", slug="north")
    demo_school = await School.get(slug="demo")
    demo_school.district_id = district.id
    await demo_school.save(update_fields=["district_id"])
    west = await School.create(
        name="West Middle School", slug="west", timezone="America/Denver", district=district
    )
    south_district = await District.create(name="South District", slug="south")
    south = await School.create(name="South High", slug="south-high", district=south_district)
    await make_user(demo_school, DISTRICT_ADMIN, Role.DISTRICT_ADMIN, first_name="Dana")
    return North(district.id, demo_school.id, west.id, south.id)


async def call(
    demo: Demo, method: str, login: str, path: str, body: object = None
) -> httpx.Response:
    """Send a request as the user (bearer token), with a JSON body when given."""
    headers = await demo.auth(login)
    if body is None:
        return await demo.client.request(method, path, headers=headers)
    return await demo.client.request(method, path, headers=headers, json=body)


async def test_a_district_admin_is_refused_by_every_school_endpoint(
    demo: Demo, north: North
) -> None:
    # Every operation, the ones added later too: only the district's and their own session's
    # are theirs; the rest is 403 before any id or body is read, and nothing changes.
    await demo.token(DISTRICT_ADMIN)
    before = await dbstate.snapshot(DISTRICT_TABLES)
    problems = []
    for op in OPERATIONS:
        key = (op.method, op.path)
        if not op.authenticated or key in THEIRS or op.path.startswith("/api/district"):
            continue
        path = op.path
        for name in op.path_params:
            path = path.replace("{" + name + "}", "1")
        response = await call(demo, op.method, DISTRICT_ADMIN, path)
        if response.status_code != 403 or response.json()["error"]["code"] != "forbidden":
            problems.append(f"{op.method} {op.path}: {response.status_code} {response.text}")
    assert not problems, "\n".join(problems)
    assert await dbstate.snapshot(DISTRICT_TABLES) == before
    me = await demo.get(DISTRICT_ADMIN, "/api/me")
    assert (me.json()["role"], me.json()["school"]["slug"]) == ("district_admin", "demo")


async def test_a_district_admins_socket_is_closed_at_once(
    live: str, demo: Demo, north: North
) -> None:
    async with connect(live) as ws:
        await ws.send(json.dumps({"type": "hello", "token": await demo.token(DISTRICT_ADMIN)}))
        with pytest.raises(ConnectionClosed):
            await recv(ws)
        assert ws.close_code == 4403


async def test_the_district_lists_its_schools_and_no_other_districts(
    demo: Demo, north: North
) -> None:
    response = await demo.get(DISTRICT_ADMIN, "/api/district")
    assert response.status_code == 200, response.text
    body = DistrictOut.model_validate(response.json())
    assert (body.name, body.slug) == ("North District", "north")
    assert [s.slug for s in body.schools] == ["demo", "west"]  # by name: Demo, West


async def test_a_district_admin_sees_each_schools_settings_but_not_another_districts(
    demo: Demo, north: North
) -> None:
    west = await demo.get(DISTRICT_ADMIN, f"/api/district/schools/{north.west_id}")
    assert west.status_code == 200, west.text
    assert (west.json()["slug"], west.json()["timezone"]) == ("west", "America/Denver")
    for school_id in (north.south_id, 999999):
        for suffix in ("", "/report"):
            path = f"/api/district/schools/{school_id}{suffix}"
            assert_error(await demo.get(DISTRICT_ADMIN, path), 404, ErrorCode.NOT_FOUND)
        admins = f"/api/district/schools/{school_id}/admins"
        body = {"email": "x@y.example", "first_name": "X", "last_name": "Y"}
        assert_error(
            await call(demo, "POST", DISTRICT_ADMIN, admins, body), 404, ErrorCode.NOT_FOUND
        )
    assert not await User.exists(login="x@y.example")


async def test_nobody_but_a_district_admin_reaches_the_district(demo: Demo, north: North) -> None:
    for login in ("admin@demo.school", "teacher1@demo.school", "1001"):
        assert_error(await demo.get(login, "/api/district"), 403, ErrorCode.FORBIDDEN)
        path = f"/api/district/schools/{north.west_id}/report"
        assert_error(await demo.get(login, path), 403, ErrorCode.FORBIDDEN)


async def test_a_district_admin_of_a_school_without_a_district_is_refused(demo: Demo) -> None:
    await make_user(await School.get(slug="demo"), DISTRICT_ADMIN, Role.DISTRICT_ADMIN)
    assert_error(await demo.get(DISTRICT_ADMIN, "/api/district"), 403, ErrorCode.FORBIDDEN)


async def test_a_new_school_joins_the_district_with_its_default_places(
    demo: Demo, north: North
) -> None:
    body = {"name": "East Elementary", "slug": "east", "timezone": "America/New_York"}
    response = await call(demo, "POST", DISTRICT_ADMIN, "/api/district/schools", body)
    assert response.status_code == 201, response.text
    school = await School.get(id=response.json()["id"])
    assert (school.slug, school.timezone, school.district_id) == (
        "east",
        "America/New_York",
        north.district_id,
    )
    places = {(p.name, p.kind) for p in await Location.filter(school=school)}
    assert places == {
        ("Restroom", LocationKind.RESTROOM),
        ("Nurse", LocationKind.NURSE),
        ("Main Office", LocationKind.OFFICE),
    }
    listed = (await demo.get(DISTRICT_ADMIN, "/api/district")).json()["schools"]
    assert "east" in [s["slug"] for s in listed]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"name": "Again", "slug": "west", "timezone": "UTC"}, 409, ErrorCode.SLUG_TAKEN),
        ({"name": "Bad", "slug": "Has Spaces", "timezone": "UTC"}, 422, ErrorCode.VALIDATION_ERROR),
        (
            {"name": "Bad", "slug": "bad", "timezone": "Mars/Olympus"},
            422,
            ErrorCode.VALIDATION_ERROR,
        ),
        ({"name": "", "slug": "bad", "timezone": "UTC"}, 422, ErrorCode.VALIDATION_ERROR),
    ],
)
async def test_a_bad_new_school_is_refused_and_nothing_is_created(
    demo: Demo, north: North, body: dict[str, str], status: int, code: ErrorCode
) -> None:
    before = await dbstate.snapshot(DISTRICT_TABLES)
    response = await call(demo, "POST", DISTRICT_ADMIN, "/api/district/schools", body)
    assert_error(response, status, code)
    assert await dbstate.snapshot(("schools", "locations")) == {
        k: v for k, v in before.items() if k in ("schools", "locations")
    }


async def test_a_schools_new_admin_signs_in_with_the_one_time_password(
    demo: Demo, north: North
) -> None:
    body = {"email": "Principal@West.example", "first_name": "Ines", "last_name": "Okoro"}
    path = f"/api/district/schools/{north.west_id}/admins"
    response = await call(demo, "POST", DISTRICT_ADMIN, path, body)
    assert response.status_code == 201, response.text
    created = AdminCreated.model_validate(response.json())
    assert (created.login, created.role, created.school.slug) == (
        "principal@west.example",
        Role.ADMIN,
        "west",
    )
    signed = await demo.client.post(
        "/api/session",
        json={"login": created.login, "password": created.password, "school": "west"},
    )
    assert signed.status_code == 200, signed.text
    assert signed.json()["user"]["role"] == "admin"
    # The password is shown once: never stored or answered again.
    assert created.password not in (await demo.get(DISTRICT_ADMIN, "/api/district")).text
    again = await call(demo, "POST", DISTRICT_ADMIN, path, body)
    assert_error(again, 409, ErrorCode.LOGIN_TAKEN)


async def test_a_schools_report_counts_without_naming_anyone(demo: Demo, north: North) -> None:
    trip = await demo.request_pass("1001", "Restroom North")
    assert trip.status_code == 201, trip.text
    assert (await demo.post("1001", f"/api/passes/{trip.json()['id']}/end")).status_code == 200
    assert (await demo.request_pass("1016", "Library")).status_code == 201
    response = await demo.get(DISTRICT_ADMIN, f"/api/district/schools/{north.demo_id}/report")
    assert response.status_code == 200, response.text
    report = SchoolReport.model_validate(response.json())
    assert report.users_by_role["student"] == 30
    assert report.today.by_state == {"active": 1, "ended": 1}
    assert report.this_week.total >= 2
    assert report.today.average_minutes_out is not None
    assert {d.name for d in report.busiest_destinations} >= {"Restroom North", "Library"}
    people = await User.filter(school_id=north.demo_id)
    assert not [p.last_name for p in people if p.last_name in response.text]


async def test_a_school_admin_cannot_make_or_change_a_district_admin(
    demo: Demo, north: North
) -> None:
    new = {
        "login": "boss@demo.school",
        "first_name": "Bo",
        "last_name": "Ss",
        "role": "district_admin",
        "password": "s3cret-enough",
    }
    created = await call(demo, "POST", "admin@demo.school", "/api/users", new)
    assert_error(created, 403, ErrorCode.FORBIDDEN)
    chief = await User.get(login=DISTRICT_ADMIN)
    reset = {"password": "taken-over"}
    patched = await call(demo, "PATCH", "admin@demo.school", f"/api/users/{chief.id}", reset)
    assert_error(patched, 403, ErrorCode.FORBIDDEN)
    promote = await call(
        demo,
        "PATCH",
        "admin@demo.school",
        f"/api/users/{await user_id('teacher1@demo.school')}",
        {"role": "district_admin"},
    )
    assert_error(promote, 403, ErrorCode.FORBIDDEN)
    assert await User.filter(role=Role.DISTRICT_ADMIN).count() == 1


# -- One person, two schools ---------------------------------------------------------------


async def linked_teacher(north: North, key: str | None = "north:ms-frizzle") -> User:
    """teacher1 of the demo, and their account at West (Room 7), linked by `key`."""
    teacher = await User.get(login="teacher1@demo.school", school_id=north.demo_id)
    teacher.person_key = key
    await teacher.save(update_fields=["person_key"])
    west = await School.get(id=north.west_id)
    return await make_user(
        west,
        "teacher1@demo.school",
        Role.COUNSELOR,
        password="west-password",  # so signing in with `demo` needs no school
        email=teacher.email or "teacher1@demo.school",
        person_key=key,
    )


async def test_a_linked_teacher_switches_school_and_the_old_session_ends(
    demo: Demo, north: North
) -> None:
    west_account = await linked_teacher(north)
    listed = await demo.get("teacher1@demo.school", "/api/me/schools")
    assert listed.status_code == 200, listed.text
    assert [MySchoolOut.model_validate(s).model_dump() for s in listed.json()] == [
        {"id": north.west_id, "name": "West Middle School", "slug": "west", "role": "counselor"}
    ]
    old = await demo.token("teacher1@demo.school")
    switched = await demo.client.post(
        "/api/session/switch",
        headers={"Authorization": f"Bearer {old}"},
        json={"school_id": north.west_id},
    )
    assert switched.status_code == 200, switched.text
    assert switched.json()["user"]["id"] == west_account.id
    assert switched.json()["user"]["school"]["slug"] == "west"
    assert "hallpass_session" in switched.headers.get("set-cookie", "")
    stale = await demo.client.get("/api/me", headers={"Authorization": f"Bearer {old}"})
    assert_error(stale, 401, ErrorCode.NOT_AUTHENTICATED)
    new = {"Authorization": f"Bearer {switched.json()['token']}"}
    back = await demo.client.get("/api/me/schools", headers=new)
    assert [s["slug"] for s in back.json()] == ["demo"]
    old_session_ends = (await Session.get(user_id=west_account.id)).expires_at
    again = await demo.client.post(
        "/api/session/switch", headers=new, json={"school_id": north.demo_id}
    )
    assert again.status_code == 200, again.text
    # Switching never lengthens a sign-in: the new session ends when the first would have.
    teacher_id = await user_id("teacher1@demo.school")
    assert (await Session.get(user_id=teacher_id)).expires_at <= old_session_ends


async def test_no_switch_to_a_school_without_an_account_or_another_district(
    demo: Demo, north: North
) -> None:
    await linked_teacher(north)
    south = await School.get(id=north.south_id)
    # The same person key in another district's school links nothing.
    await make_user(
        south, "teacher1@demo.school", Role.TEACHER, "south-pw", person_key="north:ms-frizzle"
    )
    listed = await demo.get("teacher1@demo.school", "/api/me/schools")
    assert [s["slug"] for s in listed.json()] == ["west"]
    for school_id in (north.south_id, north.demo_id, 999999):
        response = await call(
            demo, "POST", "teacher1@demo.school", "/api/session/switch", {"school_id": school_id}
        )
        assert_error(response, 404, ErrorCode.NOT_FOUND)
    assert (await demo.get("teacher1@demo.school", "/api/me")).status_code == 200


async def test_a_password_session_never_switches_by_email_alone(demo: Demo, north: North) -> None:
    # The same e-mail in West, but no person key: anyone can type an e-mail into a profile.
    await linked_teacher(north, key=None)
    await User.filter(login="teacher1@demo.school").update(email="frizzle@north.example")
    listed = await demo.get("teacher1@demo.school", "/api/me/schools")
    assert listed.json() == []
    response = await call(
        demo, "POST", "teacher1@demo.school", "/api/session/switch", {"school_id": north.west_id}
    )
    assert_error(response, 404, ErrorCode.NOT_FOUND)


async def test_a_single_sign_on_session_switches_by_its_verified_email(
    demo: Demo, north: North
) -> None:
    west_account = await linked_teacher(north, key=None)
    await User.filter(login="teacher1@demo.school").update(email="Frizzle@North.example")
    teacher = await User.get(id=await user_id("teacher1@demo.school"))
    sso = await create_session(teacher, 8, via=SessionVia.SSO, identity="frizzle@north.example")
    headers = {"Authorization": f"Bearer {sso.token}"}
    listed = await demo.client.get("/api/me/schools", headers=headers)
    assert [s["slug"] for s in listed.json()] == ["west"]
    switched = await demo.client.post(
        "/api/session/switch", headers=headers, json={"school_id": north.west_id}
    )
    assert switched.status_code == 200, switched.text
    session = await Session.get(user_id=west_account.id)
    assert (session.via, session.identity) == (SessionVia.SSO, "frizzle@north.example")
    # A disabled account is no place to switch to.
    await User.filter(id=teacher.id).update(active=False)
    new = {"Authorization": f"Bearer {switched.json()['token']}"}
    assert (await demo.client.get("/api/me/schools", headers=new)).json() == []
