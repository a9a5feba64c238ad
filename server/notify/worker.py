"""The delivery worker: claim due outbox rows, send each once, record every attempt.

Every process runs one. A claim moves a row's `due_at` a lease ahead inside a transaction that
locks the rows it picks with `FOR UPDATE SKIP LOCKED` (PostgreSQL): two processes never claim
one row, and a process that dies mid-send leaves the row due again when the lease ends. On
SQLite the one process claims alone. The worker is woken right after a commit that queued
rows (so a push leaves within milliseconds) and polls as a fallback (rows of other processes,
retries coming due). Sends run as tasks with timeouts: a dead peer holds one task, never the
loop, the hub or a request. An in-app row is "sent" by publishing it once through the hub's
broker, which carries it to the recipient's sockets in every process. See
docs/adr/0006-notifications.md.

The worker imports neither the hub nor the services (they are layers above it): the app hands
it the hub's publisher (`inapp`) and the after-commit hook it wakes on (`on_commit`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta

import aiohttp
from py_vapid import Vapid02
from tortoise.transactions import in_transaction

from server import storage
from server.clock import utcnow
from server.config import Settings
from server.contract.categories import Channel
from server.contract.frames import notification_frame
from server.models import Delivery, DeliveryAttempt, PassEvent, PushSubscription, School
from server.notify.payload import smaller
from server.notify.retry import Next, Policy, Step, after_http, after_smtp
from server.notify.school_settings import stored, webhook_allowed
from server.notify.senders import (
    TIMEOUT_SECONDS,
    Answer,
    send_email,
    send_push,
    send_webhook,
    ttl_until,
)
from server.notify.vapid import signer, vapid_key

log = logging.getLogger("hallpass.notify")

# A send times out after 10 s; a lease six times that can't end while its send is running.
LEASE = timedelta(seconds=60)
# Rows of other processes and retries coming due are found within this.
POLL_SECONDS = 1.0
# At most this many sends in flight per process; more rows wait for the next claim.
CONCURRENCY = 32
CLAIM_BATCH = 32
# The delivery log answers "did the nurse get it?" for a month; older finished rows go.
KEEP = timedelta(days=30)
PURGE_EVERY_SECONDS = 3600.0
# A toast is news only for a moment: an in-app row that could not be published by then (Redis
# down) is given up; the push of the same notice still reaches the device.
INAPP_FRESH = timedelta(minutes=2)


class Unpublished(Exception):
    """The in-app publisher could not carry a notification (its broker is lost): retry later."""


# Publishes one in-app notification (school, recipient, category, the `notification` frame's
# JSON) to every process's hub, raising Unpublished when it can't (server/api/app.py).
Announce = Callable[[int, int, str, str], Awaitable[None]]
# Called after each committed transaction of a school with its new events.
Committed = Callable[[School, Sequence[PassEvent]], Awaitable[None]]
# Registers an after-commit hook and returns what removes it (the app passes the services'
# `on_commit`): woken by a commit that may have queued rows, a push leaves at once.
OnCommit = Callable[[Committed], Callable[[], None]]
CLAIM_SQL = """
UPDATE deliveries SET due_at = $1
WHERE id IN (
    SELECT id FROM deliveries
    WHERE state = 'pending' AND due_at <= $2 AND ($4 OR channel <> 'inapp')
    ORDER BY due_at, id
    LIMIT $3
    FOR UPDATE SKIP LOCKED
)
RETURNING id
"""


class DeliveryWorker:
    """Sends the outbox of one process (see the module docstring)."""

    def __init__(
        self,
        settings: Settings,
        *,
        policy: Policy | None = None,
        poll_seconds: float = POLL_SECONDS,
        lease: timedelta = LEASE,
        inapp: Announce | None = None,
        on_commit: OnCommit | None = None,
    ) -> None:
        self.settings = settings
        self.inapp = inapp
        self.on_commit = on_commit
        self.policy = policy or Policy()
        self.poll_seconds = poll_seconds
        self.lease = lease
        self._wake = asyncio.Event()
        self._inflight: set[asyncio.Task[None]] = set()
        self._session: aiohttp.ClientSession | None = None
        self._task: asyncio.Task[None] | None = None
        self._unhook: list[Callable[[], None]] = []
        self._stopping = False
        self._vapid: Vapid02 | None = None  # the key never changes once made: parse it once

    @property
    def session(self) -> aiohttp.ClientSession:
        """Return the one HTTP session every push and webhook of this process shares."""
        if self._session is None:
            self._session = aiohttp.ClientSession()
        return self._session

    def wake(self) -> None:
        """Look for due rows now (called after a commit that may have queued some)."""
        self._wake.set()

    async def _after_commit(self, school: School, events: Sequence[PassEvent]) -> None:
        self.wake()

    async def start(self) -> None:
        """Start the background loop."""
        if self.on_commit is not None:  # without it, rows are found at the next poll
            self._unhook.append(self.on_commit(self._after_commit))
        self._task = asyncio.create_task(self._run(), name="hallpass-notify")

    async def stop(self) -> None:
        """Stop the loop, cancel in-flight sends (their rows come due again after the lease),
        and close the HTTP session."""
        for remove in self._unhook:
            remove()
        self._unhook.clear()
        self._stopping = True
        self.wake()
        tasks = [*self._inflight, *([self._task] if self._task is not None else [])]
        # Python 3.11's wait_for can swallow a cancel that lands as its wait ends (gh-86296),
        # so cancel again until every task has stopped.
        while any(not task.done() for task in tasks):
            for task in tasks:
                task.cancel()
            await asyncio.wait(tasks, timeout=0.1)
        self._task = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _run(self) -> None:
        purged_at = time.monotonic() - PURGE_EVERY_SECONDS
        while not self._stopping:
            self._wake.clear()
            if time.monotonic() - purged_at >= PURGE_EVERY_SECONDS:
                purged_at = time.monotonic()
                try:
                    await purge_finished(utcnow() - KEEP)
                except Exception as exc:
                    if not storage.report(exc):
                        log.exception("purging old deliveries failed; retrying in an hour")
            try:
                room = CONCURRENCY - len(self._inflight)
                if room > 0:
                    claimed = await self.claim(min(room, CLAIM_BATCH))
                    if claimed:  # the claim moved their leases: the database took a write
                        storage.stored()
                    for delivery_id in claimed:
                        task = asyncio.create_task(self.deliver(delivery_id))
                        self._inflight.add(task)
                        task.add_done_callback(self._done)
            except Exception as exc:
                # A full disk fails every poll: logged once per outage, not once a second.
                if not storage.report(exc):
                    log.exception(
                        "claiming deliveries failed; retrying in %.1f s", self.poll_seconds
                    )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_seconds)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._inflight.discard(task)
        error = None if task.cancelled() else task.exception()
        if error is not None and not storage.report(error):
            log.error("a delivery failed", exc_info=error)
        self.wake()  # a slot is free: rows that waited for one may go

    async def run_once(self) -> int:
        """Claim every row due now and send them, waiting for the sends; return how many."""
        ids = await self.claim(CLAIM_BATCH)
        await asyncio.gather(*(self.deliver(i) for i in ids))
        return len(ids)

    async def claim(self, limit: int) -> list[int]:
        """Take up to `limit` due rows for this process by moving them a lease ahead.

        Without a hub to publish through (`inapp`), in-app rows are left to processes with one.
        """
        now = utcnow()
        async with in_transaction() as conn:
            if conn.capabilities.dialect == "postgres":
                # One statement: rows another process is claiming are skipped, not waited for,
                # and a row claimed and committed meanwhile is no longer due. (The ORM's
                # values_list() drops FOR UPDATE, which let two processes send one row.)
                rows = await conn.execute_query_dict(
                    CLAIM_SQL, [now + self.lease, now, limit, self.inapp is not None]
                )
                return [int(row["id"]) for row in rows]
            pending = Delivery.filter(state="pending", due_at__lte=now)
            if self.inapp is None:
                pending = pending.exclude(channel=Channel.INAPP)
            due = await pending.order_by("due_at", "id").limit(limit).using_db(conn).values("id")
            ids = [int(row["id"]) for row in due]
            if ids:  # SQLite: this process's one connection runs the transaction alone
                await Delivery.filter(id__in=ids).using_db(conn).update(due_at=now + self.lease)
        return ids

    async def deliver(self, delivery_id: int) -> None:
        """Send one claimed row once and record the attempt and what comes next."""
        delivery = await Delivery.get(id=delivery_id)
        reduced = delivery.reduced
        started = time.monotonic()
        try:
            answer = await self._send(delivery, reduced)
        except Exception as exc:  # a bug or a bad key must not kill the worker
            log.exception("delivery %s raised", delivery_id)
            answer = Answer(None, f"{exc.__class__.__name__}: {exc}"[:300])
        took = int((time.monotonic() - started) * 1000)
        now = utcnow()
        attempts = delivery.attempts + 1
        step = self._step(delivery, answer, attempts, reduced, now)
        await DeliveryAttempt.create(
            delivery_id=delivery.id,
            at=now,
            status=answer.status,
            error=answer.error,
            reduced=reduced,
            duration_ms=took,
        )
        await self._apply(delivery, step, attempts, now)

    def _step(
        self, delivery: Delivery, answer: Answer, attempts: int, reduced: bool, now: datetime
    ) -> Step:
        if answer.final:
            return Step(Next.FAILED)
        if delivery.channel == Channel.EMAIL:
            return after_smtp(answer.status, attempts=attempts, now=now, policy=self.policy)
        return after_http(
            answer.status,
            attempts=attempts,
            reduced=reduced,
            now=now,
            policy=self.policy,
            retry_after_header=answer.retry_after,
            push=delivery.channel == Channel.PUSH,
        )

    async def _apply(self, delivery: Delivery, step: Step, attempts: int, now: datetime) -> None:
        rows = Delivery.filter(id=delivery.id)
        if step.next is Next.SENT:
            await rows.update(state="sent", attempts=attempts, sent_at=now)
        elif step.next is Next.GONE:
            await rows.update(state="gone", attempts=attempts)
            if delivery.subscription_id is not None:
                await PushSubscription.filter(id=delivery.subscription_id).delete()
        elif step.next is Next.SHRINK:
            payload = smaller(delivery.payload)
            await rows.update(attempts=attempts, payload=payload, reduced=True, due_at=now)
            self.wake()
        elif step.next is Next.RETRY:
            assert step.at is not None
            await rows.update(attempts=attempts, due_at=step.at)
        else:
            await rows.update(state="failed", attempts=attempts)

    async def _announce(self, delivery: Delivery) -> Answer:
        """Publish an in-app row through the hub's broker (status 200 once published)."""
        if self.inapp is None or delivery.recipient_id is None:
            return Answer(None, "no hub runs in this process", final=True)
        made = delivery.created_at.astimezone(UTC)
        now = utcnow()
        if now - made > INAPP_FRESH:
            return Answer(None, "too old to show as a toast", final=True)
        if delivery.expires_at is not None and now >= delivery.expires_at:
            return Answer(None, "expired before it could be shown", final=True)
        frame = notification_frame(
            delivery.id, delivery.payload, delivery.urgency, made.isoformat().replace("+00:00", "Z")
        )
        published = self.inapp(delivery.school_id, delivery.recipient_id, delivery.category, frame)
        try:
            await asyncio.wait_for(published, TIMEOUT_SECONDS)
        except Unpublished as exc:
            return Answer(None, str(exc)[:300])
        except TimeoutError as exc:
            return Answer(None, f"{exc.__class__.__name__}: {exc}"[:300])
        return Answer(200)

    async def _send(self, delivery: Delivery, reduced: bool) -> Answer:
        if delivery.channel == Channel.INAPP:
            return await self._announce(delivery)
        payload = dict(delivery.payload)
        ttl = ttl_until(delivery.urgency, delivery.expires_at, utcnow())
        if ttl is None:  # an offered place lapsed before its notice could leave
            return Answer(None, "expired before it could be sent", final=True)
        if delivery.channel == Channel.PUSH:
            sub = (
                None
                if delivery.subscription_id is None
                else await PushSubscription.get_or_none(id=delivery.subscription_id)
            )
            if sub is None:
                return Answer(None, "the subscription was removed", final=True)
            if self._vapid is None:
                self._vapid = signer(await vapid_key())
            return await send_push(
                self.session,
                self._vapid,
                self.settings.vapid_subject,
                {"endpoint": sub.endpoint, "keys": {"p256dh": sub.p256dh, "auth": sub.auth}},
                payload,
                urgency=delivery.urgency,
                topic=str(payload.get("tag") or f"p{delivery.hall_pass_id or 0}"),
                ttl=ttl,
            )
        if delivery.channel == Channel.EMAIL:
            if self.settings.smtp is None or delivery.address is None:
                return Answer(None, "no SMTP server is configured", final=True)
            return await send_email(self.settings.smtp, delivery.address, payload)
        school = await School.get(id=delivery.school_id)
        hook = next((w for w in stored(school).webhooks if w.url == delivery.address), None)
        if hook is None:
            return Answer(None, "the webhook was removed from the school's settings", final=True)
        if not webhook_allowed(hook.url, self.settings.webhook_hosts):
            # Saved before the operator narrowed HALLPASS_WEBHOOK_HOSTS: never called now.
            return Answer(None, "the webhook's host is not in HALLPASS_WEBHOOK_HOSTS", final=True)
        return await send_webhook(self.session, hook.url, hook.secret, payload)


async def purge_finished(before: datetime) -> None:
    """Delete deliveries (and their attempts) finished and made before `before`."""
    await Delivery.filter(created_at__lt=before, state__in=("sent", "failed", "gone")).delete()


@contextlib.asynccontextmanager
async def running(
    settings: Settings, *, inapp: Announce | None = None, on_commit: OnCommit | None = None
) -> AsyncIterator[DeliveryWorker]:
    """Run a delivery worker (publishing in-app rows with `inapp`, woken through `on_commit`)
    for the lifetime of the block."""
    worker = DeliveryWorker(settings, inapp=inapp, on_commit=on_commit)
    await worker.start()
    try:
        yield worker
    finally:
        await worker.stop()
