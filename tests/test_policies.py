"""School policy through the API: limits per day and week, cooldowns, overrides, explanations.

Demo High School is in America/Chicago. Tests put the server's clock at a school-local time
(`at_local`), a Tuesday in March 2025 unless told, and sign in again after each move so the
sessions belong to the new time.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from server import clock
from server.contract.policies import PolicyExplanationOut, PolicyOut
from server.enums import PassKind, PassState, Role
from server.errors import ErrorCode
from server.models import Location, Pass
from tests.conftest import Demo, location_id, user_id
from tests.test_authorization import create_staff
from tests.test_error_shape import assert_error

CHICAGO = ZoneInfo("America/Chicago")
ADMIN = "admin@demo.school"
TEACHER = "teacher1@demo.school"  # Room 101: students 1003-1015
STUDENT = "1003"
CLASSMATE = "1004"


def local(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """Return a time in Chicago in March 2025 (the 3rd is a Monday)."""
    return datetime(2025, 3, day, hour, minute, second, tzinfo=CHICAGO)


def at_local(demo: Demo, when: datetime) -> None:
    """Put the server's clock at `when`, and sign everyone in afresh at that time."""
    clock.reset()
    clock.advance(when.astimezone(UTC) - datetime.now(UTC))
    demo.tokens.clear()


async def call(
    demo: Demo, method: str, login: str, path: str, body: object = None
) -> httpx.Response:
    """Send a request as the user, with a JSON body when given."""
    headers = await demo.auth(login)
    if body is None:
        return await demo.client.request(method, path, headers=headers)
    return await demo.client.request(method, path, headers=headers, json=body)


async def set_policy(demo: Demo, path: str, **rules: object) -> dict[str, Any]:
    """PUT a policy row as the admin, and insist it was saved."""
    response = await call(demo, "PUT", ADMIN, path, {"rules": rules})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    PolicyOut.model_validate(body)
    return body


async def trip(demo: Demo, login: str, destination: str = "Library") -> int:
    """Go out on a self-start pass and come back; return the pass id."""
    created = await demo.request_pass(login, destination)
    assert created.status_code == 201, created.text
    assert created.json()["state"] == "active"
    ended = await demo.post(login, f"/api/passes/{created.json()['id']}/end")
    assert ended.status_code == 200, ended.text
    return int(created.json()["id"])


def refusal(response: httpx.Response, code: ErrorCode) -> str:
    """Assert a 409 of this code and return its message."""
    assert_error(response, 409, code)
    message: str = response.json()["error"]["message"]
    return message


async def test_a_student_at_the_daily_limit_hears_when_the_next_pass_is_possible(
    demo: Demo,
) -> None:
    at_local(demo, local(4, 9))
    await set_policy(demo, "/api/policies/school", passes_per_day=2)
    await trip(demo, STUDENT)
    await trip(demo, STUDENT, "Restroom North")
    passes_before = await Pass.all().count()

    held = await demo.request_pass(STUDENT, "Library")

    assert refusal(held, ErrorCode.LIMIT_REACHED) == (
        "You have used your 2 passes for today. Your next pass is possible tomorrow."
    )
    assert await Pass.all().count() == passes_before  # a denial writes nothing
    # The teacher can still send the student.
    issued = await demo.post(
        TEACHER,
        "/api/passes",
        {"destination_id": await location_id("Library"), "student_id": await user_id(STUDENT)},
    )
    assert issued.status_code == 201, issued.text
    await demo.post(TEACHER, f"/api/passes/{issued.json()['id']}/end")
    # A classmate has their own count.
    await trip(demo, CLASSMATE)
    # The next school day, the student may go again.
    at_local(demo, local(5, 8))
    assert (await demo.request_pass(STUDENT, "Library")).status_code == 201


async def test_staff_issued_passes_are_never_held_and_never_count(demo: Demo) -> None:
    at_local(demo, local(4, 9))
    await set_policy(demo, "/api/policies/school", passes_per_day=1, cooldown_minutes=30)
    student = await user_id(STUDENT)
    library = await location_id("Library")
    for _ in range(3):  # over the limit, inside the cooldown: staff decide, not the policy
        issued = await demo.post(
            TEACHER, "/api/passes", {"destination_id": library, "student_id": student}
        )
        assert issued.status_code == 201, issued.text
        assert issued.json()["kind"] == PassKind.ISSUED
        await demo.post(TEACHER, f"/api/passes/{issued.json()['id']}/end")
    # None of them counted, nor started the cooldown: the student's own first pass goes.
    await trip(demo, STUDENT)
    assert (await demo.request_pass(STUDENT, "Library")).status_code == 409


async def test_a_pass_started_at_the_kiosk_is_the_students_own_and_counts(demo: Demo) -> None:
    at_local(demo, local(4, 9))
    await create_staff("kiosk101@demo.school", Role.KIOSK, "Door", "Kiosk", "Room 101")
    await set_policy(demo, "/api/policies/school", passes_per_day=1)
    body = {"destination_id": await location_id("Library"), "student_id": await user_id(STUDENT)}
    at_door = await demo.post("kiosk101@demo.school", "/api/passes", body)
    assert at_door.status_code == 201, at_door.text
    assert at_door.json()["kind"] == PassKind.KIOSK
    await demo.post(STUDENT, f"/api/passes/{at_door.json()['id']}/end")
    held = await demo.post("kiosk101@demo.school", "/api/passes", body)
    # The door's screen is the student's: it hears what the student hears.
    assert refusal(held, ErrorCode.LIMIT_REACHED) == (
        "You have used your 1 pass for today. Your next pass is possible tomorrow."
    )
    refusal(await demo.request_pass(STUDENT, "Library"), ErrorCode.LIMIT_REACHED)


async def test_denied_and_cancelled_requests_do_not_count(demo: Demo) -> None:
    at_local(demo, local(4, 9))
    await set_policy(demo, "/api/policies/school", passes_per_day=1)
    refused = await demo.request_pass(STUDENT, "Nurse")
    assert refused.json()["state"] == "pending"
    assert (await demo.post(TEACHER, f"/api/passes/{refused.json()['id']}/deny")).status_code == 200
    withdrawn = await demo.request_pass(STUDENT, "Nurse")
    assert (
        await demo.post(STUDENT, f"/api/passes/{withdrawn.json()['id']}/cancel")
    ).status_code == 200
    await trip(demo, STUDENT)  # the one pass of the day
    held = await demo.request_pass(STUDENT, "Library")
    assert "1 pass for today" in refusal(held, ErrorCode.LIMIT_REACHED)


async def test_a_pending_request_counts_so_the_limit_holds_before_approval(demo: Demo) -> None:
    at_local(demo, local(4, 9))
    await set_policy(demo, "/api/policies/school", passes_per_day=1)
    pending = await demo.request_pass(STUDENT, "Nurse")
    assert pending.json()["state"] == "pending"
    assert (
        await demo.post(TEACHER, f"/api/passes/{pending.json()['id']}/approve")
    ).status_code == 200
    await demo.post(STUDENT, f"/api/passes/{pending.json()['id']}/end")
    refusal(await demo.request_pass(STUDENT, "Library"), ErrorCode.LIMIT_REACHED)


async def test_an_exempt_destination_is_neither_counted_nor_held(demo: Demo) -> None:
    at_local(demo, local(4, 9))
    nurse = await location_id("Nurse")
    await set_policy(demo, "/api/policies/school", passes_per_day=1, cooldown_minutes=20)
    await set_policy(demo, f"/api/policies/destination/{nurse}", exempt=True)

    async def nurse_visit() -> None:
        asked = await demo.request_pass(STUDENT, "Nurse")
        assert asked.status_code == 201, asked.text
        pass_id = asked.json()["id"]
        assert (await demo.post(TEACHER, f"/api/passes/{pass_id}/approve")).status_code == 200
        assert (await demo.post(STUDENT, f"/api/passes/{pass_id}/end")).status_code == 200

    await nurse_visit()
    await trip(demo, STUDENT)  # the nurse visit neither counted nor started a cooldown
    refusal(await demo.request_pass(STUDENT, "Library"), ErrorCode.LIMIT_REACHED)
    await nurse_visit()  # over the limit and in the cooldown: the nurse is still open


async def test_a_student_override_lifts_or_changes_the_schools_limit(demo: Demo) -> None:
    at_local(demo, local(4, 9))
    await set_policy(demo, "/api/policies/school", passes_per_day=1)
    student = await user_id(STUDENT)
    await set_policy(demo, f"/api/policies/student/{student}", passes_per_day=None)
    for _ in range(3):
        await trip(demo, STUDENT)  # no limit for this student
    await trip(demo, CLASSMATE)
    refusal(await demo.request_pass(CLASSMATE, "Library"), ErrorCode.LIMIT_REACHED)

    await set_policy(demo, f"/api/policies/student/{student}", passes_per_day=4)
    await trip(demo, STUDENT)
    held = await demo.request_pass(STUDENT, "Library")
    assert refusal(held, ErrorCode.LIMIT_REACHED).startswith("You have used your 4 passes")

    assert (
        await call(demo, "DELETE", ADMIN, f"/api/policies/student/{student}")
    ).status_code == 204
    assert "1 pass for today" in refusal(
        await demo.request_pass(STUDENT, "Library"), ErrorCode.LIMIT_REACHED
    )


async def test_a_grade_limit_applies_to_that_grade_only(demo: Demo) -> None:
    at_local(demo, local(4, 9))
    # 1003 is in grade 11 and 1004 in grade 12 (the demo gives grades 9-12 in turn).
    await set_policy(demo, "/api/policies/grade/11", passes_per_week=1)
    await trip(demo, STUDENT)
    await trip(demo, CLASSMATE)
    await trip(demo, CLASSMATE)
    held = await demo.request_pass(STUDENT, "Library")
    assert refusal(held, ErrorCode.LIMIT_REACHED) == (
        "You have used your 1 pass for this week. Your next pass is possible on Monday."
    )
    # Staff are told which scope set it.
    staff_view = await demo.get(TEACHER, f"/api/students/{await user_id(STUDENT)}/policy")
    assert "set by grade 11" in staff_view.json()["detail"]


async def test_the_cooldown_denial_says_the_school_local_time(demo: Demo) -> None:
    at_local(demo, local(4, 10))
    await set_policy(demo, "/api/policies/school", cooldown_minutes=15)
    going = await demo.request_pass(STUDENT, "Library")
    assert going.status_code == 201
    clock.advance(timedelta(minutes=26, seconds=30))  # back at 10:26:30 Chicago (16:26 UTC)
    await demo.post(STUDENT, f"/api/passes/{going.json()['id']}/end")
    clock.advance(timedelta(minutes=3))

    held = await demo.request_pass(STUDENT, "Library")

    assert refusal(held, ErrorCode.COOLDOWN) == (
        "Please wait 15 minutes between passes. Next pass possible at 10:42 AM."
    )
    clock.advance(timedelta(minutes=12, seconds=30))  # 10:42:00
    assert (await demo.request_pass(STUDENT, "Library")).status_code == 201


async def test_a_pass_just_before_local_midnight_counts_for_that_day(demo: Demo) -> None:
    # 23:58 in Chicago is 05:58 UTC the next day: the UTC date would put it in the wrong day.
    at_local(demo, local(4, 23, 58))
    await set_policy(demo, "/api/policies/school", passes_per_day=1)
    await trip(demo, STUDENT)
    clock.advance(timedelta(minutes=1))  # 23:59
    assert "tomorrow" in refusal(
        await demo.request_pass(STUDENT, "Library"), ErrorCode.LIMIT_REACHED
    )
    at_local(demo, local(5, 0, 1))  # the next local day
    assert (await demo.request_pass(STUDENT, "Library")).status_code == 201


async def test_the_explanation_tells_staff_each_value_its_source_and_the_next_chance(
    demo: Demo,
) -> None:
    at_local(demo, local(4, 10))
    student = await user_id(STUDENT)
    nurse = await location_id("Nurse")
    await set_policy(demo, "/api/policies/school", passes_per_day=4, passes_per_week=10)
    await set_policy(demo, "/api/policies/grade/11", passes_per_day=2)
    await set_policy(demo, f"/api/policies/student/{student}", cooldown_minutes=10)
    await set_policy(demo, f"/api/policies/destination/{nurse}", exempt=True)
    await trip(demo, STUDENT)
    clock.advance(timedelta(minutes=15))  # past the cooldown
    await trip(demo, STUDENT)

    explained = await demo.get(TEACHER, f"/api/students/{student}/policy")

    assert explained.status_code == 200, explained.text
    body = explained.json()
    PolicyExplanationOut.model_validate(body)
    assert body["student"]["id"] == student
    assert body["timezone"] == "America/Chicago"
    assert body["settings"]["passes_per_day"] == {
        "value": 2,
        "scope": "grade",
        "target": "11",
        "source": "grade 11",
    }
    assert body["settings"]["passes_per_week"]["scope"] == "school"
    assert body["settings"]["cooldown_minutes"] == {
        "value": 10,
        "scope": "student",
        "target": str(student),
        "source": "this student",
    }
    assert body["settings"]["exempt"] == {
        "value": False,
        "scope": None,
        "target": None,
        "source": "nobody (the default)",
    }
    assert (body["today"], body["this_week"]) == (2, 2)
    assert body["allowed"] is False
    assert body["code"] == "limit_reached"
    assert "set by grade 11" in body["detail"]
    assert body["student_detail"] == (
        "You have used your 2 passes for today. Your next pass is possible tomorrow."
    )
    assert body["next_possible_at"] == "2025-03-05T06:00:00Z"  # midnight in Chicago

    to_nurse = await demo.get(TEACHER, f"/api/students/{student}/policy?destination_id={nurse}")
    assert to_nurse.json()["settings"]["exempt"]["value"] is True
    assert to_nurse.json()["allowed"] is True
    assert to_nurse.json()["destination"]["name"] == "Nurse"
    assert to_nurse.json()["next_possible_at"] is None


async def test_the_explanation_matches_the_decision_a_request_gets(demo: Demo) -> None:
    at_local(demo, local(4, 10))
    await set_policy(demo, "/api/policies/school", cooldown_minutes=15)
    await trip(demo, STUDENT)
    student = await user_id(STUDENT)
    explained = (await demo.get(ADMIN, f"/api/students/{student}/policy")).json()
    held = await demo.request_pass(STUDENT, "Library")
    assert (explained["code"], explained["student_detail"]) == (
        held.json()["error"]["code"],
        held.json()["error"]["message"],
    )
    assert explained["next_possible_at"] is not None


async def test_admins_list_set_replace_and_delete_rows(demo: Demo) -> None:
    nurse = await location_id("Nurse")
    student = await user_id(STUDENT)
    assert (await demo.get(ADMIN, "/api/policies")).json() == []
    await set_policy(demo, f"/api/policies/student/{student}", passes_per_day=None)
    await set_policy(demo, "/api/policies/group/IEP%20504", cooldown_minutes=5)
    await set_policy(demo, "/api/policies/grade/09", passes_per_day=3)  # stored as "9"
    await set_policy(demo, "/api/policies/grade/10", passes_per_day=3)
    await set_policy(demo, f"/api/policies/destination/{nurse}", exempt=True)
    await set_policy(demo, "/api/policies/school", passes_per_day=5)
    replaced = await set_policy(demo, "/api/policies/school", passes_per_week=20)
    assert replaced["rules"] == {"passes_per_week": 20}  # replaced, not merged

    listed = (await demo.get(ADMIN, "/api/policies")).json()

    assert [(row["scope"], row["target"], row["rules"]) for row in listed] == [
        ("school", "", {"passes_per_week": 20}),
        ("grade", "9", {"passes_per_day": 3}),
        ("grade", "10", {"passes_per_day": 3}),
        ("group", "IEP 504", {"cooldown_minutes": 5}),
        ("destination", str(nurse), {"exempt": True}),
        ("student", str(student), {"passes_per_day": None}),
    ]
    for row in listed:
        PolicyOut.model_validate(row)
    for path in ("/api/policies/school", "/api/policies/grade/9", "/api/policies/group/IEP%20504"):
        assert (await call(demo, "DELETE", ADMIN, path)).status_code == 204
    assert len((await demo.get(ADMIN, "/api/policies")).json()) == 3
    assert_error(await call(demo, "DELETE", ADMIN, "/api/policies/school"), 404)


async def test_bad_policy_input_names_the_field_and_changes_nothing(demo: Demo) -> None:
    classroom = await location_id("Room 101")
    cases: list[tuple[str, str, object, int, str | None]] = [
        ("/api/policies/school", "PUT", {"rules": {"passes_per_hour": 1}}, 422,
         "rules.passes_per_hour"),
        ("/api/policies/school", "PUT", {"rules": {"passes_per_day": -1}}, 422,
         "rules.passes_per_day"),
        ("/api/policies/school", "PUT", {"rules": {"passes_per_day": "4"}}, 422,
         "rules.passes_per_day"),
        ("/api/policies/school", "PUT", {"rules": {"passes_per_week": 501}}, 422,
         "rules.passes_per_week"),
        ("/api/policies/school", "PUT", {"rules": {"cooldown_minutes": 1.5}}, 422,
         "rules.cooldown_minutes"),
        ("/api/policies/school", "PUT", {"rules": {"exempt": True}}, 422, "rules.exempt"),
        ("/api/policies/school", "PUT", {"passes_per_day": 4}, 422, "passes_per_day"),
        ("/api/policies/grade/ninth", "PUT", {"rules": {}}, 422, "target"),
        ("/api/policies/grade/100", "PUT", {"rules": {}}, 422, "target"),
        ("/api/policies/grade/" + "1" * 5000, "PUT", {"rules": {}}, 422, "target"),
        ("/api/policies/student/" + "1" * 5000, "PUT", {"rules": {}}, 404, None),
        ("/api/students/" + "1" * 5000 + "/policy", "GET", None, 404, None),
        (f"/api/students/{await user_id(STUDENT)}/policy?destination_id={'9' * 5000}", "GET",
         None, 422, "destination_id"),
        ("/api/policies/group/%00", "PUT", {"rules": {}}, 422, "target"),
        ("/api/policies/group/" + "g" * 121, "PUT", {"rules": {}}, 422, "target"),
        ("/api/policies/student/999999", "PUT", {"rules": {}}, 404, None),
        ("/api/policies/student/abc", "PUT", {"rules": {}}, 404, None),
        (f"/api/policies/student/{await user_id(TEACHER)}", "PUT", {"rules": {}}, 404, None),
        ("/api/policies/destination/999999", "PUT", {"rules": {}}, 404, None),
        (f"/api/policies/destination/{classroom}", "PUT", {"rules": {}}, 404, None),
        ("/api/policies/planet/mars", "PUT", {"rules": {}}, 404, None),
        ("/api/policies/school/extra", "PUT", {"rules": {}}, 404, None),
        ("/api/policies/grade/10", "DELETE", None, 404, None),  # no such row
        ("/api/students/999999/policy", "GET", None, 404, None),
        (f"/api/students/{await user_id(TEACHER)}/policy", "GET", None, 404, None),
        (f"/api/students/{await user_id(STUDENT)}/policy?destination_id=0", "GET", None, 422,
         "destination_id"),
        (f"/api/students/{await user_id(STUDENT)}/policy?destination_id={classroom}", "GET",
         None, 404, None),
    ]  # fmt: skip
    before = await Pass.all().count(), await Location.all().count()
    for path, method, body, status, field in cases:
        response = await call(demo, method, ADMIN, path, body)
        assert_error(response, status)
        if field is not None:
            fields = [f["field"] for f in response.json()["error"]["details"]["fields"]]
            assert field in fields, (path, body, response.text)
    assert (await demo.get(ADMIN, "/api/policies")).json() == []
    assert (await Pass.all().count(), await Location.all().count()) == before


async def test_no_policy_means_no_limit(demo: Demo) -> None:
    at_local(demo, local(4, 9))
    for _ in range(5):
        await trip(demo, STUDENT)
    counted = await Pass.filter(
        student_id=await user_id(STUDENT), state=PassState.ENDED, kind=PassKind.REQUESTED
    ).count()
    assert counted == 5
