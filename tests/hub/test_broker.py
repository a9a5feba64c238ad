"""The broker contract, on both backends: fan-out in seq order, per school, once, never blocking."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest

from server.hub.broker import (
    EMERGENCY,
    NOTIFICATION,
    BrokerEvent,
    BrokerNotice,
    Carried,
    Subscriber,
    SubscriberOverflow,
    create_broker,
)
from server.hub.memory import MemoryBroker
from server.hub.redis_streams import RedisStreamsBroker
from tests.hub.conftest import Brokers, event, next_event, take


def test_event_survives_json_round_trip() -> None:
    original = event(42, school_id=3, epoch="abc")
    assert BrokerEvent.from_json(original.to_json()) == original
    assert BrokerEvent.from_json(original.to_json().encode()) == original  # as Redis returns it


@pytest.mark.parametrize(
    "change",
    [
        {"seq": "1"},  # a string where an int belongs
        {"school_id": True},  # bools are ints in Python, not in the contract
        {"data": []},
        {"epoch": None},
        {"seq": 0},  # the log starts at 1 (and 0-0 is no stream id)
    ],
    ids=["str-seq", "bool-school", "list-data", "null-epoch", "zero-seq"],
)
def test_from_json_refuses_what_is_not_an_event(change: dict[str, object]) -> None:
    doc = json.loads(event(1).to_json()) | change
    with pytest.raises(ValueError, match="broker event"):
        BrokerEvent.from_json(json.dumps(doc))


def test_from_json_ignores_unknown_fields() -> None:
    # A newer process may add fields during a rolling deploy; older readers go on.
    doc = json.loads(event(1).to_json()) | {"added_later": 1}
    assert BrokerEvent.from_json(json.dumps(doc)) == event(1)


def test_create_broker_picks_the_backend_from_the_url() -> None:
    assert isinstance(create_broker(None), MemoryBroker)
    assert isinstance(create_broker("redis://127.0.0.1:6379/0"), RedisStreamsBroker)


async def test_every_subscriber_gets_every_event_in_order(brokers: Brokers) -> None:
    broker = await brokers.new()
    async with (
        broker.subscribe(1) as first,
        broker.subscribe(1) as second,
        broker.subscribe(1) as third,
    ):
        await broker.publish([event(1), event(2)])
        await broker.publish([event(3)])
        await broker.publish([event(4), event(5), event(6)])
        for subscriber in (first, second, third):
            assert await take(subscriber, 6) == [1, 2, 3, 4, 5, 6]


async def test_subscribers_get_only_events_published_after_subscribing(brokers: Brokers) -> None:
    broker = await brokers.new()
    await broker.publish([event(1), event(2)])
    async with broker.subscribe(1) as events:
        await broker.publish([event(3)])
        assert await take(events, 1) == [3]


async def test_schools_are_isolated(brokers: Brokers) -> None:
    broker = await brokers.new()
    async with broker.subscribe(1) as one, broker.subscribe(2) as two:
        await broker.publish([event(1, school_id=1), event(1, school_id=2)])
        await broker.publish([event(2, school_id=2), event(2, school_id=1)])
        await broker.publish([event(3, school_id=2)])
        await broker.publish([event(3, school_id=1)])  # the last: nothing of 2 came after it
        received_one = [await next_event(one) for _ in range(3)]
        received_two = [await next_event(two) for _ in range(3)]
    assert [(e.school_id, e.seq) for e in received_one] == [(1, 1), (1, 2), (1, 3)]
    assert [(e.school_id, e.seq) for e in received_two] == [(2, 1), (2, 2), (2, 3)]


async def test_a_school_subscribed_later_joins_quickly(brokers: Brokers) -> None:
    # On Redis the reader is already blocked on school 1 when school 2 is first subscribed.
    broker = await brokers.new()
    async with broker.subscribe(1) as one:
        await broker.publish([event(1, school_id=1)])
        assert await take(one, 1) == [1]
        async with broker.subscribe(2) as two:
            await broker.publish([event(1, school_id=2)])
            assert await take(two, 1, within=1.0) == [1]


async def test_publishing_the_same_events_again_delivers_them_once(brokers: Brokers) -> None:
    broker = await brokers.new()
    async with broker.subscribe(1) as events:
        await broker.publish([event(1), event(2), event(3)])
        await broker.publish([event(1), event(2), event(3)])  # a retry after a lost reply
        await broker.publish([event(2), event(4)])  # a repeat and a new one in one call
        await broker.publish([event(5)])
        # Had anything been delivered twice, it would come before 5.
        assert await take(events, 5) == [1, 2, 3, 4, 5]


async def test_an_event_published_after_a_later_one_is_left_to_the_log(brokers: Brokers) -> None:
    # Two commits racing from commit to publish: seq 2 loses. Delivering it after 3 would break
    # seq order, so it is dropped and subscribers read it from the log when they see the gap.
    broker = await brokers.new()
    async with broker.subscribe(1) as events:
        await broker.publish([event(1)])
        await broker.publish([event(3)])
        await broker.publish([event(2)])
        await broker.publish([event(4)])
        assert await take(events, 3) == [1, 3, 4]


async def test_a_slow_subscriber_overflows_without_holding_anyone_up(brokers: Brokers) -> None:
    broker = await brokers.new(queue_size=4)
    async with broker.subscribe(1) as slow, broker.subscribe(1) as fast:
        for seq in range(1, 21):
            async with asyncio.timeout(0.5):  # publish never waits for the slow one
                await broker.publish([event(seq)])
            assert await take(fast, 1) == [seq]  # nor does the subscriber keeping up
        # It fails at once rather than after its backlog: it has to catch up from the log.
        with pytest.raises(SubscriberOverflow, match="school 1 fell 4 events behind"):
            await anext(slow)
        with pytest.raises(SubscriberOverflow):
            await anext(slow)  # and stays failed
    async with broker.subscribe(1) as again:  # a new subscription starts afresh
        await broker.publish([event(21)])
        assert await take(again, 1) == [21]


async def test_a_burst_beyond_the_queue_overflows_without_blocking(brokers: Brokers) -> None:
    broker = await brokers.new(queue_size=8)
    async with broker.subscribe(1) as stuck:
        async with asyncio.timeout(2.0):
            await broker.publish([event(seq) for seq in range(1, 1001)])
        # Stuck means not reading: wait for the reader to get to the burst (on Redis it reads
        # in pieces), then the first read fails. Reading early would take the first pieces.
        async with asyncio.timeout(5.0):
            while not stuck.overflowed:  # noqa: ASYNC110 (the subscriber offers no event)
                await asyncio.sleep(0.01)
        with pytest.raises(SubscriberOverflow):
            await anext(stuck)


async def collect(events: AsyncIterator[Carried]) -> list[int]:
    """Return the seqs of every event until the iteration ends."""
    return [e.seq async for e in events if isinstance(e, BrokerEvent)]


async def test_leaving_a_subscription_ends_its_iteration(brokers: Brokers) -> None:
    broker = await brokers.new()
    subscription = broker.subscribe(1)
    async with subscription as events:
        await broker.publish([event(1)])
        assert await take(events, 1) == [1]
    await broker.publish([event(2)])
    assert await collect(subscription.subscriber) == []


async def test_stopping_the_broker_ends_every_subscription(brokers: Brokers) -> None:
    broker = await brokers.new()
    async with broker.subscribe(1) as events:
        await broker.publish([event(1)])
        assert await take(events, 1) == [1]
        reading = asyncio.create_task(collect(events))
        await asyncio.sleep(0)  # waiting for the next event
        await broker.stop()
        async with asyncio.timeout(1.0):
            assert await reading == []
    with pytest.raises(RuntimeError, match="not started"):
        await broker.publish([event(2)])


async def test_subscribing_before_start_is_an_error() -> None:
    broker = MemoryBroker()
    with pytest.raises(RuntimeError, match="not started"):
        async with broker.subscribe(1):
            pass


def test_subscriber_queue_must_hold_something() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        Subscriber(1, queue_size=0)


async def test_memory_accepts_seqs_again_in_a_new_epoch() -> None:
    # A new epoch means the history was lost and seqs restart; they are new events.
    async with MemoryBroker() as broker, broker.subscribe(1) as events:
        await broker.publish([event(1, epoch="old"), event(2, epoch="old")])
        await broker.publish([event(1, epoch="new")])
        received = [await next_event(events) for _ in range(3)]
    assert [(e.epoch, e.seq) for e in received] == [("old", 1), ("old", 2), ("new", 1)]


def notice(school_id: int = 1, user_id: int = 7) -> BrokerNotice:
    """Return a test in-app notification for a user of a school."""
    frame = f'{{"type":"notification","id":{user_id}}}'
    return BrokerNotice(school_id=school_id, user_id=user_id, category="nurse", frame=frame)


def test_notice_survives_json_round_trip() -> None:
    assert BrokerNotice.from_json(notice().to_json()) == notice()


async def test_a_notice_reaches_its_schools_subscribers_in_every_process(
    brokers: Brokers,
) -> None:
    here = await brokers.new()
    # On Redis a second broker is another process; the memory broker has only its own.
    there = await brokers.new() if brokers.kind == "redis" else here
    # No wait for the readers: subscribing fixes where a Redis reader starts (the streams' top),
    # so whatever is published once `subscribe` has returned reaches the subscriber.
    async with here.subscribe(1) as mine, here.subscribe(2) as other, there.subscribe(1) as far:
        await there.publish_notice(notice(school_id=1))
        async with asyncio.timeout(3):
            assert await anext(mine) == notice(school_id=1)
            assert await anext(far) == notice(school_id=1)
        # Events and notices travel side by side; another school's subscriber got neither.
        await there.publish([event(1)])
        assert await take(mine, 1) == [1]
        await here.publish_notice(notice(school_id=2, user_id=8))
        async with asyncio.timeout(3):
            assert await anext(other) == notice(school_id=2, user_id=8)


async def test_a_notice_is_not_kept_for_a_later_subscriber(brokers: Brokers) -> None:
    broker = await brokers.new()
    async with broker.subscribe(1) as early:  # the reader starts at the streams' top: no wait
        await broker.publish_notice(notice(user_id=1))
        async with asyncio.timeout(3):
            assert await anext(early) == notice(user_id=1)
    async with broker.subscribe(1) as late:
        await broker.publish_notice(notice(user_id=2))
        async with asyncio.timeout(3):
            assert await anext(late) == notice(user_id=2)  # not the one before it came


def emergency_notice(school_id: int = 1, revision: int = 1) -> BrokerNotice:
    """Return a school's emergency state as the hub publishes it (user 0: the whole school)."""
    state = json.dumps({"id": 3, "revision": revision, "active": True, "audience": "staff"})
    return BrokerNotice(school_id, 0, "emergency", state, kind=EMERGENCY)


def test_an_emergency_notice_survives_json_round_trip_and_a_notification_stays_as_it_was() -> None:
    assert BrokerNotice.from_json(emergency_notice().to_json()) == emergency_notice()
    # A notification is written without `kind`, as before: an older process reads it unchanged.
    assert "kind" not in json.loads(notice().to_json())
    assert BrokerNotice.from_json(notice().to_json()).kind == NOTIFICATION


async def test_an_emergency_crosses_processes_like_a_notice(brokers: Brokers) -> None:
    here = await brokers.new()
    there = await brokers.new() if brokers.kind == "redis" else here
    async with there.subscribe(1) as far, there.subscribe(2) as other:  # no wait, as above
        await here.publish_notice(emergency_notice(school_id=1, revision=2))
        async with asyncio.timeout(3):
            assert await anext(far) == emergency_notice(school_id=1, revision=2)
        await here.publish_notice(notice(school_id=2))
        async with asyncio.timeout(3):
            assert await anext(other) == notice(school_id=2)  # not the other school's emergency
