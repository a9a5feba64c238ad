"""Issue 7's acceptance test, end to end: a real server (hub, broker, delivery worker), real
`/ws` clients and a strict push service that decrypts every push.

Demo High School's 30 students, 6 out of class. A lockdown starts: within a second every
connected staff screen has the emergency with the roster of 6, and every registered staff
device gets a high-urgency push; new requests are refused; students report, teachers mark, the
counter reaches 6 of 6 on every screen; the admin ends it; the record is complete.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import jsonschema  # type: ignore[import-untyped]  # no stubs in the test extra
from websockets.asyncio.client import ClientConnection

from server.enums import Role
from server.hub.broker import EMERGENCY, BrokerNotice
from server.hub.export import build_schema
from server.models import Emergency, EmergencyReport, Pass, User
from server.notify.payload import KEYS
from tests.conftest import Demo, location_id, user_id
from tests.hub.test_ws import drain, hello, live, recv  # noqa: F401 (live is a fixture)
from tests.notify.conftest import register
from tests.notify.push_service import PushService
from tests.notify.test_inapp import Server, server  # noqa: F401 (server is a fixture)
from tests.test_authorization import create_other_school, create_staff

SCHEMA = build_schema()
SERVER_FRAME = jsonschema.Draft202012Validator(
    {"$defs": SCHEMA["$defs"], "$ref": "#/$defs/ServerFrame"}
)
ADMIN = "admin@demo.school"
SECURITY = "monitor@demo.school"
TEACHER1 = "teacher1@demo.school"
TEACHER2 = "teacher2@demo.school"
STAFF = [ADMIN, SECURITY, TEACHER1, TEACHER2, "nurse@demo.school", "counselor@demo.school"]
KIOSK = "kiosk101@demo.school"
OTHER_SCHOOL = ["admin@second.school", "teacher@second.school", "2001"]
# Six students out of class, from both rooms, to four places (two check in on arrival).
OUT = {
    "1003": "Restroom North",
    "1016": "Restroom North",
    "1004": "Library",
    "1017": "Library",
    "1005": "Restroom South",
    "1018": "Main Office",
}


async def next_emergency(ws: ClientConnection, within: float = 2.0) -> dict[str, Any]:
    """Return the next `emergency` frame, skipping other frames (pass events, toasts)."""
    async with asyncio.timeout(within):
        while True:
            frame = await recv(ws, within)
            if frame["type"] == "emergency":
                SERVER_FRAME.validate(frame)
                return frame


async def latest_emergency(ws: ClientConnection) -> dict[str, Any]:
    """Return the newest `emergency` frame that arrives until the socket is quiet."""
    frames = [f for f in await drain(ws, 0.3) if f["type"] == "emergency"]
    assert frames
    for frame in frames:
        SERVER_FRAME.validate(frame)
    revisions = [f["emergency"]["revision"] for f in frames]
    assert revisions == sorted(revisions)  # never an older state after a newer one
    return frames[-1]


async def connect(url: str, demo: Demo, login: str) -> ClientConnection:
    """Open a socket as the user and read its snapshot."""
    ws, first = await hello(url, await demo.token(login))
    assert first["type"] == "snapshot", first
    return ws


async def test_a_lockdown_reaches_every_staff_screen_and_device_and_is_accounted_for(
    server: Server,  # noqa: F811 (the fixture imported above)
    demo: Demo,
    push: PushService,
) -> None:
    await create_staff(KIOSK, Role.KIOSK, "Door", "101", "Room 101")
    assert await User.filter(role=Role.STUDENT, school__slug="demo").count() == 30
    passes: dict[str, int] = {}
    for student, place in OUT.items():
        made = await demo.request_pass(student, place)
        assert made.status_code == 201, made.text
        assert made.json()["state"] == "active"
        passes[student] = made.json()["id"]
    for student in ("1004", "1017"):  # checked in at the library
        arrived = await demo.post(SECURITY, f"/api/passes/{passes[student]}/arrive")
        assert arrived.status_code == 200
    devices = {login: await register(demo, login, push) for login in STAFF}
    screens = {login: await connect(server.url, demo, login) for login in STAFF}
    student_out = await connect(server.url, demo, "1003")
    student_in = await connect(server.url, demo, "1010")
    kiosk = await connect(server.url, demo, KIOSK)
    try:
        # A lockdown starts.
        began = time.monotonic()
        started = await demo.post(SECURITY, "/api/emergency", {"kind": "lockdown"})
        assert started.status_code == 201, started.text
        emergency_id = started.json()["emergency"]["id"]
        # Within one second every staff screen has it, with the roster of 6.
        for login, ws in screens.items():
            frame = await next_emergency(ws, within=1.0)
            assert time.monotonic() - began < 1.0, login
            assert frame["active"] is True
            state = frame["emergency"]
            assert (state["audience"], state["id"], state["kind"]) == (
                "staff",
                emergency_id,
                "lockdown",
            )
            assert len(state["roster"]) == 6
            assert state["counts"] == {"total": 6, "accounted": 0, "missing": 6, "need_help": 0}
        print(f"every staff screen had the lockdown {1000 * (time.monotonic() - began):.0f} ms in")
        # Students see theirs only; a kiosk that one is on and its kind.
        own = (await next_emergency(student_out))["emergency"]
        assert own["audience"] == "student"
        assert own["you"]["student"]["id"] == await user_id("1003")
        assert (await next_emergency(student_in))["emergency"]["you"] is None
        at_door = (await next_emergency(kiosk))["emergency"]
        assert at_door == {
            "audience": "kiosk",
            "id": emergency_id,
            "kind": "lockdown",
            "drill": False,
            "active": True,
            "started_at": at_door["started_at"],
            "ended_at": None,
            "revision": 1,
        }
        # Every registered staff device gets a push, decrypted here: high urgency, long TTL.
        received = await push.wait_for(len(STAFF), within=5.0)
        assert {r.token for r in received} == {d.token for d in devices.values()}
        for push_ in received:
            assert set(push_.payload) == set(KEYS)
            assert push_.payload == {
                "title": "LOCKDOWN",
                "body": "Lock your door and keep everyone in. "
                "6 students out of class: account for them in the app.",
                "category": "emergency",
                "pass_id": None,
                "url": "/emergency",
                "tag": f"s-e{emergency_id}",
            }
            assert push_.headers["urgency"] == "high"
            assert push_.headers["ttl"] == str(4 * 3600)
        # New requests are refused.
        refused = await demo.request_pass("1010", "Restroom South")
        assert (refused.status_code, refused.json()["error"]["code"]) == (409, "passes_disabled")
        # Three students report they are safe; teachers mark the other three present.
        for student in ("1003", "1004", "1005"):
            said = await demo.post(student, "/api/emergency/report", {"status": "safe"})
            assert said.status_code == 200, said.text
        room_102 = await location_id("Room 102")
        for student in ("1016", "1017", "1018"):
            marked = await demo.post(
                TEACHER2,
                f"/api/emergency/roster/{await user_id(student)}/present",
                {"location_id": room_102},
            )
            assert marked.status_code == 200, marked.text
        for login, ws in screens.items():
            state = (await latest_emergency(ws))["emergency"]
            assert state["counts"] == {"total": 6, "accounted": 6, "missing": 0, "need_help": 0}
            assert state["revision"] == 7, login
        own = (await latest_emergency(student_out))["emergency"]
        assert own["you"]["status"] == "safe"
        assert "roster" not in own
        # A screen that connects now gets the emergency right after its snapshot.
        ws, first = await hello(server.url, await demo.token(TEACHER1))
        async with ws:
            assert first["type"] == "snapshot"
            late = await recv(ws)
            assert late["type"] == "emergency"
            assert late["emergency"]["counts"]["accounted"] == 6
        # The admin ends it: every screen is told, with the final record.
        ended = await demo.client.delete("/api/emergency", headers=await demo.auth(ADMIN))
        assert ended.status_code == 200, ended.text
        for login, ws in screens.items():
            frame = await next_emergency(ws)
            assert frame["active"] is False, login
            assert frame["emergency"]["ended_by"]["id"] == await user_id(ADMIN)
        assert (await next_emergency(kiosk))["active"] is False
        all_clear = await push.wait_for(2 * len(STAFF), within=5.0)
        assert {r.payload["title"] for r in all_clear[len(STAFF) :]} == {
            "All clear: lockdown ended"
        }
    finally:
        for ws in (*screens.values(), student_out, student_in, kiosk):
            await ws.close()
    # The record is complete: the passes ended by the emergency, every report attributed.
    emergency = await Emergency.get(id=emergency_id)
    assert emergency.ended_at is not None
    for student, pass_id in passes.items():
        hall_pass = await Pass.get(id=pass_id)
        assert (hall_pass.state, hall_pass.ended_by) == ("ended", "emergency"), student
    reports = await EmergencyReport.filter(emergency_id=emergency_id).prefetch_related("by")
    assert len(reports) == 6
    by = {r.by.login for r in reports if r.by is not None}
    assert by == {"1003", "1004", "1005", TEACHER2}
    assert all(r.at >= emergency.started_at for r in reports)
    record = (await demo.get(ADMIN, f"/api/emergencies/{emergency_id}")).json()
    assert record["counts"] == {"total": 6, "accounted": 6, "missing": 0, "need_help": 0}
    assert record["active"] is False


async def test_a_stale_or_repeated_emergency_state_is_never_sent_after_a_newer_one(
    server: Server,  # noqa: F811 (the fixture imported above)
    demo: Demo,
) -> None:
    await demo.request_pass("1003", "Restroom North")
    ws = await connect(server.url, demo, TEACHER1)
    async with ws:
        started = await demo.post(SECURITY, "/api/emergency", {"kind": "evacuation"})
        assert started.status_code == 201
        first = await next_emergency(ws)
        school_id = (await User.get(login=TEACHER1)).school_id
        older = json.dumps({**first["emergency"], "revision": 0})
        repeat = json.dumps(first["emergency"])
        for text in (older, repeat):
            await server.hub.notify(BrokerNotice(school_id, 0, "emergency", text, kind=EMERGENCY))
        said = await demo.post("1003", "/api/emergency/report", {"status": "need_help"})
        assert said.status_code == 200
        frames = [f for f in await drain(ws, 0.3) if f["type"] == "emergency"]
        assert [f["emergency"]["revision"] for f in frames] == [2]
        assert frames[0]["emergency"]["counts"]["need_help"] == 1


async def test_a_start_and_an_end_whose_notice_was_lost_still_reach_the_screens(
    server: Server,  # noqa: F811 (the fixture imported above)
    demo: Demo,
) -> None:
    # As if Redis dropped the notices: the hub announces nothing, and the feed's one-second
    # poll of the school row finds the start and the end in the database.
    server.hub._unhook_emergency()
    server.hub._unhook_emergency = lambda: None  # unhooked once; the hub's stop must not again
    await demo.request_pass("1003", "Restroom North")
    ws = await connect(server.url, demo, SECURITY)
    async with ws:
        started = await demo.post(SECURITY, "/api/emergency", {"kind": "shelter"})
        assert started.status_code == 201
        frame = await next_emergency(ws, within=2.5)
        assert (frame["active"], frame["emergency"]["kind"]) == (True, "shelter")
        ended = await demo.client.delete("/api/emergency", headers=await demo.auth(ADMIN))
        assert ended.status_code == 200
        frame = await next_emergency(ws, within=2.5)
        assert frame["active"] is False
        assert frame["emergency"]["ended_at"] is not None


async def test_another_schools_screens_never_see_this_schools_emergency(
    server: Server,  # noqa: F811 (the fixture imported above)
    demo: Demo,
) -> None:
    await create_other_school()
    theirs = {login: await connect(server.url, demo, login) for login in OTHER_SCHOOL}
    ours = await connect(server.url, demo, TEACHER1)
    try:
        started = await demo.post(SECURITY, "/api/emergency", {"kind": "lockdown"})
        assert started.status_code == 201
        assert (await next_emergency(ours))["active"] is True
        for login, ws in theirs.items():
            assert [f for f in await drain(ws, 0.3) if f["type"] == "emergency"] == [], login
    finally:
        for ws in (*theirs.values(), ours):
            await ws.close()
