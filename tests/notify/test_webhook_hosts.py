"""HALLPASS_WEBHOOK_HOSTS: an operator names the hosts a school's webhooks may call.

The server POSTs every event to a school's webhooks, so without a list an admin (or a fuzzer
signed in as one) could point it at any host. With the list set, a webhook elsewhere is refused
when saved, and one saved before the list narrowed is never called.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from server.config import Settings, host_list
from server.errors import ErrorCode
from server.models import School
from server.notify.school_settings import KEY, Stored, Webhook
from server.notify.worker import DeliveryWorker
from tests.conftest import Demo, settings_for
from tests.notify.conftest import deliveries
from tests.notify.test_api import field_of
from tests.notify.test_channels import Receiver, put_settings, receiver
from tests.test_error_shape import assert_error

__all__ = ["receiver"]  # the fixture, used by name

ADMIN = "admin@demo.school"


@pytest.fixture
def notify_settings(database_url: str, tmp_path: Path) -> Settings:
    """Return settings whose webhooks may call 127.0.0.1 only (and push the local service)."""
    return replace(
        settings_for(database_url, tmp_path),
        push_hosts=("127.0.0.1",),
        webhook_hosts=host_list(" 127.0.0.1 ,,"),
    )


def test_the_host_list_is_read_lower_cased_without_blanks() -> None:
    assert host_list("Hooks.Example.org, 127.0.0.1,, ") == ("hooks.example.org", "127.0.0.1")
    assert host_list("") == ()


@pytest.mark.parametrize(
    "url",
    [
        "https://sms.example.org/hallpass",
        "http://localhost/hook",  # the same machine by another name is another host
        "http://127.0.0.2/hook",
    ],
)
async def test_a_webhook_to_another_host_is_refused_and_changes_nothing(
    demo: Demo, url: str
) -> None:
    before = (await School.get(slug="demo")).settings
    response = await demo.client.put(
        "/api/notifications/settings",
        json={"webhooks": [{"url": url, "secret": "s" * 24}]},
        headers=await demo.auth(ADMIN),
    )
    assert_error(response, 422, ErrorCode.VALIDATION_ERROR)
    assert field_of(response) == "webhooks[0].url"
    assert (await School.get(slug="demo")).settings == before


async def test_a_webhook_to_a_listed_host_is_called(
    demo: Demo, worker: DeliveryWorker, receiver: Receiver
) -> None:
    url = f"http://127.0.0.1:{receiver.port}/hook"
    await put_settings(demo, {"webhooks": [{"url": url, "secret": receiver.secret}]})
    assert (await demo.request_pass("1003", "Nurse")).status_code == 201
    assert await worker.run_once() == 1
    assert len(receiver.accepted) == 1


async def test_a_webhook_saved_before_the_list_narrowed_is_never_called(
    demo: Demo, worker: DeliveryWorker, receiver: Receiver
) -> None:
    # Saved when any host was allowed; "localhost" reaches the receiver if it is ever called.
    url = f"http://localhost:{receiver.port}/hook"
    school = await School.get(slug="demo")
    stored = Stored(webhooks=(Webhook(url, receiver.secret),))
    await School.filter(id=school.id).update(settings={**school.settings, KEY: stored.as_json()})
    assert (await demo.request_pass("1003", "Nurse")).status_code == 201
    await worker.run_once()
    assert receiver.accepted == []
    assert receiver.rejected == 0
    [delivery] = await deliveries(channel="webhook")
    assert delivery.state == "failed"
