"""After-commit hooks see exactly the committed events, in order, and never fail a request."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from starlette.applications import Starlette

from server.models import PassEvent, School
from server.runtime import Runtime
from tests.conftest import Demo


def runtime_of(app: Starlette) -> Runtime:
    """Return the app's runtime, where its after-commit hooks are registered."""
    runtime: Runtime = app.state.hallpass.runtime
    return runtime


async def test_hooks_get_each_committed_transition_events_in_seq_order(
    app: Starlette, demo: Demo
) -> None:
    seen: list[tuple[int, list[int], list[str]]] = []

    async def record(school: School, events: Sequence[PassEvent]) -> None:
        stored = await PassEvent.filter(id__in=[e.id for e in events]).count()
        assert stored == len(events)  # already committed and visible outside the transaction
        seen.append((school.id, [e.seq for e in events], [e.name for e in events]))

    remove = runtime_of(app).after_commit.add(record)
    try:
        first = (await demo.request_pass("1003", "Restroom North")).json()
        await demo.request_pass("1004", "Restroom North")
        await demo.request_pass("1005", "Restroom North")  # waits in line
        refused = await demo.request_pass("1003", "Library")  # already out: nothing committed
        assert refused.status_code == 409
        await demo.post("1003", f"/api/passes/{first['id']}/end")  # ends, offers the place
    finally:
        remove()
    assert [s[1:] for s in seen] == [
        ([1], ["pass.created"]),
        ([2], ["pass.created"]),
        ([3], ["pass.created"]),
        ([4, 5], ["pass.ended", "pass.offered"]),
    ]


async def test_a_failing_hook_is_logged_and_the_request_still_succeeds(
    app: Starlette, demo: Demo, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(school: School, events: Sequence[PassEvent]) -> None:
        raise RuntimeError("broker down")

    remove = runtime_of(app).after_commit.add(broken)
    try:
        created = await demo.request_pass("1006", "Library")
    finally:
        remove()
    assert created.status_code == 201
    assert "after-commit hook" in caplog.text
