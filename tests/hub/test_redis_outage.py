"""A Redis outage is two lines in the log: lost once and back once, however long it lasts.

A 5 s outage under load logged 545 WARNING lines: one per event published, one per retry of
the stream reader, one per school subscribed meanwhile (issue 13, item 18). Here a real
redis-server of the test's own is stopped while passes change, and started again.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from server import db
from server.api.app import create_app
from server.hub.broker import BrokerEvent
from server.hub.hub import Hub
from server.hub.redis_streams import RedisStreamsBroker
from server.models import School
from tests.conftest import BASE_URL, Demo, cheap_runtime, location_id, settings_for
from tests.hub.conftest import TEST_BLOCK_MS, TEST_RECONNECT
from tests.hub.test_cluster import RedisServer, own_redis

__all__ = ["own_redis"]  # the fixture, used by name

pytestmark = pytest.mark.redis

STUDENTS = [str(n) for n in range(1003, 1016)]
OUTAGE_SECONDS = 3.0


@pytest.fixture
async def redis_app(
    database_url: str, tmp_path: Path, own_redis: RedisServer
) -> AsyncIterator[Starlette]:
    """Return the app on the demo database with its hub on the test's own Redis, started."""
    settings = dataclasses.replace(settings_for(database_url, tmp_path), redis_url=own_redis.url)
    app = create_app(settings, manage_database=False, runtime=cheap_runtime())
    hub: Hub = app.state.hub
    assert isinstance(hub.broker, RedisStreamsBroker)
    # Production timings but quicker retries, so that a 3 s outage has many of them.
    hub.broker.block_ms = TEST_BLOCK_MS
    hub.broker.reconnect = TEST_RECONNECT
    await db.connect(settings)
    try:
        async with app.router.lifespan_context(app):
            yield app
    finally:
        await db.disconnect()


def outage_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """Return what the hub and its broker logged at INFO and above."""
    return [
        r for r in caplog.records if r.name.startswith("hallpass.hub") and r.levelno >= logging.INFO
    ]


async def test_a_redis_outage_is_logged_once_lost_and_once_back(
    redis_app: Starlette, own_redis: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    transport = httpx.ASGITransport(app=redis_app)
    broker: RedisStreamsBroker = redis_app.state.hub.broker
    school = await School.get(slug="demo")
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        demo = Demo(client)
        library = await location_id("Library")
        for login in STUDENTS:
            await demo.token(login)
        async with broker.subscribe(school.id) as events:
            caplog.clear()
            own_redis.kill()
            # Passes change all through the outage (each commit is published, and fails),
            # the stream reader retries, and other schools' feeds subscribe meanwhile.
            loop = asyncio.get_running_loop()
            deadline = loop.time() + OUTAGE_SECONDS
            rounds = 0
            while loop.time() < deadline:
                for login in STUDENTS:
                    made = await demo.post(login, "/api/passes", {"destination_id": library})
                    assert made.status_code == 201, made.text
                    ended = await demo.post(login, f"/api/passes/{made.json()['id']}/end")
                    assert ended.status_code == 200, ended.text
                async with broker.subscribe(1000 + rounds):
                    pass
                rounds += 1
            assert rounds >= 2
            await asyncio.to_thread(own_redis.start)
            # Back: a change made now reaches the subscriber through Redis.
            async with asyncio.timeout(10):
                while True:
                    made = await demo.post(STUDENTS[0], "/api/passes", {"destination_id": library})
                    await demo.post(STUDENTS[0], f"/api/passes/{made.json()['id']}/end")
                    try:
                        async with asyncio.timeout(1):
                            item = await anext(events)
                    except TimeoutError:
                        continue
                    if isinstance(item, BrokerEvent):
                        break
            await asyncio.sleep(0.5)  # the reader's next read, after the publish
    lines = outage_lines(caplog)
    assert [(r.levelno, r.name) for r in lines] == [
        (logging.WARNING, "hallpass.hub.broker"),
        (logging.INFO, "hallpass.hub.broker"),
    ], [r.getMessage() for r in lines]
    assert "lost Redis" in lines[0].getMessage()
    assert "Redis is back" in lines[1].getMessage()
