"""Email through a real SMTP server (aiosmtpd), signed webhooks to a receiver that verifies them
the way docs/api.md tells schools to, and the safety notices that reach security by push.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

import pytest
from aiohttp import web
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from server import clock
from server.config import Settings, SmtpSettings
from server.models import Delivery, User
from server.notify.worker import DeliveryWorker
from tests.conftest import Demo, user_id
from tests.notify.conftest import TEST_POLICY, attempts, deliveries, register
from tests.notify.push_service import PushService, serving
from tests.servers import free_port

ADMIN = "admin@demo.school"
NURSE = "nurse@demo.school"
SECURITY = "monitor@demo.school"


@dataclass
class Mailbox:
    """What the SMTP server received, and the replies it is scripted to give first."""

    messages: list[Envelope] = field(default_factory=list)
    replies: list[str] = field(default_factory=list)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        """Accept the message, or answer the next scripted reply."""
        if self.replies:
            return self.replies.pop(0)
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    """Run an SMTP server on 127.0.0.1."""
    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


async def put_settings(demo: Demo, body: dict[str, Any]) -> None:
    """Replace the school's notification settings as its admin."""
    response = await demo.client.put(
        "/api/notifications/settings", json=body, headers=await demo.auth(ADMIN)
    )
    assert response.status_code == 200, response.text


async def test_an_emailed_category_reaches_the_smtp_server(
    demo: Demo, notify_settings: Settings, mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    smtp = SmtpSettings("127.0.0.1", port, "hallpass@demo.school", starttls=False)
    worker = DeliveryWorker(replace(notify_settings, smtp=smtp), policy=TEST_POLICY)
    await put_settings(demo, {"email_categories": ["nurse"]})
    response = await demo.request_pass("1003", "Nurse")
    pass_id = response.json()["id"]
    assert await worker.run_once() == 1  # the nurse's email; the teacher's request is not emailed
    [message] = box.messages
    assert message.rcpt_tos == [NURSE]
    assert message.mail_from == "hallpass@demo.school"
    text = message.content.decode() if isinstance(message.content, bytes) else str(message.content)
    student = await User.get(login="1003", school__slug="demo")
    assert f"Subject: Nurse: {student.first_name} {student.last_name}" in text
    assert f"Open Hallpass: /passes/{pass_id}" in text
    [delivery] = await deliveries(channel="email")
    assert (delivery.state, [a.status for a in await attempts(delivery)]) == ("sent", [250])
    await worker.stop()


@pytest.mark.parametrize(
    ("reply", "state", "statuses"),
    [
        ("451 4.3.0 try again later", "sent", [451, 250]),  # transient: retried
        ("550 5.1.1 no such mailbox", "failed", [550]),  # permanent: given up
    ],
)
async def test_smtp_refusals_retry_or_give_up(
    demo: Demo,
    notify_settings: Settings,
    mailbox: tuple[Mailbox, int],
    reply: str,
    state: str,
    statuses: list[int],
) -> None:
    box, port = mailbox
    box.replies.append(reply)
    smtp = SmtpSettings("127.0.0.1", port, starttls=False)
    worker = DeliveryWorker(replace(notify_settings, smtp=smtp), policy=TEST_POLICY)
    await put_settings(demo, {"email_categories": ["nurse"]})
    await demo.request_pass("1003", "Nurse")
    assert await worker.run_once() == 1
    clock.advance(timedelta(seconds=11))
    await worker.run_once()
    [delivery] = await deliveries(channel="email")
    assert delivery.state == state
    assert [a.status for a in await attempts(delivery)] == statuses
    await worker.stop()


@dataclass
class Receiver:
    """A school's messaging system: verifies each request's signature as docs/api.md says."""

    secret: str
    port: int = 0
    accepted: list[dict[str, Any]] = field(default_factory=list)
    rejected: int = 0

    def verify(self, header: str, body: bytes) -> bool:
        """Check `t=<unix>,v1=<hex>`: HMAC-SHA256 of "<t>.<body>", at most 5 minutes old."""
        parts = dict(item.split("=", 1) for item in header.split(","))
        expected = hmac.new(
            self.secret.encode(), parts["t"].encode() + b"." + body, hashlib.sha256
        ).hexdigest()
        fresh = abs(time.time() - int(parts["t"])) <= 300
        return fresh and hmac.compare_digest(expected, parts.get("v1", ""))

    async def handle(self, request: web.Request) -> web.Response:
        """Accept a well-signed request, refuse any other with 401."""
        body = await request.read()
        if not self.verify(request.headers.get("X-Hallpass-Signature", "t=0"), body):
            self.rejected += 1
            return web.Response(status=401)
        self.accepted.append(json.loads(body))
        return web.Response(status=204)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    """Run a webhook receiver on 127.0.0.1 that knows the secret "correct horse battery"."""
    made = Receiver("correct horse battery")
    async with serving("/hook", made.handle) as port:
        made.port = port
        yield made


async def test_webhooks_are_signed_and_a_bad_signature_is_refused(
    demo: Demo, worker: DeliveryWorker, receiver: Receiver
) -> None:
    url = f"http://127.0.0.1:{receiver.port}/hook"
    good = {"url": url, "secret": receiver.secret}
    wrong = {"url": url + "?wrong", "secret": "not the receiver's secret"}
    await put_settings(demo, {"webhooks": [good, wrong]})
    response = await demo.request_pass("1003", "Nurse")
    pass_id = response.json()["id"]
    assert await worker.run_once() == 2
    [body] = receiver.accepted
    assert receiver.rejected == 1
    assert body["type"] == "hallpass.notifications"
    assert (body["event"], body["pass_id"]) == ("pass.created", pass_id)
    told = {(n["user_id"], n["role"], n["category"]) for n in body["notifications"]}
    assert told == {
        (await user_id("teacher1@demo.school"), "teacher", "room_request"),
        (await user_id(NURSE), "nurse", "nurse"),
    }
    by_url = {d.address: d for d in await deliveries(channel="webhook")}
    assert by_url[url].state == "sent"
    # A 401 is the receiver's word: retrying the same request can't change it.
    assert by_url[url + "?wrong"].state == "failed"
    assert [a.status for a in await attempts(by_url[url + "?wrong"])] == [401]


async def test_a_prevented_encounter_is_an_urgent_push_to_security(
    demo: Demo, push: PushService, worker: DeliveryWorker
) -> None:
    device = await register(demo, SECURITY, push)
    out = await demo.request_pass("1001", "Restroom North")
    assert out.status_code == 201
    held = await demo.request_pass("1002", "Restroom South")  # a blocking group's member
    assert held.json()["state"] == "waiting", held.text
    await worker.run_once()
    [received] = push.to(device)
    student = await User.get(login="1002", school__slug="demo")
    assert (
        received.payload["title"]
        == f"Encounter prevented: {student.first_name} {student.last_name[0]}."
    )
    assert received.payload["category"] == "encounter"
    assert received.headers["urgency"] == "high"
    assert "held in line" in received.payload["body"]
    assert received.headers["topic"] == f"s{held.json()['id']}"  # the held pass's notices
    assert received.headers["ttl"] == str(4 * 3600)
    [delivery] = await Delivery.filter(channel="push")
    assert (delivery.event_seq, delivery.state) == (None, "sent")


async def test_a_flagged_students_pass_out_and_back_reaches_security(
    demo: Demo, push: PushService, worker: DeliveryWorker
) -> None:
    device = await register(demo, SECURITY, push)
    await put_settings(demo, {"flagged_student_ids": [await user_id("1005")]})
    out = await demo.request_pass("1005", "Library")
    assert out.status_code == 201
    back = await demo.post("1005", f"/api/passes/{out.json()['id']}/end")
    assert back.status_code == 200
    assert (await demo.request_pass("1006", "Library")).status_code == 201  # not flagged
    assert await worker.run_once() == 2
    titles = [r.payload["title"].split(":")[0] for r in push.to(device)]
    assert sorted(titles) == ["Flagged student back", "Flagged student out"]
