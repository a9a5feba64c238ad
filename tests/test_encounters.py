"""Encounter groups through the API: managed by admins and security, logged when they act,
and never seen by a student (DESIGN.md invariants 3 and 5)."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from starlette.applications import Starlette
from starlette.types import Message, Receive, Scope, Send

from server.enums import Role
from server.errors import ErrorCode
from server.models import Delivery, EncounterGroup, EncounterLog, User
from server.rules.decision import SCHOOL_RULE_MESSAGE
from tests.conftest import BASE_URL, Demo, location_id, user_id
from tests.test_authorization import create_other_school, create_staff
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
    held = await demo.request_pass("1002", "Library")
    assert held.status_code == 201, held.text
    assert (held.json()["state"], held.json()["position"]) == ("waiting", 1)
    listed = await demo.get("1002", "/api/passes")
    me = await demo.get("1002", "/api/me")
    places = await demo.get("1002", "/api/locations")
    group = await EncounterGroup.get(name=DEMO_GROUP)
    other = await name_of("1001")
    for response in (held, listed, me, places):
        for secret in (DEMO_GROUP, group.notes, other, "encounter", "blocked"):
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
    assert row["pass_id"] == held.json()["id"]  # the pass the group holds in line
    # Once the other member is back, the line offers the held pass the place, as any line does.
    await demo.post("1001", f"/api/passes/{out.json()['id']}/end")
    offered = (await demo.get("1002", f"/api/passes/{held.json()['id']}")).json()
    assert offered["offer_expires_at"] is not None, offered
    taken = await demo.post("1002", f"/api/passes/{held.json()['id']}/take")
    assert taken.json()["state"] == "active", taken.text
    assert len((await demo.get(ADMIN, "/api/encounters/log")).json()) == 1  # logged once
    # Refused approval of a pending pass is prevented too, and names the pass.
    await demo.post("1002", f"/api/passes/{held.json()['id']}/end")
    pending = await demo.request_pass("1002", "Nurse")
    assert pending.json()["state"] == "pending", pending.text
    assert (await demo.request_pass("1001", "Library")).status_code == 201
    refused = await demo.post("teacher1@demo.school", f"/api/passes/{pending.json()['id']}/approve")
    assert_error(refused, 409, ErrorCode.BLOCKED)
    rows = (await demo.get(ADMIN, "/api/encounters/log")).json()
    assert [r["pass_id"] for r in rows] == [pending.json()["id"], held.json()["id"]]  # newest first
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
    held = await demo.request_pass("1002", "Library")
    assert held.json()["state"] == "waiting", held.text
    await demo.post("1002", f"/api/passes/{held.json()['id']}/cancel")
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


class Answered:
    """The app, recording what a request ran before its answer's last byte was sent.

    The SQL statements (their text: the work done), and how many encounter log rows existed at
    that moment (a row written after the answer can't make it slower).
    """

    def __init__(self, app: Starlette) -> None:
        self.app = app
        self.statements: list[str] = []
        self.logged_when_sent: int | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        statements: list[str] = []
        recorder = _Statements(statements)
        sql = logging.getLogger("tortoise.db_client")
        level = sql.level
        sql.setLevel(logging.DEBUG)
        sql.addHandler(recorder)

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.body" and not message.get("more_body"):
                sql.removeHandler(recorder)
                self.statements = statements
                self.logged_when_sent = await EncounterLog.all().count()
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            sql.removeHandler(recorder)
            sql.setLevel(level)


class _Statements(logging.Handler):
    def __init__(self, into: list[str]) -> None:
        super().__init__()
        self.into = into

    def emit(self, record: logging.LogRecord) -> None:
        args = record.args
        self.into.append(str(args[0]) if isinstance(args, tuple) and args else record.getMessage())


# What differs between any two passes however they were made: their ids and times, and the
# check code drawn from the id.
ITS_OWN = ("id", "requested_at", "version", "check_code")


def answer_of(response: httpx.Response) -> dict[str, Any]:
    """Return what a student's answer says, without what only tells one pass from another."""
    body = response.json()
    return {
        "status": response.status_code,
        "headers": sorted(k for k in response.headers if k not in ("content-length", "date")),
        "body": {k: v for k, v in body.items() if k not in ITS_OWN},
        "same sizes": len(response.content) - sum(len(json.dumps(body[k])) for k in ITS_OWN),
    }


async def student_notices(login: str) -> list[tuple[str, str]]:
    """Return the notices queued for a user: channel and category, oldest first."""
    rows = await Delivery.filter(recipient_id=await user_id(login)).order_by("id")
    return [(row.channel, row.category) for row in rows]


async def test_a_held_back_student_hears_what_full_hallways_say_after_the_same_work(
    app: Starlette, demo: Demo
) -> None:
    """DESIGN.md invariant 5, and issue 13 item 1: the answer, the pass, the notices and the
    work done before the answer are those of an ordinary line (a full hallway), and the log
    row security reads is written only after the answer is sent."""
    watched = Answered(app)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=watched), base_url=BASE_URL
    ) as http:
        student = Demo(http)
        library = {"destination_id": await location_id("Library")}
        for login in ("1001", "1002", "1003"):  # signed in (and warmed up) before recording
            assert (await student.get(login, "/api/passes")).status_code == 200
        seen: dict[str, dict[str, Any]] = {}
        for why, setup in (("hallways full", "1003"), ("encounter group", "1001")):
            full = why == "hallways full"
            await demo.client.patch(
                "/api/school",
                headers=await demo.auth(ADMIN),
                json={"hallway_max": 1 if full else None},
            )
            out = await demo.request_pass(setup, "Restroom North")
            assert out.json()["state"] == "active", out.text
            notices = len(await student_notices("1002"))
            held = await student.post("1002", "/api/passes", library)
            assert held.status_code == 201, held.text
            seen[why] = {
                "answer": answer_of(held),
                "sql": watched.statements,
                "logged when sent": watched.logged_when_sent,
                "notices": (await student_notices("1002"))[notices:],
                "me": (await student.get("1002", "/api/me")).json(),
                "pass": {
                    k: v
                    for k, v in (await student.get("1002", f"/api/passes/{held.json()['id']}"))
                    .json()
                    .items()
                    if k not in ITS_OWN
                },
            }
            assert (
                await student.post("1002", f"/api/passes/{held.json()['id']}/cancel")
            ).is_success
            assert (await demo.post(setup, f"/api/passes/{out.json()['id']}/end")).is_success
    line, group = seen["hallways full"], seen["encounter group"]
    assert line["answer"]["body"]["state"] == "waiting"
    assert group["answer"] == line["answer"]
    assert group["pass"] == line["pass"]
    assert group["notices"] == line["notices"]
    assert group["me"] == line["me"]
    # The same statements, in the same order, before the answer: no query one path skips.
    assert group["sql"] == line["sql"]
    # The log row is the one write the encounter adds, and it comes after the answer.
    assert (line["logged when sent"], group["logged when sent"]) == (0, 0)
    [row] = await EncounterLog.all()
    assert row.student_id == await user_id("1002")


@pytest.mark.parametrize(
    ("login", "destination", "told_the_group"),
    [
        (ADMIN, "Library", True),
        (SECURITY, "Library", True),
        ("teacher1@demo.school", "Library", False),
        ("sub101@demo.school", "Library", False),
        ("nurse@demo.school", "Nurse", False),
        ("counselor@demo.school", "Counselor", False),
    ],
)
async def test_only_staff_who_may_see_groups_are_told_which_one(
    demo: Demo, login: str, destination: str, told_the_group: bool
) -> None:
    """Issue 13 item 2: staff who may not see encounter groups hear that a school rule holds
    the student, and nothing more."""
    await create_staff("sub101@demo.school", Role.SUBSTITUTE, "Sam", "Sub", "Room 101")
    assert (await demo.request_pass("1001", "Restroom North")).status_code == 201
    body = {"destination_id": await location_id(destination), "student_id": await user_id("1002")}
    refused = await demo.post(login, "/api/passes", body)
    assert_error(refused, 409, ErrorCode.BLOCKED)
    message = refused.json()["error"]["message"]
    if told_the_group:
        assert message == f"Encounter group '{DEMO_GROUP}': another member is out of class."
    else:
        assert message == SCHOOL_RULE_MESSAGE
        assert DEMO_GROUP not in refused.text
        assert await name_of("1001") not in refused.text
