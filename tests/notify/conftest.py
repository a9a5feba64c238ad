"""Notification fixtures: the app allows pushes to 127.0.0.1, a push service runs there, and a
delivery worker with short retry intervals is driven by the test (or runs in the background)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette

from server import clock, db
from server.api.app import create_app
from server.config import Settings
from server.models import Delivery, DeliveryAttempt
from server.notify.retry import Policy
from server.notify.worker import DeliveryWorker
from tests.conftest import Demo, cheap_runtime, settings_for
from tests.notify.push_service import Device, PushService, push_service

# Retries in tests: 10 s, 20 s, then 30 s (the cap), at most 4 tries; the clock is moved, not
# waited for.
TEST_POLICY = Policy(base=timedelta(seconds=10), cap=timedelta(seconds=30), max_attempts=4)


@pytest.fixture
def notify_settings(database_url: str, tmp_path: Path) -> Settings:
    """Return settings that let subscriptions name the local push service."""
    return replace(settings_for(database_url, tmp_path), push_hosts=("127.0.0.1",))


@pytest.fixture
async def app(notify_settings: Settings) -> AsyncIterator[Starlette]:
    """Return the app (as tests/conftest.py's) with the notification settings."""
    await db.connect(notify_settings)
    try:
        yield create_app(notify_settings, manage_database=False, runtime=cheap_runtime())
    finally:
        await db.disconnect()
        clock.reset()


@pytest.fixture
async def push() -> AsyncIterator[PushService]:
    """Run a push service on 127.0.0.1."""
    async with push_service() as service:
        yield service


@pytest.fixture
async def worker(notify_settings: Settings, app: Starlette) -> AsyncIterator[DeliveryWorker]:
    """Return a delivery worker the test drives with `run_once` (not started; once started,
    the app's commits wake it)."""
    made = DeliveryWorker(
        notify_settings, policy=TEST_POLICY, on_commit=app.state.hallpass.runtime.after_commit.add
    )
    try:
        yield made
    finally:
        await made.stop()


async def register(demo: Demo, login: str, push: PushService) -> Device:
    """Register a new device of the push service for a user, through the API."""
    device = push.device()
    response = await demo.post(login, "/api/push/subscriptions", device.subscription(push.base_url))
    assert response.status_code == 201, response.text
    return device


async def deliveries(**filters: Any) -> list[Delivery]:
    """Return deliveries in the order they were written."""
    return await Delivery.filter(**filters).order_by("id")


async def attempts(delivery: Delivery) -> list[DeliveryAttempt]:
    """Return a delivery's attempts in order."""
    return await DeliveryAttempt.filter(delivery_id=delivery.id).order_by("id")
