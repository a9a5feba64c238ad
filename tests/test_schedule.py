"""The bell schedule through the API, and the no-fly times it derives, on both backends.

Demo High School (America/Chicago) has a regular day type (Period 1 08:00-08:50, ..., Lunch
11:35-12:05, ..., Period 7 14:00-14:50) on Monday to Friday, and an assembly day type no date
uses yet. Tests put the clock at a school-local time in March 2025 (`local(4, 8, 5)` is Tuesday
the 4th at 08:05; DST begins on Sunday the 9th).
"""

from __future__ import annotations

from typing import Any

from server import clock
from server.contract.policies import PolicyExplanationOut
from server.contract.schedules import ScheduleOut, TodayOut
from server.errors import ErrorCode
from server.models import BellSchedule, Pass, ScheduleOverride
from tests import dbstate
from tests.conftest import Demo, location_id, user_id
from tests.test_error_shape import assert_error
from tests.test_policies import ADMIN, STUDENT, TEACHER, at_local, call, local, refusal, set_policy

REGULAR_NAMES = [
    "Period 1",
    "Period 2",
    "Period 3",
    "Period 4",
    "Lunch",
    "Period 5",
    "Period 6",
    "Period 7",
]


def periods(*spans: tuple[str, str, str]) -> dict[str, Any]:
    """Return a day type's body from (name, start, end) triples."""
    return {"periods": [{"name": n, "start": s, "end": e} for n, s, e in spans]}


SHORT = periods(("Period 1", "08:00", "08:50"), ("Period 2", "09:00", "09:50"))
ASSEMBLY = periods(("Period 1", "08:00", "08:40"), ("Assembly", "08:45", "09:45"))


async def schedule_body(demo: Demo) -> dict[str, Any]:
    """GET the schedule as the admin, checked against its schema."""
    response = await demo.get(ADMIN, "/api/schedule")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    ScheduleOut.model_validate(body)
    return body


async def put_schedule(demo: Demo, body: object) -> dict[str, Any]:
    """PUT a schedule as the admin, and insist it was saved."""
    response = await call(demo, "PUT", ADMIN, "/api/schedule", body)
    assert response.status_code == 200, response.text
    saved: dict[str, Any] = response.json()
    ScheduleOut.model_validate(saved)
    return saved


async def today(demo: Demo, login: str = STUDENT) -> dict[str, Any]:
    """GET today's schedule as anyone, checked against its schema."""
    response = await demo.get(login, "/api/schedule/today")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    TodayOut.model_validate(body)
    return body


async def test_the_demo_school_has_a_regular_and_an_assembly_day(demo: Demo) -> None:
    body = await schedule_body(demo)
    assert body["timezone"] == "America/Chicago"
    assert set(body["day_types"]) == {"regular", "assembly"}
    assert [p["name"] for p in body["day_types"]["regular"]["periods"]] == REGULAR_NAMES
    assert body["weekdays"] == dict.fromkeys(
        ("monday", "tuesday", "wednesday", "thursday", "friday"), "regular"
    )
    assert body["overrides"] == []


async def test_today_marks_the_current_period_for_everyone(demo: Demo) -> None:
    at_local(demo, local(4, 9, 0))
    for login in (STUDENT, TEACHER, ADMIN, "nurse@demo.school"):
        body = await today(demo, login)
        assert (body["date"], body["day_type"], body["status"]) == ("2025-03-04", "regular",
                                                                   "in_period")  # fmt: skip
        assert (body["current"], body["next"]) == ("Period 2", "Period 3")
        assert [p["name"] for p in body["periods"] if p["current"]] == ["Period 2"]
        assert body["timezone"] == "America/Chicago"
    second = body["periods"][1]
    assert (second["start"], second["end"]) == ("08:55", "09:45")
    assert (second["starts_at"], second["ends_at"]) == ("2025-03-04T14:55:00Z",
                                                        "2025-03-04T15:45:00Z")  # fmt: skip


async def test_today_before_between_and_after_the_bells_and_on_a_weekend(demo: Demo) -> None:
    for when, status, current, upcoming in (
        (local(4, 7, 30), "before_school", None, "Period 1"),
        (local(4, 8, 52), "passing", None, "Period 2"),
        (local(4, 14, 50), "after_school", None, None),
        (local(8, 10, 0), "no_school", None, None),  # a Saturday
    ):
        at_local(demo, when)
        body = await today(demo)
        assert (body["status"], body["current"], body["next"]) == (status, current, upcoming)
    assert body["periods"] == []
    assert body["day_type"] is None


async def test_after_dst_begins_the_bells_stay_at_local_time(demo: Demo) -> None:
    at_local(demo, local(10, 8, 0))  # Monday 10 March: 08:00 CDT is 13:00 UTC
    body = await today(demo)
    assert body["current"] == "Period 1"
    assert body["periods"][0]["starts_at"] == "2025-03-10T13:00:00Z"


async def test_admins_replace_the_whole_schedule_with_overrides(demo: Demo) -> None:
    at_local(demo, local(4, 8, 50))
    saved = await put_schedule(
        demo,
        {
            "day_types": {"regular": SHORT, "assembly": ASSEMBLY},
            "weekdays": {"monday": "regular", "tuesday": "regular", "wednesday": None},
            "overrides": [
                {"date": "2025-03-05", "day_type": "assembly", "note": "Pep rally"},
                {"date": "2025-03-04", "day_type": None},
            ],
        },
    )
    assert saved["weekdays"] == {
        "monday": "regular",
        "tuesday": "regular",
        "wednesday": None,
        "thursday": None,
        "friday": None,
    }
    assert saved["overrides"] == [  # by date
        {"date": "2025-03-04", "day_type": None, "note": ""},
        {"date": "2025-03-05", "day_type": "assembly", "note": "Pep rally"},
    ]
    assert saved["updated_at"] is not None
    assert await schedule_body(demo) == saved
    # Tuesday the 4th has no school now; Wednesday the 5th follows the assembly day.
    assert (await today(demo))["status"] == "no_school"
    at_local(demo, local(5, 9, 0))
    body = await today(demo)
    assert (body["day_type"], body["current"]) == ("assembly", "Assembly")
    # Replaced whole, never merged: the overrides go when a schedule without them is sent.
    await put_schedule(demo, {"day_types": {"regular": SHORT}})
    assert await ScheduleOverride.all().count() == 0
    assert (await schedule_body(demo))["weekdays"]["monday"] is None
    assert await BellSchedule.all().count() == 1


async def test_a_school_without_a_schedule_has_no_school_today(demo: Demo) -> None:
    await BellSchedule.all().delete()
    body = await schedule_body(demo)
    assert (body["day_types"], body["overrides"], body["updated_at"]) == ({}, [], None)
    assert set(body["weekdays"].values()) == {None}
    assert (await today(demo))["status"] == "no_school"


async def test_bad_schedules_name_the_field_and_change_nothing(demo: Demo) -> None:
    good = {"regular": SHORT}
    cases: list[tuple[object, str]] = [
        ({"day_types": {"regular": periods(("1", "08:00", "08:50"), ("2", "09:00", "09:50"),
                                           ("3", "10:00", "09:55"))}},
         "day_types.regular.periods[2].end"),
        ({"day_types": {"regular": periods(("1", "08:00", "08:50"), ("2", "08:40", "09:30"))}},
         "day_types.regular.periods[1].start"),
        ({"day_types": {"regular": periods(("2", "09:00", "09:50"), ("1", "08:00", "08:50"))}},
         "day_types.regular.periods[1].start"),
        ({"day_types": {"regular": periods(("1", "08:00", "08:50"), ("1", "09:00", "09:50"))}},
         "day_types.regular.periods[1].name"),
        ({"day_types": {"regular": periods(("1", "8:00", "08:50"))}},
         "day_types.regular.periods[0].start"),
        ({"day_types": {"regular": periods(("1", "08:00", "24:00"))}},
         "day_types.regular.periods[0].end"),
        ({"day_types": {"regular": periods(("", "08:00", "08:50"))}},
         "day_types.regular.periods[0].name"),
        ({"day_types": {"regular": {"periods": []}}}, "day_types.regular.periods"),
        ({"day_types": {"Regular Day": SHORT}}, "day_types.Regular Day"),
        ({"day_types": good, "weekdays": {"saturday": "regular"}}, "weekdays.saturday"),
        ({"day_types": good, "weekdays": {"friday": "short"}}, "weekdays.friday"),
        ({"day_types": good, "overrides": [{"date": "2025-02-30", "day_type": None}]},
         "overrides[0].date"),
        ({"day_types": good, "overrides": [{"date": "2025-03-05", "day_type": "assembly"}]},
         "overrides[0].day_type"),
        ({"day_types": good, "overrides": [{"date": "2025-03-05", "day_type": None},
                                           {"date": "2025-03-05", "day_type": "regular"}]},
         "overrides[1].date"),
        ({"day_types": good, "overrides": [{"date": "2025-03-05"}]}, "overrides[0].day_type"),
        ({"weekdays": {"monday": None}}, "day_types"),
    ]  # fmt: skip
    before = await dbstate.snapshot()
    for body, field in cases:
        response = await call(demo, "PUT", ADMIN, "/api/schedule", body)
        assert_error(response, 422, ErrorCode.VALIDATION_ERROR)
        fields = [f["field"] for f in response.json()["error"]["details"]["fields"]]
        assert field in fields, (body, response.text)
        assert field in response.json()["error"]["message"]
    assert dbstate.changes(before, await dbstate.snapshot()) == {}


async def test_no_passes_in_the_first_minutes_of_a_period(demo: Demo) -> None:
    at_local(demo, local(4, 8, 5))
    await set_policy(demo, "/api/policies/school", no_fly_after_start_minutes=10)
    passes_before = await Pass.all().count()

    held = await demo.request_pass(STUDENT, "Library")

    assert refusal(held, ErrorCode.NO_FLY_TIME) == (
        "No passes in the first 10 minutes of a period. Passes open again at 8:10 AM."
    )
    assert await Pass.all().count() == passes_before
    # Staff are never held, and the teacher hears which row set it.
    body = {"destination_id": await location_id("Library"), "student_id": await user_id(STUDENT)}
    issued = await demo.post(TEACHER, "/api/passes", body)
    assert issued.status_code == 201, issued.text
    assert (await demo.post(TEACHER, f"/api/passes/{issued.json()['id']}/end")).status_code == 200
    # At 08:10 the window is over.
    clock.advance(local(4, 8, 10) - local(4, 8, 5))
    assert (await demo.request_pass(STUDENT, "Library")).status_code == 201


async def test_the_last_minutes_and_a_closed_lunch_open_when_lunch_ends(demo: Demo) -> None:
    at_local(demo, local(4, 11, 30))  # Period 4 ends at 11:35, Lunch runs to 12:05
    await set_policy(
        demo, "/api/policies/school", no_fly_before_end_minutes=10, no_pass_periods=["Lunch"]
    )
    held = await demo.request_pass(STUDENT, "Restroom North")
    assert refusal(held, ErrorCode.NO_FLY_TIME) == (
        "No passes in the last 10 minutes of a period. Passes open again at 12:05 PM."
    )
    at_local(demo, local(4, 11, 50))
    held = await demo.request_pass(STUDENT, "Restroom North")
    assert refusal(held, ErrorCode.NO_FLY_TIME) == (
        "No passes during Lunch. Passes open again at 12:05 PM."
    )
    staff_view = await demo.post(
        TEACHER,
        "/api/passes",
        {"destination_id": await location_id("Library"), "student_id": await user_id(STUDENT)},
    )
    assert staff_view.status_code == 201  # issued by staff: never held


async def test_an_exempt_nurse_and_a_students_override_are_never_held(demo: Demo) -> None:
    at_local(demo, local(4, 8, 5))
    nurse = await location_id("Nurse")
    student = await user_id(STUDENT)
    await set_policy(demo, "/api/policies/school", no_fly_after_start_minutes=10)
    await set_policy(demo, f"/api/policies/destination/{nurse}", exempt=True)
    asked = await demo.request_pass(STUDENT, "Nurse")
    assert asked.status_code == 201, asked.text
    assert asked.json()["state"] == "pending"
    await demo.post(STUDENT, f"/api/passes/{asked.json()['id']}/cancel")
    await set_policy(demo, f"/api/policies/student/{student}", no_fly_after_start_minutes=None)
    assert (await demo.request_pass(STUDENT, "Library")).status_code == 201
    refusal(await demo.request_pass("1004", "Library"), ErrorCode.NO_FLY_TIME)


async def test_an_assembly_override_moves_the_no_fly_times(demo: Demo) -> None:
    schedule = await schedule_body(demo)
    await put_schedule(
        demo,
        {
            "day_types": schedule["day_types"],
            "weekdays": schedule["weekdays"],
            "overrides": [{"date": "2025-03-05", "day_type": "assembly", "note": "Assembly"}],
        },
    )
    await set_policy(demo, "/api/policies/school", no_fly_after_start_minutes=10)
    # 10:20 on a regular Tuesday is mid-period 3 (09:50-10:40): free.
    at_local(demo, local(4, 10, 20))
    going = await demo.request_pass(STUDENT, "Library")
    assert going.status_code == 201, going.text
    await demo.post(STUDENT, f"/api/passes/{going.json()['id']}/end")
    # 10:20 on the assembly Wednesday is five minutes into the assembly (10:15-11:15).
    at_local(demo, local(5, 10, 20))
    held = await demo.request_pass(STUDENT, "Library")
    assert refusal(held, ErrorCode.NO_FLY_TIME) == (
        "No passes in the first 10 minutes of a period. Passes open again at 10:25 AM."
    )
    explained = await demo.get(TEACHER, f"/api/students/{await user_id(STUDENT)}/policy")
    assert (
        "the first 10 minutes of Assembly on the assembly schedule (set by the school)"
        in (explained.json()["detail"])
    )


async def test_no_fly_times_follow_local_time_across_dst(demo: Demo) -> None:
    await set_policy(demo, "/api/policies/school", no_fly_after_start_minutes=10)
    at_local(demo, local(3, 8, 5))  # CST
    refusal(await demo.request_pass(STUDENT, "Library"), ErrorCode.NO_FLY_TIME)
    at_local(demo, local(10, 8, 5))  # CDT: an hour earlier in UTC
    held = await demo.request_pass(STUDENT, "Library")
    assert refusal(held, ErrorCode.NO_FLY_TIME).endswith("Passes open again at 8:10 AM.")


async def test_the_explanation_shows_the_no_fly_settings_windows_and_hold(demo: Demo) -> None:
    at_local(demo, local(4, 8, 5))
    student = await user_id(STUDENT)
    await set_policy(demo, "/api/policies/school", no_fly_after_start_minutes=10)
    await set_policy(demo, "/api/policies/grade/11", no_pass_periods=["Lunch"])

    explained = await demo.get(TEACHER, f"/api/students/{student}/policy")

    assert explained.status_code == 200, explained.text
    body = explained.json()
    PolicyExplanationOut.model_validate(body)
    assert body["settings"]["no_fly_after_start_minutes"] == {
        "value": 10,
        "scope": "school",
        "target": "",
        "source": "the school",
    }
    assert body["settings"]["no_pass_periods"] == {
        "value": ["Lunch"],
        "scope": "grade",
        "target": "11",
        "source": "grade 11",
    }
    assert body["settings"]["no_fly_before_end_minutes"]["value"] is None
    assert (body["allowed"], body["code"]) == (False, "no_fly_time")
    assert body["student_detail"] == (
        "No passes in the first 10 minutes of a period. Passes open again at 8:10 AM."
    )
    assert "set by the school" in body["detail"]
    assert body["next_possible_at"] == "2025-03-04T14:10:00Z"
    windows = body["no_fly_windows"]
    assert len(windows) == 8  # one per period; Lunch is closed whole
    assert windows[0] == {
        "kind": "after_start",
        "period": "Period 1",
        "start": "2025-03-04T14:00:00Z",
        "end": "2025-03-04T14:10:00Z",
    }
    assert {"kind": "whole_period", "period": "Lunch", "start": "2025-03-04T17:35:00Z",
            "end": "2025-03-04T18:05:00Z"} in windows  # fmt: skip
    # The request hears what the explanation says.
    held = await demo.request_pass(STUDENT, "Library")
    assert held.json()["error"]["message"] == body["student_detail"]
    # Outside the windows: allowed, the windows still listed.
    at_local(demo, local(4, 8, 30))
    later = (await demo.get(TEACHER, f"/api/students/{student}/policy")).json()
    assert (later["allowed"], later["next_possible_at"], len(later["no_fly_windows"])) == (
        True,
        None,
        8,
    )


async def test_bad_no_fly_settings_name_the_field(demo: Demo) -> None:
    cases: list[tuple[dict[str, object], str]] = [
        ({"no_fly_after_start_minutes": 121}, "rules.no_fly_after_start_minutes"),
        ({"no_fly_after_start_minutes": -1}, "rules.no_fly_after_start_minutes"),
        ({"no_fly_before_end_minutes": "10"}, "rules.no_fly_before_end_minutes"),
        ({"no_fly_before_end_minutes": 2.5}, "rules.no_fly_before_end_minutes"),
        ({"no_pass_periods": "Lunch"}, "rules.no_pass_periods"),
        ({"no_pass_periods": ["Lunch", 4]}, "rules.no_pass_periods[1]"),
        ({"no_pass_periods": [""]}, "rules.no_pass_periods[0]"),
        ({"no_pass_periods": ["x" * 41]}, "rules.no_pass_periods[0]"),
        ({"no_pass_periods": ["P"] * 25}, "rules.no_pass_periods"),
    ]
    for rules, field in cases:
        response = await call(demo, "PUT", ADMIN, "/api/policies/school", {"rules": rules})
        assert_error(response, 422, ErrorCode.VALIDATION_ERROR)
        fields = [f["field"] for f in response.json()["error"]["details"]["fields"]]
        assert field in fields, (rules, response.text)
    assert (await demo.get(ADMIN, "/api/policies")).json() == []


async def test_the_schedule_alone_holds_no_pass(demo: Demo) -> None:
    at_local(demo, local(4, 8, 0))  # the first bell, with the demo's schedule and no policy
    assert (await demo.request_pass(STUDENT, "Library")).status_code == 201
