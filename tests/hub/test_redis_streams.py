"""Redis Streams only: between processes, across lost connections and a Redis restart."""

from __future__ import annotations

import asyncio
import logging

import pytest

from server.hub.broker import BrokerEvent, BrokerUnavailable
from server.hub.redis_streams import RedisStreamsBroker, parse_id
from tests.hub.conftest import Brokers, TcpProxy, event, next_event, take

pytestmark = pytest.mark.redis


async def kill_connections(brokers: Brokers) -> int:
    """Cut every server-side connection of this test's brokers (CLIENT KILL ID), not others'."""
    admin = await brokers.admin()
    try:
        ids = [c["id"] for c in await admin.client_list() if c["name"] == brokers.client_name]
        for client_id in ids:
            await admin.client_kill_filter(_id=client_id)
    finally:
        await admin.aclose()
    return len(ids)


async def test_stream_holds_one_entry_per_event_with_its_seq_as_id(
    redis_brokers: Brokers,
) -> None:
    broker = await redis_brokers.new()
    await broker.publish([event(1, school_id=7), event(2, school_id=7)])
    admin = await redis_brokers.admin()
    try:
        entries = await admin.xrange(f"{redis_brokers.prefix}7")
    finally:
        await admin.aclose()
    assert entries is not None
    assert [(entry_id, list(fields or ())) for entry_id, fields in entries] == [
        (b"1-0", [b"event"]),
        (b"2-0", [b"event"]),
    ]
    fields = entries[1][1]
    assert fields is not None
    assert BrokerEvent.from_json(fields[b"event"]) == event(2, school_id=7)


async def test_an_event_published_in_one_process_reaches_the_others(
    redis_brokers: Brokers,
) -> None:
    a = await redis_brokers.new()
    b = await redis_brokers.new()
    async with a.subscribe(1) as on_a, b.subscribe(1) as on_b, b.subscribe(2) as other:
        await a.publish([event(1), event(2)])
        await b.publish([event(3)])
        # Both processes publishing the same committed events (a retry on each) still
        # delivers each once.
        await a.publish([event(4)])
        await b.publish([event(4), event(5)])
        assert await take(on_a, 5) == [1, 2, 3, 4, 5]
        assert await take(on_b, 5) == [1, 2, 3, 4, 5]
        await a.publish([event(1, school_id=2)])
        assert await take(other, 1) == [1]  # and nothing of school 1 before it


async def test_reader_resumes_after_its_connections_are_killed(
    redis_brokers: Brokers, caplog: pytest.LogCaptureFixture
) -> None:
    a = await redis_brokers.new()
    b = await redis_brokers.new()
    async with b.subscribe(1) as events:
        await a.publish([event(1), event(2), event(3)])
        assert await take(events, 3) == [1, 2, 3]
        assert await kill_connections(redis_brokers) >= 2  # publishers and readers
        await a.publish([event(4), event(5)])  # the publisher reconnects on its own
        await asyncio.sleep(0.05)  # let B's reader find its connection gone
        await kill_connections(redis_brokers)
        await a.publish([event(6)])
        # Resumed from 3-0: nothing twice, nothing lost.
        assert await take(events, 3) == [4, 5, 6]
    assert "lost Redis" in caplog.text


async def test_a_redis_restart_loses_nothing_that_is_published_after_it(
    redis_brokers: Brokers, proxy: TcpProxy, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="hallpass.hub.broker")
    broker = await redis_brokers.new(url=proxy.url)
    async with broker.subscribe(1) as events:
        await broker.publish([event(1), event(2)])
        assert await take(events, 2) == [1, 2]

        await proxy.cut()  # Redis goes away...
        with pytest.raises(BrokerUnavailable):
            async with asyncio.timeout(3.0):  # refused at once, not after the socket timeout
                await broker.publish([event(3)])
        await asyncio.sleep(0.3)  # the reader fails and backs off, more than once
        admin = await redis_brokers.admin()
        try:
            await admin.delete(f"{redis_brokers.prefix}1")  # ...and comes back empty (no disk)
        finally:
            await admin.aclose()
        await proxy.start()

        # Seq 3 is only in the event log now; later seqs are larger ids than the reader's
        # cursor (2-0) and arrive once, in order.
        await broker.publish([event(4), event(5)])
        await broker.publish([event(5), event(6)])
        assert await take(events, 3) == [4, 5, 6]
    assert "lost Redis" in caplog.text
    assert "Redis is back" in caplog.text


async def test_subscribing_while_redis_is_down_goes_live_once_it_is_back(
    redis_brokers: Brokers, proxy: TcpProxy
) -> None:
    broker = await redis_brokers.new(url=proxy.url)
    await proxy.cut()
    async with asyncio.timeout(3.0):  # not refused: the feed catches up from the log meanwhile
        subscription = broker.subscribe(1)
        events = await subscription.__aenter__()
    try:
        await proxy.start()
        # Where it starts is fixed once Redis answers, so publish until one arrives.
        received: list[int] = []
        async with asyncio.timeout(3.0):
            for seq in range(1, 100):
                await broker.publish([event(seq)])
                try:
                    async with asyncio.timeout(0.1):
                        received.append((await next_event(events)).seq)
                    break
                except TimeoutError:
                    continue
        await broker.publish([event(received[0] + 1)])
        received += await take(events, 1)
        assert received[1] == received[0] + 1
    finally:
        await subscription.__aexit__(None, None, None)


async def test_streams_are_trimmed_to_about_maxlen(redis_brokers: Brokers) -> None:
    broker = await redis_brokers.new(maxlen=100)
    await broker.publish([event(seq) for seq in range(1, 1001)])
    admin = await redis_brokers.admin()
    try:
        length = await admin.xlen(f"{redis_brokers.prefix}1")
        first = await admin.xrange(f"{redis_brokers.prefix}1", count=1)
    finally:
        await admin.aclose()
    # Approximate trimming drops whole nodes (100 entries each by default): never below maxlen.
    assert 100 <= length <= 300
    assert first is not None
    assert parse_id(first[0][0]) > (700, 0)


async def test_a_late_event_and_a_stale_stream_are_logged(
    redis_brokers: Brokers, caplog: pytest.LogCaptureFixture
) -> None:
    broker = await redis_brokers.new()
    await broker.publish([event(1), event(3)])
    await broker.publish([event(1)])  # a plain repeat: nothing to say
    assert caplog.records == []
    await broker.publish([event(2)])  # came after 3
    assert "school 1 seq 2 came after a later one" in caplog.text
    await broker.publish([event(3, epoch="restored")])  # the log was reset, the stream not
    assert "holds another seq 3 (epoch e1, not restored)" in caplog.text


async def test_reader_skips_an_entry_that_is_not_an_event(
    redis_brokers: Brokers, caplog: pytest.LogCaptureFixture
) -> None:
    broker = await redis_brokers.new()
    admin = await redis_brokers.admin()
    async with broker.subscribe(1) as events:
        await broker.publish([event(1)])
        try:
            await admin.xadd(f"{redis_brokers.prefix}1", {"event": "{not json"}, id="2-0")
            await admin.xadd(f"{redis_brokers.prefix}1", {"event": event(3, 9).to_json()}, id="3-0")
        finally:
            await admin.aclose()
        await broker.publish([event(4)])
        assert await take(events, 2) == [1, 4]
    assert "skipping entry 2-0 of school 1" in caplog.text
    assert "skipping entry 3-0: an event of school 9 in the stream of school 1" in caplog.text


async def test_stop_is_prompt_and_leaves_nothing_running(redis_brokers: Brokers) -> None:
    broker = await redis_brokers.new(block_ms=5_000)  # a long read must not delay stop
    async with broker.subscribe(1) as events:
        await broker.publish([event(1)])
        assert await take(events, 1) == [1]
        async with asyncio.timeout(1.0):
            await broker.stop()
    assert isinstance(broker, RedisStreamsBroker)
    assert [t for t in asyncio.all_tasks() if t.get_name() == "hallpass-broker-reader"] == []
