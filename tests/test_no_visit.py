"""A nurse's pass ended before the student arrived is recorded as no visit, not a 0-minute one."""

from __future__ import annotations

import pytest

from tests.conftest import Demo
from tests.test_policies import TEACHER, at_local, local

NURSE = "nurse@demo.school"


@pytest.fixture(autouse=True)
def tuesday_morning(demo: Demo) -> None:
    """Start every test at 10:25:30 on a school Tuesday."""
    at_local(demo, local(4, 10, 25, 30))


async def on_the_way(demo: Demo, login: str) -> int:
    """Send a student to the nurse with their teacher's approval; return the active pass."""
    asked = await demo.request_pass(login, "Nurse")
    assert asked.status_code == 201, asked.text
    approved = await demo.post(TEACHER, f"/api/passes/{asked.json()['id']}/approve")
    assert approved.json()["state"] == "active", approved.text
    return int(asked.json()["id"])


async def last_summary(demo: Demo, pass_id: int) -> str:
    """Return the last line of the pass's history as staff read it."""
    history = await demo.get(NURSE, f"/api/passes/{pass_id}/history")
    assert history.status_code == 200, history.text
    return str(history.json()[-1]["summary"])


async def test_ending_before_arrival_is_logged_as_no_visit(demo: Demo) -> None:
    pass_id = await on_the_way(demo, "1003")
    ended = await demo.post(NURSE, f"/api/passes/{pass_id}/end")
    assert ended.status_code == 200, ended.text
    assert ended.json()["state"] == "ended"
    assert ended.json()["arrived_at"] is None
    assert (await last_summary(demo, pass_id)).startswith("Ended before arriving (no visit) by ")


async def test_a_visit_that_arrived_ends_as_a_visit(demo: Demo) -> None:
    pass_id = await on_the_way(demo, "1004")
    assert (await demo.post(NURSE, f"/api/passes/{pass_id}/arrive")).status_code == 200
    ended = await demo.post(NURSE, f"/api/passes/{pass_id}/end")
    assert ended.json()["arrived_at"] is not None
    assert (await last_summary(demo, pass_id)).startswith("Ended by ")


async def test_the_teacher_ending_it_before_arrival_is_an_ordinary_end(demo: Demo) -> None:
    # The student's teacher calls them back: their log line says so, as for any pass.
    pass_id = await on_the_way(demo, "1005")
    assert (await demo.post(TEACHER, f"/api/passes/{pass_id}/end")).status_code == 200
    assert (await last_summary(demo, pass_id)).startswith("Ended by ")
