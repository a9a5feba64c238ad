"""The broker interface: committed events carried to every subscriber of a school, in seq order.

A backend (in-process memory, or Redis Streams between processes) only transports: the event
log in the database is the source of truth, so a subscriber that sees a gap in seq, falls
behind (SubscriberOverflow) or loses the broker fills in from the log (DESIGN.md section 1).
"""

from __future__ import annotations

import asyncio
import json
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Final, Self

# Per subscriber. One subscriber per school per process (the hub's feed) drains it; a bell-time
# burst at a large school is a few hundred events, so 1024 only overflows on a stalled reader.
DEFAULT_QUEUE_SIZE: Final = 1024


class BrokerError(Exception):
    """Base of the errors a broker raises."""


class BrokerUnavailable(BrokerError):
    """The broker's transport (Redis) did not answer; the event log still has everything."""


class SubscriberOverflow(BrokerError):
    """A subscriber fell more than its queue size behind and was dropped from the fan-out."""

    def __init__(self, school_id: int, queue_size: int) -> None:
        super().__init__(
            f"subscriber of school {school_id} fell {queue_size} events behind; "
            "resubscribe and catch up from the event log"
        )
        self.school_id = school_id
        self.queue_size = queue_size


@dataclass(frozen=True, slots=True)
class BrokerEvent:
    """One committed pass event as the broker carries it (independent of the ORM and the wire)."""

    school_id: int
    epoch: str
    seq: int
    name: str
    pass_id: int
    at: str  # ISO 8601, as stored
    # The pass as the API serialises it for staff. One object is shared by every local
    # subscriber: read it, copy it to change it.
    data: dict[str, Any] = field(hash=False)

    def __post_init__(self) -> None:
        # Redis stream ids are "{seq}-0" and must be above 0-0; the log starts at 1.
        if self.seq < 1:
            raise ValueError(f"broker event seq must be at least 1, not {self.seq}")

    def to_json(self) -> str:
        """Return the event as compact JSON."""
        return json.dumps(
            {
                "school_id": self.school_id,
                "epoch": self.epoch,
                "seq": self.seq,
                "name": self.name,
                "pass_id": self.pass_id,
                "at": self.at,
                "data": self.data,
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, raw: str | bytes) -> BrokerEvent:
        """Parse an event from JSON, raising ValueError when it is not one."""
        doc = json.loads(raw)
        if not isinstance(doc, dict):
            raise ValueError("broker event must be a JSON object")
        # Extra keys are ignored so that a newer process can add fields during a rolling deploy.
        return cls(
            school_id=_int(doc, "school_id"),
            epoch=_str(doc, "epoch"),
            seq=_int(doc, "seq"),
            name=_str(doc, "name"),
            pass_id=_int(doc, "pass_id"),
            at=_str(doc, "at"),
            data=_dict(doc, "data"),
        )


# What a notice carries: a user's in-app notification, or a school's emergency state.
NOTIFICATION: Final = "notification"
EMERGENCY: Final = "emergency"
# The school's settings or places changed (no frame: each feed re-reads the school's state).
SCHOOL: Final = "school"


@dataclass(frozen=True, slots=True)
class BrokerNotice:
    """One in-app notification as the broker carries it: for one user's open sockets.

    Unlike an event it has no seq and is not in any log: a process that misses it (no Redis,
    an overflow) misses the toast, and the push channel still reaches the user (ADR 0006).

    With `kind` EMERGENCY it is the school's emergency as staff see it (`frame` is that JSON
    state, `user_id` 0): every process's feed cuts each socket's view from it (ADR 0007).
    """

    school_id: int
    user_id: int
    category: str  # checked again against the socket's role before it is sent
    frame: str  # the `notification` frame's JSON text, built once by the publishing worker
    kind: str = NOTIFICATION

    def to_json(self) -> str:
        """Return the notice as compact JSON."""
        doc: dict[str, Any] = {
            "school_id": self.school_id,
            "user_id": self.user_id,
            "category": self.category,
            "frame": self.frame,
        }
        if self.kind != NOTIFICATION:  # an older process reads notifications as before
            doc["kind"] = self.kind
        return json.dumps(doc, separators=(",", ":"))

    @classmethod
    def from_json(cls, raw: str | bytes) -> BrokerNotice:
        """Parse a notice from JSON, raising ValueError when it is not one."""
        doc = json.loads(raw)
        if not isinstance(doc, dict):
            raise ValueError("broker notice must be a JSON object")
        return cls(
            school_id=_int(doc, "school_id"),
            user_id=_int(doc, "user_id"),
            category=_str(doc, "category"),
            frame=_str(doc, "frame"),
            kind=_str(doc, "kind") if "kind" in doc else NOTIFICATION,
        )


# What a subscriber receives: a school's committed events and its users' notifications.
Carried = BrokerEvent | BrokerNotice


def _int(doc: dict[str, Any], key: str) -> int:
    value = doc.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"broker event field {key!r} must be an integer")
    return value


def _str(doc: dict[str, Any], key: str) -> str:
    value = doc.get(key)
    if not isinstance(value, str):
        raise ValueError(f"broker event field {key!r} must be a string")
    return value


def _dict(doc: dict[str, Any], key: str) -> dict[str, Any]:
    value = doc.get(key)
    if not isinstance(value, dict):
        raise ValueError(f"broker event field {key!r} must be an object")
    return value


class _Closed:
    """Wakes a waiting reader: the subscriber was closed or overflowed."""


_WAKE: Final = _Closed()


class Subscriber:
    """One local subscriber of a school: a bounded queue that never makes publish wait."""

    def __init__(self, school_id: int, queue_size: int = DEFAULT_QUEUE_SIZE) -> None:
        if queue_size < 1:
            raise ValueError("queue_size must be at least 1")
        self.school_id = school_id
        self.queue_size = queue_size
        # Unbounded underneath so the wake-up marker always fits; the bound is enforced in
        # offer(), where a full queue means overflow instead of a waiting publisher.
        self._queue: asyncio.Queue[Carried | _Closed] = asyncio.Queue()
        self._pending = 0
        self._failure: SubscriberOverflow | None = None
        self._closed = False

    @property
    def active(self) -> bool:
        """Say whether the subscriber still takes events."""
        return not self._closed and self._failure is None

    @property
    def overflowed(self) -> bool:
        """Say whether the subscriber fell behind and was dropped."""
        return self._failure is not None

    def offer(self, event: Carried) -> bool:
        """Queue an item without waiting; return False when the subscriber is (now) dropped."""
        if not self.active:
            return False
        if self._pending >= self.queue_size:
            self._failure = SubscriberOverflow(self.school_id, self.queue_size)
            self._queue.put_nowait(_WAKE)
            return False
        self._pending += 1
        self._queue.put_nowait(event)
        return True

    def close(self) -> None:
        """End iteration after the events already queued."""
        if not self._closed:
            self._closed = True
            self._queue.put_nowait(_WAKE)

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> Carried:
        # An overflowed subscriber fails at once, not after its backlog: it must catch up from
        # the event log anyway, and the sooner it knows, the less stale its clients are.
        if self._failure is not None:
            raise self._failure
        item = await self._queue.get()
        if self._failure is not None:  # overflowed while this call waited to be woken
            raise self._failure
        if isinstance(item, _Closed):
            self._queue.put_nowait(_WAKE)  # keep later calls ending too
            raise StopAsyncIteration
        self._pending -= 1
        return item


class Subscription:
    """An async context manager that attaches a subscriber on entry and detaches it on exit."""

    def __init__(
        self,
        subscriber: Subscriber,
        attach: Callable[[Subscriber], Awaitable[None]],
        detach: Callable[[Subscriber], None],
    ) -> None:
        self.subscriber = subscriber
        self._attach = attach
        self._detach = detach

    async def __aenter__(self) -> Subscriber:
        await self._attach(self.subscriber)
        return self.subscriber

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._detach(self.subscriber)
        self.subscriber.close()


class Broker(ABC):
    """Carries committed events to every subscriber of their school, in every process."""

    @abstractmethod
    async def start(self) -> None:
        """Connect and start delivering."""

    @abstractmethod
    async def stop(self) -> None:
        """Stop delivering, end every subscriber's iteration and release connections."""

    @abstractmethod
    async def publish(self, events: Sequence[BrokerEvent]) -> None:
        """Announce committed events, in seq order; publishing one twice delivers it once.

        Raises BrokerUnavailable when the transport is down: the caller logs it and goes on,
        since the events are committed and subscribers catch up from the event log.
        """

    @abstractmethod
    async def publish_notice(self, notice: BrokerNotice) -> None:
        """Carry an in-app notification to the subscribers of its school in every process.

        At most once per process; raises BrokerUnavailable when the transport is down.
        """

    @abstractmethod
    def subscribe(self, school_id: int) -> Subscription:
        """Return a subscription to the school's events (and notices) published after it is
        entered."""

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()


def create_broker(redis_url: str | None, *, queue_size: int = DEFAULT_QUEUE_SIZE) -> Broker:
    """Return the Redis Streams broker for a URL, or the in-process one for None."""
    # Imported here: both backends import this module.
    if redis_url is None:
        from server.hub.memory import MemoryBroker

        return MemoryBroker(queue_size=queue_size)
    from server.hub.redis_streams import RedisStreamsBroker

    return RedisStreamsBroker(redis_url, queue_size=queue_size)
