"""Idempotency keys on pass verbs: a keyed request applies once, and a repeat answers the same.

The PWA queues verbs while offline and sends them again when it can't tell whether they
arrived. A key is a user's own (`(user, key)` is unique); it remembers the verb, the pass and
the body first answered. Looked up inside the school's transaction, under its lock, so two
copies of one request sent at once apply once: the second waits, then finds the first's key.
A refused request rolls back and keeps no key, so a retry is decided afresh.
"""

from __future__ import annotations

from datetime import timedelta

from server.clock import utcnow
from server.contract.common import wire
from server.contract.passes import PassOut
from server.errors import ErrorCode, HallpassError
from server.models import IdempotencyKey
from server.services.transaction import SchoolTransaction

CREATE = "create"
# An offline queue is replayed within hours (the next time the device finds the network); a
# week covers a device left in a locker over a long weekend, and bounds the table: every keyed
# verb keeps its answer, a pass's JSON of about 1 KB.
KEEP_KEYS = timedelta(days=7)


def conflict() -> HallpassError:
    """Return the 409 for a key already used for another verb or another pass."""
    return HallpassError(
        ErrorCode.IDEMPOTENCY_CONFLICT,
        "This idempotency key was used for another request. Send a new key.",
    )


async def recall(tx: SchoolTransaction, user_id: int, key: str) -> IdempotencyKey | None:
    """Return what the user's key did before, or None if it is new."""
    return await IdempotencyKey.filter(user_id=user_id, key=key).using_db(tx.conn).get_or_none()


async def replay(
    tx: SchoolTransaction, user_id: int, key: str, verb: str, pass_id: int
) -> PassOut | None:
    """Return the first answer of this key's verb on this pass; None for a new key.

    The same key for another verb or another pass is a conflict (409), never a replay.
    """
    previous = await recall(tx, user_id, key)
    if previous is None:
        return None
    if previous.verb != verb or previous.hall_pass_id != pass_id or previous.response is None:
        raise conflict()
    return PassOut.model_validate(previous.response)


async def remember(
    tx: SchoolTransaction,
    user_id: int,
    key: str,
    verb: str,
    pass_id: int,
    response: PassOut | None = None,
) -> None:
    """Record what the key did, in the same transaction as the change it made."""
    await IdempotencyKey.create(
        using_db=tx.conn,
        user_id=user_id,
        key=key,
        verb=verb,
        hall_pass_id=pass_id,
        response=None if response is None else wire(response),
    )


async def purge_stale_keys() -> int:
    """Delete keys older than KEEP_KEYS; return how many went."""
    return await IdempotencyKey.filter(created_at__lt=utcnow() - KEEP_KEYS).delete()
