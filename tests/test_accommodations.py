"""Accommodations: a student with a plan is held by no limit and goes to the front of a line,
and no screen but an admin's can tell.

The demo school on a Tuesday at 10:00 in Chicago; 1003-1015 are in Room 101 (teacher1).
Restroom North holds two.
"""

from __future__ import annotations

import json

from server.enums import Role
from server.errors import ErrorCode
from server.models import Pass, PassEvent
from tests.conftest import Demo, location_id, user_id
from tests.invariants import assert_invariants
from tests.test_authorization import create_staff
from tests.test_error_shape import assert_error
from tests.test_policies import ADMIN, TEACHER, at_local, call, local, refusal, set_policy

RESTROOM = "Restroom North"
KIOSK = "kiosk101@demo.school"
# What would give an accommodation away: the setting, its words, the pass's hidden column.
TELLTALES = ("accommodat", "line_priority", "iep", "504", "medical", "priority")


async def accommodate(demo: Demo, login: str) -> int:
    """Give the student an accommodation (their own policy row); return their id."""
    student = await user_id(login)
    await set_policy(demo, f"/api/policies/student/{student}", accommodation=True)
    return student


async def go(demo: Demo, login: str, destination: str = RESTROOM) -> dict[str, object]:
    """Request a pass as the student and insist it was made."""
    response = await demo.request_pass(login, destination)
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


async def test_no_limit_cooldown_or_no_fly_time_holds_a_student_with_an_accommodation(
    demo: Demo,
) -> None:
    at_local(demo, local(4, 10, 47))  # two minutes into period 4 of the demo's regular day
    await set_policy(
        demo,
        "/api/policies/school",
        passes_per_day=1,
        cooldown_minutes=30,
        no_fly_after_start_minutes=10,
    )
    await accommodate(demo, "1005")
    refusal(await demo.request_pass("1004", "Library"), ErrorCode.NO_FLY_TIME)
    for _ in range(3):  # over the daily limit, straight after each other: never held
        body = await go(demo, "1005", "Library")
        assert (await demo.post("1005", f"/api/passes/{body['id']}/end")).status_code == 200


async def test_an_accommodated_student_goes_to_the_front_of_the_line_never_past_a_limit(
    demo: Demo,
) -> None:
    at_local(demo, local(4, 10, 20))
    await accommodate(demo, "1007")
    out = [await go(demo, login) for login in ("1003", "1004")]
    first = await go(demo, "1005")
    planned = await go(demo, "1007")  # asks last, stands first: the restroom is still full
    assert (first["state"], planned["state"]) == ("waiting", "waiting")
    behind = (await demo.get("1005", f"/api/passes/{first['id']}")).json()
    assert (planned["position"], behind["position"]) == (1, 2)
    await assert_invariants()  # capacity held: two out, two waiting

    assert (await demo.post("1003", f"/api/passes/{out[0]['id']}/end")).status_code == 200
    assert (await Pass.get(id=planned["id"])).offer_expires_at is not None
    assert (await Pass.get(id=first["id"])).offer_expires_at is None
    assert (await demo.post("1007", f"/api/passes/{planned['id']}/take")).status_code == 200
    await assert_invariants()


async def test_a_staff_issued_pass_of_an_accommodated_student_also_goes_first(demo: Demo) -> None:
    at_local(demo, local(4, 10, 20))
    student = await accommodate(demo, "1007")
    for login in ("1003", "1004", "1005"):
        await go(demo, login)
    issued = await demo.post(
        TEACHER,
        "/api/passes",
        {"destination_id": await location_id(RESTROOM), "student_id": student},
    )
    assert (issued.json()["state"], issued.json()["position"]) == ("waiting", 1)


async def test_only_a_student_row_can_hold_an_accommodation(demo: Demo) -> None:
    for path in ("/api/policies/school", "/api/policies/grade/10", "/api/policies/group/IEP"):
        response = await call(demo, "PUT", ADMIN, path, {"rules": {"accommodation": True}})
        assert_error(response, 422, ErrorCode.VALIDATION_ERROR)
        fields = [f["field"] for f in response.json()["error"]["details"]["fields"]]
        assert fields == ["rules.accommodation"], response.text
    student = await user_id("1005")
    bad = await call(
        demo, "PUT", ADMIN, f"/api/policies/student/{student}", {"rules": {"accommodation": 1}}
    )
    assert_error(bad, 422, ErrorCode.VALIDATION_ERROR)
    assert "rules.accommodation" in bad.text


async def test_nobody_but_an_admin_can_read_or_set_an_accommodation(demo: Demo) -> None:
    at_local(demo, local(4, 10, 20))
    await create_staff(KIOSK, Role.KIOSK, "Door", "Kiosk", "Room 101")
    student = await accommodate(demo, "1007")
    for login in ("1003", "1004", "1005"):
        await go(demo, login)
    own = await go(demo, "1007")  # waiting, at the front
    at_door = await demo.post(
        KIOSK,
        "/api/passes",
        {"destination_id": await location_id("Library"), "student_id": student},
    )
    assert at_door.status_code == 409  # already has a pass: the kiosk hears only that

    readers = (
        "1007",  # the student themselves
        "1005",  # a classmate in the same line
        TEACHER,
        "teacher2@demo.school",
        "nurse@demo.school",
        "counselor@demo.school",
        "monitor@demo.school",
        KIOSK,
    )
    for login in readers:
        seen = [
            await demo.get(login, "/api/passes"),
            await demo.get(login, f"/api/passes/{own['id']}"),
            await demo.get(login, f"/api/students/{student}/policy"),
            await demo.get(login, "/api/policies"),
            await demo.get(login, "/api/locations"),
        ]
        for response in seen:
            text = response.text.lower()
            leaks = [word for word in TELLTALES if word in text]
            assert not leaks, f"{login} {response.request.url.path}: {leaks} in {response.text}"
        assert seen[3].status_code == 403  # the policy rows
        for verb in ("PUT", "DELETE"):
            changed = await call(
                demo, verb, login, f"/api/policies/student/{student}", {"rules": {}}
            )
            assert_error(changed, 403, ErrorCode.FORBIDDEN)
    # Every event (what every live screen is sent) carries the pass as the API shows it.
    for event in await PassEvent.all():
        text = json.dumps(event.data).lower()
        assert not [word for word in TELLTALES if word in text], text

    # The admin sees it, with who set it.
    explained = (await demo.get(ADMIN, f"/api/students/{student}/policy")).json()
    assert explained["settings"]["accommodation"]["value"] is True
    assert (await demo.get(ADMIN, "/api/policies")).json()[0]["rules"] == {"accommodation": True}
