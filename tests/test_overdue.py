"""Overdue when it happens: the sweep announces an active pass gone past `due_at`, once.

Restroom North is a 5-minute self-start place for two. The clock starts on a Tuesday at 10:00
in Chicago (the demo school's zone).
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from server.enums import PassState
from server.models import Pass, PassEvent
from server.services.scheduler import announce_overdue, expire_overdue_passes
from server.services.views import iso
from tests.conftest import Demo
from tests.invariants import assert_invariants
from tests.test_overtime import LIBRARY_MINUTES, advance, event_names, go_out
from tests.test_policies import TEACHER, at_local, local, set_policy


async def test_a_pass_past_due_is_announced_once_without_an_actor(demo: Demo) -> None:
    at_local(demo, local(4, 10))
    pass_id = await go_out(demo, "1003")
    advance(5 - 0.1)
    assert await announce_overdue() == []
    advance(0.1)  # at the due time it is overdue (half-open, like every window)
    assert await announce_overdue() == [pass_id]
    assert await announce_overdue() == []  # once
    hall_pass = await Pass.get(id=pass_id)
    assert hall_pass.state is PassState.ACTIVE  # not a change of state...
    assert hall_pass.version == 2  # ...but a change of the pass
    assert hall_pass.overdue_at is not None
    assert hall_pass.due_at is not None
    assert timedelta(0) <= hall_pass.overdue_at - hall_pass.due_at < timedelta(seconds=2)
    assert await event_names(pass_id) == ["pass.created", "pass.overdue"]
    event = await PassEvent.get(hall_pass_id=pass_id, name="pass.overdue")
    assert event.actor_id is None
    assert (event.data["state"], event.data["version"]) == ("active", 2)
    assert event.data["overdue_at"] == iso(hall_pass.overdue_at)
    seen = (await demo.get(TEACHER, f"/api/passes/{pass_id}")).json()
    assert seen["overdue_at"] == iso(hall_pass.overdue_at)
    # Without a grace (and nobody in line) it never expires, and is never announced again.
    advance(600)
    assert await expire_overdue_passes() == []
    assert await announce_overdue() == []
    # Ending it later is an ordinary end.
    assert (await demo.post("1003", f"/api/passes/{pass_id}/end")).status_code == 200
    assert await event_names(pass_id) == ["pass.created", "pass.overdue", "pass.ended"]
    await assert_invariants()


async def test_a_pass_back_in_time_is_never_announced(demo: Demo) -> None:
    at_local(demo, local(4, 10))
    pass_id = await go_out(demo, "1003")
    advance(4)
    assert (await demo.post("1003", f"/api/passes/{pass_id}/end")).status_code == 200
    advance(60)
    assert await announce_overdue() == []
    assert (await Pass.get(id=pass_id)).overdue_at is None
    assert (await demo.get(TEACHER, f"/api/passes/{pass_id}")).json()["overdue_at"] is None


async def test_a_sweep_late_after_a_restart_announces_then_expires_once(demo: Demo) -> None:
    # The state is the column: whatever a stopped server missed, the next sweep does, once.
    at_local(demo, local(4, 10))
    await set_policy(demo, "/api/policies/school", overtime_grace_minutes=10)
    pass_id = await go_out(demo, "1003")
    advance(30)  # down past the due time and the grace
    assert await announce_overdue() == [pass_id]
    assert await expire_overdue_passes() == [pass_id]
    assert await announce_overdue() == []
    assert await event_names(pass_id) == ["pass.created", "pass.overdue", "pass.expired"]
    await assert_invariants()


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"])
async def test_four_sweeps_at_once_announce_each_pass_once(demo: Demo) -> None:
    # As worker processes would: each sweep on its own connection from the pool.
    at_local(demo, local(4, 10))
    out = [await go_out(demo, login) for login in ("1003", "1004")]
    out += [await go_out(demo, login, "Library") for login in ("1005", "1006", "1007")]
    advance(LIBRARY_MINUTES)
    got = await asyncio.gather(*(announce_overdue() for _ in range(4)))
    assert sorted(i for ids in got for i in ids) == sorted(out)
    for pass_id in out:
        assert await event_names(pass_id) == ["pass.created", "pass.overdue"]
    assert await PassEvent.filter(name="pass.overdue").count() == len(out)
    await assert_invariants()
