"""docs/api.md's first session: a student asks for a restroom pass, it is active, and ends."""

from __future__ import annotations

from tests.conftest import Demo


async def test_a_student_requests_a_restroom_pass_it_is_active_and_ends(demo: Demo) -> None:
    created = await demo.request_pass("1003", "Restroom North")
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["state"] == "active"
    assert body["origin"]["name"] == "Room 101"
    assert body["due_at"] is not None

    ended = await demo.post("1003", f"/api/passes/{body['id']}/end")
    assert ended.status_code == 200, ended.text
    assert ended.json()["state"] == "ended"
    assert ended.json()["ended_by"] == "student"
