"""A student's room and teacher follow the period: origins, who acts, lists, caps, the kiosk.

Periods Academy (UTC) rings Period 1 08:00-08:50, Period 2 08:55-09:45, Period 3 09:50-10:40
and Lunch 10:40-11:10 on every weekday. Ada (3001) and Ben (3002) have Biology with Ms Bell
in Room B in period 1, Algebra with Mr Ash in Room A in period 2 and History with Ms Cole in
Room A in period 3; Cy (3003) has only History. Their home room is Room B (Ms Bell's). Mr Ash
is assigned to no room: only his section makes his students his. Tuesday 4 March 2025.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any

import httpx
import pytest
from tortoise import connections

from server import clock
from server.enums import Approval, EnrollmentRole, LocationKind, Role
from server.errors import ErrorCode
from server.models import (
    BellSchedule,
    Delivery,
    Enrollment,
    Location,
    Pass,
    School,
    Section,
    User,
)
from server.rules.timetable import Placement
from server.services.placement import placements_of
from tests.conftest import CHEAP_PASSWORDS, Demo
from tests.hub.test_ws import hello, live, nothing_more, recv  # noqa: F401 (live is a fixture)
from tests.test_error_shape import assert_error

PASSWORD = "demo"
ADA, BEN, CY = "3001", "3002", "3003"
BELL, ASH, COLE = "bell@periods.school", "ash@periods.school", "cole@periods.school"
KIOSK_A = "kiosk-a@periods.school"
ADMIN = "admin@periods.school"
PERIODS = [
    {"name": "Period 1", "start": "08:00", "end": "08:50"},
    {"name": "Period 2", "start": "08:55", "end": "09:45"},
    {"name": "Period 3", "start": "09:50", "end": "10:40"},
    {"name": "Lunch", "start": "10:40", "end": "11:10"},
]


@dataclass(frozen=True)
class Academy:
    """The ids of Periods Academy's rows."""

    room_a: int
    room_b: int
    library: int
    nurse: int
    biology: int
    algebra: int
    history: int
    users: dict[str, int]


async def person(school: School, login: str, role: Role, first: str, **fields: Any) -> User:
    """Create a user of the academy with the test password."""
    return await User.create(
        school=school,
        role=role,
        login=login,
        first_name=first,
        last_name=login.split("@")[0].title(),
        password_hash=await CHEAP_PASSWORDS.hash(PASSWORD),
        **fields,
    )


async def section(
    school: School, title: str, room: Location, period: str, teacher: User, *students: User
) -> Section:
    """Create a section meeting in one period of every day type, with its people."""
    made = await Section.create(
        school=school, title=title, location=room, meetings=[{"day_type": None, "period": period}]
    )
    await Enrollment.create(
        school=school, section=made, user=teacher, role=EnrollmentRole.TEACHER, primary=True
    )
    for student in students:
        await Enrollment.create(
            school=school, section=made, user=student, role=EnrollmentRole.STUDENT
        )
    return made


@pytest.fixture
async def academy(app: object) -> Academy:
    """Create Periods Academy next to the demo school."""
    school = await School.create(name="Periods Academy", slug="periods", timezone="UTC")
    await BellSchedule.create(
        school=school,
        day_types={"regular": PERIODS},
        weekdays={d: "regular" for d in ("monday", "tuesday", "wednesday", "thursday", "friday")},
    )
    room_a = await Location.create(
        school=school, name="Room A", kind=LocationKind.CLASSROOM, is_destination=False
    )
    room_b = await Location.create(
        school=school, name="Room B", kind=LocationKind.CLASSROOM, is_destination=False
    )
    library = await Location.create(school=school, name="Library", kind=LocationKind.LIBRARY)
    nurse = await Location.create(
        school=school, name="Nurse", kind=LocationKind.NURSE, approval=Approval.ORIGIN_TEACHER
    )
    bell = await person(school, BELL, Role.TEACHER, "Bea")
    ash = await person(school, ASH, Role.TEACHER, "Al")
    cole = await person(school, COLE, Role.TEACHER, "Cora")
    kiosk = await person(school, KIOSK_A, Role.KIOSK, "Door")
    admin = await person(school, ADMIN, Role.ADMIN, "Ad")
    await bell.assigned_locations.add(room_b)
    await cole.assigned_locations.add(room_a)
    await kiosk.assigned_locations.add(room_a)
    ada = await person(school, ADA, Role.STUDENT, "Ada", student_number=ADA, home_location=room_b)
    ben = await person(school, BEN, Role.STUDENT, "Ben", student_number=BEN, home_location=room_b)
    cy = await person(school, CY, Role.STUDENT, "Cy", student_number=CY, home_location=room_b)
    biology = await section(school, "Biology", room_b, "Period 1", bell, ada, ben)
    algebra = await section(school, "Algebra", room_a, "Period 2", ash, ada, ben)
    history = await section(school, "History", room_a, "Period 3", cole, ada, ben, cy)
    users = {u.login: u.id for u in (bell, ash, cole, kiosk, admin, ada, ben, cy)}
    return Academy(
        room_a.id, room_b.id, library.id, nurse.id, biology.id, algebra.id, history.id, users
    )


def at(demo: Demo, clock_time: str) -> None:
    """Put the server's clock at a time of Tuesday 4 March 2025 (UTC), signing in afresh."""
    when = datetime.combine(datetime(2025, 3, 4).date(), time.fromisoformat(clock_time), UTC)
    clock.reset()
    clock.advance(when - datetime.now(UTC))
    demo.tokens.clear()


async def ask(demo: Demo, login: str, destination: int) -> httpx.Response:
    """A student asks for a pass."""
    return await demo.post(login, "/api/passes", {"destination_id": destination})


async def out_and_back(demo: Demo, login: str, destination: int) -> dict[str, Any]:
    """A student goes out and comes back; return the pass as it was made."""
    made = await ask(demo, login, destination)
    assert made.status_code == 201, made.text
    ended = await demo.post(login, f"/api/passes/{made.json()['id']}/end")
    assert ended.status_code == 200, ended.text
    body: dict[str, Any] = made.json()
    return body


def origin(body: dict[str, Any]) -> tuple[str, str | None, str | None]:
    """Return where a pass left from: room, section title and period."""
    section = body["section"]
    return body["origin"]["name"], None if section is None else section["name"], body["period"]


@pytest.mark.parametrize(
    ("clock_time", "expected"),
    [
        ("07:30", ("Room B", None, None)),  # before school: the home room
        ("08:00", ("Room B", "Biology", "Period 1")),  # exactly at the first bell
        ("08:49:58", ("Room B", "Biology", "Period 1")),
        ("08:50", ("Room B", None, None)),  # the bell ends period 1: the home room
        ("08:55", ("Room A", "Algebra", "Period 2")),  # exactly at period 2's start
        ("10:00", ("Room A", "History", "Period 3")),
        ("10:45", ("Room B", None, None)),  # lunch: no section of Ada's
        ("12:00", ("Room B", None, None)),  # after school
    ],
)
async def test_a_new_pass_leaves_from_the_room_of_the_period(
    demo: Demo, academy: Academy, clock_time: str, expected: tuple[str, str | None, str | None]
) -> None:
    at(demo, clock_time)
    body = await out_and_back(demo, ADA, academy.library)
    assert origin(body) == expected
    stored = await Pass.get(id=body["id"])
    assert (stored.section_id is None) is (expected[1] is None)


async def test_with_previous_period_passing_time_and_lunch_stay_with_the_last_class(
    demo: Demo, academy: Academy
) -> None:
    at(demo, "07:00")
    changed = await demo.client.patch(
        "/api/school", headers=await demo.auth(ADMIN), json={"outside_periods": "previous_period"}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["outside_periods"] == "previous_period"
    bad = await demo.client.patch(
        "/api/school", headers=await demo.auth(ADMIN), json={"outside_periods": "lunchroom"}
    )
    assert_error(bad, 422, ErrorCode.VALIDATION_ERROR)
    for clock_time, expected in [
        ("07:30", ("Room B", None, None)),  # nothing has ended before school
        ("08:52", ("Room B", "Biology", "Period 1")),
        ("10:45", ("Room A", "History", "Period 3")),  # lunch right after period 3
    ]:
        at(demo, clock_time)
        assert origin(await out_and_back(demo, ADA, academy.library)) == expected


async def test_a_students_screen_says_where_they_are_now(demo: Demo, academy: Academy) -> None:
    at(demo, "09:00")
    here = await demo.get(ADA, "/api/placement")
    assert here.status_code == 200, here.text
    assert here.json() == {
        "room": {"id": academy.room_a, "name": "Room A"},
        "section": {"id": academy.algebra, "name": "Algebra"},
        "period": "Period 2",
        "teachers": [{"id": academy.users[ASH], "name": "Al Ash"}],
    }
    at(demo, "08:52")
    assert (await demo.get(ADA, "/api/placement")).json() == {
        "room": {"id": academy.room_b, "name": "Room B"},
        "section": None,
        "period": None,
        "teachers": [],
    }
    assert_error(await demo.get(BELL, "/api/placement"), 403, ErrorCode.FORBIDDEN)


async def test_the_teacher_of_the_period_approves_and_no_one_else_in_the_room(
    demo: Demo, academy: Academy
) -> None:
    at(demo, "09:00")  # period 2: Algebra, Mr Ash, Room A
    pending = await ask(demo, ADA, academy.nurse)
    assert pending.status_code == 201
    assert pending.json()["state"] == "pending"
    pass_id = pending.json()["id"]
    # The period-1 teacher (Ada's home room, too) and Room A's period-3 teacher: not theirs.
    for other in (BELL, COLE):
        assert_error(
            await demo.post(other, f"/api/passes/{pass_id}/approve"), 404, ErrorCode.NOT_FOUND
        )
    # Asked for their approval (in-app, push): the section's teacher, not the room's others.
    asked = await Delivery.filter(hall_pass_id=pass_id, category="room_request")
    assert {d.recipient_id for d in asked} == {academy.users[ASH]}
    approved = await demo.post(ASH, f"/api/passes/{pass_id}/approve")
    assert approved.status_code == 200, approved.text
    assert approved.json()["state"] == "active"


async def test_a_pass_of_period_2_stays_with_its_teacher_in_period_3(
    demo: Demo, academy: Academy
) -> None:
    at(demo, "09:40")
    made = await ask(demo, ADA, academy.library)
    pass_id = made.json()["id"]
    at(demo, "10:00")  # period 3: Ms Cole teaches in Room A now, Mr Ash elsewhere
    assert_error(await demo.get(COLE, f"/api/passes/{pass_id}"), 404, ErrorCode.NOT_FOUND)
    assert_error(await demo.post(COLE, f"/api/passes/{pass_id}/end"), 404, ErrorCode.NOT_FOUND)
    cole_board = await demo.get(COLE, "/api/passes?state=active")
    assert pass_id not in [p["id"] for p in cole_board.json()]
    ash_board = await demo.get(ASH, "/api/passes?state=active")
    assert [p["id"] for p in ash_board.json()] == [pass_id]
    assert (await demo.get(ASH, f"/api/passes/{pass_id}")).status_code == 200
    ended = await demo.post(ASH, f"/api/passes/{pass_id}/end")
    assert ended.status_code == 200
    assert ended.json()["section"] == {"id": academy.algebra, "name": "Algebra"}


async def test_a_teacher_issues_only_to_the_students_they_have_now(
    demo: Demo, academy: Academy
) -> None:
    at(demo, "09:00")
    issue = {"destination_id": academy.library, "student_id": academy.users[ADA]}
    assert_error(await demo.post(COLE, "/api/passes", issue), 403, ErrorCode.FORBIDDEN)
    made = await demo.post(ASH, "/api/passes", issue)
    assert made.status_code == 201, made.text
    assert origin(made.json()) == ("Room A", "Algebra", "Period 2")


async def test_a_scheduled_pass_leaves_from_the_room_of_its_start(
    demo: Demo, academy: Academy
) -> None:
    at(demo, "08:10")  # period 1; the pass is for period 2
    body = {
        "destination_id": academy.library,
        "student_id": academy.users[ADA],
        "start_at": "2025-03-04T09:00:00Z",
    }
    assert_error(await demo.post(BELL, "/api/passes", body), 403, ErrorCode.FORBIDDEN)
    made = await demo.post(ASH, "/api/passes", body)
    assert made.status_code == 201, made.text
    assert origin(made.json()) == ("Room A", "Algebra", "Period 2")
    group = await demo.post(
        ASH,
        "/api/appointments",
        {
            "destination_id": academy.library,
            "student_ids": [academy.users[BEN]],
            "start_at": "2025-03-04T09:05:00Z",
        },
    )
    assert group.status_code == 201, group.text
    assert origin(group.json()["passes"][0]) == ("Room A", "Algebra", "Period 2")


def listed(response: httpx.Response) -> list[tuple[str, str | None, str | None, str | None]]:
    """Return a student list as (login, period, section, room)."""
    assert response.status_code == 200, response.text
    return [
        (
            s["login"],
            s["period"],
            None if s["section"] is None else s["section"]["name"],
            None if s["room"] is None else s["room"]["name"],
        )
        for s in response.json()
    ]


async def test_a_teachers_list_is_the_period_they_teach_now_or_the_one_named(
    demo: Demo, academy: Academy
) -> None:
    at(demo, "09:00")
    assert listed(await demo.get(ASH, "/api/students")) == [
        (ADA, "Period 2", "Algebra", "Room A"),
        (BEN, "Period 2", "Algebra", "Room A"),
    ]
    # Ms Cole teaches no one now: her homeroom list (nobody has Room A as home room).
    assert listed(await demo.get(COLE, "/api/students")) == []
    assert listed(await demo.get(COLE, "/api/students?period=period%203")) == [
        (ADA, "Period 3", "History", "Room A"),
        (BEN, "Period 3", "History", "Room A"),
        (CY, "Period 3", "History", "Room A"),
    ]
    # Ms Bell: no class now, so Room B's homeroom students.
    assert [s[0] for s in listed(await demo.get(BELL, "/api/students"))] == [ADA, BEN, CY]
    assert listed(await demo.get(BELL, "/api/students?period=Period%201&q=ada")) == [
        (ADA, "Period 1", "Biology", "Room B")
    ]
    bad = await demo.get(ASH, "/api/students?period=Period%209")
    assert_error(bad, 422, ErrorCode.VALIDATION_ERROR)
    assert bad.json()["error"]["details"]["fields"][0]["field"] == "period"


async def test_the_origin_maximum_counts_the_class_a_pass_left(
    demo: Demo, academy: Academy
) -> None:
    await Location.filter(id=academy.room_a).update(max_out=1)
    at(demo, "09:00")  # period 2 in Room A
    assert (await ask(demo, ADA, academy.library)).json()["state"] == "active"
    held = await ask(demo, BEN, academy.library)
    assert held.json()["state"] == "waiting"  # Ada is out of Algebra
    cancelled = await demo.post(BEN, f"/api/passes/{held.json()['id']}/cancel")
    assert cancelled.status_code == 200
    at(demo, "10:00")  # period 3 in Room A: Ada, still out, counts for Algebra
    first = await ask(demo, CY, academy.library)
    assert first.json()["state"] == "active"
    assert origin(first.json()) == ("Room A", "History", "Period 3")
    held = await ask(demo, BEN, academy.library)
    assert held.json()["state"] == "waiting"  # Cy is out of History


async def test_the_kiosk_finds_the_students_in_its_room_now(demo: Demo, academy: Academy) -> None:
    at(demo, "08:10")  # period 1: Ada is in Room B
    number = {"student_number": ADA}
    looked_up = await demo.post(KIOSK_A, "/api/kiosk/lookup", number)
    assert_error(looked_up, 404, ErrorCode.NOT_FOUND)
    at(demo, "09:00")  # period 2: Room A
    looked_up = await demo.post(KIOSK_A, "/api/kiosk/lookup", number)
    assert looked_up.status_code == 200, looked_up.text
    body = number | {"destination_id": academy.library, **looked_up.json()}
    del body["name"], body["expires_at"]
    made = await demo.post(KIOSK_A, "/api/kiosk/passes", body)
    assert made.status_code == 201, made.text
    assert origin(made.json()) == ("Room A", "Algebra", "Period 2")
    at(demo, "10:45")  # lunch: Ada belongs to Room B now, but her pass left by this door
    back = await demo.post(KIOSK_A, "/api/kiosk/return", {"student_number": ADA})
    assert back.status_code == 200, back.text
    assert back.json()["state"] == "ended"
    again = await demo.post(KIOSK_A, "/api/kiosk/lookup", number)
    assert_error(again, 404, ErrorCode.NOT_FOUND)


async def test_live_events_of_a_section_pass_reach_its_teacher_not_the_rooms_next_one(
    live: str,  # noqa: F811 (the fixture imported above)
    demo: Demo,
    academy: Academy,
) -> None:
    at(demo, "09:40")
    ash, _ = await hello(live, await demo.token(ASH))
    cole, _ = await hello(live, await demo.token(COLE))
    async with ash, cole:
        made = (await ask(demo, ADA, academy.library)).json()
        frame = await recv(ash)
        assert (frame["name"], frame["pass"]["id"]) == ("pass.created", made["id"])
        assert frame["pass"]["section"] == {"id": academy.algebra, "name": "Algebra"}
        at(demo, "10:00")  # period 3: Ms Cole in Room A, where the pass left from
        assert (await demo.post(ADA, f"/api/passes/{made['id']}/end")).status_code == 200
        frame = await recv(ash)
        assert (frame["name"], frame["pass"]["state"]) == ("pass.ended", "ended")
        await nothing_more(cole)
    # A pass of Ms Cole's own class in her room reaches her (and not Mr Ash).
    ash, _ = await hello(live, await demo.token(ASH))
    cole, _ = await hello(live, await demo.token(COLE))
    async with ash, cole:
        mine = (await ask(demo, CY, academy.library)).json()
        frame = await recv(cole)
        assert frame["pass"]["id"] == mine["id"]
        await nothing_more(ash)


async def test_placing_students_costs_the_same_queries_for_one_or_many(
    demo: Demo, academy: Academy, monkeypatch: pytest.MonkeyPatch
) -> None:
    at(demo, "09:00")
    school = await School.get(id=(await User.get(login=ADA)).school_id)
    students = await User.filter(login__in=[ADA, BEN, CY]).order_by("login")
    conn = connections.get("default")
    counted: list[str] = []
    for name in ("execute_query", "execute_query_dict"):
        real = getattr(conn, name)

        async def counting(*args: Any, _real: Any = real, **kwargs: Any) -> Any:
            counted.append(str(args[0]))
            return await _real(*args, **kwargs)

        monkeypatch.setattr(conn, name, counting)
    one = await placements_of(conn, school, students[:1], clock.utcnow(), with_teachers=False)
    alone = len(counted)
    counted.clear()
    many = await placements_of(conn, school, students, clock.utcnow(), with_teachers=False)
    assert len(counted) == alone == 3  # the enrollments, the schedule and today's override
    assert one[students[0].id].section_id == academy.algebra
    assert [many[s.id].section_id for s in students] == [academy.algebra] * 2 + [None]
    demo_school = await School.get(slug="demo")
    sophia = await User.filter(login="1003", school=demo_school)
    counted.clear()
    assert (await placements_of(conn, demo_school, sophia, clock.utcnow()))[sophia[0].id] == (
        Placement(sophia[0].home_location_id)
    )
    assert len(counted) == 1  # without sections: one query that finds nothing
