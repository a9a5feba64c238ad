"""The Redis Streams broker: one stream per school, one reader task per process.

Each event is added as `XADD hallpass:events:{school} MAXLEN ~ N {seq}-0 event <json>`: the
explicit id makes a retried publish a no-op (Redis refuses an id at or below the stream's top),
so every process reads each seq at most once and in order. The reader keeps, per school with
local subscribers, the last id it delivered, and resumes from it after a disconnect. Nothing
lives only in Redis: after a restart the streams are empty, later seqs are larger ids, and
subscribers fill any gap from the event log.

In-app notifications go to a second stream per school, `{prefix}{school}:notices`, with ids
Redis picks: the same reader reads both, from where each stood when the school's first local
subscriber came, so each process hands a notice to its sockets once (ADR 0006).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator, Sequence
from typing import Any, Final, TypeAlias

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError, ResponseError
from redis.typing import KeyT, StreamIdT

from server.hub.broker import (
    DEFAULT_QUEUE_SIZE,
    Broker,
    BrokerError,
    BrokerEvent,
    BrokerNotice,
    BrokerUnavailable,
    Carried,
    Subscriber,
    Subscription,
)
from server.hub.memory import Fanout
from server.outage import Outage

log = logging.getLogger("hallpass.hub.broker")

StreamId: TypeAlias = tuple[int, int]

DEFAULT_KEY_PREFIX: Final = "hallpass:events:"
# Trimmed approximately (whole radix-tree nodes, so cheap). 10,000 events is days of a school's
# passes: far more than a reader can fall behind before its subscribers overflow anyway.
DEFAULT_MAXLEN: Final = 10_000
# How long one XREAD waits. It bounds the delay before a school newly subscribed in this process
# joins the read (its cursor is fixed at subscription, so nothing is lost, only late).
DEFAULT_BLOCK_MS: Final = 1_000
# First and longest wait between reconnection attempts; doubling, so a restart that takes a
# few seconds is noticed within one cap.
DEFAULT_RECONNECT: Final = (0.1, 5.0)
# The hub's outbox task publishes (off the request path); a dead Redis holds it this long at most.
PUBLISH_TIMEOUT: Final = 2.0
FIELD: Final = "event"
NOTICES: Final = ":notices"  # suffix of a school's notification stream key
# A notice is read within a second of its publish or not at all; 1,000 is plenty of slack.
NOTICE_MAXLEN: Final = 1_000
BATCH: Final = 500  # entries per stream per XREAD
_REJECTED: Final = "equal or smaller"  # Redis's refusal of an XADD id at or below the top


def parse_id(raw: bytes | str | None) -> StreamId:
    """Parse a stream id "ms-seq" into a comparable pair."""
    if raw is None:
        raise ValueError("stream entry without an id")
    text = raw.decode() if isinstance(raw, bytes) else raw
    ms, _, seq = text.partition("-")
    return int(ms), int(seq or 0)


def format_id(stream_id: StreamId) -> str:
    """Format a stream id pair as Redis writes it."""
    return f"{stream_id[0]}-{stream_id[1]}"


def _payload(fields: Any) -> bytes | str | None:
    """Return the event JSON of a stream entry's fields, if it has one."""
    if not isinstance(fields, dict):
        return None
    value = fields.get(FIELD.encode(), fields.get(FIELD))  # bytes keys unless decode_responses
    return value if isinstance(value, bytes | str) else None


def _raise_lost_cancel() -> None:
    """Re-raise a cancel of this task that redis-py swallowed (see RedisStreamsBroker.stop)."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


def _entries(reply: Any) -> Iterator[tuple[bytes | str, list[Any]]]:
    """Yield (key, entries) from an XREAD reply in RESP2 (list) or RESP3 (map) form."""
    if isinstance(reply, dict):
        for key, value in reply.items():
            # RESP3 wraps each stream's entries in one more list.
            yield key, value[0] if value and isinstance(value[0], list) else value
    else:
        for key, entries in reply or ():
            yield key, entries


class RedisStreamsBroker(Broker):
    """Carries events between processes through one Redis stream per school."""

    def __init__(
        self,
        url: str,
        *,
        queue_size: int = DEFAULT_QUEUE_SIZE,
        key_prefix: str = DEFAULT_KEY_PREFIX,
        maxlen: int = DEFAULT_MAXLEN,
        block_ms: int = DEFAULT_BLOCK_MS,
        reconnect: tuple[float, float] = DEFAULT_RECONNECT,
        client_name: str = "hallpass",
    ) -> None:
        self.url = url
        self.queue_size = queue_size
        self.key_prefix = key_prefix
        self.maxlen = maxlen
        self.block_ms = block_ms
        self.reconnect = reconnect
        self.client_name = client_name
        self._fanout = Fanout()
        # Per school with local subscribers: the last id delivered, or the stream's top when
        # the first subscriber came; None while Redis could not be asked (resolved on reconnect).
        self._cursors: dict[int, StreamId | None] = {}
        # The same for each watched school's notification stream.
        self._notice_cursors: dict[int, StreamId | None] = {}
        self._schools_changed = asyncio.Event()
        self._client: Redis | None = None
        self._reader_client: Redis | None = None
        self._reader: asyncio.Task[None] | None = None
        self._stopping = False
        # Publishing, subscribing and the reader all fail while Redis is down: one line when
        # it goes, one when it is back (not one per event, retry and subscriber).
        self.outage = Outage(
            log,
            lost="lost Redis (%s): events between processes wait for it; clients catch up "
            "from the event log",
            back="Redis is back",
        )

    def key(self, school_id: int) -> str:
        """Return the stream key of a school."""
        return f"{self.key_prefix}{school_id}"

    def notice_key(self, school_id: int) -> str:
        """Return the notification stream key of a school."""
        return f"{self.key_prefix}{school_id}{NOTICES}"

    async def start(self) -> None:
        """Open the clients and start the reader; Redis need not be up yet."""
        if self._client is not None:
            return
        # One immediate retry: a pooled connection the server closed fails on first use, and
        # re-sending an XADD with an explicit id is harmless.
        self._client = Redis.from_url(
            self.url,
            socket_timeout=PUBLISH_TIMEOUT,
            socket_connect_timeout=PUBLISH_TIMEOUT,
            retry=Retry(NoBackoff(), 1),
            client_name=self.client_name,
        )
        # The reader retries in its own loop, with backoff; its reads block for block_ms.
        self._reader_client = Redis.from_url(
            self.url,
            socket_timeout=self.block_ms / 1000 + PUBLISH_TIMEOUT,
            socket_connect_timeout=PUBLISH_TIMEOUT,
            retry=Retry(NoBackoff(), 0),
            client_name=self.client_name,
        )
        self._stopping = False
        self._reader = asyncio.create_task(self._read_loop(), name="hallpass-broker-reader")

    async def stop(self) -> None:
        """Stop the reader, end every subscription and close the clients."""
        self._stopping = True
        self._schools_changed.set()
        if self._reader is not None:
            # Python 3.11's asyncio.wait_for, which redis-py sends every command through, can
            # lose a cancel that lands as a command is sent (CPython gh-86296): cancel again
            # until it takes, rather than wait out a blocking read.
            while not self._reader.done():
                self._reader.cancel()
                await asyncio.wait([self._reader], timeout=0.05)
            self._reader = None
        self._fanout.close_all()
        self._cursors.clear()
        self._notice_cursors.clear()
        for client in (self._client, self._reader_client):
            if client is not None:
                await client.aclose()
        self._client = self._reader_client = None

    async def publish(self, events: Sequence[BrokerEvent]) -> None:
        """Add the events to their schools' streams in one round trip; repeats are no-ops."""
        client = self._require_client()
        if not events:
            return
        try:
            async with client.pipeline(transaction=False) as pipe:
                for event in events:
                    pipe.xadd(
                        self.key(event.school_id),
                        {FIELD: event.to_json()},
                        id=f"{event.seq}-0",
                        maxlen=self.maxlen,
                        approximate=True,
                    )
                results = await pipe.execute(raise_on_error=False)
        except (RedisError, OSError) as exc:
            self.outage.lost(exc)
            raise BrokerUnavailable(f"could not publish to Redis: {exc}") from exc
        self.outage.back()
        failure: Exception | None = None
        for event, result in zip(events, results, strict=True):
            if isinstance(result, ResponseError) and _REJECTED in str(result):
                await self._explain_rejection(client, event)
            elif isinstance(result, Exception) and failure is None:
                failure = result
        if failure is not None:
            raise BrokerError(f"Redis refused an event: {failure}") from failure

    async def publish_notice(self, notice: BrokerNotice) -> None:
        """Add an in-app notification to its school's notification stream."""
        client = self._require_client()
        try:
            await client.xadd(
                self.notice_key(notice.school_id),
                {FIELD: notice.to_json()},
                maxlen=NOTICE_MAXLEN,
                approximate=True,
            )
        except (RedisError, OSError) as exc:
            self.outage.lost(exc)
            raise BrokerUnavailable(f"could not publish to Redis: {exc}") from exc
        self.outage.back()

    async def _explain_rejection(self, client: Redis, event: BrokerEvent) -> None:
        """Log why an id was refused: a repeat (fine), a late event, or a stale stream."""
        entry_id = f"{event.seq}-0"
        try:
            found = await client.xrange(self.key(event.school_id), entry_id, entry_id, count=1)
        except (RedisError, OSError):
            return  # only diagnostics; the publish itself went through
        if not found:
            # A later seq was published first (two commits racing to publish) or this one was
            # trimmed: subscribers see the gap and read the event from the log.
            log.warning(
                "school %d seq %d came after a later one; left to the event log",
                event.school_id,
                event.seq,
            )
            return
        payload = _payload(found[0][1])
        try:
            epoch = BrokerEvent.from_json(payload).epoch if payload is not None else None
        except ValueError:
            epoch = None
        if epoch != event.epoch:
            log.error(
                "stream %s holds another seq %d (epoch %s, not %s): if the event log was "
                "reset, delete the stream so that new events can pass",
                self.key(event.school_id),
                event.seq,
                epoch,
                event.epoch,
            )

    def subscribe(self, school_id: int) -> Subscription:
        """Return a subscription to the school's events from every process."""
        return Subscription(Subscriber(school_id, self.queue_size), self._attach, self._detach)

    async def _attach(self, subscriber: Subscriber) -> None:
        client = self._require_client()
        school_id = subscriber.school_id
        if school_id not in self._cursors:
            # Fix the starting point now, not when the reader gets to it: an event published
            # after this returns has a larger id and so reaches the subscriber.
            start: StreamId | None
            notices: StreamId | None
            try:
                start = await self._top(client, school_id)
                notices = await self._top(client, school_id, self.notice_key(school_id))
                _raise_lost_cancel()  # else a cancelled subscriber would wait on, attached
            except (RedisError, OSError) as exc:
                # Don't refuse the subscriber: the reader fixes its start once Redis answers,
                # and subscribers read what they missed from the event log (the gap in seq).
                self.outage.lost(exc)
                start = notices = None
            if self._cursors.get(school_id) is None:  # a subscriber that came meanwhile wins
                self._cursors[school_id] = start
                self._notice_cursors[school_id] = notices
                self._schools_changed.set()
        self._fanout.add(subscriber)

    def _detach(self, subscriber: Subscriber) -> None:
        self._fanout.remove(subscriber)
        if not self._fanout.watches(subscriber.school_id):
            self._cursors.pop(subscriber.school_id, None)
            self._notice_cursors.pop(subscriber.school_id, None)

    async def _top(self, client: Redis, school_id: int, key: str | None = None) -> StreamId:
        """Return the id of the newest entry of the school's stream (or `key`), or (0, 0)."""
        newest = await client.xrevrange(key or self.key(school_id), "+", "-", count=1)
        return parse_id(newest[0][0]) if newest else (0, 0)

    async def _read_loop(self) -> None:
        """Read every watched stream and dispatch, forever; reconnect with capped backoff."""
        assert self._reader_client is not None
        client = self._reader_client
        delay = self.reconnect[0]
        while not self._stopping:
            if not self._cursors:
                self._schools_changed.clear()
                await self._schools_changed.wait()
                continue
            try:
                for school_id, cursor in list(self._cursors.items()):
                    if cursor is None:
                        top = await self._top(client, school_id)
                        if school_id in self._cursors and self._cursors[school_id] is None:
                            self._cursors[school_id] = top
                for school_id, cursor in list(self._notice_cursors.items()):
                    if cursor is None:
                        top = await self._top(client, school_id, self.notice_key(school_id))
                        if self._notice_cursors.get(school_id, top) is None:
                            self._notice_cursors[school_id] = top
                keys: dict[str, int] = {}
                streams: dict[KeyT, StreamIdT] = {}
                for school_id, cursor in self._cursors.items():
                    if cursor is not None:
                        keys[self.key(school_id)] = school_id
                        streams[self.key(school_id)] = format_id(cursor)
                for school_id, cursor in self._notice_cursors.items():
                    if cursor is not None:
                        keys[self.notice_key(school_id)] = school_id
                        streams[self.notice_key(school_id)] = format_id(cursor)
                if not streams:
                    continue  # a school came while resolving the others: resolve it too
                reply = await client.xread(streams, count=BATCH, block=self.block_ms)
                _raise_lost_cancel()
                self._deliver(reply, keys)
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError) as exc:
                self.outage.lost(exc)  # retried with backoff below; logged once per outage
            except Exception:
                # A bug must not end live updates for the whole process: log it and go on.
                log.exception("stream reader failed; retrying in %.1fs", delay)
            else:
                self.outage.back()
                delay = self.reconnect[0]
                continue
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.reconnect[1])

    def _deliver(self, reply: Any, keys: dict[str, int]) -> None:
        """Dispatch the entries of one XREAD past each school's cursor, advancing it."""
        for raw_key, entries in _entries(reply):
            key = raw_key.decode() if isinstance(raw_key, bytes) else raw_key
            school_id = keys.get(key)
            if school_id is None:
                continue
            cursors = self._notice_cursors if key.endswith(NOTICES) else self._cursors
            for raw_id, fields in entries:
                cursor = cursors.get(school_id)
                entry_id = parse_id(raw_id)
                # Unsubscribed (or re-subscribed from a later point) while this read was out.
                if cursor is None or entry_id <= cursor:
                    continue
                cursors[school_id] = entry_id
                event = self._decode(
                    school_id, entry_id, fields, notice=cursors is not self._cursors
                )
                if event is not None:
                    self._fanout.dispatch(event)
            if not self._fanout.watches(school_id):  # its last subscriber overflowed
                self._cursors.pop(school_id, None)
                self._notice_cursors.pop(school_id, None)

    def _decode(
        self, school_id: int, entry_id: StreamId, fields: Any, *, notice: bool = False
    ) -> Carried | None:
        """Return the entry's event (or notice), or None (logged) when it is not this school's."""
        raw = _payload(fields)
        try:
            if raw is None:
                raise ValueError(f"no {FIELD!r} field")
            event: Carried = BrokerNotice.from_json(raw) if notice else BrokerEvent.from_json(raw)
        except ValueError as exc:
            log.error("skipping entry %s of school %d: %s", format_id(entry_id), school_id, exc)
            return None
        if event.school_id != school_id:
            log.error(
                "skipping entry %s: an event of school %d in the stream of school %d",
                format_id(entry_id),
                event.school_id,
                school_id,
            )
            return None
        return event

    def _require_client(self) -> Redis:
        if self._client is None:
            raise RuntimeError("the broker is not started")
        return self._client
