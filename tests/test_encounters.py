"""Encounter groups through the API: managed by admins and security, logged when they act,
and never seen by a student (DESIGN.md invariants 3 and 5)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from server.errors import ErrorCode
from server.models import EncounterGroup, User
from server.rules.decision import NEUTRAL_BLOCK_MESSAGE
from tests.conftest import Demo, location_id, user_id
from tests.test_authorization import create_other_school
from tests.test_error_shape import assert_error

ADMIN = "admin@demo.school"
SECURITY = "monitor@demo.school"
DEMO_GROUP = "Demo separation"
DEMO_ZONE = ZoneInfo("America/Chicago")


async def demo_group_id() -> int:
    """Return the id of the demo's blocking group (students 1001 and 1002)."""
    return (await EncounterGroup.get(name=DEMO_GROUP)).id


async def patch(demo: Demo, login: str, path: str, body: object) -> httpx.Response:
    """PATCH as the user."""
    return await demo.client.patch(path, headers=await demo.auth(login), json=body)


async def name_of(login: str) -> str:
    """Return a demo user's full name."""
    return (await User.get(login=login, school__slug="demo")).display_name


async def test_admins_and_security_manage_groups(demo: Demo) -> None:
    members = [await user_id("1010"), await user_id("1011")]
    body = {
        "name": "Lunch line",
        "mode": "alert",
        "member_ids": members,
        "expires_on": "2099-06-01",
        "notes": "Pushing in the lunch line",
    }
    created = await demo.post(ADMIN, "/api/encounters/groups", body)
    assert created.status_code == 201, created.text
    group = created.json()
    assert group["mode"] == "alert"
    assert group["expires_on"] == "2099-06-01"
    assert group["notes"] == "Pushing in the lunch line"
    assert [m["id"] for m in group["members"]] == sorted(members)
    assert group["created_by"] == await user_id(ADMIN)
    path = f"/api/encounters/groups/{group['id']}"
    assert (await demo.get(SECURITY, path)).json() == group
    changed = await patch(
        demo, SECURITY, path, {"mode": "block", "expires_on": None, "member_ids": members[:1] * 2}
    )
    assert_error(changed, 422, ErrorCode.VALIDATION_ERROR)
    assert "member_ids[1]" in changed.text  # the repeat is named
    third = await user_id("1012")
    changed = await patch(
        demo, SECURITY, path, {"mode": "block", "expires_on": None, "member_ids": [*members, third]}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["mode"] == "block"
    assert changed.json()["expires_on"] is None
    assert changed.json()["notes"] == "Pushing in the lunch line"  # not sent: kept
    assert len(changed.json()["members"]) == 3
    listed = await demo.get(ADMIN, "/api/encounters/groups")
    assert {g["name"] for g in listed.json()} == {DEMO_GROUP, "Lunch line"}
    deleted = await demo.client.delete(path, headers=await demo.auth(ADMIN))
    assert deleted.status_code == 204
    assert_error(await demo.get(ADMIN, path), 404, ErrorCode.NOT_FOUND)
    listed = await demo.get(ADMIN, "/api/encounters/groups")
    assert {g["name"] for g in listed.json()} == {DEMO_GROUP}
    # A deleted group no longer holds anyone.
    assert (await demo.request_pass("1010", "Library")).status_code == 201
    assert (await demo.request_pass("1011", "Library")).status_code == 201


async def test_a_prevented_encounter_is_logged_and_the_student_hears_nothing(demo: Demo) -> None:
    out = await demo.request_pass("1001", "Restroom North")
    assert out.status_code == 201, out.text
    refused = await demo.request_pass("1002", "Library")
    assert_error(refused, 409, ErrorCode.BLOCKED)
    assert refused.json()["error"]["message"] == NEUTRAL_BLOCK_MESSAGE
    listed = await demo.get("1002", "/api/passes")
    me = await demo.get("1002", "/api/me")
    group = await EncounterGroup.get(name=DEMO_GROUP)
    other = await name_of("1001")
    for response in (refused, listed, me):
        for secret in (DEMO_GROUP, group.notes, other, "encounter"):
            assert secret.lower() not in response.text.lower(), (secret, response.text)
    log = await demo.get(SECURITY, "/api/encounters/log")
    assert log.status_code == 200, log.text
    [row] = log.json()
    assert row["outcome"] == "prevented"
    assert row["mode"] == "block"
    assert row["group"] == {"id": group.id, "name": DEMO_GROUP}
    assert row["student"]["id"] == await user_id("1002")
    assert [o["id"] for o in row["others"]] == [await user_id("1001")]
    assert row["destination"]["id"] == await location_id("Library")
    assert row["pass_id"] is None  # a request refused never became a pass
    # Refused approval of a pending pass is prevented too, and names the pass.
    await demo.post("1001", f"/api/passes/{out.json()['id']}/end")
    pending = await demo.request_pass("1002", "Nurse")
    assert pending.json()["state"] == "pending", pending.text
    assert (await demo.request_pass("1001", "Library")).status_code == 201
    held = await demo.post("teacher1@demo.school", f"/api/passes/{pending.json()['id']}/approve")
    assert_error(held, 409, ErrorCode.BLOCKED)
    rows = (await demo.get(ADMIN, "/api/encounters/log")).json()
    assert [r["pass_id"] for r in rows] == [pending.json()["id"], None]  # newest first
    assert_error(await demo.get("teacher1@demo.school", "/api/encounters/log"), 403,
                 ErrorCode.FORBIDDEN)  # fmt: skip


async def test_an_alert_group_lets_the_pass_go_and_logs_it(demo: Demo) -> None:
    members = [await user_id("1005"), await user_id("1006")]
    created = await demo.post(
        ADMIN, "/api/encounters/groups", {"name": "Watch", "mode": "alert", "member_ids": members}
    )
    assert created.status_code == 201, created.text
    assert (await demo.request_pass("1005", "Library")).status_code == 201
    went = await demo.request_pass("1006", "Restroom North")
    assert went.status_code == 201, went.text
    assert went.json()["state"] == "active"
    assert "Watch" not in went.text
    group = created.json()["id"]
    [row] = (await demo.get(SECURITY, f"/api/encounters/log?group={group}")).json()
    assert row["outcome"] == "alerted"
    assert row["pass_id"] == went.json()["id"]
    assert [o["id"] for o in row["others"]] == [members[0]]
    other_group = await demo_group_id()
    assert (await demo.get(SECURITY, f"/api/encounters/log?group={other_group}")).json() == []
    later = (datetime.now(DEMO_ZONE) + timedelta(hours=1)).isoformat()
    query = httpx.QueryParams({"since": later})
    assert (await demo.get(SECURITY, f"/api/encounters/log?{query}")).json() == []


async def test_a_group_applies_through_its_last_school_day(demo: Demo) -> None:
    path = f"/api/encounters/groups/{await demo_group_id()}"
    today = datetime.now(DEMO_ZONE).date()
    assert (await demo.request_pass("1001", "Restroom North")).status_code == 201
    assert (await patch(demo, ADMIN, path, {"expires_on": today.isoformat()})).status_code == 200
    assert_error(await demo.request_pass("1002", "Library"), 409, ErrorCode.BLOCKED)
    yesterday = (today - timedelta(days=1)).isoformat()
    assert (await patch(demo, ADMIN, path, {"expires_on": yesterday})).status_code == 200
    assert (await demo.request_pass("1002", "Library")).status_code == 201


@pytest.mark.parametrize(
    ("body", "field"),
    [
        # A teacher is no member: the second id is named.
        ({"name": "G", "member_ids": ["student", "teacher"]}, "member_ids[1]"),
        # Nor another school's student, whatever their id.
        ({"name": "G", "member_ids": ["other", "student"]}, "member_ids[0]"),
        # A repeat is named where it repeats.
        ({"name": "G", "member_ids": ["student", "student"]}, "member_ids[1]"),
        # A last day that is no date.
        ({"name": "G", "member_ids": ["student", "friend"], "expires_on": "soon"}, "expires_on"),
        # A mode that isn't block or alert.
        ({"name": "G", "member_ids": ["student", "friend"], "mode": "warn"}, "mode"),
    ],
)
async def test_validation_names_the_bad_field(demo: Demo, body: dict[str, Any], field: str) -> None:
    other = await create_other_school()
    ids = {
        "student": await user_id("1006"),
        "friend": await user_id("1007"),
        "teacher": await user_id("teacher2@demo.school"),
        "other": other.student_id,
    }
    sent = {**body, "member_ids": [ids[name] for name in body["member_ids"]]}
    response = await demo.post(ADMIN, "/api/encounters/groups", sent)
    assert_error(response, 422, ErrorCode.VALIDATION_ERROR)
    assert [f["field"] for f in response.json()["error"]["details"]["fields"]] == [field]
