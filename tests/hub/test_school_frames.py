"""`school` frames: place counts, the hallway and settings pushed over /ws, so no screen polls.

Who gets what (staff the hallway count, students and kiosks only whether it is full, another
school nothing), how soon after a change, after a settings change, on resume; and why a pass
waits in line (`line_reason`).
"""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect

from server.enums import LocationKind, Role
from server.models import Location, School
from tests.conftest import Demo, location_id
from tests.hub.test_cluster import Cluster, cluster, cluster_redis  # noqa: F401 (fixtures)
from tests.hub.test_cluster import sign_in as cluster_sign_in
from tests.hub.test_ws import hello, live, recv  # noqa: F401 (live is a fixture)
from tests.test_school_isolation import make_user

ADMIN = "admin@demo.school"
# Keys a student's or kiosk's frame may carry: counts and switches, never who is out.
SHARED_KEYS = {"type", "seq", "passes_enabled", "hallway_full", "places"}


async def school_frame(ws: ClientConnection, within: float = 2.0) -> dict[str, Any]:
    """Return the next `school` frame, skipping other frames."""
    while True:
        frame = await recv(ws, within, school=True)
        if frame["type"] == "school":
            return frame


async def until(ws: ClientConnection, check: Any, within: float = 2.0) -> dict[str, Any]:
    """Return the first `school` frame for which `check(frame)` holds."""
    while True:
        frame = await school_frame(ws, within)
        if check(frame):
            return frame


def count(frame: dict[str, Any], place_id: int) -> tuple[int, int]:
    """Return a place's (out, waiting) in a frame."""
    (found,) = [p for p in frame["places"] if p["id"] == place_id]
    return found["out"], found["waiting"]


async def test_a_joining_client_gets_the_counts_right_after_its_snapshot(
    live: str,  # noqa: F811 (the fixture imported above)
    demo: Demo,
) -> None:
    await demo.request_pass("1004", "Restroom North")
    north = await location_id("Restroom North")
    student, first = await hello(live, await demo.token("1003"))
    monitor, _ = await hello(live, await demo.token("monitor@demo.school"))
    async with student, monitor:
        assert first["type"] == "snapshot"
        mine = await school_frame(student)
        assert set(mine) == SHARED_KEYS  # no hallway count, no names, no passes
        assert count(mine, north) == (1, 0)
        assert mine["passes_enabled"] is True
        assert mine["hallway_full"] is False
        staff = await school_frame(monitor)
        assert staff["hallway"] == {"out": 1, "max": None}
        assert count(staff, north) == (1, 0)
        # Every active place of the school is listed, and only those.
        rows = await Location.filter(active=True, school__slug="demo").values_list("id")
        assert {p["id"] for p in staff["places"]} == {row[0] for row in rows}


async def test_a_pass_going_out_and_coming_back_moves_every_screens_counts_within_a_second(
    live: str,  # noqa: F811 (the fixture imported above)
    demo: Demo,
) -> None:
    north = await location_id("Restroom North")
    watcher, _ = await hello(live, await demo.token("1003"))
    monitor, _ = await hello(live, await demo.token("monitor@demo.school"))
    async with watcher, monitor:
        for ws in (watcher, monitor):
            await school_frame(ws)  # the one after the snapshot
        started = time.monotonic()
        created = (await demo.request_pass("1004", "Restroom North")).json()
        frame = await until(watcher, lambda f: count(f, north) == (1, 0), within=1.0)
        went_out = time.monotonic() - started
        assert set(frame) == SHARED_KEYS
        staff = await until(monitor, lambda f: count(f, north) == (1, 0), within=1.0)
        assert staff["hallway"]["out"] == 1
        started = time.monotonic()
        await demo.post("1004", f"/api/passes/{created['id']}/end")
        await until(watcher, lambda f: count(f, north) == (0, 0), within=1.0)
        came_back = time.monotonic() - started
        print(f"in-process: out {went_out * 1000:.1f} ms, back {came_back * 1000:.1f} ms")


async def test_a_settings_change_reaches_students_and_staff_and_the_hallways_fill(
    live: str,  # noqa: F811 (the fixture imported above)
    demo: Demo,
) -> None:
    student, _ = await hello(live, await demo.token("1003"))
    monitor, _ = await hello(live, await demo.token("monitor@demo.school"))
    async with student, monitor:
        for ws in (student, monitor):
            await school_frame(ws)
        patched = await demo.client.patch(
            "/api/school", headers=await demo.auth(ADMIN), json={"hallway_max": 1}
        )
        assert patched.status_code == 200, patched.text
        staff = await until(monitor, lambda f: f["hallway"]["max"] == 1)
        assert staff["hallway_full"] is False
        await demo.request_pass("1016", "Library")
        await until(student, lambda f: f["hallway_full"] is True)
        await until(monitor, lambda f: f["hallway_full"] is True and f["hallway"]["out"] == 1)
        # The next student waits because of the hallway, and is told so.
        waiting = (await demo.request_pass("1003", "Library")).json()
        assert waiting["state"] == "waiting"
        assert waiting["line_reason"] == "hallway_full"
        off = await demo.client.patch(
            "/api/school", headers=await demo.auth(ADMIN), json={"passes_enabled": False}
        )
        assert off.status_code == 200, off.text
        await until(student, lambda f: f["passes_enabled"] is False)


async def test_a_full_place_puts_the_pass_in_line_with_the_reason_place_full(
    live: str,  # noqa: F811 (the fixture imported above)
    demo: Demo,
) -> None:
    for login in ("1004", "1005"):
        assert (await demo.request_pass(login, "Restroom North")).json()["state"] == "active"
    waiting = (await demo.request_pass("1006", "Restroom North")).json()
    assert waiting["state"] == "waiting"
    assert waiting["line_reason"] == "place_full"
    mine = (await demo.get("1006", f"/api/passes/{waiting['id']}")).json()
    assert mine["line_reason"] == "place_full"


async def test_another_school_never_gets_the_frames_of_this_one(
    live: str,  # noqa: F811 (the fixture imported above)
    demo: Demo,
) -> None:
    other = await School.create(name="Zed Academy", slug="zed", timezone="UTC")
    room = await Location.create(
        school=other, name="Zed Room", kind=LocationKind.CLASSROOM, is_destination=False
    )
    zed_restroom = await Location.create(
        school=other, name="Zed Restroom", kind=LocationKind.RESTROOM, capacity=2
    )
    await make_user(
        other, "9901", Role.STUDENT, "Zedstudent", student_number="9901", home_location=room
    )
    outsider, _ = await hello(live, await demo.token("9901"))
    async with outsider:
        theirs = await school_frame(outsider)
        assert {p["id"] for p in theirs["places"]} == {room.id, zed_restroom.id}
        await demo.request_pass("1004", "Restroom North")
        await demo.client.patch(
            "/api/school", headers=await demo.auth(ADMIN), json={"hallway_max": 1}
        )
        frames = []
        try:
            while True:
                frames.append(await recv(outsider, 0.7, school=True))
        except TimeoutError:
            pass
        assert frames == []  # nothing of the demo school's counts or settings


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.timeout(180)
@pytest.mark.parametrize("backend", ["postgres"])
async def test_counts_and_settings_changed_through_one_process_reach_a_student_on_another(
    cluster: Cluster,  # noqa: F811 (the fixture imported above)
) -> None:
    async with (
        httpx.AsyncClient(base_url=cluster.url(0)) as a,
        httpx.AsyncClient(base_url=cluster.url(1)) as b,
    ):
        watcher = await cluster_sign_in(a, "1003")
        goer = await cluster_sign_in(b, "1004")
        admin = await cluster_sign_in(b, ADMIN)
        places = (await b.get("/api/locations", headers={"Authorization": f"Bearer {goer}"})).json()
        north = next(p["id"] for p in places if p["name"] == "Restroom North")
        ws = await connect(cluster.ws(0))
        try:
            await ws.send(json.dumps({"type": "hello", "token": watcher}))
            first = await school_frame(ws, 5)
            assert count(first, north) == (0, 0)
            started = time.monotonic()
            made = await b.post(
                "/api/passes",
                json={"destination_id": north},
                headers={"Authorization": f"Bearer {goer}"},
            )
            assert made.status_code == 201, made.text
            asked = time.monotonic() - started
            await until(ws, lambda f: count(f, north) == (1, 0), within=1.0)
            counted = time.monotonic() - started
            started = time.monotonic()
            patched = await b.patch(
                "/api/school", json={"hallway_max": 1}, headers={"Authorization": f"Bearer {admin}"}
            )
            assert patched.status_code == 200, patched.text
            await until(ws, lambda f: f["hallway_full"] is True, within=1.0)
            settled = time.monotonic() - started
            print(
                f"over Redis: counts {counted * 1000:.1f} ms after asking B "
                f"(the answer took {asked * 1000:.1f} ms), settings {settled * 1000:.1f} ms"
            )
        finally:
            await ws.close()
