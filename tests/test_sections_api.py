"""Sections as staff read them: the school's list (per period), one section's roster, and a
student's day. Admins, security and counselors read every section; a teacher only their own;
a student only their own day; another school's sections and students are never found.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from server.clock import utcnow
from server.contract.sections import DaySchedule, SectionList, SectionOut
from server.enums import EnrollmentRole
from server.errors import ErrorCode
from server.models import Enrollment, Location, ScheduleOverride, School, Section, User
from tests.conftest import Demo, user_id
from tests.test_authorization import create_other_school
from tests.test_error_shape import assert_error

# A Monday: the demo's regular day type.
MONDAY = "2026-03-02"
SCHOOL_WIDE = ["admin@demo.school", "monitor@demo.school", "counselor@demo.school"]


@dataclass(frozen=True)
class Timetable:
    """The ids of the sections the tests read."""

    algebra: int
    biology: int
    homeroom: int
    study_hall: int
    retired: int


async def add_section(
    school: School,
    title: str,
    room: str,
    meetings: list[dict[str, str | None]],
    teacher: str,
    students: list[str],
    **fields: Any,
) -> Section:
    """Create a Demo High School section, its teacher and its students."""
    section = await Section.create(
        school=school,
        source_id=title.lower().replace(" ", "-"),
        title=title,
        code=title[:4].upper(),
        location=await Location.get(school=school, name=room),
        meetings=meetings,
        **fields,
    )
    await Enrollment.create(
        school=school,
        section=section,
        user=await User.get(school=school, login=teacher),
        role=EnrollmentRole.TEACHER,
        primary=True,
    )
    for login in students:
        await Enrollment.create(
            school=school,
            section=section,
            user=await User.get(school=school, login=login),
            role=EnrollmentRole.STUDENT,
        )
    return section


@pytest.fixture
async def timetable(demo: Demo) -> Timetable:
    """Five sections: two classes, a homeroom, an assembly-day study hall and a retired one."""
    school = await School.get(slug="demo")
    t1, t2 = "teacher1@demo.school", "teacher2@demo.school"
    algebra = await add_section(
        school, "Algebra I", "Room 101", [{"day_type": None, "period": "Period 1"}], t1,
        ["1003", "1001", "1002", "1004"],
    )  # fmt: skip
    # 1004 left the class: kept for history, never on the roster.
    await Enrollment.filter(section=algebra, user__login="1004").update(active=False)
    biology = await add_section(
        school, "Biology", "Room 102", [{"day_type": "regular", "period": "Period 2"}], t2,
        ["1001", "1016"],
    )  # fmt: skip
    homeroom = await add_section(
        school, "Homeroom 102", "Room 102", [], t2, ["1001"], homeroom=True
    )
    study_hall = await add_section(
        school, "Study Hall", "Library", [{"day_type": "assembly", "period": "Period 3"}], t2,
        ["1001"],
    )  # fmt: skip
    retired = await add_section(
        school, "Old Latin", "Room 101", [{"day_type": None, "period": "Period 1"}], t1,
        ["1001"], active=False,
    )  # fmt: skip
    return Timetable(algebra.id, biology.id, homeroom.id, study_hall.id, retired.id)


async def sections(demo: Demo, login: str, query: str = "") -> dict[str, Any]:
    """GET /api/sections as the user, and insist on its shape."""
    response = await demo.get(login, f"/api/sections{query}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = SectionList.model_validate(response.json()).model_dump()
    return body


def titles(body: dict[str, Any]) -> list[str]:
    """Return the titles of a section list, in its order."""
    return [s["title"] for s in body["sections"]]


async def day(demo: Demo, login: str, path: str) -> dict[str, Any]:
    """GET a student's day as the user, and insist on its shape."""
    response = await demo.get(login, path)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    DaySchedule.model_validate(body)
    return body


def today_in_chicago() -> date:
    """Return the demo school's date now."""
    return utcnow().astimezone(ZoneInfo("America/Chicago")).date()


@pytest.mark.parametrize("login", SCHOOL_WIDE)
async def test_school_wide_staff_read_every_active_section_with_teachers_and_counts(
    demo: Demo, timetable: Timetable, login: str
) -> None:
    body = await sections(demo, login)
    assert titles(body) == ["Algebra I", "Biology", "Homeroom 102", "Study Hall"]
    assert body["total"] == 4
    algebra = body["sections"][0]
    assert algebra["room"]["name"] == "Room 101"
    assert algebra["teachers"] == [
        {
            "id": await user_id("teacher1@demo.school"),
            "name": algebra["teachers"][0]["name"],
            "student_number": None,
            "primary": True,
        }
    ]
    assert algebra["student_count"] == 3  # the student who left is not counted
    assert algebra["meetings"] == [{"day_type": None, "period": "Period 1"}]
    assert algebra["students"] is None  # the roster is only in the detail


async def test_a_teacher_reads_only_the_sections_they_teach_or_that_meet_in_their_room(
    demo: Demo, timetable: Timetable
) -> None:
    assert titles(await sections(demo, "teacher1@demo.school")) == ["Algebra I"]
    assert titles(await sections(demo, "teacher2@demo.school")) == [
        "Biology",
        "Homeroom 102",
        "Study Hall",
    ]


@pytest.mark.parametrize("login", ["nurse@demo.school", "1001", "kiosk101@demo.school"])
async def test_the_nurse_students_and_kiosks_read_no_sections(
    demo: Demo, timetable: Timetable, login: str
) -> None:
    assert_error(await demo.get(login, "/api/sections"), 403, ErrorCode.FORBIDDEN)
    response = await demo.get(login, f"/api/sections/{timetable.algebra}")
    assert_error(response, 403, ErrorCode.FORBIDDEN)


async def test_the_period_filter_lists_the_sections_meeting_in_it_today(
    demo: Demo, timetable: Timetable
) -> None:
    school = await School.get(slug="demo")
    await ScheduleOverride.create(school=school, date=today_in_chicago(), day_type="regular")
    admin = "admin@demo.school"
    first = await sections(demo, admin, "?period=Period%201")
    assert titles(first) == ["Algebra I"]
    assert (first["period"], first["day_type"]) == ("Period 1", "regular")
    # The name is matched as the schedule's, case and spaces aside.
    assert titles(await sections(demo, admin, "?period=%20period%202")) == ["Biology"]
    assert titles(await sections(demo, admin, "?period=Period%203")) == []
    # Another day type's period: the study hall meets in period 3 of assembly days only.
    other = await sections(demo, admin, "?period=Period%203&day_type=assembly")
    assert titles(other) == ["Study Hall"]
    # A teacher's own sections only, even when filtered.
    assert titles(await sections(demo, "teacher2@demo.school", "?period=Period%201")) == []
    # A day without school has no period at all.
    await ScheduleOverride.filter(school=school).update(day_type=None)
    assert titles(await sections(demo, admin, "?period=Period%201")) == []


async def test_the_list_is_searched_and_paged(demo: Demo, timetable: Timetable) -> None:
    admin = "admin@demo.school"
    assert titles(await sections(demo, admin, "?q=bio")) == ["Biology"]
    assert titles(await sections(demo, admin, "?q=ALGE")) == ["Algebra I"]
    page = await sections(demo, admin, "?limit=2&offset=1")
    assert titles(page) == ["Biology", "Homeroom 102"]
    assert (page["total"], page["limit"], page["offset"]) == (4, 2, 1)


async def test_a_section_comes_with_its_roster_of_active_students(
    demo: Demo, timetable: Timetable
) -> None:
    for login in ["admin@demo.school", "teacher1@demo.school"]:
        response = await demo.get(login, f"/api/sections/{timetable.algebra}")
        assert response.status_code == 200, response.text
        body = SectionOut.model_validate(response.json())
        assert body.students is not None
        names = [s.name for s in body.students]
        assert names == sorted(names, key=lambda name: name.split()[::-1])  # family name first
        assert {s.student_number for s in body.students} == {"1001", "1002", "1003"}
        assert body.student_count == 3


async def test_a_teacher_gets_404_for_another_teachers_section(
    demo: Demo, timetable: Timetable
) -> None:
    response = await demo.get("teacher2@demo.school", f"/api/sections/{timetable.algebra}")
    assert_error(response, 404, ErrorCode.NOT_FOUND)
    for missing in ["999999", "abc", "0"]:
        response = await demo.get("admin@demo.school", f"/api/sections/{missing}")
        assert_error(response, 404, ErrorCode.NOT_FOUND)


async def test_a_retired_section_is_not_listed_but_can_be_read_by_id(
    demo: Demo, timetable: Timetable
) -> None:
    response = await demo.get("admin@demo.school", f"/api/sections/{timetable.retired}")
    assert response.status_code == 200
    assert response.json()["active"] is False


async def test_a_students_day_lists_each_period_with_its_section_room_and_teachers(
    demo: Demo, timetable: Timetable
) -> None:
    student = await user_id("1001")
    body = await day(demo, "admin@demo.school", f"/api/students/{student}/schedule?date={MONDAY}")
    assert (body["date"], body["day_type"]) == (MONDAY, "regular")
    assert body["student"]["id"] == student
    # Their homeroom section's room, not their home room (Room 101).
    assert body["homeroom"]["name"] == "Room 102"
    slots = {s["period"]: s for s in body["slots"]}
    assert [s["period"] for s in body["slots"]][:3] == ["Period 1", "Period 2", "Period 3"]
    assert (slots["Period 1"]["start"], slots["Period 1"]["end"]) == ("08:00", "08:50")
    assert slots["Period 1"]["section"] == {"id": timetable.algebra, "name": "Algebra I"}
    assert slots["Period 1"]["room"]["name"] == "Room 101"
    assert [t["id"] for t in slots["Period 1"]["teachers"]] == [
        await user_id("teacher1@demo.school")
    ]
    assert slots["Period 2"]["section"]["name"] == "Biology"
    # No section in period 3 of a regular day: the homeroom applies.
    assert slots["Period 3"] == {
        "period": "Period 3",
        "start": "09:50",
        "end": "10:40",
        "section": None,
        "room": None,
        "teachers": [],
    }


async def test_a_students_day_follows_the_dates_day_type(demo: Demo, timetable: Timetable) -> None:
    school = await School.get(slug="demo")
    await ScheduleOverride.create(school=school, date=date(2026, 3, 3), day_type="assembly")
    student = await user_id("1001")
    body = await day(demo, "admin@demo.school", f"/api/students/{student}/schedule?date=2026-03-03")
    slots = {s["period"]: s for s in body["slots"]}
    assert body["day_type"] == "assembly"
    assert slots["Period 3"]["section"]["name"] == "Study Hall"
    assert slots["Period 2"]["section"] is None  # biology meets on regular days only
    weekend = await day(
        demo, "admin@demo.school", f"/api/students/{student}/schedule?date=2026-03-07"
    )
    assert (weekend["day_type"], weekend["slots"]) == (None, [])


async def test_who_may_read_a_students_day(demo: Demo, timetable: Timetable) -> None:
    me = "1001"
    mine = await day(demo, me, f"/api/students/me/schedule?date={MONDAY}")
    assert mine["student"]["id"] == await user_id(me)
    assert (await day(demo, me, f"/api/students/{await user_id(me)}/schedule"))["slots"] is not None
    # Another student's day is nowhere to be found for a student.
    other = await demo.get(me, f"/api/students/{await user_id('1016')}/schedule")
    assert_error(other, 404, ErrorCode.NOT_FOUND)
    # A teacher reads the students of their sections and rooms, not others'.
    teacher2 = "teacher2@demo.school"
    assert (await demo.get(teacher2, f"/api/students/{await user_id('1001')}/schedule")).is_success
    assert (await demo.get(teacher2, f"/api/students/{await user_id('1020')}/schedule")).is_success
    refused = await demo.get(teacher2, f"/api/students/{await user_id('1003')}/schedule")
    assert_error(refused, 404, ErrorCode.NOT_FOUND)
    # The nurse reads no timetable; staff have no day of their own.
    nurse = await demo.get("nurse@demo.school", f"/api/students/{await user_id(me)}/schedule")
    assert_error(nurse, 403, ErrorCode.FORBIDDEN)
    staff_self = await demo.get("admin@demo.school", "/api/students/me/schedule")
    assert_error(staff_self, 403, ErrorCode.FORBIDDEN)
    # A staff member's id is not a student's.
    staff_id = await user_id("teacher1@demo.school")
    response = await demo.get("admin@demo.school", f"/api/students/{staff_id}/schedule")
    assert_error(response, 404, ErrorCode.NOT_FOUND)


async def test_another_school_never_sees_these_sections_or_students(
    demo: Demo, timetable: Timetable
) -> None:
    other = await create_other_school()
    admin = "admin@second.school"
    assert (await sections(demo, admin))["sections"] == []
    response = await demo.get(admin, f"/api/sections/{timetable.algebra}")
    assert_error(response, 404, ErrorCode.NOT_FOUND)
    response = await demo.get(admin, f"/api/students/{await user_id('1001')}/schedule")
    assert_error(response, 404, ErrorCode.NOT_FOUND)
    # And the demo's admin never sees the second school's student.
    response = await demo.get("admin@demo.school", f"/api/students/{other.student_id}/schedule")
    assert_error(response, 404, ErrorCode.NOT_FOUND)


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/api/sections?limit=0", "limit"),
        ("/api/sections?limit=501", "limit"),
        ("/api/sections?offset=-1", "offset"),
        ("/api/sections?period=" + "P" * 101, "period"),
        ("/api/students/me/schedule?date=2026-13-01", "date"),
        ("/api/students/me/schedule?date=20260302", "date"),
        ("/api/students/me/schedule?date=1999-12-31", "date"),
    ],
)
async def test_bad_parameters_are_422_naming_them(
    demo: Demo, timetable: Timetable, path: str, name: str
) -> None:
    login = "1001" if "/me/" in path else "admin@demo.school"
    response = await demo.get(login, path)
    assert_error(response, 422, ErrorCode.VALIDATION_ERROR)
    assert [f["field"] for f in response.json()["error"]["details"]["fields"]] == [name]


async def test_a_student_without_sections_spends_the_day_in_their_home_room(demo: Demo) -> None:
    student = await user_id("1010")
    body = await day(demo, "admin@demo.school", f"/api/students/{student}/schedule?date={MONDAY}")
    assert body["homeroom"]["name"] == "Room 101"
    assert len(body["slots"]) == 8  # seven periods and lunch
    assert all(s["section"] is None for s in body["slots"])


async def test_a_section_outside_its_term_meets_in_no_period(
    demo: Demo, timetable: Timetable
) -> None:
    school = await School.get(slug="demo")
    today = today_in_chicago()
    await ScheduleOverride.create(school=school, date=today, day_type="regular")
    await Section.filter(id=timetable.algebra).update(ends_on=today - timedelta(days=1))
    admin = "admin@demo.school"
    assert titles(await sections(demo, admin, "?period=Period%201")) == []
    assert "Algebra I" in titles(await sections(demo, admin))  # still a section of the school
    student = await user_id("1001")
    body = await day(demo, admin, f"/api/students/{student}/schedule?date={today.isoformat()}")
    assert body["slots"][0]["section"] is None
