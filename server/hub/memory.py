"""The in-process broker (one process, no Redis), and the local fan-out every backend shares."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from server.hub.broker import (
    DEFAULT_QUEUE_SIZE,
    Broker,
    BrokerEvent,
    BrokerNotice,
    Carried,
    Subscriber,
    Subscription,
)

log = logging.getLogger("hallpass.hub.broker")


class Fanout:
    """This process's subscribers, by school; delivery never waits on any of them."""

    def __init__(self) -> None:
        self._by_school: dict[int, set[Subscriber]] = {}

    def add(self, subscriber: Subscriber) -> None:
        """Add a subscriber of its school."""
        self._by_school.setdefault(subscriber.school_id, set()).add(subscriber)

    def remove(self, subscriber: Subscriber) -> None:
        """Remove a subscriber (again is fine); a school without subscribers is forgotten."""
        subscribers = self._by_school.get(subscriber.school_id)
        if subscribers is None:
            return
        subscribers.discard(subscriber)
        if not subscribers:
            del self._by_school[subscriber.school_id]

    def watches(self, school_id: int) -> bool:
        """Say whether the school has local subscribers."""
        return school_id in self._by_school

    def dispatch(self, event: Carried) -> None:
        """Offer the item to each subscriber of its school, dropping those that overflow."""
        for subscriber in tuple(self._by_school.get(event.school_id, ())):
            if subscriber.offer(event):
                continue
            self.remove(subscriber)
            if subscriber.overflowed:
                log.warning(
                    "subscriber of school %d overflowed at %s (queue of %d); dropped",
                    event.school_id,
                    f"seq {event.seq}" if isinstance(event, BrokerEvent) else "a notice",
                    subscriber.queue_size,
                )

    def close_all(self) -> None:
        """End every subscriber's iteration and forget them."""
        for subscribers in self._by_school.values():
            for subscriber in subscribers:
                subscriber.close()
        self._by_school.clear()


class MemoryBroker(Broker):
    """Delivers events to this process's subscribers only (one process, SQLite or PostgreSQL).

    Publishing an event again delivers nothing: per school it remembers the last (epoch, seq)
    delivered and skips anything at or below it, like the Redis backend's XADD ids. So an event
    published after a later one (two transitions racing from commit to publish) is skipped too;
    subscribers see the gap in seq and read the missing event from the log. A new epoch (the
    history was lost and seqs restart) is accepted as is.
    """

    def __init__(self, *, queue_size: int = DEFAULT_QUEUE_SIZE) -> None:
        self.queue_size = queue_size
        self._fanout = Fanout()
        self._last: dict[int, tuple[str, int]] = {}
        self._running = False

    async def start(self) -> None:
        """Start delivering."""
        self._running = True

    async def stop(self) -> None:
        """End every subscription."""
        self._running = False
        self._fanout.close_all()

    async def publish(self, events: Sequence[BrokerEvent]) -> None:
        """Deliver events to local subscribers, skipping those delivered already."""
        self._check_running()
        for event in events:
            last = self._last.get(event.school_id)
            if last is not None and last[0] == event.epoch and event.seq <= last[1]:
                log.debug("school %d seq %d already published", event.school_id, event.seq)
                continue
            self._last[event.school_id] = (event.epoch, event.seq)
            self._fanout.dispatch(event)

    async def publish_notice(self, notice: BrokerNotice) -> None:
        """Deliver an in-app notification to local subscribers."""
        self._check_running()
        self._fanout.dispatch(notice)

    def subscribe(self, school_id: int) -> Subscription:
        """Return a subscription to the school's events."""
        return Subscription(Subscriber(school_id, self.queue_size), self._attach, self._detach)

    async def _attach(self, subscriber: Subscriber) -> None:
        self._check_running()
        self._fanout.add(subscriber)

    def _detach(self, subscriber: Subscriber) -> None:
        self._fanout.remove(subscriber)

    def _check_running(self) -> None:
        if not self._running:
            raise RuntimeError("the broker is not started")
