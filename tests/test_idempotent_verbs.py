"""Idempotency keys on the pass verbs: what the PWA queues offline applies once.

A verb sent again with the same `Idempotency-Key` by the same user answers what the first
answered (same status, same body) and changes nothing, even after the pass moved on; the same
key for another pass or another verb is `409 idempotency_conflict`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from server.errors import ErrorCode
from server.models import IdempotencyKey, PassEvent
from tests import dbstate
from tests.conftest import Demo
from tests.test_authorization import PASS_TABLES, keep_clear_of_local_midnight
from tests.test_error_shape import assert_error

TEACHER = "teacher1@demo.school"  # Room 101: students 1003-1015
ADMIN = "admin@demo.school"
COUNSELOR = "counselor@demo.school"


async def send(
    demo: Demo, login: str, path: str, key: str | None, body: object = None
) -> httpx.Response:
    """POST as the user, with an Idempotency-Key header when given."""
    headers = await demo.auth(login)
    if key is not None:
        headers["Idempotency-Key"] = key
    return await demo.client.post(path, headers=headers, json=body)


async def opened(demo: Demo, login: str, destination: str, state: str) -> int:
    """A student asks for a pass; insist on its state and return its id."""
    response = await demo.request_pass(login, destination)
    assert response.status_code == 201, response.text
    assert response.json()["state"] == state, response.text
    return int(response.json()["id"])


async def pending_nurse(demo: Demo) -> int:
    return await opened(demo, "1003", "Nurse", "pending")


async def active_library(demo: Demo) -> int:
    return await opened(demo, "1003", "Library", "active")


async def pending_counselor(demo: Demo) -> int:
    return await opened(demo, "1003", "Counselor", "pending")


async def offered_restroom(demo: Demo) -> int:
    """Fill Restroom North, queue 1005, and free a place: 1005's pass is offered it."""
    first = await opened(demo, "1003", "Restroom North", "active")
    await opened(demo, "1004", "Restroom North", "active")
    waiting = await opened(demo, "1005", "Restroom North", "waiting")
    assert (await demo.post("1003", f"/api/passes/{first}/end")).status_code == 200
    return waiting


Setup = Callable[[Demo], Awaitable[int]]
# verb -> (who, how the pass is set up, body, the state it leaves the pass in)
VERBS: dict[str, tuple[str, Setup, dict[str, Any] | None, str]] = {
    "approve": (TEACHER, pending_nurse, None, "active"),
    "deny": (TEACHER, pending_nurse, None, "denied"),
    "cancel": ("1003", pending_nurse, None, "cancelled"),
    "arrive": (ADMIN, active_library, None, "active"),
    "end": ("1003", active_library, None, "ended"),
    "take": ("1005", offered_restroom, None, "active"),
    "delay": (COUNSELOR, pending_counselor, {"minutes": 10}, "scheduled"),
}


@pytest.mark.parametrize("verb", list(VERBS))
async def test_a_verb_sent_twice_with_one_key_applies_once_and_answers_the_same(
    demo: Demo, verb: str
) -> None:
    keep_clear_of_local_midnight()
    login, setup, body, state = VERBS[verb]
    pass_id = await setup(demo)
    path = f"/api/passes/{pass_id}/{verb}"
    first = await send(demo, login, path, "queued-0001", body)
    assert first.status_code == 200, first.text
    assert first.json()["state"] == state
    before = await dbstate.snapshot()
    again = await send(demo, login, path, "queued-0001", body)
    assert (again.status_code, again.json()) == (200, first.json())
    assert await dbstate.snapshot() == before  # no event, no seq, no second key


async def test_end_twice_with_a_key_is_200_twice_and_without_one_the_second_is_409(
    demo: Demo,
) -> None:
    keyed, plain = await active_library(demo), await opened(demo, "1004", "Library", "active")
    ended = await send(demo, "1003", f"/api/passes/{keyed}/end", "back-0001")
    replayed = await send(demo, "1003", f"/api/passes/{keyed}/end", "back-0001")
    assert (replayed.status_code, replayed.json()) == (200, ended.json())
    assert replayed.json()["state"] == "ended"
    assert await PassEvent.filter(hall_pass_id=keyed, name="pass.ended").count() == 1
    assert (await send(demo, "1004", f"/api/passes/{plain}/end", None)).status_code == 200
    second = await send(demo, "1004", f"/api/passes/{plain}/end", None)
    assert_error(second, 409, ErrorCode.INVALID_TRANSITION)


async def test_a_replay_after_the_pass_moved_on_answers_the_first_result(demo: Demo) -> None:
    pass_id = await pending_nurse(demo)
    approved = await send(demo, TEACHER, f"/api/passes/{pass_id}/approve", "ok-nurse-1")
    assert approved.json()["state"] == "active"
    assert (await demo.post("1003", f"/api/passes/{pass_id}/end")).status_code == 200
    replayed = await send(demo, TEACHER, f"/api/passes/{pass_id}/approve", "ok-nurse-1")
    assert (replayed.status_code, replayed.json()) == (200, approved.json())
    assert replayed.json()["state"] == "active"  # what it answered then, not the pass now


async def test_one_key_for_another_pass_or_another_verb_is_a_conflict(demo: Demo) -> None:
    mine, theirs = await pending_nurse(demo), await opened(demo, "1004", "Nurse", "pending")
    assert (await send(demo, TEACHER, f"/api/passes/{mine}/approve", "k-000001")).is_success
    before = await dbstate.snapshot()
    for path in (f"/api/passes/{theirs}/approve", f"/api/passes/{mine}/arrive"):
        assert_error(
            await send(demo, TEACHER, path, "k-000001"), 409, ErrorCode.IDEMPOTENCY_CONFLICT
        )
    # A key that created a pass is not a key for a verb either.
    created = await send(demo, "1005", "/api/passes", "k-create1", await library_body(demo))
    assert created.status_code == 201, created.text
    before = await dbstate.snapshot()
    ending = await send(demo, "1005", f"/api/passes/{created.json()['id']}/end", "k-create1")
    assert_error(ending, 409, ErrorCode.IDEMPOTENCY_CONFLICT)
    assert await dbstate.snapshot() == before


async def library_body(demo: Demo) -> dict[str, int]:
    """The body of a student's request to the Library."""
    listed = (await demo.get("1005", "/api/locations")).json()
    return {"destination_id": next(p["id"] for p in listed if p["name"] == "Library")}


async def test_keys_are_each_users_own(demo: Demo) -> None:
    pass_id = await active_library(demo)
    assert (await send(demo, TEACHER, f"/api/passes/{pass_id}/end", "shared-01")).is_success
    # The student's copy of the same key is theirs: a new request, refused on its merits.
    late = await send(demo, "1003", f"/api/passes/{pass_id}/end", "shared-01")
    assert_error(late, 409, ErrorCode.INVALID_TRANSITION)


async def test_a_refused_verb_keeps_no_key_so_its_retry_is_decided_afresh(demo: Demo) -> None:
    pass_id = await pending_nurse(demo)
    early = await send(demo, "1003", f"/api/passes/{pass_id}/end", "retry-001")
    assert_error(early, 409, ErrorCode.INVALID_TRANSITION)
    assert not await IdempotencyKey.filter(key="retry-001").exists()
    assert (await send(demo, TEACHER, f"/api/passes/{pass_id}/approve", None)).is_success
    later = await send(demo, "1003", f"/api/passes/{pass_id}/end", "retry-001")
    assert (later.status_code, later.json()["state"]) == (200, "ended")


@pytest.mark.parametrize("key", ["short", "has spaces in it", "k" * 101, "semi;colon;key"])
async def test_a_malformed_key_is_named_and_nothing_changes(demo: Demo, key: str) -> None:
    pass_id = await active_library(demo)
    before = await dbstate.snapshot(PASS_TABLES)
    headers = {**await demo.auth("1003"), "Idempotency-Key": key}
    response = await demo.client.post(f"/api/passes/{pass_id}/end", headers=headers)
    assert_error(response, 422, ErrorCode.VALIDATION_ERROR)
    assert [f["field"] for f in response.json()["error"]["details"]["fields"]] == [
        "Idempotency-Key"
    ]
    assert await dbstate.snapshot(PASS_TABLES) == before
