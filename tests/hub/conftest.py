"""Broker fixtures: broker tests run on the memory backend and on Redis Streams.

Redis tests skip when no server answers, except under CI=true, where they fail (like PostgreSQL
in tests/conftest.py). Each test gets its own key prefix and client name and deletes only its
own keys, so it can share the server with anything else.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
import redis.asyncio

from server.hub.broker import Broker, BrokerEvent, Carried
from server.hub.memory import MemoryBroker
from server.hub.redis_streams import RedisStreamsBroker

REDIS_URL = os.environ.get("HALLPASS_TEST_REDIS", "redis://127.0.0.1:6379/0")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
# Tests read faster than production so that a newly watched school joins within 0.1 s and a
# reconnection is retried within 0.2 s.
TEST_BLOCK_MS = 100
TEST_RECONNECT = (0.02, 0.2)


def redis_reason() -> str | None:
    """Return why Redis can't be used, or None when it answers."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    except (redis.RedisError, OSError) as exc:
        return f"Redis at {REDIS_URL} is not reachable ({exc.__class__.__name__}: {exc})"
    finally:
        client.close()
    return None


@pytest.fixture(scope="session")
def redis_url() -> str:
    """Return the test Redis URL; skip without a server (fail under CI=true)."""
    reason = redis_reason()
    if reason is not None:
        if IN_CI:
            pytest.fail(f"CI=true needs Redis: {reason}")
        pytest.skip(reason)
    return REDIS_URL


def event(
    seq: int, school_id: int = 1, epoch: str = "e1", name: str = "pass.created"
) -> BrokerEvent:
    """Return a test event of a school."""
    return BrokerEvent(
        school_id=school_id,
        epoch=epoch,
        seq=seq,
        name=name,
        pass_id=100 + seq,
        at=f"2025-01-06T09:{seq // 60 % 60:02d}:{seq % 60:02d}+00:00",
        data={"id": 100 + seq, "state": "active", "student": {"id": 7, "name": "Ada L"}},
    )


async def next_event(events: AsyncIterator[Carried]) -> BrokerEvent:
    """Return the next item of a subscription, which must be an event (not a notice)."""
    item = await anext(events)
    assert isinstance(item, BrokerEvent), item
    return item


async def take(events: AsyncIterator[Carried], n: int, within: float = 3.0) -> list[int]:
    """Return the seqs of the next n events, failing after `within` seconds."""
    seqs: list[int] = []
    async with asyncio.timeout(within):
        while len(seqs) < n:
            seqs.append((await next_event(events)).seq)
    return seqs


@dataclass
class Brokers:
    """Makes started brokers of one backend that share one key space; stops them all."""

    kind: str
    url: str | None = None
    prefix: str = field(default_factory=lambda: f"hallpass-test:{uuid.uuid4().hex[:12]}:")
    made: list[Broker] = field(default_factory=list)

    @property
    def client_name(self) -> str:
        """Return the Redis client name of this test's brokers."""
        return "hallpass-test-" + self.prefix.split(":")[1]

    async def new(self, *, url: str | None = None, **options: Any) -> Broker:
        """Return a started broker (on Redis: another process, seen from Redis)."""
        broker: Broker
        if self.kind == "memory":
            broker = MemoryBroker(**options)
        else:
            options.setdefault("block_ms", TEST_BLOCK_MS)
            options.setdefault("reconnect", TEST_RECONNECT)
            broker = RedisStreamsBroker(
                url or str(self.url),
                key_prefix=self.prefix,
                client_name=self.client_name,
                **options,
            )
        self.made.append(broker)
        await broker.start()
        return broker

    async def admin(self) -> redis.asyncio.Redis:
        """Return a plain client of the test server (close it with aclose)."""
        return redis.asyncio.Redis.from_url(str(self.url))


async def dispose(made: Brokers) -> None:
    """Stop the brokers, then delete this test's streams (and nothing else)."""
    for broker in made.made:
        await broker.stop()
    if made.kind != "redis":
        return
    admin = await made.admin()
    try:
        keys = [key async for key in admin.scan_iter(match=made.prefix + "*")]
        if keys:
            await admin.delete(*keys)
    finally:
        await admin.aclose()


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def brokers(request: pytest.FixtureRequest) -> AsyncIterator[Brokers]:
    """Make brokers of each backend, stopping them and deleting their streams afterwards."""
    kind = str(request.param)
    made = Brokers(kind, request.getfixturevalue("redis_url") if kind == "redis" else None)
    try:
        yield made
    finally:
        await dispose(made)


@pytest.fixture
async def redis_brokers(redis_url: str) -> AsyncIterator[Brokers]:
    """Make Redis brokers only (for what the memory backend has no counterpart of)."""
    made = Brokers("redis", redis_url)
    try:
        yield made
    finally:
        await dispose(made)


class TcpProxy:
    """A TCP relay to Redis that a test cuts and restores: an outage without touching Redis."""

    def __init__(self, target_url: str) -> None:
        parts = urlsplit(target_url)
        self.target_url = target_url
        self.host = parts.hostname or "127.0.0.1"
        self.target_port = parts.port or 6379
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._pipes: set[asyncio.Task[None]] = set()

    @property
    def url(self) -> str:
        """Return the target URL with the proxy's address in it."""
        parts = urlsplit(self.target_url)
        return urlunsplit(parts._replace(netloc=f"127.0.0.1:{self.port}"))

    async def start(self) -> None:
        """Accept connections (again, on the same port)."""
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def cut(self) -> None:
        """Refuse new connections and drop every open one."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for writer in list(self._writers):
            writer.close()
        for task in list(self._pipes):
            task.cancel()
        await asyncio.gather(*self._pipes, return_exceptions=True)
        for writer in list(self._writers):
            with contextlib.suppress(OSError):
                await writer.wait_closed()
        self._writers.clear()

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            up_reader, up_writer = await asyncio.open_connection(self.host, self.target_port)
        except OSError:
            writer.close()
            return
        self._writers.add(up_writer)
        for source, sink in ((reader, up_writer), (up_reader, writer)):
            task = asyncio.create_task(self._pipe(source, sink))
            self._pipes.add(task)
            task.add_done_callback(self._pipes.discard)

    @staticmethod
    async def _pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        try:
            while data := await source.read(65536):
                sink.write(data)
                await sink.drain()
        except OSError:
            pass
        finally:
            sink.close()


@pytest.fixture
async def proxy(redis_url: str) -> AsyncIterator[TcpProxy]:
    """Return a started relay to the test Redis, cut at teardown."""
    relay = TcpProxy(redis_url)
    await relay.start()
    try:
        yield relay
    finally:
        await relay.cut()
