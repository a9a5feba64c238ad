"""Substitutes for the day: a teacher or admin grants a room or an absent teacher's class, the
substitute signs in with a one-day code, acts like the teacher on that room alone (marked as the
substitute in the log), and loses access at the end of the school day or when revoked.

The clock is put on Monday 3 March 2025 in Chicago (CST, UTC-6): the demo's regular day, first
bell 08:00, last period ends 14:50.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from server import clock
from server.auth.principal import principal_for
from server.enums import Role
from server.errors import ErrorCode
from server.hub.access import Scope, changed
from server.models import Location, PassEvent, School, Session, SubstituteGrant, User
from server.services.substitutes import end_lapsed_sessions
from tests.conftest import Demo, location_id, user_id
from tests.hub.test_access import held_by
from tests.hub.test_ws import hello, live, recv
from tests.test_error_shape import assert_error

__all__ = ["live"]  # the fixture, imported for the socket tests

ADMIN = "admin@demo.school"
TEACHER = "teacher1@demo.school"  # Marcus Reyes, Room 101
OTHER_TEACHER = "teacher2@demo.school"  # Priya Shah, Room 102
CODE = re.compile(r"^[2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5}$")
RIVERA = {"first_name": "Jordan", "last_name": "Rivera"}


def at(demo: Demo, local: str, day: int = 3) -> None:
    """Put the server's clock at a Chicago wall-clock time of a day of March 2025 (CST)."""
    hour, minute = map(int, local.split(":"))
    clock.reset()
    clock.advance(datetime(2025, 3, day, hour + 6, minute, tzinfo=UTC) - datetime.now(UTC))
    demo.tokens.clear()


async def grant(demo: Demo, login: str, **body: Any) -> httpx.Response:
    """POST /api/substitutes as a user."""
    return await demo.post(login, "/api/substitutes", body)


async def grant_room(demo: Demo, login: str = TEACHER, room: str = "Room 101") -> dict[str, Any]:
    """Grant Jordan Rivera a room for today; return the 201's body (with its code)."""
    made = await grant(demo, login, substitute=RIVERA, location_id=await location_id(room))
    assert made.status_code == 201, made.text
    body: dict[str, Any] = made.json()
    return body


async def code_sign_in(client: httpx.AsyncClient, code: str) -> httpx.Response:
    """POST /api/session/code."""
    return await client.post("/api/session/code", json={"code": code})


async def bearer(client: httpx.AsyncClient, code: str) -> dict[str, str]:
    """Sign in with a code and return the Authorization header."""
    answer = await code_sign_in(client, code)
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['token']}"}


async def closed_by_server(ws: ClientConnection) -> None:
    """Read frames until the server closes the socket as a session that ended (4403)."""

    async def drain() -> None:
        while True:
            await recv(ws, 2.0)

    with pytest.raises(ConnectionClosed):
        await drain()
    assert ws.close_code == 4403


async def test_a_teacher_grants_their_room_to_a_named_substitute_who_signs_in_with_the_code(
    demo: Demo,
) -> None:
    at(demo, "09:00")
    body = await grant_room(demo)
    assert CODE.match(body["code"]), body["code"]
    assert body["state"] == "live"
    assert body["uses_code"] is True
    assert body["substitute"]["name"] == "Jordan Rivera"
    assert body["substitute_login"] is None
    assert body["location"]["name"] == "Room 101"
    assert body["day"] == "2025-03-03"
    # From the grant (after the first bell) to the end of period 7, 14:50 CST.
    assert body["starts_at"] == "2025-03-03T15:00:00Z"
    assert body["ends_at"] == "2025-03-03T20:50:00Z"
    typed = body["code"].lower().replace("-", " ")  # as someone types it off a sticky note
    signed = await code_sign_in(demo.client, typed)
    assert signed.status_code == 200, signed.text
    user = signed.json()["user"]
    assert user["role"] == "substitute"
    assert user["name"] == "Jordan Rivera"
    assert user["location_ids"] == [await location_id("Room 101")]
    auth = {"Authorization": f"Bearer {signed.json()['token']}"}
    banner = (await demo.client.get("/api/me/substitute", headers=auth)).json()
    assert [(g["id"], g["location"]["name"]) for g in banner] == [(body["id"], "Room 101")]
    assert (await demo.get(TEACHER, "/api/me/substitute")).json() == []
    session = await Session.get(user_id=user["id"])
    assert (session.via, session.grant_id) == ("code", body["id"])
    assert session.expires_at == datetime(2025, 3, 3, 20, 50, tzinfo=UTC)
    # No password opens the account the grant made.
    login = (await User.get(id=user["id"])).login
    refused = await demo.client.post("/api/session", json={"login": login, "password": "!"})
    assert_error(refused, 401, ErrorCode.INVALID_CREDENTIALS)
    listed = await demo.get(TEACHER, "/api/substitutes")
    assert [g["id"] for g in listed.json()] == [body["id"]]
    assert "code" not in listed.json()[0]  # shown once, never again
    stored = await SubstituteGrant.get(id=body["id"])
    assert stored.code_hash is not None
    assert body["code"] not in stored.code_hash


async def test_the_substitute_sees_and_acts_on_that_room_alone_and_the_log_names_them(
    demo: Demo,
) -> None:
    at(demo, "09:00")
    code = (await grant_room(demo))["code"]
    sub = await bearer(demo.client, code)
    mine = (await demo.request_pass("1003", "Nurse")).json()  # Room 101: needs approval
    theirs = (await demo.request_pass("1016", "Nurse")).json()  # Room 102
    listed = await demo.client.get("/api/passes?state=pending", headers=sub)
    assert [p["id"] for p in listed.json()] == [mine["id"]]
    students = await demo.client.get("/api/students", headers=sub)
    assert students.status_code == 200
    assert {s["name"] for s in students.json()} >= {mine["student"]["name"]}
    assert theirs["student"]["name"] not in {s["name"] for s in students.json()}
    other = await demo.client.get(f"/api/passes/{theirs['id']}", headers=sub)
    assert_error(other, 404, ErrorCode.NOT_FOUND)
    refused = await demo.client.post(f"/api/passes/{theirs['id']}/approve", headers=sub)
    assert_error(refused, 404, ErrorCode.NOT_FOUND)
    approved = await demo.client.post(f"/api/passes/{mine['id']}/approve", headers=sub)
    assert (approved.status_code, approved.json()["state"]) == (200, "active")
    ended = await demo.client.post(f"/api/passes/{mine['id']}/end", headers=sub)
    assert ended.json()["state"] == "ended"
    issued = await demo.client.post(
        "/api/passes",
        headers=sub,
        json={"destination_id": await location_id("Library"), "student_id": await user_id("1004")},
    )
    assert issued.status_code == 201, issued.text
    asked = (await demo.request_pass("1005", "Nurse")).json()
    denied = await demo.client.post(f"/api/passes/{asked['id']}/deny", headers=sub)
    assert denied.json()["state"] == "denied"
    sub_id = (await demo.client.get("/api/me", headers=sub)).json()["id"]
    events = await PassEvent.filter(actor_id=sub_id).order_by("seq")
    assert [e.name for e in events] == [
        "pass.approved",
        "pass.ended",
        "pass.created",
        "pass.denied",
    ]
    assert all(e.grant_id is not None for e in events)
    assert not await PassEvent.filter(actor_id=await user_id(TEACHER)).exists()
    history = await demo.get(TEACHER, f"/api/passes/{mine['id']}/history")
    summaries = [h["summary"] for h in history.json()]
    assert summaries[0].startswith("Created by ")  # the student asked
    assert summaries[1:] == [
        "Approved by J. Rivera (substitute for Room 101)",
        "Ended by J. Rivera (substitute for Room 101)",
    ]
    approval = history.json()[1]["actor"]
    assert approval["substitute"] is True
    assert approval["role"] == "substitute"
    assert approval["room"]["name"] == "Room 101"


async def test_an_admin_covers_an_absent_teacher_with_an_account_and_the_log_says_for_whom(
    demo: Demo,
) -> None:
    at(demo, "10:00")
    sub = await User.create(
        school=await School.get(slug="demo"),
        role=Role.SUBSTITUTE,
        login="rivera@demo.school",
        first_name="Jordan",
        last_name="Rivera",
        password_hash=(await User.get(login=TEACHER)).password_hash,  # "demo"
    )
    made = await grant(demo, ADMIN, substitute_id=sub.id, absent_teacher_id=await user_id(TEACHER))
    assert made.status_code == 201, made.text
    assert made.json()["code"] is None
    assert made.json()["substitute_login"] == sub.login
    me = await demo.get(sub.login, "/api/me")
    assert me.json()["location_ids"] == [await location_id("Room 101")]
    asked = (await demo.request_pass("1003", "Nurse")).json()
    assert (await demo.post(sub.login, f"/api/passes/{asked['id']}/approve")).status_code == 200
    history = await demo.get(ADMIN, f"/api/passes/{asked['id']}/history")
    assert history.json()[1]["summary"] == "Approved by J. Rivera (substitute for M. Reyes)"
    assert history.json()[1]["actor"]["substitute_for"]["name"] == "Marcus Reyes"
    # Their own account keeps its password; the grant's end takes the room away, not the login.
    at(demo, "15:00")
    after = await demo.get(sub.login, "/api/me")
    assert after.json()["location_ids"] == []
    assert_error(await demo.get(sub.login, f"/api/passes/{asked['id']}"), 404, ErrorCode.NOT_FOUND)


async def test_at_the_end_of_the_day_the_code_session_stops_working_and_the_code_too(
    demo: Demo,
) -> None:
    at(demo, "14:00")
    code = (await grant_room(demo))["code"]
    sub = await bearer(demo.client, code)
    assert (await demo.client.get("/api/me", headers=sub)).status_code == 200
    at(demo, "14:50")
    assert_error(await demo.client.get("/api/me", headers=sub), 401, ErrorCode.NOT_AUTHENTICATED)
    assert_error(await code_sign_in(demo.client, code), 401, ErrorCode.CODE_EXPIRED)
    assert await end_lapsed_sessions() == 1
    assert not await Session.filter(via="code").exists()


async def test_the_socket_of_a_code_session_closes_at_the_end_of_the_day(
    live: str, demo: Demo
) -> None:
    at(demo, "14:40")
    code = (await grant_room(demo))["code"]
    token = (await code_sign_in(demo.client, code)).json()["token"]
    ws, first = await hello(live, token)
    assert first["type"] == "snapshot"
    at(demo, "14:51")
    await closed_by_server(ws)


async def test_revoking_ends_the_session_and_socket_now_and_the_code_is_not_reusable(
    live: str, demo: Demo
) -> None:
    at(demo, "09:00")
    body = await grant_room(demo)
    token = (await code_sign_in(demo.client, body["code"])).json()["token"]
    ws, _ = await hello(live, token)
    revoked = await demo.client.delete(
        f"/api/substitutes/{body['id']}", headers=await demo.auth(TEACHER)
    )
    assert revoked.status_code == 204
    await closed_by_server(ws)
    stale = await demo.client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert_error(stale, 401, ErrorCode.NOT_AUTHENTICATED)
    assert_error(await code_sign_in(demo.client, body["code"]), 401, ErrorCode.CODE_REVOKED)
    listed = (await demo.get(TEACHER, "/api/substitutes")).json()
    assert listed[0]["state"] == "revoked"
    closed = await demo.post(TEACHER, f"/api/substitutes/{body['id']}/code")
    assert_error(closed, 409, ErrorCode.GRANT_CLOSED)


async def test_a_new_code_replaces_the_old_one_and_signs_its_sessions_out(demo: Demo) -> None:
    at(demo, "09:00")
    body = await grant_room(demo)
    old = await bearer(demo.client, body["code"])
    again = await demo.post(TEACHER, f"/api/substitutes/{body['id']}/code")
    assert again.status_code == 200, again.text
    new_code = again.json()["code"]
    assert CODE.match(new_code)
    assert new_code != body["code"]
    assert_error(await demo.client.get("/api/me", headers=old), 401, ErrorCode.NOT_AUTHENTICATED)
    assert_error(await code_sign_in(demo.client, body["code"]), 401, ErrorCode.INVALID_CODE)
    assert (await code_sign_in(demo.client, new_code)).status_code == 200


async def test_a_code_for_a_later_day_is_not_yet_valid_and_says_from_when(demo: Demo) -> None:
    at(demo, "15:00")
    later = await grant(
        demo,
        TEACHER,
        substitute=RIVERA,
        location_id=await location_id("Room 101"),
        day="2025-03-04",
    )
    assert later.status_code == 201, later.text
    assert later.json()["starts_at"] == "2025-03-04T14:00:00Z"  # Tuesday's first bell, 08:00
    assert later.json()["state"] == "scheduled"
    refused = await code_sign_in(demo.client, later.json()["code"])
    assert_error(refused, 401, ErrorCode.CODE_NOT_YET_VALID)
    at(demo, "08:00", day=4)
    assert (await code_sign_in(demo.client, later.json()["code"])).status_code == 200


async def test_the_hub_gives_an_open_socket_the_room_when_the_grant_starts_and_takes_it_back(
    demo: Demo,
) -> None:
    at(demo, "09:00")
    sub = await User.create(
        school=await School.get(slug="demo"),
        role=Role.SUBSTITUTE,
        login="rivera@demo.school",
        first_name="Jordan",
        last_name="Rivera",
        password_hash=(await User.get(login=TEACHER)).password_hash,  # "demo"
    )
    before = await held_by(demo, sub.login, Role.SUBSTITUTE)
    made = await grant(demo, ADMIN, substitute_id=sub.id, location_id=await location_id("Room 102"))
    room_102 = await location_id("Room 102")
    assert await changed({before}) == {before: Scope(frozenset({room_102}), frozenset())}
    during = await held_by(demo, sub.login, Role.SUBSTITUTE, "Room 102")
    assert await changed({during}) == {}
    assert (await principal_for(sub)).actor.location_ids == {room_102}
    await demo.client.delete(
        f"/api/substitutes/{made.json()['id']}", headers=await demo.auth(ADMIN)
    )
    assert await changed({during}) == {during: Scope(frozenset(), frozenset())}


async def test_a_teacher_cannot_grant_another_room_or_teacher_nor_a_past_day(demo: Demo) -> None:
    at(demo, "09:00")
    room_102 = await location_id("Room 102")
    assert_error(
        await grant(demo, TEACHER, substitute=RIVERA, location_id=room_102),
        403,
        ErrorCode.FORBIDDEN,
    )
    assert_error(
        await grant(
            demo, TEACHER, substitute=RIVERA, absent_teacher_id=await user_id(OTHER_TEACHER)
        ),
        403,
        ErrorCode.FORBIDDEN,
    )
    past = await grant(
        demo,
        TEACHER,
        substitute=RIVERA,
        location_id=await location_id("Room 101"),
        day="2025-03-02",
    )
    assert_error(past, 422, ErrorCode.VALIDATION_ERROR)
    at(demo, "15:00")
    over = await grant(demo, TEACHER, substitute=RIVERA, location_id=await location_id("Room 101"))
    assert_error(over, 422, ErrorCode.VALIDATION_ERROR)  # today's school day is over
    for login in ("1003", "nurse@demo.school", "monitor@demo.school"):
        assert_error(
            await grant(demo, login, substitute=RIVERA, location_id=room_102),
            403,
            ErrorCode.FORBIDDEN,
        )
        assert_error(await demo.get(login, "/api/substitutes"), 403, ErrorCode.FORBIDDEN)
    assert not await SubstituteGrant.exists()
    assert not await User.filter(role=Role.SUBSTITUTE).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"location_id": 1}, "substitute_id"),
        ({"substitute": RIVERA}, "location_id"),
        ({"substitute": RIVERA, "substitute_id": 1, "location_id": 1}, "substitute_id"),
        ({"substitute": {"first_name": "", "last_name": "R"}, "location_id": 1}, None),
        ({"substitute": RIVERA, "location_id": 1, "day": "03/04/2025"}, None),
    ],
)
async def test_bad_grants_are_422_naming_the_field_and_change_nothing(
    demo: Demo, body: dict[str, Any], field: str | None
) -> None:
    at(demo, "09:00")
    if "location_id" in body:
        body = {**body, "location_id": await location_id("Room 101")}
    refused = await grant(demo, ADMIN, **body)
    assert_error(refused, 422, ErrorCode.VALIDATION_ERROR)
    if field is not None:
        assert refused.json()["error"]["details"]["fields"][0]["field"] == field
    assert not await SubstituteGrant.exists()


async def test_a_room_that_is_not_a_classroom_or_a_student_as_substitute_is_refused(
    demo: Demo,
) -> None:
    at(demo, "09:00")
    nurse = await grant(demo, ADMIN, substitute=RIVERA, location_id=await location_id("Nurse"))
    assert_error(nurse, 422, ErrorCode.VALIDATION_ERROR)
    student = await grant(
        demo, ADMIN, substitute_id=await user_id("1003"), location_id=await location_id("Room 101")
    )
    assert_error(student, 422, ErrorCode.VALIDATION_ERROR)


async def test_another_schools_ids_are_404(demo: Demo) -> None:
    at(demo, "09:00")
    other = await School.create(name="Other High", slug="other", timezone="America/Chicago")
    stranger = await User.create(
        school=other,
        role=Role.TEACHER,
        login="t@other",
        first_name="A",
        last_name="B",
        password_hash="!",
    )
    room = await Location.create(school=other, name="Room 9", kind="classroom")
    for body in (
        {"substitute": RIVERA, "location_id": room.id},
        {"substitute": RIVERA, "absent_teacher_id": stranger.id},
        {"substitute_id": stranger.id, "location_id": await location_id("Room 101")},
    ):
        assert_error(await grant(demo, ADMIN, **body), 404, ErrorCode.NOT_FOUND)
    theirs = await SubstituteGrant.create(
        school=other,
        substitute=stranger,
        location=room,
        day=datetime(2025, 3, 3).date(),
        starts_at=clock.utcnow(),
        ends_at=clock.utcnow() + timedelta(hours=5),
    )
    assert_error(
        await demo.client.delete(f"/api/substitutes/{theirs.id}", headers=await demo.auth(ADMIN)),
        404,
        ErrorCode.NOT_FOUND,
    )
    assert_error(
        await demo.post(ADMIN, f"/api/substitutes/{theirs.id}/code"), 404, ErrorCode.NOT_FOUND
    )
    assert (await SubstituteGrant.get(id=theirs.id)).revoked_at is None


async def test_a_teacher_does_not_see_nor_revoke_another_teachers_grant(demo: Demo) -> None:
    at(demo, "09:00")
    body = await grant_room(demo, ADMIN, "Room 102")
    assert (await demo.get(TEACHER, "/api/substitutes")).json() == []
    assert [g["id"] for g in (await demo.get(OTHER_TEACHER, "/api/substitutes")).json()] == [
        body["id"]
    ]
    refused = await demo.client.delete(
        f"/api/substitutes/{body['id']}", headers=await demo.auth(TEACHER)
    )
    assert_error(refused, 404, ErrorCode.NOT_FOUND)


async def test_wrong_codes_are_rate_limited_per_address(demo: Demo) -> None:
    at(demo, "09:00")
    code = (await grant_room(demo))["code"]
    for _ in range(20):
        assert_error(await code_sign_in(demo.client, "ZZZZZ-ZZZZZ"), 401, ErrorCode.INVALID_CODE)
    held = await code_sign_in(demo.client, code)  # even the right one, from this address
    assert_error(held, 429, ErrorCode.RATE_LIMITED)
    assert int(held.headers["Retry-After"]) >= 1


async def test_the_picker_lists_the_schools_substitutes_with_an_account_not_code_only_ones(
    demo: Demo,
) -> None:
    at(demo, "09:00")
    school = await School.get(slug="demo")
    other = await School.create(name="Other High", slug="other", timezone="America/Chicago")
    password = (await User.get(login=TEACHER)).password_hash

    async def person(login: str, first: str, last: str, **extra: Any) -> User:
        fields: dict[str, Any] = {"school": school, "role": Role.SUBSTITUTE} | extra
        return await User.create(
            login=login, first_name=first, last_name=last, password_hash=password, **fields
        )

    okafor = await person("okafor@demo.school", "Dana", "Okafor", email="okafor@demo.school")
    bell = await person("bell@demo.school", "Avery", "Bell")
    await person("gone@demo.school", "Gone", "Away", active=False)
    await person("elsewhere@other.school", "Far", "Away", school=other)
    await person("not-a-sub@demo.school", "Tea", "Cher", role=Role.TEACHER)
    await grant_room(demo)  # Jordan Rivera: an account made by the grant, code only
    listed = await demo.get(TEACHER, "/api/substitute-accounts")
    assert listed.status_code == 200, listed.text
    assert listed.json() == [
        {"id": bell.id, "name": "Avery Bell", "email": None},
        {"id": okafor.id, "name": "Dana Okafor", "email": "okafor@demo.school"},
    ]
    found = await demo.get(ADMIN, "/api/substitute-accounts?q=DANA%20okafor%40")
    assert [p["id"] for p in found.json()] == [okafor.id]
    one = await demo.get(ADMIN, "/api/substitute-accounts?limit=1")
    assert [p["id"] for p in one.json()] == [bell.id]
    # The one picked signs in as usual: the grant has no code.
    made = await grant(
        demo, TEACHER, substitute_id=okafor.id, absent_teacher_id=await user_id(TEACHER)
    )
    assert made.status_code == 201, made.text
    assert made.json()["code"] is None


async def test_the_picker_is_for_teachers_and_admins_of_the_school_only(demo: Demo) -> None:
    at(demo, "09:00")
    for login in ("nurse@demo.school", "monitor@demo.school", "counselor@demo.school"):
        refused = await demo.get(login, "/api/substitute-accounts")
        assert_error(refused, 403, ErrorCode.FORBIDDEN)
    refused = await demo.get("1001", "/api/substitute-accounts")
    assert_error(refused, 403, ErrorCode.FORBIDDEN)
    for query in ("limit=0", "limit=201", "limit=x", f"q={'a' * 101}"):
        bad = await demo.get(TEACHER, f"/api/substitute-accounts?{query}")
        assert_error(bad, 422, ErrorCode.VALIDATION_ERROR)
