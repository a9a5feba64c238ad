"""Emergency mode (issue 7), through the API: starting one cancels every pass not yet out and
freezes the roster of students out of class; no pass starts while it is on; roster students
report, staff mark them present, the counter counts; an admin ends it and the record stays.
Each role sees only its own view, and no school ever sees another's emergency.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import httpx
import pytest

from server import clock
from server.clock import utcnow
from server.enums import Role
from server.models import Emergency, EmergencyReport, Pass, PassEvent, School
from server.services.scheduler import announce_overdue, expire_overdue_passes
from tests.conftest import Demo, location_id, user_id
from tests.invariants import assert_invariants
from tests.test_authorization import create_other_school, create_staff

ADMIN = "admin@demo.school"
SECURITY = "monitor@demo.school"
TEACHER1 = "teacher1@demo.school"
TEACHER2 = "teacher2@demo.school"
NURSE = "nurse@demo.school"
COUNSELOR = "counselor@demo.school"
KIOSK = "kiosk101@demo.school"


async def call(
    demo: Demo, method: str, login: str, path: str, body: object = None
) -> httpx.Response:
    """Send one request as the user (a JSON body when given)."""
    headers = await demo.auth(login)
    if body is None:
        return await demo.client.request(method, path, headers=headers)
    return await demo.client.request(method, path, headers=headers, json=body)


async def go(demo: Demo, student: str, place: str) -> dict[str, Any]:
    """Have a student ask for a pass and insist it was made."""
    response = await demo.request_pass(student, place)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def start(demo: Demo, kind: str = "lockdown", by: str = SECURITY) -> dict[str, Any]:
    """Start an emergency and insist it began."""
    response = await call(demo, "POST", by, "/api/emergency", {"kind": kind})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    assert body["active"] is True
    return body


async def end(demo: Demo) -> dict[str, Any]:
    """End the emergency as the admin and insist it ended."""
    response = await call(demo, "DELETE", ADMIN, "/api/emergency")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert body["active"] is False
    return body


def code_of(response: httpx.Response) -> str:
    """Return an error response's code."""
    return str(response.json()["error"]["code"])


def fields_of(response: httpx.Response) -> list[str]:
    """Return the fields a 422 names."""
    return [f["field"] for f in response.json()["error"]["details"]["fields"]]


async def out_of_class(demo: Demo) -> dict[str, dict[str, Any]]:
    """Put three students out (one arrived), one pending, one in line, one scheduled."""
    made = {
        "1003": await go(demo, "1003", "Restroom North"),
        "1017": await go(demo, "1017", "Restroom North"),
        "1004": await go(demo, "1004", "Library"),
        "1005": await go(demo, "1005", "Nurse"),  # pending: the teacher approves
        "1018": await go(demo, "1018", "Restroom North"),  # waiting: the restroom is full
    }
    arrived = await call(demo, "POST", SECURITY, f"/api/passes/{made['1004']['id']}/arrive")
    assert arrived.status_code == 200, arrived.text
    scheduled = await call(
        demo,
        "POST",
        TEACHER1,
        "/api/passes",
        {
            "destination_id": await location_id("Library"),
            "student_id": await user_id("1006"),
            "start_at": (utcnow() + timedelta(hours=1)).isoformat(),
        },
    )
    assert scheduled.status_code == 201, scheduled.text
    made["1006"] = scheduled.json()
    assert [made[s]["state"] for s in ("1003", "1017", "1004", "1005", "1018", "1006")] == [
        "active",
        "active",
        "active",
        "pending",
        "waiting",
        "scheduled",
    ]
    return made


async def test_starting_cancels_every_pass_not_yet_out_and_freezes_the_roster_of_those_out(
    demo: Demo,
) -> None:
    made = await out_of_class(demo)
    top = (await School.get(slug="demo")).event_seq
    body = await start(demo, "lockdown", by=SECURITY)
    emergency = body["emergency"]
    assert emergency["audience"] == "staff"
    assert (emergency["kind"], emergency["drill"]) == ("lockdown", False)
    assert emergency["started_by"]["name"] == "Sam Monitor" or emergency["started_by"]["id"]
    # The pending, waiting and scheduled passes are cancelled, one event each (invariant 4).
    for student in ("1005", "1018", "1006"):
        hall_pass = await Pass.get(id=made[student]["id"])
        assert (hall_pass.state, hall_pass.ended_by) == ("cancelled", "emergency"), student
        assert await PassEvent.filter(hall_pass_id=hall_pass.id, name="pass.cancelled").count() == 1
    assert (await School.get(slug="demo")).event_seq == top + 3
    # Those out stay out, and are the roster: where from, where to, when, last known place.
    roster = {e["student"]["id"]: e for e in emergency["roster"]}
    assert set(roster) == {await user_id(s) for s in ("1003", "1017", "1004")}
    library = roster[await user_id("1004")]
    assert library["last_known"] == "Library"  # checked in there
    assert library["arrived_at"] is not None
    restroom = roster[await user_id("1003")]
    assert restroom["last_known"] == "on the way to Restroom North"
    assert restroom["origin"]["name"] == "Room 101"
    assert restroom["started_at"] == made["1003"]["started_at"]
    assert restroom["pass_id"] == made["1003"]["id"]
    assert (restroom["status"], restroom["accounted"], restroom["reports"]) == (
        "missing",
        False,
        [],
    )
    assert emergency["counts"] == {"total": 3, "accounted": 0, "missing": 3, "need_help": 0}
    assert {s["id"] for s in emergency["missing"]} == set(roster)
    assert (await Pass.get(id=made["1003"]["id"])).state == "active"
    await assert_invariants()


async def test_no_pass_starts_while_it_is_on_and_the_admin_switch_is_left_alone(
    demo: Demo,
) -> None:
    pending = await go(demo, "1005", "Nurse")
    await start(demo)
    refused = await demo.request_pass("1007", "Restroom South")
    assert (refused.status_code, code_of(refused)) == (409, "passes_disabled")
    assert refused.json()["error"]["message"] == "Passes are paused during the emergency."
    issued = await call(
        demo,
        "POST",
        TEACHER1,
        "/api/passes",
        {"destination_id": await location_id("Library"), "student_id": await user_id("1008")},
    )
    assert (issued.status_code, code_of(issued)) == (409, "passes_disabled")
    later = await call(
        demo,
        "POST",
        TEACHER1,
        "/api/passes",
        {
            "destination_id": await location_id("Library"),
            "student_id": await user_id("1008"),
            "start_at": (utcnow() + timedelta(hours=2)).isoformat(),
        },
    )
    assert (later.status_code, code_of(later)) == (409, "passes_disabled")
    # The pending pass was cancelled when it began: nothing is left to approve.
    approve = await call(demo, "POST", TEACHER1, f"/api/passes/{pending['id']}/approve")
    assert (approve.status_code, code_of(approve)) == (409, "invalid_transition")
    school = (await call(demo, "GET", ADMIN, "/api/school")).json()
    assert school["passes_enabled"] is True  # the emergency is not the admin's switch
    await end(demo)
    assert (await demo.request_pass("1007", "Restroom South")).status_code == 201


async def test_ending_restores_whatever_the_admin_switch_said_before(demo: Demo) -> None:
    switched = await call(demo, "PATCH", ADMIN, "/api/school", {"passes_enabled": False})
    assert switched.status_code == 200
    await start(demo, "shelter", by=ADMIN)
    await end(demo)
    school = (await call(demo, "GET", ADMIN, "/api/school")).json()
    assert school["passes_enabled"] is False
    refused = await demo.request_pass("1007", "Restroom South")
    assert refused.json()["error"]["message"] == "Passes are switched off right now."


async def test_a_second_start_while_one_is_on_is_a_409_that_changes_nothing(demo: Demo) -> None:
    first = await start(demo, "lockdown")
    again = await call(demo, "POST", ADMIN, "/api/emergency", {"kind": "evacuation"})
    assert (again.status_code, code_of(again)) == (409, "emergency_active")
    assert await Emergency.all().count() == 1
    current = (await call(demo, "GET", ADMIN, "/api/emergency")).json()
    assert current["emergency"]["id"] == first["emergency"]["id"]
    assert current["emergency"]["kind"] == "lockdown"


@pytest.mark.parametrize(
    ("login", "status"),
    [
        (ADMIN, 201),  # admins start one
        (SECURITY, 201),  # and security, who see the danger first
        (TEACHER1, 403),
        (NURSE, 403),
        (COUNSELOR, 403),
        ("1003", 403),  # a student
    ],
)
async def test_who_may_start_one(demo: Demo, login: str, status: int) -> None:
    response = await call(demo, "POST", login, "/api/emergency", {"kind": "drill"})
    assert response.status_code == status, response.text
    assert await Emergency.all().count() == (1 if status == 201 else 0)


async def test_a_kiosk_may_not_start_one_and_sees_that_one_is_on_and_its_kind(demo: Demo) -> None:
    await create_staff(KIOSK, Role.KIOSK, "Door", "101", "Room 101")
    assert (await call(demo, "GET", KIOSK, "/api/emergency")).json() == {
        "active": False,
        "emergency": None,
    }
    refused = await call(demo, "POST", KIOSK, "/api/emergency", {"kind": "lockdown"})
    assert refused.status_code == 403
    await go(demo, "1003", "Restroom North")
    body = await start(demo)
    seen = (await call(demo, "GET", KIOSK, "/api/emergency")).json()
    assert seen == {
        "active": True,
        "emergency": {
            "audience": "kiosk",
            "id": body["emergency"]["id"],
            "kind": "lockdown",
            "drill": False,
            "active": True,
            "started_at": body["emergency"]["started_at"],
            "ended_at": None,
            "revision": 1,
        },
    }


@pytest.mark.parametrize("login", [SECURITY, TEACHER1, NURSE, "1003"])
async def test_only_an_admin_ends_it(demo: Demo, login: str) -> None:
    await start(demo)
    refused = await call(demo, "DELETE", login, "/api/emergency")
    assert refused.status_code == 403
    assert (await call(demo, "GET", ADMIN, "/api/emergency")).json()["active"] is True


async def test_ending_when_none_is_on_is_a_409(demo: Demo) -> None:
    response = await call(demo, "DELETE", ADMIN, "/api/emergency")
    assert (response.status_code, code_of(response)) == (409, "no_emergency")


async def test_a_student_sees_that_one_is_on_its_kind_and_only_their_own_entry(
    demo: Demo,
) -> None:
    await go(demo, "1003", "Restroom North")
    await go(demo, "1004", "Library")
    await start(demo, "evacuation")
    own = (await call(demo, "GET", "1003", "/api/emergency")).json()
    assert own["active"] is True
    view = own["emergency"]
    assert (view["audience"], view["kind"], view["drill"]) == ("student", "evacuation", False)
    assert view["you"]["student"]["id"] == await user_id("1003")
    assert "roster" not in view
    assert "counts" not in view
    text = str(own)
    student_1004 = await user_id("1004")
    assert f"'id': {student_1004}" not in text  # not a word of another student
    in_class = (await call(demo, "GET", "1010", "/api/emergency")).json()
    assert in_class["emergency"]["you"] is None
    assert in_class["emergency"]["kind"] == "evacuation"


@pytest.mark.parametrize("login", [TEACHER1, TEACHER2, NURSE, COUNSELOR, SECURITY, ADMIN])
async def test_every_staff_member_sees_the_whole_roster(demo: Demo, login: str) -> None:
    await go(demo, "1003", "Restroom North")
    await go(demo, "1020", "Library")
    await start(demo)
    seen = (await call(demo, "GET", login, "/api/emergency")).json()["emergency"]
    assert seen["audience"] == "staff"
    assert seen["counts"]["total"] == 2


async def test_one_school_never_sees_or_touches_anothers_emergency(demo: Demo) -> None:
    other_school = await create_other_school()
    await go(demo, "1003", "Restroom North")
    demo_emergency = (await start(demo))["emergency"]
    # The second school is not in an emergency: its people see none, and passes go on there.
    for login in ("admin@second.school", "teacher@second.school", "2001"):
        seen = (await call(demo, "GET", login, "/api/emergency")).json()
        assert seen == {"active": False, "emergency": None}, login
    theirs = await call(
        demo, "POST", "2001", "/api/passes", {"destination_id": other_school.restroom_id}
    )
    assert theirs.status_code == 201
    # Its admin can't read, export, end or mark anything of Demo High School's.
    for path in (
        f"/api/emergencies/{demo_emergency['id']}",
        f"/api/emergencies/{demo_emergency['id']}/roster.csv",
        f"/api/emergencies/{demo_emergency['id']}/roster.html",
    ):
        response = await call(demo, "GET", "admin@second.school", path)
        assert response.status_code == 404, path
    assert (await call(demo, "GET", "admin@second.school", "/api/emergencies")).json() == []
    ended = await call(demo, "DELETE", "admin@second.school", "/api/emergency")
    assert (ended.status_code, code_of(ended)) == (409, "no_emergency")
    marked = await call(
        demo,
        "POST",
        "teacher@second.school",
        f"/api/emergency/roster/{await user_id('1003')}/present",
        {"location_id": await location_id("Room 101")},
    )
    assert marked.status_code == 409  # no emergency in *its* school: nothing to learn
    # Its own emergency is its own: Demo High School's stays as it was.
    other = await call(demo, "POST", "admin@second.school", "/api/emergency", {"kind": "drill"})
    assert other.status_code == 201
    assert other.json()["emergency"]["counts"]["total"] == 1  # its student, not Demo's
    mine = (await call(demo, "GET", ADMIN, "/api/emergency")).json()["emergency"]
    assert (mine["id"], mine["kind"], mine["counts"]["total"]) == (
        demo_emergency["id"],
        "lockdown",
        1,
    )


async def test_students_report_teachers_mark_and_the_counter_counts(demo: Demo) -> None:
    await go(demo, "1003", "Restroom North")
    await go(demo, "1004", "Library")
    await go(demo, "1020", "Restroom South")
    await start(demo)
    library = await location_id("Library")
    # A student says where they are and that they are safe: accounted for.
    said = await call(
        demo,
        "POST",
        "1004",
        "/api/emergency/report",
        {"status": "safe", "location_id": library, "note": "In the library office."},
    )
    assert said.status_code == 200, said.text
    you = said.json()["emergency"]["you"]
    assert (you["status"], you["accounted"]) == ("safe", True)
    [report] = you["reports"]
    assert report["by"] == {
        "id": await user_id("1004"),
        "name": report["by"]["name"],
        "role": "student",
    }
    assert (report["location"]["name"], report["note"]) == ("Library", "In the library office.")
    assert report["at"]
    # Another asks for help: known, but not accounted for.
    helped = await call(demo, "POST", "1020", "/api/emergency/report", {"status": "need_help"})
    assert helped.status_code == 200
    state = (await call(demo, "GET", ADMIN, "/api/emergency")).json()["emergency"]
    assert state["counts"] == {"total": 3, "accounted": 1, "missing": 1, "need_help": 1}
    assert {s["id"] for s in state["missing"]} == {await user_id("1003"), await user_id("1020")}
    # Any teacher (not only the student's own) marks a roster student present in a room.
    for student in ("1003", "1020"):
        marked = await call(
            demo,
            "POST",
            TEACHER2,
            f"/api/emergency/roster/{await user_id(student)}/present",
            {"location_id": await location_id("Room 102")},
        )
        assert marked.status_code == 200, marked.text
    state = marked.json()["emergency"]
    assert state["counts"] == {"total": 3, "accounted": 3, "missing": 0, "need_help": 0}
    assert state["missing"] == []
    helped_id = await user_id("1020")
    entry = next(e for e in state["roster"] if e["student"]["id"] == helped_id)
    assert [r["status"] for r in entry["reports"]] == ["need_help", "present"]
    assert entry["reports"][-1]["by"]["role"] == "teacher"
    assert entry["reports"][-1]["location"]["name"] == "Room 102"
    assert state["revision"] == 5  # started, then four reports
    assert await EmergencyReport.all().count() == 4


async def test_only_roster_students_report_and_only_staff_mark(demo: Demo) -> None:
    await go(demo, "1003", "Restroom North")
    await create_staff(KIOSK, Role.KIOSK, "Door", "101", "Room 101")
    before = await call(demo, "POST", "1003", "/api/emergency/report", {"status": "safe"})
    assert (before.status_code, code_of(before)) == (409, "no_emergency")
    await start(demo)
    in_class = await call(demo, "POST", "1010", "/api/emergency/report", {"status": "safe"})
    assert (in_class.status_code, code_of(in_class)) == (409, "not_on_roster")
    staff_self = await call(demo, "POST", TEACHER1, "/api/emergency/report", {"status": "safe"})
    assert staff_self.status_code == 403
    room = {"location_id": await location_id("Room 101")}
    path = f"/api/emergency/roster/{await user_id('1003')}/present"
    for login in ("1003", "1010", KIOSK):
        refused = await call(demo, "POST", login, path, room)
        assert refused.status_code == 403, login
    not_out = await call(
        demo, "POST", TEACHER1, f"/api/emergency/roster/{await user_id('1010')}/present", room
    )
    assert (not_out.status_code, code_of(not_out)) == (409, "not_on_roster")
    nobody = await call(demo, "POST", TEACHER1, "/api/emergency/roster/999999/present", room)
    assert nobody.status_code == 404
    for login in (NURSE, COUNSELOR, SECURITY, ADMIN, "teacher1@demo.school"):
        assert (await call(demo, "POST", login, path, room)).status_code == 200, login
    assert await EmergencyReport.all().count() == 5


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/emergency", {"kind": "fire"}, "kind"),
        ("/api/emergency", {}, "kind"),
        ("/api/emergency", {"kind": "lockdown", "drill": True}, "drill"),
        ("/api/emergency", {"kind": 1}, "kind"),
    ],
)
async def test_a_bad_start_names_the_field_and_starts_nothing(
    demo: Demo, path: str, body: dict[str, Any], field: str
) -> None:
    made = await go(demo, "1005", "Nurse")
    response = await call(demo, "POST", ADMIN, path, body)
    assert response.status_code == 422, response.text
    assert fields_of(response) == [field]
    assert await Emergency.all().count() == 0
    assert (await School.get(slug="demo")).emergency_id is None
    assert (await Pass.get(id=made["id"])).state == "pending"


@pytest.mark.parametrize(
    ("login", "body", "field"),
    [
        ("1003", {"status": "present"}, "status"),  # staff's word, not the student's
        ("1003", {"status": "fine"}, "status"),
        ("1003", {}, "status"),
        ("1003", {"status": "safe", "note": "x" * 501}, "note"),
        ("1003", {"status": "safe", "location_id": "Library"}, "location_id"),
        ("1003", {"status": "safe", "location_id": 0}, "location_id"),
        ("1003", {"status": "safe", "location_id": 999999}, "location_id"),
        ("1003", {"status": "safe", "where": "here"}, "where"),
        (TEACHER1, {}, "location_id"),  # marking present needs the room
        (TEACHER1, {"location_id": 999999}, "location_id"),
        (TEACHER1, {"location_id": 1, "note": "\x00"}, "note"),
    ],
)
async def test_a_bad_report_names_the_field_and_records_nothing(
    demo: Demo, login: str, body: dict[str, Any], field: str
) -> None:
    await go(demo, "1003", "Restroom North")
    await start(demo)
    path = (
        "/api/emergency/report"
        if login == "1003"
        else f"/api/emergency/roster/{await user_id('1003')}/present"
    )
    response = await call(demo, "POST", login, path, body)
    assert response.status_code == 422, response.text
    assert fields_of(response) == [field]
    assert await EmergencyReport.all().count() == 0
    assert (await Emergency.get()).revision == 1


async def test_another_schools_room_is_not_a_place_to_report(demo: Demo) -> None:
    other = await create_other_school()
    await go(demo, "1003", "Restroom North")
    await start(demo)
    response = await call(
        demo,
        "POST",
        "1003",
        "/api/emergency/report",
        {"status": "safe", "location_id": other.classroom_id},
    )
    assert (response.status_code, fields_of(response)) == (422, ["location_id"])


async def test_ending_ends_the_rosters_passes_and_keeps_the_whole_record(demo: Demo) -> None:
    made = {s: await go(demo, s, "Restroom North") for s in ("1003", "1017")}
    back = await call(demo, "POST", "1017", f"/api/passes/{made['1017']['id']}/end")
    assert back.status_code == 200  # 1017 came back during the emergency and ended it
    await start(demo)
    await call(demo, "POST", "1003", "/api/emergency/report", {"status": "safe"})
    final = (await end(demo))["emergency"]
    assert final["active"] is False
    assert final["ended_by"]["id"] == await user_id(ADMIN)
    assert final["ended_at"] is not None
    # The roster's pass still out is ended by the emergency, with its one event.
    hall_pass = await Pass.get(id=made["1003"]["id"])
    assert (hall_pass.state, hall_pass.ended_by) == ("ended", "emergency")
    assert hall_pass.open_student_id is None
    [ended] = await PassEvent.filter(hall_pass_id=hall_pass.id, name="pass.ended")
    assert ended.actor_id == await user_id(ADMIN)
    assert (await Pass.get(id=made["1017"]["id"])).ended_by == "student"
    # The record: listed for admins, whole, with who said what and when.
    listed = (await call(demo, "GET", ADMIN, "/api/emergencies")).json()
    assert [(e["id"], e["active"], e["kind"]) for e in listed] == [(final["id"], False, "lockdown")]
    assert "roster" not in listed[0]
    record = (await call(demo, "GET", ADMIN, f"/api/emergencies/{final['id']}")).json()
    assert record == final
    assert record["roster"][0]["reports"][0]["by"]["id"] == await user_id("1003")
    assert (await call(demo, "GET", ADMIN, "/api/emergency")).json() == {
        "active": False,
        "emergency": None,
    }
    for login in (SECURITY, TEACHER1, "1003"):
        assert (await call(demo, "GET", login, "/api/emergencies")).status_code == 403
        refused = await call(demo, "GET", login, f"/api/emergencies/{final['id']}")
        assert refused.status_code == 403
    assert (await call(demo, "GET", ADMIN, "/api/emergencies/999999")).status_code == 404
    # After it: reports are refused, passes go again, a new emergency can start.
    late = await call(demo, "POST", "1003", "/api/emergency/report", {"status": "safe"})
    assert (late.status_code, code_of(late)) == (409, "no_emergency")
    assert (await demo.request_pass("1003", "Library")).status_code == 201
    await start(demo, "drill")
    await assert_invariants()


async def test_a_drill_is_marked_as_a_drill_everywhere(demo: Demo) -> None:
    await go(demo, "1003", "Restroom North")
    started = (await start(demo, "drill"))["emergency"]
    assert (started["kind"], started["drill"]) == ("drill", True)
    student = (await call(demo, "GET", "1003", "/api/emergency")).json()["emergency"]
    assert student["drill"] is True
    final = (await end(demo))["emergency"]
    [listed] = (await call(demo, "GET", ADMIN, "/api/emergencies")).json()
    assert listed["drill"] is True
    csv_text = (await call(demo, "GET", ADMIN, f"/api/emergencies/{final['id']}/roster.csv")).text
    [row] = csv.DictReader(io.StringIO(csv_text))
    assert row["drill"] == "yes"
    page = (await call(demo, "GET", ADMIN, f"/api/emergencies/{final['id']}/roster.html")).text
    assert "DRILL" in page
    assert "This was a drill." in page


async def test_the_roster_exports_as_csv_one_row_per_student_with_the_latest_report(
    demo: Demo,
) -> None:
    await go(demo, "1003", "Restroom North")
    await go(demo, "1004", "Library")
    started = (await start(demo))["emergency"]
    # A note a spreadsheet would run as a formula, and one with a comma, quotes and a newline.
    await call(
        demo,
        "POST",
        "1003",
        "/api/emergency/report",
        {"status": "need_help", "note": "=HYPERLINK(1)"},
    )
    await call(
        demo,
        "POST",
        TEACHER1,
        f"/api/emergency/roster/{await user_id('1003')}/present",
        {"location_id": await location_id("Room 101"), "note": 'With me, "fine"\nreally'},
    )
    response = await call(demo, "GET", TEACHER1, f"/api/emergencies/{started['id']}/roster.csv")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    day = started["started_at"][:10]
    assert response.headers["content-disposition"] == (
        f'attachment; filename="emergency-{started["id"]}-lockdown-{day}.csv"'
    )
    assert response.text.endswith("\r\n")
    rows = list(csv.DictReader(io.StringIO(response.text, newline="")))
    assert len(rows) == 2
    by_id = {row["student_id"]: row for row in rows}
    first = by_id[str(await user_id("1003"))]
    assert first["status"] == "present"
    assert first["accounted"] == "yes"
    assert first["origin"] == "Room 101"
    assert first["destination"] == "Restroom North"
    assert first["last_known"] == "on the way to Restroom North"
    assert first["reported_location"] == "Room 101"
    assert first["note"] == 'With me, "fine"\nreally'
    assert first["reported_by"]
    assert first["time_out"]
    other = by_id[str(await user_id("1004"))]
    assert (other["status"], other["accounted"], other["reported_by"]) == ("missing", "no", "")
    # The formula-looking note stays text when a spreadsheet opens the file.
    records = (await call(demo, "GET", ADMIN, f"/api/emergencies/{started['id']}")).json()
    assert records["roster"]  # the JSON keeps the note as written
    await call(demo, "POST", "1004", "/api/emergency/report", {"status": "safe", "note": "=1+1"})
    again = await call(demo, "GET", ADMIN, f"/api/emergencies/{started['id']}/roster.csv")
    rows = list(csv.DictReader(io.StringIO(again.text, newline="")))
    assert by_id.keys() == {row["student_id"] for row in rows}
    assert next(r for r in rows if r["status"] == "safe")["note"] == "'=1+1"


async def test_the_printable_roster_is_escaped_and_uses_only_a_linked_stylesheet(
    demo: Demo,
) -> None:
    await go(demo, "1003", "Restroom North")
    started = (await start(demo))["emergency"]
    await call(
        demo,
        "POST",
        "1003",
        "/api/emergency/report",
        {"status": "safe", "note": '<script>alert("x")</script>'},
    )
    response = await call(demo, "GET", NURSE, f"/api/emergencies/{started['id']}/roster.html")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "style-src 'self'" in response.headers["content-security-policy"]
    page = response.text
    assert "<script" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "<style" not in page
    assert " style=" not in page
    assert '<link rel="stylesheet" href="/static/roster.css">' in page
    assert "Accounted for: 1 of 1" in page
    sheet = await demo.client.get("/static/roster.css")
    assert sheet.status_code == 200
    assert sheet.headers["content-type"] == "text/css; charset=utf-8"
    assert "@media print" in sheet.text


@pytest.mark.parametrize("suffix", ["roster.csv", "roster.html"])
async def test_only_staff_export_the_roster(demo: Demo, suffix: str) -> None:
    await create_staff(KIOSK, Role.KIOSK, "Door", "101", "Room 101")
    await go(demo, "1003", "Restroom North")
    started = (await start(demo))["emergency"]
    path = f"/api/emergencies/{started['id']}/{suffix}"
    for login in ("1003", KIOSK):
        assert (await call(demo, "GET", login, path)).status_code == 403, login
    for login in (TEACHER2, NURSE, COUNSELOR, SECURITY, ADMIN):
        assert (await call(demo, "GET", login, path)).status_code == 200, login


async def test_the_sweep_neither_announces_nor_expires_roster_passes_while_it_is_on(
    demo: Demo,
) -> None:
    # A grace of 0: a pass past due would expire at the next sweep.
    graced = await call(
        demo,
        "PUT",
        ADMIN,
        "/api/policies/school",
        {"rules": {"overtime_grace_minutes": 0}},
    )
    assert graced.status_code == 200, graced.text
    made = await go(demo, "1003", "Restroom North")
    await start(demo)
    clock.advance(timedelta(hours=1))
    assert await announce_overdue() == []
    assert await expire_overdue_passes() == []
    assert (await Pass.get(id=made["id"])).state == "active"
    await end(demo)
    hall_pass = await Pass.get(id=made["id"])
    assert (hall_pass.state, hall_pass.ended_by, hall_pass.overdue_at) == (
        "ended",
        "emergency",
        None,
    )
