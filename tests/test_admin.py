"""The admin API for the school's settings and places (issue 6): what admins may change, how
bad input is named, and what each change does to the next pass decision.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from server.contract.places import LocationOut, SchoolSettingsOut
from server.enums import PassState
from server.errors import ErrorCode
from server.models import Location, Pass, School
from server.services.scheduler import offer_free_places
from tests import dbstate
from tests.conftest import Demo, location_id, user_id
from tests.invariants import assert_invariants
from tests.test_error_shape import assert_error
from tests.test_policies import call

ADMIN = "admin@demo.school"
SECURITY = "monitor@demo.school"
TEACHER = "teacher1@demo.school"
COUNSELOR = "counselor@demo.school"
STUDENT = "1003"


async def patch_school(demo: Demo, **changes: object) -> dict[str, Any]:
    """PATCH the school's settings as the admin, and insist it was saved."""
    response = await call(demo, "PATCH", ADMIN, "/api/school", changes)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    SchoolSettingsOut.model_validate(body)
    return body


async def patch_location(demo: Demo, place: str, /, **changes: object) -> dict[str, Any]:
    """PATCH a place as the admin, and insist it was saved."""
    path = f"/api/locations/{await location_id(place)}"
    response = await call(demo, "PATCH", ADMIN, path, changes)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    LocationOut.model_validate(body)
    return body


def field_of(response: httpx.Response) -> list[str]:
    """Return the fields a 422 names."""
    assert_error(response, 422, ErrorCode.VALIDATION_ERROR)
    return [item["field"] for item in response.json()["error"]["details"]["fields"]]


async def request(demo: Demo, login: str, destination: str) -> httpx.Response:
    """A student asks for a pass to a destination."""
    return await demo.request_pass(login, destination)


# --- The school's settings ---


async def test_an_admin_changes_only_the_settings_sent(demo: Demo) -> None:
    before = (await call(demo, "GET", ADMIN, "/api/school")).json()
    assert before["hallway_max"] is None
    assert before["passes_enabled"] is True
    after = await patch_school(demo, hallway_max=40, timezone="America/New_York")
    assert after == before | {"hallway_max": 40, "timezone": "America/New_York"}
    school = await School.get(slug="demo")
    assert (school.hallway_max, school.timezone, school.name) == (
        40,
        "America/New_York",
        "Demo High School",
    )
    # null lifts the maximum; an empty body changes nothing.
    assert (await patch_school(demo, hallway_max=None))["hallway_max"] is None
    assert (await patch_school(demo))["timezone"] == "America/New_York"


async def test_security_reads_the_settings_and_only_admins_change_them(demo: Demo) -> None:
    assert (await call(demo, "GET", SECURITY, "/api/school")).status_code == 200
    for login in (SECURITY, TEACHER, STUDENT):
        refused = await call(demo, "PATCH", login, "/api/school", {"passes_enabled": False})
        assert_error(refused, 403, ErrorCode.FORBIDDEN)
    assert_error(await call(demo, "GET", STUDENT, "/api/school"), 403, ErrorCode.FORBIDDEN)
    assert (await School.get(slug="demo")).passes_enabled is True


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"hallway_max": 0}, "hallway_max"),
        ({"hallway_max": 10_001}, "hallway_max"),
        ({"hallway_max": "5"}, "hallway_max"),
        ({"passes_enabled": None}, "passes_enabled"),
        ({"passes_enabled": "false"}, "passes_enabled"),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"timezone": "localtime"}, "timezone"),
        ({"timezone": None}, "timezone"),
        ({"name": "  "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"event_seq": 0}, "event_seq"),  # unknown (and internal) fields are refused
    ],
)
async def test_a_bad_setting_is_named_and_nothing_changes(
    demo: Demo, body: dict[str, Any], field: str
) -> None:
    before = await dbstate.snapshot(("schools",))
    response = await call(demo, "PATCH", ADMIN, "/api/school", {"hallway_max": 5} | body)
    assert field_of(response) == [field]
    assert await dbstate.snapshot(("schools",)) == before


async def test_the_student_screen_knows_when_passes_are_off(demo: Demo) -> None:
    assert (await demo.get(STUDENT, "/api/me")).json()["school"]["passes_enabled"] is True
    await patch_school(demo, passes_enabled=False)
    assert (await demo.get(STUDENT, "/api/me")).json()["school"]["passes_enabled"] is False


async def test_a_lowered_hallway_max_makes_the_next_request_wait(demo: Demo) -> None:
    assert (await request(demo, "1003", "Library")).json()["state"] == "active"
    await patch_school(demo, hallway_max=1)
    queued = await request(demo, "1016", "Library")
    assert queued.status_code == 201, queued.text
    assert queued.json()["state"] == "waiting"
    # Raising it again offers the place at once (the sweep would, within seconds).
    await patch_school(demo, hallway_max=2)
    assert (await Pass.get(id=queued.json()["id"])).offer_expires_at is not None
    await assert_invariants()


async def test_passes_off_refuses_requests_and_back_on_offers_the_line(demo: Demo) -> None:
    for login in ("1003", "1004"):
        assert (await request(demo, login, "Restroom North")).json()["state"] == "active"
    waiting = (await request(demo, "1005", "Restroom North")).json()["id"]
    await patch_school(demo, passes_enabled=False)
    assert_error(await request(demo, "1006", "Library"), 409, ErrorCode.PASSES_DISABLED)
    first = await Pass.get(student_id=await user_id("1003"), state=PassState.ACTIVE)
    assert (await demo.post("1003", f"/api/passes/{first.id}/end")).status_code == 200
    assert (await Pass.get(id=waiting)).offer_expires_at is None  # nobody leaves while off
    assert await offer_free_places() == []
    await patch_school(demo, passes_enabled=True)
    assert (await Pass.get(id=waiting)).offer_expires_at is not None
    assert await offer_free_places() == []  # offered once, not again by the sweep
    assert (await request(demo, "1006", "Library")).json()["state"] == "active"
    await assert_invariants()


async def test_two_admins_at_once_each_see_old_or_new_never_half(demo: Demo) -> None:
    await demo.auth(ADMIN)
    results = await asyncio.gather(
        call(demo, "PATCH", ADMIN, "/api/school", {"hallway_max": 7, "passes_enabled": False}),
        call(demo, "PATCH", ADMIN, "/api/school", {"hallway_max": 9, "passes_enabled": True}),
    )
    assert [r.status_code for r in results] == [200, 200]
    school = await School.get(slug="demo")
    assert (school.hallway_max, school.passes_enabled) in ((7, False), (9, True))


# --- Places ---

NEW_PLACE: dict[str, Any] = {
    "name": "Gym",
    "kind": "other",
    "capacity": 3,
    "approval": "destination_staff",
    "default_minutes": 10,
    "geometry": {"x": 300, "y": 40, "width": 120.5, "height": 80, "floor": "1"},
}


async def test_an_admin_adds_a_place_students_can_go_to(demo: Demo) -> None:
    counselor = await user_id(COUNSELOR)
    response = await call(
        demo, "POST", ADMIN, "/api/locations", NEW_PLACE | {"staff_ids": [counselor]}
    )
    assert response.status_code == 201, response.text
    created = response.json()
    LocationOut.model_validate(created)
    assert created | {"id": 0} == NEW_PLACE | {
        "id": 0,
        "max_out": None,
        "is_destination": True,
        "active": True,
        "checks_in": True,  # its staff check arrivals in
        "staff_ids": [counselor],
        "out": 0,
        "waiting": 0,
    }
    gym = await Location.get(id=created["id"])
    assert [u.id for u in await gym.staff] == [counselor]
    # It needs its staff to accept, so the student's request waits for them.
    assert (await request(demo, STUDENT, "Gym")).json()["state"] == "pending"


async def test_students_see_places_but_never_who_covers_them(demo: Demo) -> None:
    for login in (STUDENT, TEACHER, SECURITY):
        listed = (await demo.get(login, "/api/locations")).json()
        assert all("staff_ids" not in place for place in listed)
    listed = {p["name"]: p for p in (await demo.get(ADMIN, "/api/locations")).json()}
    assert listed["Counselor"]["staff_ids"] == [await user_id(COUNSELOR)]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "restroom north"}, "name"),  # taken, whatever the case
        ({"kind": "moon"}, "kind"),
        ({"kind": None}, "kind"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": 2.5}, "capacity"),
        ({"approval": "principal"}, "approval"),
        ({"default_minutes": 0}, "default_minutes"),
        ({"default_minutes": 241}, "default_minutes"),
        ({"max_out": 0}, "max_out"),
        ({"is_destination": 1}, "is_destination"),
        ({"active": None}, "active"),
        ({"geometry": {"x": 1, "y": 1, "width": 0, "height": 1}}, "geometry.width"),
        ({"geometry": {"x": -1, "y": 1, "width": 1, "height": 1}}, "geometry.x"),
        ({"geometry": {"x": 1, "y": 1, "width": 1, "height": 1, "z": 3}}, "geometry.z"),
        ({"geometry": [1, 2]}, "geometry"),
        ({"staff_ids": [0]}, "staff_ids[0]"),
        ({"staff_ids": None}, "staff_ids"),
        ({"school_id": 2}, "school_id"),
    ],
)
async def test_a_bad_place_field_is_named_and_nothing_changes(
    demo: Demo, body: dict[str, Any], field: str
) -> None:
    before = await dbstate.snapshot(("locations", "location_staff"))
    path = f"/api/locations/{await location_id('Library')}"
    assert field_of(await call(demo, "PATCH", ADMIN, path, body)) == [field]
    assert await dbstate.snapshot(("locations", "location_staff")) == before


@pytest.mark.parametrize(
    ("staff", "field"),
    [
        (["1003"], "staff_ids[0]"),  # a student covers nothing
        ([COUNSELOR, COUNSELOR], "staff_ids"),  # repeated
    ],
)
async def test_staff_must_be_the_schools_staff(demo: Demo, staff: list[str], field: str) -> None:
    ids = [await user_id(login) for login in staff]
    before = await dbstate.snapshot(("locations", "location_staff"))
    create = await call(demo, "POST", ADMIN, "/api/locations", NEW_PLACE | {"staff_ids": ids})
    assert field_of(create) == [field]
    assert await dbstate.snapshot(("locations", "location_staff")) == before


async def test_a_new_place_needs_a_name_and_a_kind(demo: Demo) -> None:
    response = await call(demo, "POST", ADMIN, "/api/locations", {})
    assert sorted(field_of(response)) == ["kind", "name"]


async def test_another_schools_place_is_not_found_and_non_admins_are_refused(
    demo: Demo,
) -> None:
    other = await School.create(name="Elsewhere", slug="elsewhere")
    theirs = await Location.create(school=other, name="Their Gym", kind="other")
    assert_error(
        await call(demo, "PATCH", ADMIN, f"/api/locations/{theirs.id}", {"capacity": 1}),
        404,
        ErrorCode.NOT_FOUND,
    )
    library = f"/api/locations/{await location_id('Library')}"
    before = await dbstate.snapshot(("locations", "location_staff"))
    for login in (STUDENT, TEACHER, SECURITY, COUNSELOR):
        refused = await call(demo, "PATCH", login, library, {"capacity": 1})
        assert_error(refused, 403, ErrorCode.FORBIDDEN)
        refused = await call(demo, "POST", login, "/api/locations", NEW_PLACE)
        assert_error(refused, 403, ErrorCode.FORBIDDEN)
    assert await dbstate.snapshot(("locations", "location_staff")) == before


async def test_an_archived_place_takes_no_new_passes_and_open_ones_carry_on(
    demo: Demo,
) -> None:
    out = (await request(demo, "1003", "Library")).json()["id"]
    archived = await patch_location(demo, "Library", active=False)
    assert archived["active"] is False
    assert archived["out"] == 1
    assert_error(await request(demo, "1004", "Library"), 422, ErrorCode.NOT_A_DESTINATION)
    assert "Library" not in {p["name"] for p in (await demo.get(STUDENT, "/api/locations")).json()}
    admin_list = await demo.get(ADMIN, "/api/locations?include_archived=true")
    assert "Library" in {p["name"] for p in admin_list.json()}
    assert (await demo.post("1003", f"/api/passes/{out}/end")).status_code == 200
    await patch_location(demo, "Library", active=True)
    assert (await request(demo, "1004", "Library")).json()["state"] == "active"


async def test_a_capacity_lowered_below_those_out_sends_nobody_back(demo: Demo) -> None:
    for login in ("1003", "1004"):
        assert (await request(demo, login, "Restroom North")).json()["state"] == "active"
    lowered = await patch_location(demo, "Restroom North", capacity=1)
    assert (lowered["capacity"], lowered["out"]) == (1, 2)
    assert await Pass.filter(state=PassState.ACTIVE).count() == 2
    assert (await request(demo, "1005", "Restroom North")).json()["state"] == "waiting"
    raised = await patch_location(demo, "Restroom North", capacity=3)
    assert raised["waiting"] == 1
    waiting = await Pass.get(student_id=await user_id("1005"))
    assert waiting.offer_expires_at is not None  # offered at once
    await assert_invariants()


async def test_a_place_is_renamed_and_reassigned_whole(demo: Demo) -> None:
    counselor, nurse = await user_id(COUNSELOR), await user_id("nurse@demo.school")
    changed = await patch_location(demo, "Counselor", name="Counseling", staff_ids=[nurse])
    assert (changed["name"], changed["staff_ids"]) == ("Counseling", [nurse])
    place = await Location.get(name="Counseling")
    assert counselor not in [u.id for u in await place.staff]
    # Its own name, in another case, is not "taken".
    assert (await patch_location(demo, "Counseling", name="COUNSELING"))["name"] == "COUNSELING"
    assert (await patch_location(demo, "COUNSELING", geometry=None))["geometry"] == {}


async def test_two_admins_naming_two_places_alike_get_one_place(demo: Demo) -> None:
    await demo.auth(ADMIN)
    results = await asyncio.gather(
        *(call(demo, "POST", ADMIN, "/api/locations", NEW_PLACE) for _ in range(2))
    )
    assert sorted(r.status_code for r in results) == [201, 422]
    assert await Location.filter(name="Gym").count() == 1
