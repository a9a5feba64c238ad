"""`/ws` over a real socket: snapshot, scoped live events, resume, bad frames, sign-out."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import uvicorn
from starlette.applications import Starlette
from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from server import clock
from server.cli import uvicorn_options
from server.demo import seed_timetable
from server.enums import EndedBy, PassKind, PassState, Role
from server.hub import http as hub_http
from server.hub import hub as hub_module
from server.hub.protocol import EXTENSION
from server.hub.snapshot import SNAPSHOT_FINISHED
from server.models import Enrollment, Location, Pass, School, Section, User
from server.services import transaction
from server.services.reminders import send_due_reminders
from tests.conftest import Demo, location_id, user_id
from tests.servers import free_port
from tests.test_policies import at_local, local

WAIT = 2.0  # seconds a test waits for a frame that must come
ADMIN = "admin@demo.school"


@pytest.fixture
async def live(app: Starlette, caplog: pytest.LogCaptureFixture) -> AsyncIterator[str]:
    """Serve the app (hub included) on a real port in this event loop; return ws://host:port.

    Afterwards the server must have logged no error: clients leaving, however they leave, are
    normal life for a hub.
    """
    port = free_port()
    options = uvicorn_options(app.state.hallpass.settings)
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        log_config=None,  # uvicorn's own config stops propagation; caplog must see errors
        lifespan="on",
        **options,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    async with asyncio.timeout(10):
        while not server.started:
            if task.done():
                task.result()  # raises what stopped the server
            await asyncio.sleep(0.01)
    try:
        yield f"ws://127.0.0.1:{port}/ws"
    finally:
        server.should_exit = True
        await task
    records = [*caplog.get_records("setup"), *caplog.get_records("call"), *caplog.records]
    errors = [r.getMessage() for r in records if r.levelno >= logging.ERROR]
    assert errors == []


async def recv(
    ws: ClientConnection, within: float = WAIT, *, school: bool = False
) -> dict[str, Any]:
    """Receive one frame as JSON, waiting at most `within` seconds.

    `school` frames (counts and settings, sent after the snapshot and after most events) are
    skipped unless asked for: tests/hub/test_school_frames.py is about them.
    """
    async with asyncio.timeout(within):
        while True:
            frame: dict[str, Any] = json.loads(await ws.recv())
            if school or frame.get("type") != "school":
                return frame


async def nothing_more(ws: ClientConnection, within: float = 0.3) -> None:
    """Assert that no frame arrives for a while."""
    with pytest.raises(TimeoutError):
        await recv(ws, within)


async def drain(ws: ClientConnection, quiet: float = 0.5) -> list[dict[str, Any]]:
    """Receive frames until none comes for `quiet` seconds or the socket closes."""
    frames: list[dict[str, Any]] = []
    try:
        while True:
            frames.append(await recv(ws, quiet))
    except (TimeoutError, ConnectionClosed):
        return frames


async def hello(url: str, token: str, **fields: Any) -> tuple[ClientConnection, dict[str, Any]]:
    """Connect, say hello with the token, and return the socket and the first frame."""
    ws = await connect(url)
    await ws.send(json.dumps({"type": "hello", "token": token, **fields}))
    return ws, await recv(ws)


async def test_a_client_starts_from_a_snapshot_of_what_it_may_see(live: str, demo: Demo) -> None:
    mine = (await demo.request_pass("1003", "Library")).json()
    await demo.request_pass("1016", "Library")
    ws, first = await hello(live, await demo.token("1003"))
    async with ws:
        assert first["type"] == "snapshot"
        assert first["seq"] == 2
        assert [p["id"] for p in first["passes"]] == [mine["id"]]
    ws, first = await hello(live, await demo.token("monitor@demo.school"))
    async with ws:
        assert len(first["passes"]) == 2


async def test_changes_reach_each_client_that_may_see_them_and_no_other(
    live: str, demo: Demo
) -> None:
    monitor, _ = await hello(live, await demo.token("monitor@demo.school"))
    teacher2, _ = await hello(live, await demo.token("teacher2@demo.school"))
    student, _ = await hello(live, await demo.token("1003"))
    other, _ = await hello(live, await demo.token("1004"))
    async with monitor, teacher2, student, other:
        created = (await demo.request_pass("1003", "Restroom North")).json()
        for ws in (monitor, student):
            frame = await recv(ws)
            assert frame["type"] == "event"
            assert frame["name"] == "pass.created"
            assert frame["pass"]["id"] == created["id"]
            assert frame["seq"] == 1
        await nothing_more(teacher2)  # a Room 101 pass is not Room 102's business
        await nothing_more(other)  # students see only their own passes


async def test_a_client_that_keeps_up_gets_frames_written_at_once_with_no_writer_task(
    live: str, app: Starlette, demo: Demo
) -> None:
    monitor, _ = await hello(live, await demo.token("monitor@demo.school"))
    async with monitor:
        for destination in ("Restroom North", "Library"):
            created = (await demo.request_pass("1016", destination)).json()
            await demo.post("1016", f"/api/passes/{created['id']}/end")
            assert (await recv(monitor))["name"] == "pass.created"
            assert (await recv(monitor))["name"] == "pass.ended"
        (connection,) = app.state.hub.connections()
        assert connection.writes_at_once  # hallpass serve's protocol offers the extension
        assert connection.backlog == 0


async def test_frames_wait_in_order_while_the_transport_is_paused_and_flow_once_it_resumes(
    live: str, app: Starlette, demo: Demo
) -> None:
    monitor, _ = await hello(live, await demo.token("monitor@demo.school"))
    async with monitor:
        (connection,) = app.state.hub.connections()
        protocol = connection.websocket.scope["extensions"][EXTENSION]["send_text"].__self__
        protocol.pause_writing()  # what the transport calls when its buffer is over the mark
        created = (await demo.request_pass("1016", "Restroom North")).json()
        await demo.post("1016", f"/api/passes/{created['id']}/end")
        await nothing_more(monitor)  # the events reach the hub, not the paused socket
        # They wait for the writer, in order (with the `school` frames of the counts they moved).
        waiting = [json.loads(text) for text in connection._backlog]
        assert [f["name"] for f in waiting if f["type"] == "event"] == [
            "pass.created",
            "pass.ended",
        ]
        assert {f["type"] for f in waiting} == {"event", "school"}
        protocol.resume_writing()
        assert (await recv(monitor))["name"] == "pass.created"
        assert (await recv(monitor))["name"] == "pass.ended"
        assert connection.backlog == 0


async def test_a_client_resumes_with_exactly_the_events_it_missed(live: str, demo: Demo) -> None:
    ws, first = await hello(live, await demo.token("monitor@demo.school"))
    await ws.close()
    a = (await demo.request_pass("1003", "Nurse")).json()
    await demo.post("teacher1@demo.school", f"/api/passes/{a['id']}/approve")
    await demo.request_pass("1020", "Library")
    ws, replayed = await hello(
        live, await demo.token("monitor@demo.school"), since=first["seq"], epoch=first["epoch"]
    )
    async with ws:
        frames = [replayed, await recv(ws), await recv(ws), await recv(ws)]
        assert [f["type"] for f in frames] == ["event", "event", "event", "ready"]
        assert [f.get("seq") for f in frames] == [1, 2, 3, 3]
        assert [f.get("name") for f in frames[:3]] == [
            "pass.created",
            "pass.approved",
            "pass.created",
        ]
        await demo.request_pass("1004", "Library")
        assert (await recv(ws))["seq"] == 4


async def test_a_student_resuming_gets_only_their_own_events(live: str, demo: Demo) -> None:
    ws, first = await hello(live, await demo.token("1004"))
    await ws.close()
    await demo.request_pass("1003", "Library")
    mine = (await demo.request_pass("1004", "Library")).json()
    ws, replayed = await hello(
        live, await demo.token("1004"), since=first["seq"], epoch=first["epoch"]
    )
    async with ws:
        assert replayed["pass"]["id"] == mine["id"]
        assert (await recv(ws)) == {"type": "ready", "epoch": first["epoch"], "seq": 2}


@pytest.mark.parametrize(
    ("since", "epoch"),
    [
        pytest.param(0, "another-epoch", id="history was lost (another epoch): snapshot"),
        pytest.param(99, None, id="a seq from the future: snapshot"),
    ],
)
async def test_a_client_that_cannot_resume_gets_a_snapshot(
    live: str, demo: Demo, since: int, epoch: str | None
) -> None:
    ws, first = await hello(
        live, await demo.token("1003"), since=since, **({"epoch": epoch} if epoch else {})
    )
    async with ws:
        assert first["type"] == "snapshot"


def racing_reads(
    demo: Demo, *, before: bool
) -> tuple[list[int], Callable[[], contextlib.AbstractAsyncContextManager[BaseDBAsyncClient]]]:
    """Return the ids of passes made, and a `consistent_read` that makes one while it reads:
    just before the snapshot's read begins (`before`) or just after it ends."""
    real_read = transaction.consistent_read
    made: list[int] = []

    async def change() -> None:
        made.append((await demo.request_pass("1003", "Library")).json()["id"])

    @contextlib.asynccontextmanager
    async def racing_read() -> AsyncIterator[BaseDBAsyncClient]:
        if before:
            await change()
        async with real_read() as conn:
            yield conn
        if not before:
            await change()

    return made, racing_read


@pytest.mark.parametrize("moment", ["before the snapshot is read", "after it is read"])
async def test_a_change_committed_while_the_client_joins_is_neither_lost_nor_doubled(
    live: str, demo: Demo, monkeypatch: pytest.MonkeyPatch, moment: str
) -> None:
    # The client is subscribed already; a transition commits just before or just after the
    # snapshot is read, before the client goes live.
    made, racing_read = racing_reads(demo, before=moment == "before the snapshot is read")
    monkeypatch.setattr(hub_http, "consistent_read", racing_read)
    ws, first = await hello(live, await demo.token("1003"))
    async with ws:
        in_snapshot = [p["id"] for p in first["passes"]]
        events = await drain(ws)
        seen = in_snapshot + [e["pass"]["id"] for e in events]
        assert seen == made  # once: in the snapshot or as an event after it


BadFrame = Callable[[ClientConnection], Awaitable[None]]


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        pytest.param("not json", "bad_frame", id="not JSON"),
        pytest.param("[1, 2]", "bad_frame", id="JSON but not an object"),
        pytest.param('{"type": "subscribe"}', "unknown_type", id="an unknown type"),
        pytest.param('{"type": "ping", "extra": 1}', "invalid_frame", id="an extra field"),
        pytest.param('{"type": "hello"}', "already_authenticated", id="a second hello"),
    ],
)
async def test_a_bad_frame_gets_an_error_frame_and_the_session_goes_on(
    live: str, demo: Demo, frame: str, code: str
) -> None:
    ws, _ = await hello(live, await demo.token("1003"))
    async with ws:
        await ws.send(frame)
        error = await recv(ws)
        assert (error["type"], error["code"]) == ("error", code)
        await ws.send('{"type": "ping"}')
        assert (await recv(ws)) == {"type": "pong"}


@pytest.mark.parametrize(
    "size",
    [
        pytest.param(10_000, id="over the frame limit: an error frame says why"),
        pytest.param(1_000_000, id="over the protocol limit: refused before it is read"),
    ],
)
async def test_a_huge_frame_closes_with_1009_and_others_carry_on(
    live: str, demo: Demo, size: int
) -> None:
    bystander, _ = await hello(live, await demo.token("monitor@demo.school"))
    ws, _ = await hello(live, await demo.token("1003"))
    await ws.send("x" * size)
    frames = await drain(ws)
    assert ws.close_code == 1009
    assert [f["code"] for f in frames] in ([], ["frame_too_large"])
    async with bystander:
        await demo.request_pass("1004", "Library")
        assert (await recv(bystander))["type"] == "event"


async def test_a_flood_of_frames_closes_with_1008(live: str, demo: Demo) -> None:
    ws, _ = await hello(live, await demo.token("1003"))
    for _ in range(40):
        await ws.send('{"type": "ping"}')
    await drain(ws)
    assert ws.close_code == 1008


@pytest.mark.parametrize(
    ("first", "code"),
    [
        pytest.param({"type": "hello", "token": "forged"}, 4401, id="a wrong token"),
        pytest.param({"type": "hello"}, 4401, id="no token and no cookie"),
        pytest.param({"type": "ping"}, 4401, id="anything before hello"),
    ],
)
async def test_unauthenticated_clients_are_closed(
    live: str, first: dict[str, Any], code: int
) -> None:
    ws = await connect(live)
    await ws.send(json.dumps(first))
    assert (await recv(ws))["code"] == "not_authenticated"
    with pytest.raises(ConnectionClosed):
        await recv(ws)
    assert ws.close_code == code


async def test_a_page_of_another_site_cannot_open_a_socket(live: str) -> None:
    with pytest.raises(InvalidStatus) as refused:
        await connect(live, origin="https://evil.example")  # type: ignore[arg-type]
    assert refused.value.response.status_code == 403


@pytest.mark.parametrize(
    "how", ["logging out", "being disabled", "changing role", "the session expiring"]
)
async def test_a_user_who_logs_out_or_loses_access_is_cut_off_within_a_second(
    live: str, app: Starlette, demo: Demo, how: str
) -> None:
    token = await demo.token("teacher1@demo.school")
    ws, _ = await hello(live, token)
    bystander, _ = await hello(live, await demo.token("teacher2@demo.school"))
    if how == "logging out":
        await demo.client.delete("/api/session", headers={"Authorization": f"Bearer {token}"})
    elif how == "being disabled":
        await User.filter(login="teacher1@demo.school").update(active=False)
    elif how == "changing role":
        await User.filter(login="teacher1@demo.school").update(role=Role.STUDENT)
    else:
        clock.advance(timedelta(hours=app.state.hallpass.settings.session_hours, seconds=1))
        await bystander.close()  # signed in at the same moment: it expires too
    with pytest.raises(ConnectionClosed):
        await recv(ws, 1.0)
    assert ws.close_code == 4403
    if how != "the session expiring":
        await demo.request_pass("1016", "Library")  # from Room 102: teacher2's
        assert (await recv(bystander))["type"] == "event"


async def test_staff_get_the_hallway_count_and_students_do_not(live: str, demo: Demo) -> None:
    await demo.request_pass("1005", "Library")
    teacher, first = await hello(live, await demo.token("teacher2@demo.school"))
    student, own = await hello(live, await demo.token("1016"))
    async with teacher, student:
        assert first["hallway"] == {"out": 1, "max": None}
        assert "hallway" not in own
        await demo.request_pass("1016", "Restroom South")
        assert (await recv(teacher))["hallway"] == {"out": 2, "max": None}
        assert "hallway" not in await recv(student)


async def test_a_delay_and_a_reminder_reach_the_student_and_their_teacher(
    live: str, demo: Demo
) -> None:
    # On a school Tuesday at 10:00 in Chicago, so a delay of minutes stays within the day.
    at_local(demo, local(4, 10))
    visit = (await demo.request_pass("1003", "Counselor")).json()
    made = await demo.post(
        "teacher1@demo.school",
        "/api/appointments",
        {
            "destination_id": visit["destination"]["id"],
            "student_ids": [visit["student"]["id"]],
            "start_at": local(4, 10, 30).isoformat(),
        },
    )
    appointment = made.json()["passes"][0]
    student, _ = await hello(live, await demo.token("1003"))
    teacher, _ = await hello(live, await demo.token("teacher1@demo.school"))
    other, _ = await hello(live, await demo.token("1004"))
    async with student, teacher, other:
        delayed = await demo.post(
            "counselor@demo.school", f"/api/passes/{visit['id']}/delay", {"minutes": 10}
        )
        assert delayed.status_code == 200, delayed.text
        clock.advance(timedelta(minutes=25))
        assert await send_due_reminders() == [appointment["id"]]
        for ws in (student, teacher):
            frames = [await recv(ws), await recv(ws)]
            assert [(f["name"], f["pass"]["id"]) for f in frames] == [
                ("pass.delayed", visit["id"]),
                ("pass.reminder", appointment["id"]),
            ]
            assert frames[0]["pass"]["start_at"] == delayed.json()["start_at"]
        await nothing_more(other)


@pytest.mark.parametrize("when", ["before hello", "after hello"])
async def test_a_binary_frame_gets_bad_frame_and_a_clean_1003_close(
    live: str, demo: Demo, when: str
) -> None:
    bystander, _ = await hello(live, await demo.token("monitor@demo.school"))
    if when == "before hello":
        ws = await connect(live)
    else:
        ws, _ = await hello(live, await demo.token("1003"))
    await ws.send(b'{"type": "ping"}')
    frames = await drain(ws)
    assert [(f["type"], f["code"]) for f in frames] == [("error", "bad_frame")]
    assert ws.close_code == 1003  # unsupported data (RFC 6455 7.4.1), with a close frame
    async with bystander:
        await demo.request_pass("1004", "Library")
        assert (await recv(bystander))["type"] == "event"


@pytest.mark.parametrize(
    "how",
    [
        "closing before hello",
        "dropping the connection before hello",
        "dropping the connection after hello",
        "dropping the connection while frames are sent to it",
    ],
)
async def test_a_client_that_leaves_abruptly_costs_no_error_in_the_log(
    live: str, app: Starlette, demo: Demo, how: str
) -> None:
    # The `live` fixture fails the test if the server logged an error or a traceback.
    if how == "closing before hello":
        ws = await connect(live)
        await ws.close()
    elif how == "dropping the connection before hello":
        ws = await connect(live)
        ws.transport.abort()  # no close frame: the network went away
    else:
        ws, _ = await hello(live, await demo.token("monitor@demo.school"))
        if how == "dropping the connection while frames are sent to it":
            await demo.request_pass("1004", "Library")
        ws.transport.abort()
        await demo.request_pass("1005", "Library")
    await asyncio.sleep(0.3)  # the server notices, and its handler ends
    assert app.state.hub.connections() == []


async def patch(demo: Demo, path: str, body: dict[str, Any]) -> None:
    """PATCH as the demo admin, which must succeed."""
    response = await demo.client.patch(path, json=body, headers=await demo.auth(ADMIN))
    assert response.status_code == 200, response.text


async def staff_of(demo: Demo, place: str) -> list[int]:
    """Return the staff ids assigned to a demo place, as the admin reads them."""
    places = (await demo.get(ADMIN, "/api/locations")).json()
    staff: list[int] = next(p["staff_ids"] for p in places if p["name"] == place)
    return staff


@pytest.mark.parametrize(
    "how",
    [
        "the admin empties the teacher's places",
        "the admin takes the teacher off the room's staff",
    ],
)
async def test_a_teacher_taken_off_a_room_stops_seeing_it_within_a_second(
    live: str, demo: Demo, how: str
) -> None:
    out = (await demo.request_pass("1003", "Library")).json()  # from Room 101
    teacher, first = await hello(live, await demo.token("teacher1@demo.school"))
    bystander, _ = await hello(live, await demo.token("teacher2@demo.school"))
    async with teacher, bystander:
        assert [p["id"] for p in first["passes"]] == [out["id"]]
        teacher1 = await user_id("teacher1@demo.school")
        if how == "the admin empties the teacher's places":
            await patch(demo, f"/api/users/{teacher1}", {"location_ids": []})
        else:
            room = await location_id("Room 101")
            kept = [i for i in await staff_of(demo, "Room 101") if i != teacher1]
            await patch(demo, f"/api/locations/{room}", {"staff_ids": kept})
        fresh = await recv(teacher, 1.0)
        assert (fresh["type"], fresh["passes"], fresh["seq"]) == ("snapshot", [], first["seq"])
        await demo.request_pass("1004", "Library")  # Room 101 again: no longer the teacher's
        await nothing_more(teacher)
        await nothing_more(bystander)  # nobody else is re-sent anything
        await demo.request_pass("1016", "Library")  # Room 102: the bystander's, as before
        assert (await recv(bystander))["name"] == "pass.created"


async def test_a_teacher_given_a_room_sees_its_passes_and_events_within_a_second(
    live: str, demo: Demo
) -> None:
    out = (await demo.request_pass("1003", "Library")).json()  # from Room 101
    teacher, first = await hello(live, await demo.token("teacher2@demo.school"))
    async with teacher:
        assert first["passes"] == []
        room = await location_id("Room 101")
        teacher2 = await user_id("teacher2@demo.school")
        await patch(
            demo,
            f"/api/locations/{room}",
            {"staff_ids": [*await staff_of(demo, "Room 101"), teacher2]},
        )
        fresh = await recv(teacher, 1.0)
        assert fresh["type"] == "snapshot"
        assert [p["id"] for p in fresh["passes"]] == [out["id"]]
        assert "hallway" in fresh  # still staff
        later = (await demo.request_pass("1004", "Library")).json()
        frame = await recv(teacher)
        assert (frame["name"], frame["pass"]["id"], frame["seq"]) == (
            "pass.created",
            later["id"],
            fresh["seq"] + 1,
        )


async def in_period_2(demo: Demo) -> None:
    """Give Demo High School the timetable `hallpass serve` seeds and put the clock in Period 2
    (09:00, Monday 3 March 2025): Spanish I (teacher1) in Room 101, Art (teacher2) in Room 102,
    where 1011-1025 are."""
    school = await School.get(slug="demo")
    places = {p.name: p for p in await Location.filter(school=school)}
    teachers = {u.login: u for u in await User.filter(school=school, role="teacher")}
    students = await User.filter(school=school, role="student").order_by("student_number")
    await seed_timetable(connections.get("default"), school, places, teachers, students)
    at_local(demo, local(3, 9))


async def art_pass(demo: Demo, login: str) -> int:
    """A student of Art asks for a pass to the Library; return its id."""
    made = (await demo.request_pass(login, "Library")).json()
    assert made["section"]["name"] == "Art", made
    return int(made["id"])


async def test_a_teacher_whose_enrollment_ends_stops_seeing_the_sections_passes_within_a_second(
    live: str, demo: Demo
) -> None:
    await in_period_2(demo)
    out = await art_pass(demo, "1011")
    teacher, first = await hello(live, await demo.token("teacher2@demo.school"))
    bystander, _ = await hello(live, await demo.token("teacher1@demo.school"))
    async with teacher, bystander:
        assert [p["id"] for p in first["passes"]] == [out]
        # As a roster import ends an enrollment gone from the SIS: the row stays, inactive.
        art = await Section.get(title="Art")
        ended = await Enrollment.filter(
            section=art, user_id=await user_id("teacher2@demo.school"), role="teacher"
        ).update(active=False, ended_at=clock.utcnow())
        assert ended == 1
        fresh = await recv(teacher, 1.0)
        # Still Room 102's staff, but a pass with a section is its teachers' alone.
        assert (fresh["type"], fresh["passes"], fresh["seq"]) == ("snapshot", [], first["seq"])
        await art_pass(demo, "1016")
        await nothing_more(teacher)
        await nothing_more(bystander)  # nobody else is re-sent anything
        spanish = (await demo.request_pass("1003", "Library")).json()
        assert (await recv(bystander))["pass"]["id"] == spanish["id"]
        await nothing_more(teacher)


async def test_a_teacher_newly_enrolled_sees_the_sections_passes_and_events_within_a_second(
    live: str, demo: Demo
) -> None:
    await in_period_2(demo)
    out = await art_pass(demo, "1011")
    teacher, first = await hello(live, await demo.token("teacher1@demo.school"))
    async with teacher:
        assert first["passes"] == []
        art = await Section.get(title="Art")
        await Enrollment.create(  # a co-teacher of Art, as a roster import adds one
            school_id=art.school_id,
            section=art,
            user_id=await user_id("teacher1@demo.school"),
            role="teacher",
        )
        fresh = await recv(teacher, 1.0)
        assert fresh["type"] == "snapshot"
        assert [p["id"] for p in fresh["passes"]] == [out]
        later = await art_pass(demo, "1016")
        frame = await recv(teacher)
        assert (frame["name"], frame["pass"]["id"], frame["seq"]) == (
            "pass.created",
            later,
            fresh["seq"] + 1,
        )


@pytest.mark.parametrize("moment", ["before the new snapshot is read", "after it is read"])
async def test_a_change_committed_while_a_client_is_rescoped_is_neither_lost_nor_doubled(
    live: str, demo: Demo, monkeypatch: pytest.MonkeyPatch, moment: str
) -> None:
    made, racing_read = racing_reads(demo, before=moment == "before the new snapshot is read")
    teacher, _ = await hello(live, await demo.token("teacher2@demo.school"))
    async with teacher:
        monkeypatch.setattr(hub_module, "consistent_read", racing_read)
        room = await location_id("Room 101")
        staff = [*await staff_of(demo, "Room 101"), await user_id("teacher2@demo.school")]
        await patch(demo, f"/api/locations/{room}", {"staff_ids": staff})
        fresh = await recv(teacher, 1.0)
        assert fresh["type"] == "snapshot"
        events = await drain(teacher)
        assert [e["seq"] for e in events] == list(
            range(fresh["seq"] + 1, fresh["seq"] + 1 + len(events))
        )
        seen = [p["id"] for p in fresh["passes"]] + [e["pass"]["id"] for e in events]
        assert seen == made  # once: in the snapshot or as an event after it


async def finished_passes(count: int, first: datetime, last: datetime) -> list[Pass]:
    """Write `count` ended passes of the demo students (both rooms) asked for from `first` to
    `last`, as a busy day leaves them; return them by id."""
    students = await User.filter(role=Role.STUDENT, school__slug="demo").order_by("id")
    library = await Location.get(name="Library")
    first, last = first.astimezone(UTC), last.astimezone(UTC)
    step = (last - first) / count
    made_before = await Pass.all().order_by("-id").first()
    rows = []
    for n in range(count):
        student = students[n % len(students)]
        asked = first + step * n
        rows.append(
            Pass(
                school_id=library.school_id,
                student_id=student.id,
                origin_id=student.home_location_id,
                destination_id=library.id,
                state=PassState.ENDED,
                kind=PassKind.REQUESTED,
                version=3,
                minutes=5,
                requested_at=asked,
                started_at=asked,
                due_at=asked + timedelta(minutes=5),
                ended_at=asked + timedelta(minutes=4),
                ended_by=EndedBy.STUDENT,
            )
        )
    await Pass.bulk_create(rows, batch_size=500)
    return await Pass.filter(id__gt=made_before.id if made_before else 0).order_by("id")


@pytest.mark.parametrize("login", [ADMIN, "teacher1@demo.school"])
async def test_a_busy_days_snapshot_fits_a_1_mib_client_and_the_rest_is_a_rest_page_away(
    live: str, demo: Demo, login: str
) -> None:
    at_local(demo, local(4, 14))  # a Tuesday afternoon in Chicago
    await finished_passes(300, local(3, 8), local(3, 15))  # yesterday's: never in the snapshot
    today = await finished_passes(2500, local(4, 8), local(4, 13, 59))
    out = (await demo.request_pass("1003", "Library")).json()  # open: always in the snapshot
    asked = (await demo.request_pass("1005", "Nurse")).json()
    room_101 = await location_id("Room 101")
    mine = [p.id for p in today if login == ADMIN or room_101 in (p.origin_id, p.destination_id)]
    async with connect(live, max_size=2**20) as ws:  # a client that refuses larger frames
        await ws.send(json.dumps({"type": "hello", "token": await demo.token(login)}))
        raw = await asyncio.wait_for(ws.recv(), WAIT)
    snapshot = json.loads(raw)
    assert len(raw) < 256 * 1024  # 200 finished passes and the open ones: ~120 KB
    ids = [p["id"] for p in snapshot["passes"]]
    assert ids == sorted(ids)
    finished = [p["id"] for p in snapshot["passes"] if p["state"] == "ended"]
    assert finished == mine[-SNAPSHOT_FINISHED:]  # the newest of today's, by id
    assert set(ids) - set(finished) == {out["id"], asked["id"]}
    # The older ones, page by page through the REST link, until yesterday's begin.
    assert snapshot["older"]["before"] == finished[0]
    href: str | None = snapshot["older"]["href"]
    fetched: list[int] = []
    while href is not None:
        response = await demo.get(login, href)
        assert response.status_code == 200, response.text
        page = response.json()
        todays = [p for p in page if datetime.fromisoformat(p["requested_at"]) >= local(4, 0)]
        fetched += [p["id"] for p in todays]
        more = len(todays) == len(page) == SNAPSHOT_FINISHED
        href = re.sub(r"before=\d+", f"before={page[-1]['id']}", href) if more else None
    assert sorted(fetched + finished) == mine


async def test_a_quiet_days_snapshot_holds_every_finished_pass_and_says_so(
    live: str, demo: Demo
) -> None:
    at_local(demo, local(4, 14))
    today = await finished_passes(SNAPSHOT_FINISHED, local(4, 8), local(4, 13))
    ws, snapshot = await hello(live, await demo.token(ADMIN))
    async with ws:
        assert [p["id"] for p in snapshot["passes"]] == [p.id for p in today]
        assert snapshot["older"] is None


async def test_after_a_bounded_snapshot_a_resume_brings_exactly_the_events_missed(
    live: str, demo: Demo
) -> None:
    at_local(demo, local(4, 14))
    await finished_passes(2500, local(4, 8), local(4, 13, 59))
    ws, snapshot = await hello(live, await demo.token(ADMIN))
    await ws.close()
    assert snapshot["older"] is not None
    out = (await demo.request_pass("1003", "Library")).json()
    await demo.post("1003", f"/api/passes/{out['id']}/end")
    ws, replayed = await hello(
        live, await demo.token(ADMIN), since=snapshot["seq"], epoch=snapshot["epoch"]
    )
    async with ws:
        frames = [replayed, await recv(ws), await recv(ws)]
        assert [(f["type"], f.get("name"), f["seq"]) for f in frames] == [
            ("event", "pass.created", snapshot["seq"] + 1),
            ("event", "pass.ended", snapshot["seq"] + 2),
            ("ready", None, snapshot["seq"] + 2),
        ]
        await nothing_more(ws)
