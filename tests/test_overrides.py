"""Staff overrides: the right staff send a student past their limits and ahead of a line, with
a recorded reason that only administrators read; never past a switch, a group or a capacity.

The demo school on a Tuesday at 10:20 in Chicago. 1003-1015 are in Room 101 (teacher1); 1001
and 1002 form the demo's blocking encounter group; Restroom North holds two.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from server.enums import Role
from server.errors import ErrorCode
from server.models import Pass, PassEvent, School
from tests.conftest import Demo, location_id, user_id
from tests.invariants import assert_invariants
from tests.test_authorization import create_staff
from tests.test_error_shape import assert_error
from tests.test_policies import ADMIN, TEACHER, at_local, local, refusal, set_policy

RESTROOM = "Restroom North"
KIOSK = "kiosk101@demo.school"
REASON = "Needs to call home before the test"


async def issue(
    demo: Demo, staff: str, login: str, override: object, destination: str = RESTROOM
) -> httpx.Response:
    """Issue a pass for the student as a staff member, with the given `override` body."""
    body: dict[str, Any] = {
        "destination_id": await location_id(destination),
        "student_id": await user_id(login),
        "override": override,
    }
    return await demo.post(staff, "/api/passes", body)


async def go(demo: Demo, login: str, destination: str = RESTROOM) -> dict[str, Any]:
    """Request a pass as the student and insist it was made."""
    response = await demo.request_pass(login, destination)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_the_students_teacher_sends_them_past_their_limit_and_ahead_of_the_line(
    demo: Demo,
) -> None:
    at_local(demo, local(4, 10, 20))
    await set_policy(demo, "/api/policies/school", passes_per_day=1)
    used = await go(demo, "1005", "Library")
    await demo.post("1005", f"/api/passes/{used['id']}/end")
    refusal(await demo.request_pass("1005", RESTROOM), ErrorCode.LIMIT_REACHED)
    out = [await go(demo, login) for login in ("1003", "1004")]
    behind = await go(demo, "1006")

    response = await issue(demo, TEACHER, "1005", {"reason": f"  {REASON} "})
    assert response.status_code == 201, response.text
    overridden = response.json()
    assert (overridden["state"], overridden["position"]) == ("waiting", 1)  # full: first in line
    assert (await demo.get("1006", f"/api/passes/{behind['id']}")).json()["position"] == 2
    await assert_invariants()  # no capacity exceeded

    (record,) = (await demo.get(ADMIN, "/api/overrides")).json()
    assert record["pass_id"] == overridden["id"]
    assert (record["by"]["id"], record["student"]["id"], record["reason"]) == (
        await user_id(TEACHER),
        await user_id("1005"),
        REASON,  # trimmed
    )
    assert record["would_have"]["code"] == "limit_reached"  # what the student was told
    assert "1 pass per day" in record["would_have"]["detail"]

    await demo.post("1003", f"/api/passes/{out[0]['id']}/end")
    assert (await Pass.get(id=overridden["id"])).offer_expires_at is not None


async def test_an_override_with_nothing_to_go_past_records_none(demo: Demo) -> None:
    at_local(demo, local(4, 10, 20))
    response = await issue(demo, "monitor@demo.school", "1005", {"reason": REASON}, "Library")
    assert response.json()["state"] == "active"
    (record,) = (await demo.get(ADMIN, "/api/overrides")).json()
    assert (record["by"]["id"], record["would_have"]) == (
        await user_id("monitor@demo.school"),
        None,
    )


async def test_students_kiosks_and_other_staff_cannot_override(demo: Demo) -> None:
    at_local(demo, local(4, 10, 20))
    await create_staff(KIOSK, Role.KIOSK, "Door", "Kiosk", "Room 101")
    own = await demo.post(
        "1005",
        "/api/passes",
        {"destination_id": await location_id(RESTROOM), "override": {"reason": REASON}},
    )
    assert_error(own, 403, ErrorCode.FORBIDDEN)
    assert_error(await issue(demo, KIOSK, "1005", {"reason": REASON}), 403, ErrorCode.FORBIDDEN)
    nurse = await issue(demo, "nurse@demo.school", "1005", {"reason": REASON}, "Nurse")
    assert_error(nurse, 403, ErrorCode.FORBIDDEN)
    other_room = await issue(demo, "teacher2@demo.school", "1005", {"reason": REASON})
    assert_error(other_room, 403, ErrorCode.FORBIDDEN)
    assert await Pass.all().count() == 0
    assert (await demo.get(ADMIN, "/api/overrides")).json() == []


async def test_an_override_needs_a_reason_and_validation_names_the_field(demo: Demo) -> None:
    at_local(demo, local(4, 10, 20))
    for bad in ({}, {"reason": ""}, {"reason": "   "}, {"reason": "x" * 201}, {"reason": 7}, "go"):
        response = await issue(demo, TEACHER, "1005", bad)
        assert_error(response, 422, ErrorCode.VALIDATION_ERROR)
        fields = [f["field"] for f in response.json()["error"]["details"]["fields"]]
        assert fields[0].startswith("override"), (bad, response.text)
    scheduled = await demo.post(
        TEACHER,
        "/api/passes",
        {
            "destination_id": await location_id("Library"),
            "student_id": await user_id("1005"),
            "start_at": "2030-01-01T10:00:00Z",
            "override": {"reason": REASON},
        },
    )
    assert_error(scheduled, 422, ErrorCode.VALIDATION_ERROR)
    assert [f["field"] for f in scheduled.json()["error"]["details"]["fields"]] == ["override"]
    assert await Pass.all().count() == 0


async def test_never_past_passes_switched_off_or_a_blocking_group(demo: Demo) -> None:
    at_local(demo, local(4, 10, 20))
    await go(demo, "1001", "Library")
    blocked = await issue(demo, ADMIN, "1002", {"reason": REASON}, "Main Office")
    assert_error(blocked, 409, ErrorCode.BLOCKED)
    await School.filter(slug="demo").update(passes_enabled=False)
    switched_off = await issue(demo, ADMIN, "1005", {"reason": REASON}, "Main Office")
    assert_error(switched_off, 409, ErrorCode.PASSES_DISABLED)
    assert (await demo.get(ADMIN, "/api/overrides")).json() == []


async def test_the_reason_reaches_admins_only(demo: Demo) -> None:
    at_local(demo, local(4, 10, 20))
    made = (await issue(demo, TEACHER, "1005", {"reason": REASON}, "Library")).json()
    for login in ("1005", TEACHER, "monitor@demo.school", "teacher2@demo.school"):
        for path in (f"/api/passes/{made['id']}", "/api/passes"):
            response = await demo.get(login, path)
            assert response.status_code in (200, 404), (login, path, response.text)
            assert REASON not in response.text, (login, path)
            assert "override" not in response.text.lower(), (login, path)
        assert_error(await demo.get(login, "/api/overrides"), 403, ErrorCode.FORBIDDEN)
    for event in await PassEvent.all():  # what every live screen is sent
        assert REASON not in json.dumps(event.data)
