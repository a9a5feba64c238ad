"""The door kiosk: a student types their number to go out and to come back.

The kiosk finds only the students of its rooms, and answers any other number with the same
neutral 404 at once; a pass needs the student's "yes, that's me" (a signed confirmation of
this kiosk session); it is the student's own request (kind `kiosk`, their limits, from their
room); it names students as "First L." only; each kiosk has 10 lookups a minute; only a
staff member's credentials take it out of kiosk mode.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from server import clock
from server.auth.ratelimit import KIOSK_LOOKUPS, LOGIN_FREE_FAILURES
from server.enums import PassState, Role
from server.errors import ErrorCode
from server.models import Pass, Policy, School, User
from tests import dbstate
from tests.conftest import CHEAP_PASSWORDS, Demo, FakeClock, location_id, user_id
from tests.test_admin import field_of
from tests.test_authorization import PASS_TABLES
from tests.test_error_shape import assert_error

KIOSK = "kiosk101@demo.school"  # Room 101's door: students 1001-1015
OTHER_KIOSK = "kiosk102@demo.school"  # Room 102's door: students 1016-1030


async def look_up(demo: Demo, number: str, kiosk: str = KIOSK) -> httpx.Response:
    """A student types their number: the kiosk asks "Are you ...?"."""
    return await demo.post(kiosk, "/api/kiosk/lookup", {"student_number": number})


async def at_door(
    demo: Demo, number: str, destination: str = "Library", kiosk: str = KIOSK, **extra: Any
) -> httpx.Response:
    """A student types their number, says it is them and picks a destination (the lookup's
    answer when it refuses)."""
    looked_up = await look_up(demo, number, kiosk)
    if looked_up.status_code != 200:
        return looked_up
    body = {
        "student_number": number,
        "destination_id": await location_id(destination),
        "confirmation": looked_up.json()["confirmation"],
        **extra,
    }
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
        ({"student_number": "1003", "confirmation": 5}, "confirmation"),
        ({"student_number": "1003", "confirmation": "x" * 201}, "confirmation"),
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


async def test_a_number_is_named_first_name_and_initial_at_once_and_nothing_changes(
    demo: Demo,
) -> None:
    before = await dbstate.snapshot(PASS_TABLES)
    looked_up = await look_up(demo, "1003")
    assert looked_up.status_code == 200, looked_up.text
    answer = looked_up.json()
    assert set(answer) == {"name", "confirmation", "expires_at"}
    assert answer["name"] == "Sophia N."
    assert "Nguyen" not in looked_up.text
    expires = datetime.fromisoformat(answer["expires_at"])
    assert timedelta(minutes=1) < expires - clock.utcnow() <= timedelta(minutes=2)
    assert await dbstate.snapshot(PASS_TABLES) == before
    # A wrong number is refused before any place is picked, as every other door's number is.
    for number in ("9999", "1016"):
        assert_error(await look_up(demo, number), 404, ErrorCode.NOT_FOUND)


async def confirmed(demo: Demo, number: str, kiosk: str = KIOSK) -> str:
    """Return the confirmation of a student who said "yes, that's me" at the kiosk."""
    looked_up = await look_up(demo, number, kiosk)
    assert looked_up.status_code == 200, looked_up.text
    return str(looked_up.json()["confirmation"])


def forged(token: str) -> str:
    """Return the token with its MAC's first character changed."""
    student, expires, mac = token.split(".")
    return f"{student}.{expires}.{'B' if mac[0] == 'A' else 'A'}{mac[1:]}"


def renamed(token: str, student: int) -> str:
    """Return the token rewritten to name another student (its MAC no longer matches)."""
    _, expires, mac = token.split(".")
    return f"{student}.{expires}.{mac}"


@pytest.mark.parametrize(
    "case", ["missing", "forged", "renamed", "another_students", "another_kiosks", "garbage"]
)
async def test_a_pass_without_this_students_confirmation_is_409_and_changes_nothing(
    demo: Demo, case: str
) -> None:
    own = await confirmed(demo, "1003")
    tokens = {
        "missing": None,
        "forged": forged(own),
        "renamed": renamed(own, await user_id("1004")),
        # 1004 said yes, then 1003's number was sent with it (a classmate's number).
        "another_students": await confirmed(demo, "1004"),
        # Room 102's door confirmed its own student; that is no good at Room 101's door.
        "another_kiosks": await confirmed(demo, "1016", OTHER_KIOSK),
        "garbage": "not.a.token",
    }
    library = await location_id("Library")
    body: dict[str, Any] = {"student_number": "1003", "destination_id": library}
    if tokens[case] is not None:
        body["confirmation"] = tokens[case]
    before = await dbstate.snapshot(PASS_TABLES)
    refused = await demo.post(KIOSK, "/api/kiosk/passes", body)
    assert_error(refused, 409, ErrorCode.CONFIRMATION_INVALID)
    assert "Sophia" not in refused.text
    assert await dbstate.snapshot(PASS_TABLES) == before
    # The student's own confirmation still works.
    made = await demo.post(KIOSK, "/api/kiosk/passes", body | {"confirmation": own})
    assert made.status_code == 201, made.text


async def confirmed_body(demo: Demo, number: str) -> dict[str, Any]:
    """Return a pass body for the student, with their fresh confirmation."""
    return {
        "student_number": number,
        "destination_id": await location_id("Library"),
        "confirmation": await confirmed(demo, number),
    }


async def test_a_confirmation_lasts_two_minutes(demo: Demo) -> None:
    body = await confirmed_body(demo, "1003")
    clock.advance(timedelta(minutes=2, seconds=1))
    before = await dbstate.snapshot(PASS_TABLES)
    late = await demo.post(KIOSK, "/api/kiosk/passes", body)
    assert_error(late, 409, ErrorCode.CONFIRMATION_INVALID)
    assert await dbstate.snapshot(PASS_TABLES) == before


async def test_a_confirmation_is_good_only_in_the_kiosk_session_it_was_made_in(
    demo: Demo,
) -> None:
    body = await confirmed_body(demo, "1003")
    demo.tokens.pop(KIOSK)  # the same kiosk, signed in again: another session
    again = await demo.post(KIOSK, "/api/kiosk/passes", body)
    assert_error(again, 409, ErrorCode.CONFIRMATION_INVALID)


async def test_a_confirmed_pass_costs_one_lookup(demo: Demo, limits_clock: FakeClock) -> None:
    # A busy door sends ten students a minute: the pass is not a second lookup.
    for number in range(1003, 1003 + KIOSK_LOOKUPS.amount):
        assert (await at_door(demo, str(number))).status_code == 201
    assert_error(await look_up(demo, "1014"), 429, ErrorCode.RATE_LIMITED)


async def test_signing_out_or_switching_school_on_a_kiosk_is_locked(demo: Demo) -> None:
    headers = await demo.auth(KIOSK)
    signing_out = await demo.client.delete("/api/session", headers=headers)
    assert_error(signing_out, 403, ErrorCode.KIOSK_LOCKED)
    switch = await demo.client.post(
        "/api/session/switch", headers=headers, json={"school_id": 999_999}
    )
    assert_error(switch, 403, ErrorCode.KIOSK_LOCKED)
    assert (await demo.get(KIOSK, "/api/me")).status_code == 200  # still the kiosk


async def leave(demo: Demo, email: str, password: str = "demo") -> httpx.Response:
    """Someone types a staff email and password into "Leave kiosk mode"."""
    return await demo.post(KIOSK, "/api/kiosk/leave", {"email": email, "password": password})


async def other_schools_teacher() -> User:
    """Create a teacher of another school, with the demo's password."""
    school = await School.create(name="Other Academy", slug="other", timezone="UTC")
    return await User.create(
        school=school,
        role=Role.TEACHER,
        login="teacher9@other.school",
        email="teacher9@other.school",
        first_name="Oona",
        last_name="Other",
        password_hash=await CHEAP_PASSWORDS.hash("demo"),
    )


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("teacher1@demo.school", "wrong"),  # a teacher, a wrong password
        ("1003", "demo"),  # a student's own credentials
        ("nurse@demo.school", "demo"),  # staff, but not who runs a room or the halls
        ("kiosk102@demo.school", "demo"),  # another door
        ("teacher9@other.school", "demo"),  # another school's teacher
        ("nobody@demo.school", "demo"),
    ],
)
async def test_only_this_schools_teacher_admin_or_security_takes_a_kiosk_out(
    demo: Demo, email: str, password: str
) -> None:
    await other_schools_teacher()
    refused = await leave(demo, email, password)
    assert_error(refused, 401, ErrorCode.INVALID_CREDENTIALS)
    assert (await demo.get(KIOSK, "/api/me")).json()["role"] == "kiosk"  # the kiosk stays


@pytest.mark.parametrize(
    "email", ["teacher1@demo.school", "ADMIN@demo.school", "monitor@demo.school", "t1@mail.test"]
)
async def test_a_staff_members_credentials_end_the_kiosk_session(demo: Demo, email: str) -> None:
    await User.filter(login="teacher1@demo.school").update(email="t1@mail.test")
    left = await leave(demo, email)
    assert left.status_code == 204, left.text
    assert "hallpass_session=" in left.headers["set-cookie"]
    assert_error(await demo.get(KIOSK, "/api/me"), 401, ErrorCode.NOT_AUTHENTICATED)


async def test_leaving_kiosk_mode_counts_on_the_sign_in_limits(
    demo: Demo, limits_clock: FakeClock
) -> None:
    for _ in range(LOGIN_FREE_FAILURES):
        guess = await leave(demo, "teacher1@demo.school", "guess")
        assert_error(guess, 401, ErrorCode.INVALID_CREDENTIALS)
    held = await leave(demo, "teacher1@demo.school")  # even the right password waits now
    assert_error(held, 429, ErrorCode.RATE_LIMITED)
    assert int(held.headers["retry-after"]) >= 1
    assert (await demo.get(KIOSK, "/api/me")).status_code == 200
    # The teacher's own sign-in shares the limit (from a browser without their device cookie).
    signing_in = await demo.client.post(
        "/api/session", json={"login": "teacher1@demo.school", "password": "demo"}
    )
    assert_error(signing_in, 429, ErrorCode.RATE_LIMITED)


@pytest.mark.parametrize("login", ["1003", "teacher1@demo.school", "admin@demo.school"])
async def test_only_a_kiosk_looks_up_numbers_or_leaves_kiosk_mode(demo: Demo, login: str) -> None:
    assert_error(await look_up(demo, "1003", kiosk=login), 403, ErrorCode.FORBIDDEN)
    body = {"email": "teacher1@demo.school", "password": "demo"}
    assert_error(await demo.post(login, "/api/kiosk/leave", body), 403, ErrorCode.FORBIDDEN)
    assert (await demo.get(login, "/api/me")).status_code == 200
