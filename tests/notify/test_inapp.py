"""In-app notifications: a notice reaches its recipient's open `/ws` sockets as a `notification`
frame, through the outbox, the delivery worker and the hub, and reaches nobody else's.

A real server (the hub) in this event loop, requests through the app in process, and a
delivery worker running in the background as in production.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import jsonschema  # type: ignore[import-untyped]  # no stubs in the test extra
import pytest
from starlette.applications import Starlette
from websockets.asyncio.client import ClientConnection

from server.api.app import inapp_publisher
from server.clock import utcnow
from server.config import Settings
from server.contract.frames import notification_frame
from server.hub.broker import BrokerNotice, BrokerUnavailable
from server.hub.export import build_schema
from server.hub.hub import Hub
from server.hub.memory import MemoryBroker
from server.models import Delivery, School, User
from server.notify.worker import DeliveryWorker
from tests.conftest import Demo, cheap_runtime, user_id
from tests.hub.test_ws import drain, hello, live, recv  # noqa: F401 (live is a fixture)
from tests.notify.conftest import TEST_POLICY, attempts
from tests.test_authorization import create_other_school

NURSE = "nurse@demo.school"
TEACHER = "teacher1@demo.school"
OTHER_TEACHER = "teacher2@demo.school"
SECURITY = "monitor@demo.school"
ADMIN = "admin@demo.school"
SCHEMA = build_schema()
SERVER_FRAME = jsonschema.Draft202012Validator(
    {"$defs": SCHEMA["$defs"], "$ref": "#/$defs/ServerFrame"}
)


@dataclass(frozen=True)
class Server:
    """The live server's `/ws` URL and its hub."""

    url: str
    hub: Hub


@pytest.fixture
async def server(
    live: str,  # noqa: F811 (the fixture imported above)
    app: Starlette,
    notify_settings: Settings,
) -> AsyncIterator[Server]:
    """Serve the app on a real port, and run the delivery worker as `hallpass serve` does:
    publishing in-app rows to the hub."""
    url = live
    hub: Hub = app.state.hub
    worker = DeliveryWorker(
        notify_settings, inapp=inapp_publisher(hub), on_commit=hub.runtime.after_commit.add
    )
    await worker.start()
    try:
        yield Server(url, hub)
    finally:
        await worker.stop()


async def connect(url: str, demo: Demo, login: str) -> ClientConnection:
    """Open a socket as the user and read its snapshot."""
    ws, first = await hello(url, await demo.token(login))
    assert first["type"] == "snapshot", first
    return ws


async def next_notification(ws: ClientConnection, within: float = 2.0) -> dict[str, Any]:
    """Return the next notification frame, skipping event frames."""
    async with asyncio.timeout(within):
        while True:
            frame = await recv(ws, within)
            if frame["type"] == "notification":
                return frame


async def notifications(ws: ClientConnection, quiet: float = 0.5) -> list[dict[str, Any]]:
    """Return the notification frames that arrive until the socket is quiet."""
    return [f for f in await drain(ws, quiet) if f["type"] == "notification"]


async def test_the_nurse_sees_a_students_nurse_request_within_a_second(
    server: Server, demo: Demo
) -> None:
    nurse = await connect(server.url, demo, NURSE)
    async with nurse:
        began = time.monotonic()
        made = await demo.request_pass("1003", "Nurse")
        assert made.status_code == 201, made.text
        frame = await next_notification(nurse, within=1.0)
        took = time.monotonic() - began
        print(f"the nurse's toast arrived {1000 * took:.0f} ms after the request was sent")
        assert took < 1.0
        SERVER_FRAME.validate(frame)
        student = await User.get(login="1003", school__slug="demo")
        [delivery] = await Delivery.filter(channel="inapp", recipient__login=NURSE)
        assert frame == {
            "type": "notification",
            "id": delivery.id,
            "category": "nurse",
            "title": f"Nurse: {student.first_name} {student.last_name}",
            "body": "Asked to come from Room 101; waiting for the teacher's approval.",
            "pass_id": made.json()["id"],
            "url": f"/passes/{made.json()['id']}",
            "tag": f"p{made.json()['id']}",
            "urgency": "normal",
            "at": frame["at"],
        }
        assert await notifications(nurse) == []  # one frame per notice, never two
        await delivery.refresh_from_db()
        assert (delivery.state, delivery.attempts) == ("sent", 1)  # published once


async def test_a_notice_reaches_only_its_recipients_sockets_in_its_school(
    server: Server, demo: Demo
) -> None:
    await create_other_school()
    nurse_tabs = [await connect(server.url, demo, NURSE) for _ in range(2)]
    teacher = await connect(server.url, demo, TEACHER)
    bystanders = {
        login: await connect(server.url, demo, login)
        for login in (OTHER_TEACHER, ADMIN, SECURITY, "1003", "1004", "admin@second.school")
    }
    try:
        assert (await demo.request_pass("1003", "Nurse")).status_code == 201
        # Each of the nurse's tabs shows the nurse's toast; the origin teacher gets the request.
        for tab in nurse_tabs:
            assert [f["category"] for f in await notifications(tab)] == ["nurse"]
        assert [f["category"] for f in await notifications(teacher)] == ["room_request"]
        # Nobody else: not another teacher, an admin, security, the student, another school.
        for login, ws in bystanders.items():
            assert await notifications(ws, quiet=0.1) == [], login
    finally:
        for ws in (*nurse_tabs, teacher, *bystanders.values()):
            await ws.close()


async def test_a_muted_category_is_not_shown_in_app_either(server: Server, demo: Demo) -> None:
    muted = await demo.client.put(
        "/api/me/notifications", json={"muted": ["room_request"]}, headers=await demo.auth(TEACHER)
    )
    assert muted.status_code == 200
    teacher = await connect(server.url, demo, TEACHER)
    nurse = await connect(server.url, demo, NURSE)
    async with teacher, nurse:
        assert (await demo.request_pass("1003", "Nurse")).status_code == 201
        assert (await next_notification(nurse))["category"] == "nurse"
        frames = await drain(teacher)
        assert [f["type"] for f in frames] == ["event"]  # the pass, but no toast
        assert not await Delivery.filter(recipient__login=TEACHER).exists()


async def test_a_prevented_encounter_reaches_security_and_not_the_student(
    server: Server, demo: Demo
) -> None:
    security = await connect(server.url, demo, SECURITY)
    held_student = await connect(server.url, demo, "1002")
    async with security, held_student:
        assert (await demo.request_pass("1001", "Restroom North")).status_code == 201
        held = await demo.request_pass("1002", "Restroom South")  # a blocking group's member
        # Held in line as for full hallways: nothing the student sees names the group.
        assert (held.status_code, held.json()["state"]) == (201, "waiting")
        frame = await next_notification(security)
        SERVER_FRAME.validate(frame)
        held_id = held.json()["id"]
        assert (frame["category"], frame["urgency"], frame["pass_id"]) == (
            "encounter",
            "high",
            held_id,  # security opens the held pass
        )
        assert frame["title"].startswith("Encounter prevented: ")
        assert frame["tag"] == f"s{held_id}"
        assert await notifications(held_student) == []


async def test_a_socket_gets_only_what_its_role_may_be_told(server: Server, demo: Demo) -> None:
    # Routing never addresses a security notice to a student; should one be published anyway
    # (a role changed since it was routed), the hub still keeps it from the student's screen.
    student = await connect(server.url, demo, "1003")
    async with student:
        school_id = (await User.get(login="1003", school__slug="demo")).school_id
        uid = await user_id("1003")
        for category in ("encounter", "pass_update"):
            payload = {"title": "t", "body": "b", "category": category, "pass_id": None}
            frame = notification_frame(
                1, {**payload, "url": "/", "tag": "x"}, "high", "2026-11-30T22:00:00Z"
            )
            await server.hub.notify(BrokerNotice(school_id, uid, category, frame))
        assert [f["category"] for f in await notifications(student)] == ["pass_update"]


async def test_a_notification_is_not_replayed_on_resume(server: Server, demo: Demo) -> None:
    token = await demo.token(NURSE)
    nurse, first = await hello(server.url, token)
    async with nurse:
        made = await demo.request_pass("1003", "Nurse")
        assert (await next_notification(nurse))["pass_id"] == made.json()["id"]
    # A resume replays the pass's event; the toast was news then and is not sent again.
    again, replayed = await hello(server.url, token, since=first["seq"], epoch=first["epoch"])
    async with again:
        frames = [replayed, *await drain(again)]
        assert [f["type"] for f in frames] == ["event", "ready"]


def test_the_frame_is_the_push_payload_plus_what_a_toast_needs() -> None:
    payload = {
        "title": "Nurse: Ana Núñez",
        "body": "On the way.",
        "category": "nurse",
        "pass_id": 7,
        "url": "/passes/7",
        "tag": "p7",
    }
    body = json.loads(notification_frame(12, payload, "normal", "2026-11-30T22:00:00Z"))
    SERVER_FRAME.validate(body)
    assert body == {
        **payload,
        "type": "notification",
        "id": 12,
        "urgency": "normal",
        "at": "2026-11-30T22:00:00Z",
    }


class LostBroker(MemoryBroker):
    """A broker whose transport is down: every notice fails as Redis's would."""

    async def publish_notice(self, notice: BrokerNotice) -> None:
        raise BrokerUnavailable("Redis did not answer")


async def test_an_inapp_row_the_broker_cannot_carry_is_retried(
    demo: Demo, notify_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    school = await School.get(slug="demo")
    nurse = await user_id(NURSE)
    now = utcnow()
    row = await Delivery.create(
        school_id=school.id,
        key="test:inapp",
        channel="inapp",
        category="nurse",
        urgency="normal",
        recipient_id=nurse,
        payload={
            "title": "Nurse: Ana",
            "body": "On the way.",
            "category": "nurse",
            "pass_id": None,
            "url": "/",
            "tag": "p0",
        },
        due_at=now,
        created_at=now,
    )
    # The app's publisher turns the broker's error into the worker's "not published".
    worker = DeliveryWorker(
        notify_settings,
        policy=TEST_POLICY,
        inapp=inapp_publisher(Hub(LostBroker(), cheap_runtime())),
    )
    assert await worker.run_once() == 1
    row = await Delivery.get(id=row.id)
    assert (row.state, row.attempts) == ("pending", 1)  # retried like a 5xx
    assert row.due_at > now
    assert [a.error for a in await attempts(row)] == ["BrokerUnavailable: Redis did not answer"]
    # An expected outage, not a bug: no traceback (the broker logs its outage once).
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
