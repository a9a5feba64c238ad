"""Appointments: staff schedule passes for a group, all or none, and each reminds once.

The clock starts on Tuesday 4 March 2025 at 10:00 in Chicago (the demo school's zone). Room
101 holds students 1001-1015 (teacher1), Room 102 holds 1016-1030 (teacher2); the demo gives
grades 9-12 in turn from 1001 (1002, 1006, 1010, ... are in grade 10).
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from server import clock
from server.enums import Role
from server.errors import ErrorCode
from server.models import Pass, PassEvent, School, User
from server.services.reminders import send_due_reminders
from server.services.scheduler import start_due_passes
from tests.conftest import Demo, location_id, user_id
from tests.invariants import assert_invariants
from tests.test_authorization import create_other_school, create_staff
from tests.test_error_shape import assert_error
from tests.test_policies import ADMIN, TEACHER, at_local, local

COUNSELOR = "counselor@demo.school"
START = local(4, 10, 30)


@pytest.fixture(autouse=True)
def tuesday_morning(demo: Demo) -> None:
    """Start every test at 10:00 on a school Tuesday."""
    at_local(demo, local(4, 10))


def advance_to(hour: int, minute: int, second: int = 0) -> None:
    """Move the server's clock on to a time of the same Tuesday."""
    clock.reset()
    clock.advance(local(4, hour, minute, second) - clock.utcnow())


async def ids_of(*logins: str) -> list[int]:
    """Return the user ids of demo students."""
    return [await user_id(login) for login in logins]


async def schedule_group(
    demo: Demo, login: str = TEACHER, destination: str = "Library", **fields: Any
) -> httpx.Response:
    """POST /api/appointments as `login`: start at 10:30 unless the fields say otherwise."""
    body = {"destination_id": await location_id(destination), "start_at": START.isoformat()}
    return await demo.post(login, "/api/appointments", body | fields)


async def event_names(pass_id: int) -> list[str]:
    """Return the names of a pass's events in order."""
    return [e.name for e in await PassEvent.filter(hall_pass_id=pass_id).order_by("seq")]


def bad_fields(response: httpx.Response) -> list[str]:
    """Assert a 422 and return the fields it names."""
    assert_error(response, 422, ErrorCode.VALIDATION_ERROR)
    return [f["field"] for f in response.json()["error"]["details"]["fields"]]


async def test_a_teacher_schedules_a_list_of_their_students_one_pass_and_event_each(
    demo: Demo,
) -> None:
    students = await ids_of("1005", "1003", "1004")
    response = await schedule_group(demo, student_ids=students)
    assert response.status_code == 201, response.text
    passes = response.json()["passes"]
    assert [p["student"]["id"] for p in passes] == students  # in the order sent
    for p in passes:
        assert (p["state"], p["kind"], p["remind_minutes_before"]) == ("scheduled", "scheduled", 5)
        assert p["reminded_at"] is None
        assert await event_names(p["id"]) == ["pass.created"]
    # The students stay in class: their one open pass is free for a restroom trip.
    assert (await demo.request_pass("1003", "Restroom North")).status_code == 201
    await assert_invariants()


async def test_a_bad_student_refuses_the_whole_group_and_names_them(demo: Demo) -> None:
    other = await create_other_school()
    good = await user_id("1003")
    cases = [
        ([good, 999_999], ["student_ids[1]"], "999999"),
        # Another school's student is as unknown as a made-up id: nothing says they exist.
        ([other.student_id, good], ["student_ids[0]"], str(other.student_id)),
        ([good, await user_id("1004"), good], ["student_ids[2]"], str(good)),
        # A teacher isn't a student to send anywhere.
        ([good, await user_id("teacher1@demo.school")], ["student_ids[1]"], "no such student"),
    ]
    for students, fields, named in cases:
        response = await schedule_group(demo, student_ids=students)
        assert bad_fields(response) == fields, response.text
        assert named in response.text
    assert await Pass.all().count() == 0
    assert await PassEvent.all().count() == 0


async def test_a_student_without_a_classroom_is_named(demo: Demo) -> None:
    students = await ids_of("1003", "1004")
    await User.filter(id=students[1]).update(home_location_id=None)
    response = await schedule_group(demo, ADMIN, student_ids=students)
    assert bad_fields(response) == ["student_ids[1]"]
    assert str(students[1]) in response.text
    await User.filter(id=students[0]).update(home_location_id=None)
    grade = (await User.get(id=students[0])).grade
    assert bad_fields(await schedule_group(demo, ADMIN, grade=grade)) == ["grade"]
    assert await Pass.all().count() == 0


async def test_a_teacher_may_not_schedule_another_rooms_student_and_hears_which(
    demo: Demo,
) -> None:
    students = await ids_of("1003", "1016", "1017")
    response = await schedule_group(demo, student_ids=students)
    assert_error(response, 403, ErrorCode.FORBIDDEN)
    assert f"{students[1]}, {students[2]}" in response.json()["error"]["message"]
    assert await Pass.all().count() == 0
    # The counselor may, to the Counselor; an admin anywhere.
    assert (await schedule_group(demo, COUNSELOR, "Counselor", student_ids=students)).is_success
    assert (await schedule_group(demo, ADMIN, student_ids=students)).is_success


async def test_students_and_kiosks_schedule_nothing(demo: Demo) -> None:
    await create_staff("kiosk101@demo.school", Role.KIOSK, "Door", "Kiosk", "Room 101")
    for login in ("1003", "kiosk101@demo.school"):
        response = await schedule_group(demo, login, student_ids=await ids_of("1003"))
        assert_error(response, 403, ErrorCode.FORBIDDEN)
    assert await Pass.all().count() == 0


async def test_the_counselor_schedules_a_grade_and_the_visits_start_one_at_a_time(
    demo: Demo,
) -> None:
    grade_10 = [u.id for u in await User.filter(role="student", grade=10).order_by("id")]
    response = await schedule_group(demo, COUNSELOR, "Counselor", grade=10)
    assert response.status_code == 201, response.text
    passes = response.json()["passes"]
    assert [p["student"]["id"] for p in passes] == grade_10
    advance_to(10, 30)
    assert sorted(await start_due_passes()) == sorted(p["id"] for p in passes)
    # The counselor made them: no one asks the counselor again; the office takes one at a time.
    states = [str((await Pass.get(id=p["id"])).state) for p in passes]
    assert states.count("active") == 1
    assert states.count("waiting") == len(passes) - 1
    await assert_invariants()


async def test_a_student_group_by_name(demo: Demo) -> None:
    members = await ids_of("1004", "1009")
    await User.filter(id__in=members).update(groups=["Robotics"])
    response = await schedule_group(demo, ADMIN, group="Robotics")
    assert [p["student"]["id"] for p in response.json()["passes"]] == members
    assert bad_fields(await schedule_group(demo, ADMIN, group="Chess")) == ["group"]
    assert bad_fields(await schedule_group(demo, ADMIN, grade=42)) == ["grade"]


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({}, "student_ids"),  # nobody selected
        ({"student_ids": [1], "grade": 10}, "grade"),  # two ways at once
        ({"student_ids": []}, "student_ids"),
        ({"grade": 10, "start_at": local(4, 9).isoformat()}, "start_at"),  # the past
        ({"grade": 10, "start_at": "2025-03-04T11:00:00"}, "start_at"),  # no offset
        ({"grade": 10, "remind_minutes_before": 0}, "remind_minutes_before"),
        ({"grade": 10, "remind_minutes_before": 121}, "remind_minutes_before"),
        ({"grade": 10, "students": [1]}, "students"),
    ],
)
async def test_a_bad_group_request_names_the_field(
    demo: Demo, fields: dict[str, Any], named: str
) -> None:
    assert named in bad_fields(await schedule_group(demo, ADMIN, **fields))
    assert await Pass.all().count() == 0


async def test_a_group_to_a_place_passes_dont_go_is_refused_whole(demo: Demo) -> None:
    response = await schedule_group(demo, ADMIN, "Room 102", student_ids=await ids_of("1003"))
    assert_error(response, 422, ErrorCode.NOT_A_DESTINATION)
    assert await Pass.all().count() == 0


async def test_each_pass_reminds_once_n_minutes_before_then_starts(demo: Demo) -> None:
    students = await ids_of("1003", "1004")
    made = await schedule_group(demo, student_ids=students, remind_minutes_before=10)
    ids = [p["id"] for p in made.json()["passes"]]
    advance_to(10, 19, 59)
    assert await send_due_reminders() == []
    advance_to(10, 20)
    assert await send_due_reminders() == ids
    assert await send_due_reminders() == []  # once
    # The student sees the reminder on their pass (and their teacher on theirs): not a state.
    mine = (await demo.get("1003", f"/api/passes/{ids[0]}")).json()
    assert (mine["state"], mine["version"]) == ("scheduled", 2)
    assert mine["reminded_at"] is not None
    advance_to(10, 30)
    assert await send_due_reminders() == []
    assert sorted(await start_due_passes()) == sorted(ids)
    for pass_id in ids:
        assert await event_names(pass_id) == ["pass.created", "pass.reminder", "pass.started"]
    await assert_invariants()


async def test_after_a_restart_a_reminder_still_due_is_sent_and_a_late_one_is_not(
    demo: Demo,
) -> None:
    early = (await schedule_group(demo, student_ids=await ids_of("1003"))).json()["passes"][0]
    later = await schedule_group(
        demo, student_ids=await ids_of("1004"), start_at=local(4, 10, 40).isoformat()
    )
    # Down from 10:00 to 10:37: the first pass's start has passed, the second's window is open.
    advance_to(10, 37)
    assert await send_due_reminders() == [later.json()["passes"][0]["id"]]
    assert await start_due_passes() == [early["id"]]
    assert await event_names(early["id"]) == ["pass.created", "pass.started"]


async def test_which_scheduled_passes_remind(demo: Demo) -> None:
    # A single scheduled pass reminds by default; null asks for none; a pass made inside its
    # window needs none (being told it was made is the reminder).
    student = await user_id("1003")
    library = await location_id("Library")
    bodies: list[dict[str, Any]] = [
        {"start_at": START.isoformat()},
        {"start_at": START.isoformat(), "remind_minutes_before": None},
        {"start_at": local(4, 10, 3).isoformat()},
    ]
    made = []
    for extra in bodies:
        body = {"destination_id": library, "student_id": student} | extra
        response = await demo.post(TEACHER, "/api/passes", body)
        assert response.status_code == 201, response.text
        made.append(response.json())
    assert [p["remind_minutes_before"] for p in made] == [5, None, 5]
    advance_to(10, 2)
    assert await send_due_reminders() == []
    advance_to(10, 25)
    assert await send_due_reminders() == [made[0]["id"]]


async def test_a_reminder_is_only_for_a_pass_with_a_start_time(demo: Demo) -> None:
    body = {
        "destination_id": await location_id("Library"),
        "student_id": await user_id("1003"),
        "remind_minutes_before": 5,
    }
    response = await demo.post(TEACHER, "/api/passes", body)
    assert bad_fields(response) == ["remind_minutes_before"]


async def test_an_appointment_waits_while_the_student_is_out_then_starts(demo: Demo) -> None:
    (appointment,) = (await schedule_group(demo, student_ids=await ids_of("1006"))).json()["passes"]
    advance_to(10, 29)
    out = await demo.request_pass("1006", "Restroom North")
    advance_to(10, 31)
    assert await start_due_passes() == []  # still out: the appointment keeps its turn
    await demo.post("1006", f"/api/passes/{out.json()['id']}/end")
    assert await start_due_passes() == [appointment["id"]]


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"])
async def test_sweeps_at_once_send_each_reminder_once(demo: Demo) -> None:
    # As several worker processes would: each sweep on its own connection from the pool.
    logins = ("1003", "1004", "1005", "1006", "1007")
    made = await schedule_group(demo, student_ids=await ids_of(*logins))
    ids = [p["id"] for p in made.json()["passes"]]
    advance_to(10, 26)
    got = await asyncio.gather(*(send_due_reminders() for _ in range(4)))
    assert sorted(i for run in got for i in run) == sorted(ids)
    for pass_id in ids:
        assert await event_names(pass_id) == ["pass.created", "pass.reminder"]
    school = await School.get(slug="demo")
    assert school.event_seq == 2 * len(ids)
    await assert_invariants()
