"""The pass lifecycle through the API: approval, the line, encounters, issuing, scheduling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from server.models import PassEvent
from tests.conftest import Demo, location_id, user_id


async def test_a_nurse_pass_waits_for_the_origin_teacher_then_goes_out(demo: Demo) -> None:
    created = await demo.request_pass("1003", "Nurse")
    assert created.status_code == 201
    assert created.json()["state"] == "pending"
    pass_id = created.json()["id"]

    other_room = await demo.post("teacher2@demo.school", f"/api/passes/{pass_id}/approve")
    assert other_room.status_code == 404  # teacher2 can't even see a Room 101 nurse pass

    approved = await demo.post("teacher1@demo.school", f"/api/passes/{pass_id}/approve")
    assert approved.status_code == 200
    assert approved.json()["state"] == "active"
    assert approved.json()["started_at"] is not None

    again = await demo.post("teacher1@demo.school", f"/api/passes/{pass_id}/approve")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "invalid_transition"


async def test_the_nurse_sees_a_pass_to_the_nurse_but_cannot_approve_for_the_teacher(
    demo: Demo,
) -> None:
    pass_id = (await demo.request_pass("1003", "Nurse")).json()["id"]
    seen = await demo.get("nurse@demo.school", f"/api/passes/{pass_id}")
    assert seen.status_code == 200
    refused = await demo.post("nurse@demo.school", f"/api/passes/{pass_id}/approve")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden"


async def test_a_denied_request_frees_the_student_to_ask_again(demo: Demo) -> None:
    pass_id = (await demo.request_pass("1004", "Nurse")).json()["id"]
    denied = await demo.post("teacher1@demo.school", f"/api/passes/{pass_id}/deny")
    assert denied.json()["state"] == "denied"
    assert (await demo.request_pass("1004", "Restroom North")).status_code == 201


async def test_a_counselor_visit_needs_the_counselor_not_the_teacher(demo: Demo) -> None:
    pass_id = (await demo.request_pass("1005", "Counselor")).json()["id"]
    teacher = await demo.post("teacher1@demo.school", f"/api/passes/{pass_id}/approve")
    assert teacher.status_code == 403
    counselor = await demo.post("counselor@demo.school", f"/api/passes/{pass_id}/approve")
    assert counselor.status_code == 200
    assert counselor.json()["state"] == "active"


async def test_a_full_restroom_puts_the_third_student_in_line_and_offers_the_place_on_return(
    demo: Demo,
) -> None:
    first = (await demo.request_pass("1003", "Restroom North")).json()
    second = (await demo.request_pass("1004", "Restroom North")).json()
    third = await demo.request_pass("1005", "Restroom North")
    assert [first["state"], second["state"]] == ["active", "active"]
    assert third.status_code == 201
    assert third.json()["state"] == "waiting"
    assert third.json()["position"] == 1

    locations = {loc["name"]: loc for loc in (await demo.get("1005", "/api/locations")).json()}
    assert locations["Restroom North"]["out"] == 2
    assert locations["Restroom North"]["waiting"] == 1

    await demo.post("1003", f"/api/passes/{first['id']}/end")
    offered = (await demo.get("1005", f"/api/passes/{third.json()['id']}")).json()
    assert (offered["state"], offered["position"]) == ("waiting", 1)
    assert offered["offer_expires_at"] is not None
    taken = await demo.post("1005", f"/api/passes/{third.json()['id']}/take")
    assert (taken.json()["state"], taken.json()["offer_expires_at"]) == ("active", None)
    names = [e.name for e in await PassEvent.filter(hall_pass_id=third.json()["id"])]
    assert names == ["pass.created", "pass.offered", "pass.taken"]


async def test_a_student_can_leave_the_line(demo: Demo) -> None:
    for login in ("1003", "1004"):
        await demo.request_pass(login, "Restroom South")
    waiting = (await demo.request_pass("1005", "Restroom South")).json()
    cancelled = await demo.post("1005", f"/api/passes/{waiting['id']}/cancel")
    assert cancelled.json()["state"] == "cancelled"


async def test_an_encounter_block_is_an_ordinary_line_to_the_student_and_a_rule_to_staff(
    demo: Demo,
) -> None:
    assert (await demo.request_pass("1001", "Library")).json()["state"] == "active"
    student = await demo.request_pass("1002", "Main Office")
    assert student.status_code == 201  # in line, as when the hallways are full (#13.1)
    assert student.json()["state"] == "waiting"
    assert "encounter" not in student.text.lower()
    assert "Demo separation" not in student.text
    await demo.post("1002", f"/api/passes/{student.json()['id']}/cancel")

    body = {"destination_id": await location_id("Main Office"), "student_id": await user_id("1002")}
    issued = await demo.post("teacher1@demo.school", "/api/passes", body)
    assert issued.status_code == 409
    assert issued.json()["error"]["code"] == "blocked"
    assert "Demo separation" not in issued.text  # teachers may not see groups (#13.2)
    by_security = await demo.post("monitor@demo.school", "/api/passes", body)
    assert "Demo separation" in by_security.json()["error"]["message"]


async def test_one_open_pass_per_student(demo: Demo) -> None:
    await demo.request_pass("1006", "Library")
    second = await demo.request_pass("1006", "Restroom North")
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "already_out"


async def test_a_teacher_issues_a_pass_to_a_student_of_their_room_only(demo: Demo) -> None:
    issued = await demo.post(
        "teacher1@demo.school",
        "/api/passes",
        {
            "destination_id": await location_id("Nurse"),
            "student_id": await user_id("1007"),
        },
    )
    assert issued.status_code == 201
    assert issued.json()["state"] == "active"  # issuing is the teacher's approval
    assert issued.json()["kind"] == "issued"

    not_mine = await demo.post(
        "teacher1@demo.school",
        "/api/passes",
        {
            "destination_id": await location_id("Nurse"),
            "student_id": await user_id("1020"),
        },
    )
    assert not_mine.status_code == 403


async def test_staff_schedule_a_pass_and_students_cannot(demo: Demo) -> None:
    start = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    scheduled = await demo.post(
        "counselor@demo.school",
        "/api/passes",
        {
            "destination_id": await location_id("Counselor"),
            "student_id": await user_id("1008"),
            "start_at": start,
        },
    )
    assert scheduled.status_code == 201
    assert scheduled.json()["state"] == "scheduled"
    assert scheduled.json()["kind"] == "scheduled"
    # A scheduled pass is not an open pass: the student can still go to the restroom now.
    assert (await demo.request_pass("1008", "Restroom North")).status_code == 201

    student = await demo.post(
        "1009",
        "/api/passes",
        {
            "destination_id": await location_id("Library"),
            "start_at": start,
        },
    )
    assert student.status_code == 403


async def test_an_idempotency_key_makes_a_retried_request_apply_once(demo: Demo) -> None:
    body = {"destination_id": await location_id("Library"), "idempotency_key": "tap-0001-abcd"}
    first = await demo.post("1010", "/api/passes", body)
    again = await demo.post("1010", "/api/passes", body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]


async def test_arrival_is_marked_once_by_the_destination(demo: Demo) -> None:
    issued = await demo.post(
        "teacher1@demo.school",
        "/api/passes",
        {
            "destination_id": await location_id("Nurse"),
            "student_id": await user_id("1011"),
        },
    )
    pass_id = issued.json()["id"]
    assert (await demo.post("1011", f"/api/passes/{pass_id}/arrive")).status_code == 403
    arrived = await demo.post("nurse@demo.school", f"/api/passes/{pass_id}/arrive")
    assert arrived.status_code == 200
    assert arrived.json()["arrived_at"] is not None
    twice = await demo.post("nurse@demo.school", f"/api/passes/{pass_id}/arrive")
    assert twice.status_code == 409
    ended = await demo.post("nurse@demo.school", f"/api/passes/{pass_id}/end")
    assert ended.json()["ended_by"] == "staff"


async def test_lists_filter_by_state_and_show_students_only_their_own(demo: Demo) -> None:
    await demo.request_pass("1003", "Library")
    await demo.request_pass("1004", "Nurse")
    monitor = await demo.get("monitor@demo.school", "/api/passes?state=active,pending")
    assert sorted(p["state"] for p in monitor.json()) == ["active", "pending"]
    only_active = await demo.get("monitor@demo.school", "/api/passes?state=active")
    assert [p["student"]["name"] for p in only_active.json()] == ["Sophia Nguyen"]
    own = await demo.get("1004", "/api/passes")
    assert [p["destination"]["name"] for p in own.json()] == ["Nurse"]


async def test_a_list_pages_newest_first_below_the_before_id(demo: Demo) -> None:
    made = []
    for login in ("1003", "1004", "1005", "1016", "1017"):
        made.append((await demo.request_pass(login, "Library")).json()["id"])
    pages, before = [], ""
    for _ in range(4):  # three pages and an empty one
        page = (await demo.get("admin@demo.school", f"/api/passes?limit=2{before}")).json()
        pages.append([p["id"] for p in page])
        before = f"&before={page[-1]['id']}" if page else ""
    assert pages == [made[:2:-1], made[2:0:-1], made[:1], []]
    teacher = await demo.get("teacher1@demo.school", f"/api/passes?before={made[3]}")
    assert [p["id"] for p in teacher.json()] == made[2::-1]  # Room 101's, still scoped


async def test_every_change_appends_one_event_with_the_next_sequence_number(demo: Demo) -> None:
    pass_id = (await demo.request_pass("1003", "Nurse")).json()["id"]
    await demo.post("teacher1@demo.school", f"/api/passes/{pass_id}/approve")
    await demo.post("nurse@demo.school", f"/api/passes/{pass_id}/arrive")
    await demo.post("1003", f"/api/passes/{pass_id}/end")
    events = await PassEvent.filter(hall_pass_id=pass_id).order_by("seq")
    assert [e.name for e in events] == [
        "pass.created",
        "pass.approved",
        "pass.arrived",
        "pass.ended",
    ]
    assert [e.seq for e in events] == [1, 2, 3, 4]
    assert events[-1].data["state"] == "ended"


async def test_an_idempotency_key_reused_for_another_pass_is_a_conflict(demo: Demo) -> None:
    key = "tap-0002-abcd"
    await demo.post(
        "1012",
        "/api/passes",
        {"destination_id": await location_id("Library"), "idempotency_key": key},
    )
    other = await demo.post(
        "1012",
        "/api/passes",
        {"destination_id": await location_id("Nurse"), "idempotency_key": key},
    )
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "idempotency_conflict"


async def test_the_idempotency_key_header_works_like_the_body_field(demo: Demo) -> None:
    headers = {**await demo.auth("1013"), "Idempotency-Key": "hdr-0003-abcd"}
    body = {"destination_id": await location_id("Library")}
    first = await demo.client.post("/api/passes", json=body, headers=headers)
    again = await demo.client.post("/api/passes", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    bad = await demo.client.post(
        "/api/passes", json=body, headers={**headers, "Idempotency-Key": "no spaces allowed"}
    )
    assert bad.status_code == 422


async def test_a_teacher_sending_a_student_to_the_counselor_still_needs_the_counselor(
    demo: Demo,
) -> None:
    sent = await demo.post(
        "teacher1@demo.school",
        "/api/passes",
        {
            "destination_id": await location_id("Counselor"),
            "student_id": await user_id("1014"),
        },
    )
    assert sent.status_code == 201
    assert sent.json()["state"] == "pending"
    accepted = await demo.post("counselor@demo.school", f"/api/passes/{sent.json()['id']}/approve")
    assert accepted.json()["state"] == "active"
