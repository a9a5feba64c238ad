"""The /ws frames: builders emit what the models and the exported schema say; the parser refuses
bad client frames with the right code; shared/ws-frames.schema.json is up to date.

Plain sync tests: no database, no event loop.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]  # no stubs in the test extra
import pytest
from pydantic import TypeAdapter

from server.contract.frames import (
    EVENT_NAMES,
    ClientFrame,
    FrameError,
    Hello,
    Ping,
    ServerFrame,
    error_frame,
    event_frame,
    notification_frame,
    parse_client_frame,
    pong_frame,
    ready_frame,
    school_frame,
    snapshot_frame,
)
from server.contract.passes import PassOut
from server.contract.ws import MAX_EPOCH_CHARS, MAX_FRAME_BYTES, MAX_SEQ, FrameErrorCode
from server.hub.export import EXPORT_PATH, build_schema, render
from server.services import passes

SCHEMA = build_schema()
CLIENT_SCHEMA = jsonschema.Draft202012Validator(
    {"$defs": SCHEMA["$defs"], "$ref": "#/$defs/ClientFrame"}
)
SERVER_SCHEMA = jsonschema.Draft202012Validator(
    {"$defs": SCHEMA["$defs"], "$ref": "#/$defs/ServerFrame"}
)
SERVER_FRAME: TypeAdapter[ServerFrame] = TypeAdapter(ServerFrame)
CLIENT_FRAME: TypeAdapter[ClientFrame] = TypeAdapter(ClientFrame)
FRAMES = ("Hello", "Ping", "Snapshot", "Event", "Ready", "Pong", "Error", "Notification")
# Frames whose $defs name is not their type's (checked apart from FRAMES).
NAMED_FRAMES = {"SchoolFrame": "school"}
EPOCH = "e" * 32  # School.epoch is a 32-character field


def a_pass(pass_id: int = 7, **changes: Any) -> dict[str, Any]:
    """Return a pass as server.services.views.pass_json serialises it."""
    body: dict[str, Any] = {
        "id": pass_id,
        "state": "active",
        "kind": "requested",
        "student": {"id": 1001, "name": "Ana Núñez", "short_name": "Ana N."},
        "origin": {"id": 1, "name": "Room 101", "kind": "classroom"},
        "destination": {"id": 3, "name": "Restroom North", "kind": "restroom"},
        "section": {"id": 12, "name": "Algebra"},
        "period": "Period 2",
        "minutes": 5,
        "ended_by": None,
        "position": None,
        "offer_expires_at": None,
        "line_reason": None,
        "version": 2,
        "requested_at": "2025-03-04T10:30:00Z",
        "start_at": None,
        "started_at": "2025-03-04T10:30:00Z",
        "arrived_at": None,
        "due_at": "2025-03-04T10:35:00Z",
        "ended_at": None,
        "delayed_at": None,
        "remind_minutes_before": None,
        "reminded_at": None,
        "overdue_at": None,
        "check_code": "KXT",
    }
    body.update(changes)
    return body


# Every builder, with the inputs the hub gives it: one row per kind of frame the server sends.
BUILT = [
    pytest.param(snapshot_frame(EPOCH, 0, []), id="snapshot-of-an-empty-school"),
    pytest.param(
        snapshot_frame(EPOCH, 41, [a_pass(7), a_pass(8, state="waiting", position=1)]),
        id="snapshot",
    ),
    *[
        pytest.param(event_frame(42, name, a_pass()), id=f"event-{name}")
        for name in sorted(EVENT_NAMES)
    ],
    pytest.param(ready_frame(EPOCH, 42), id="ready"),
    pytest.param(ready_frame(EPOCH, 42, {"out": 3, "max": 10}), id="ready-for-staff"),
    pytest.param(
        event_frame(43, "pass.ended", a_pass(), {"out": 2, "max": None}), id="event-for-staff"
    ),
    pytest.param(snapshot_frame(EPOCH, 43, [], {"out": 0, "max": 5}), id="snapshot-for-staff"),
    pytest.param(
        snapshot_frame(
            EPOCH,
            44,
            [a_pass(9, state="ended", ended_by="student")],
            {"out": 0, "max": None},
            {"before": 9, "href": "/api/passes?state=cancelled,denied,ended,expired&before=9"},
        ),
        id="snapshot-bounded-with-older-finished-passes-by-rest",
    ),
    pytest.param(pong_frame(), id="pong"),
    pytest.param(
        notification_frame(
            5,
            {
                "title": "Nurse: Ana Núñez",
                "body": "On the way from Room 101, expected about 10:33 AM (3-min walk).",
                "category": "nurse",
                "pass_id": 7,
                "url": "/passes/7",
                "tag": "p7",
            },
            "normal",
            "2025-03-04T10:30:00Z",
        ),
        id="notification",
    ),
    pytest.param(
        notification_frame(
            6,
            {
                "title": "Encounter prevented: Ana N.",
                "body": "A pass to Restroom South was refused: a group member is out.",
                "category": "encounter",
                "pass_id": None,
                "url": "/",
                "tag": "s-u1001",
            },
            "high",
            "2025-03-04T10:30:00Z",
        ),
        id="notification-without-a-pass",
    ),
    *[
        pytest.param(error_frame(code, "Something was wrong."), id=f"error-{code}")
        for code in FrameErrorCode
    ],
    pytest.param(school_frame(44, True, False, [(3, 2, 0), (4, 0, 0)]), id="school-for-a-student"),
    pytest.param(
        school_frame(45, True, True, [(3, 1, 2)], {"out": 10, "max": 10}),
        id="school-for-staff-with-the-hallway-count",
    ),
    pytest.param(school_frame(0, False, False, []), id="school-with-passes-off-and-no-places"),
    pytest.param(
        event_frame(
            46, "pass.created", a_pass(state="waiting", position=1, line_reason="place_full")
        ),
        id="event-of-a-pass-in-line-with-its-reason",
    ),
]


@pytest.mark.parametrize(("name", "type_"), sorted(NAMED_FRAMES.items()))
def test_named_frames_forbid_extra_fields_and_carry_their_type(name: str, type_: str) -> None:
    frame = SCHEMA["$defs"][name]
    assert frame["additionalProperties"] is False
    assert "type" in frame["required"]
    assert frame["properties"]["type"]["const"] == type_
    assert "hallway" not in frame["required"]  # staff only


def test_the_schema_is_draft_2020_12_with_every_frame_in_defs() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert {*FRAMES, "PassOut", "ClientFrame", "ServerFrame"} <= set(SCHEMA["$defs"])


@pytest.mark.parametrize("name", FRAMES)
def test_every_frame_forbids_extra_fields_and_always_carries_its_type(name: str) -> None:
    frame = SCHEMA["$defs"][name]
    assert frame["additionalProperties"] is False
    assert "type" in frame["required"]
    assert frame["properties"]["type"]["const"] == name.lower()


def test_the_event_name_enum_is_the_closed_set() -> None:
    assert set(SCHEMA["$defs"]["Event"]["properties"]["name"]["enum"]) == EVENT_NAMES


def test_every_event_name_the_services_log_can_be_sent() -> None:
    # event_frame raises for a name outside the contract, so a new event name in the services
    # must be added to messages.EventName (and the export) before it reaches a socket.
    logged = {f"pass.{passes._past(verb)}" for verb in passes.VERBS}
    services = Path(passes.__file__).parent
    for source in services.glob("*.py"):
        logged |= set(re.findall(r'append_event\(\s*"(pass\.[a-z_]+)"', source.read_text()))
    assert "pass.created" in logged  # the scan found the literal names
    assert logged <= EVENT_NAMES


@pytest.mark.parametrize("text", BUILT)
def test_built_frames_validate_against_the_schema_and_the_models(text: str) -> None:
    body = json.loads(text)
    SERVER_SCHEMA.validate(body)
    frame = SERVER_FRAME.validate_json(text)
    # The model dumps the same JSON the builder wrote (the wire name `pass`, not `pass_`);
    # `hallway` is the one field that may be absent (students and kiosks don't get it).
    absent = {"hallway"} if getattr(frame, "hallway", 0) is None else None
    assert json.loads(SERVER_FRAME.dump_json(frame, exclude=absent)) == body
    assert text == json.dumps(body, separators=(",", ":")), "frames are compact JSON"


def test_an_event_frame_carries_the_pass_under_its_wire_name() -> None:
    body = json.loads(event_frame(3, "pass.ended", a_pass(9, state="ended")))
    assert body == {
        "type": "event",
        "seq": 3,
        "name": "pass.ended",
        "pass": a_pass(9, state="ended"),
    }
    assert PassOut.model_validate(body["pass"]).id == 9


@pytest.mark.parametrize(
    "build",
    [
        # A name outside the contract never reaches a socket.
        pytest.param(lambda: event_frame(1, "pass.teleported", a_pass()), id="unknown-event"),
        # An epoch the client could not echo back in a hello.
        pytest.param(lambda: snapshot_frame("e" * (MAX_EPOCH_CHARS + 1), 0, []), id="snapshot"),
        pytest.param(lambda: ready_frame("e" * (MAX_EPOCH_CHARS + 1), 0), id="ready"),
        # Error codes are a closed set.
        pytest.param(lambda: error_frame("oops", "x"), id="unknown-error-code"),  # type: ignore[arg-type]
        # Categories and urgencies are closed sets too.
        pytest.param(
            lambda: notification_frame(
                1,
                {"title": "", "body": "", "category": "gossip", "url": "/", "tag": "x"},
                "normal",
                "2025-03-04T10:30:00Z",
            ),
            id="unknown-category",
        ),
        # NaN is not JSON.
        pytest.param(lambda: event_frame(1, "pass.ended", a_pass(minutes=float("nan"))), id="nan"),
    ],
)
def test_builders_refuse_what_the_contract_does_not_allow(build: Any) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - each row raises its own message
        build()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # The smallest hello: the session cookie says who, no resume.
        ('{"type":"hello"}', Hello(type="hello")),
        # A script's hello: a bearer token and where to resume.
        (
            '{"type": "hello", "token": "t0k3n", "since": 41, "epoch": "abc"}',
            Hello(type="hello", token="t0k3n", since=41, epoch="abc"),
        ),
        # Optional fields may be sent as null.
        ('{"type":"hello","token":null,"since":null,"epoch":null}', Hello(type="hello")),
        # The bounds themselves are allowed.
        (
            json.dumps({"type": "hello", "token": "t" * 200, "since": MAX_SEQ, "epoch": EPOCH}),
            Hello(type="hello", token="t" * 200, since=MAX_SEQ, epoch=EPOCH),
        ),
        ('{"type":"hello","since":0}', Hello(type="hello", since=0)),
        # A heartbeat.
        ('{"type":"ping"}', Ping(type="ping")),
        # Binary frames carrying UTF-8 JSON are read the same way.
        (b'{"type":"ping"}', Ping(type="ping")),
    ],
)
def test_valid_client_frames_parse_and_round_trip(raw: str | bytes, expected: ClientFrame) -> None:
    frame = parse_client_frame(raw)
    assert frame == expected
    CLIENT_SCHEMA.validate(json.loads(raw))
    assert parse_client_frame(frame.model_dump_json()) == frame
    assert CLIENT_FRAME.validate_json(frame.model_dump_json()) == frame


TOO_LARGE = FrameErrorCode.FRAME_TOO_LARGE
BAD = FrameErrorCode.BAD_FRAME
UNKNOWN = FrameErrorCode.UNKNOWN_TYPE
INVALID = FrameErrorCode.INVALID_FRAME


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        # Not JSON at all.
        pytest.param("hello", BAD, id="not-json"),
        pytest.param("", BAD, id="empty"),
        # JSON, but not an object.
        pytest.param("[1, 2]", BAD, id="array"),
        pytest.param('"hello"', BAD, id="string"),
        pytest.param("null", BAD, id="null"),
        # NaN and Infinity are Python's extensions, not JSON.
        pytest.param('{"type":"hello","since":NaN}', BAD, id="nan"),
        # Deep nesting that fits in the size limit must not crash the parser.
        pytest.param("[" * 2000 + "]" * 2000, BAD, id="deeply-nested"),
        # A binary frame that is not UTF-8.
        pytest.param(b'{"type":"ping"}\xff', BAD, id="not-utf8"),
        # 1 MB: refused on size, before parsing, as text or as bytes.
        pytest.param('{"type":"hello","token":"' + "a" * 1_000_000 + '"}', TOO_LARGE, id="1mb"),
        pytest.param(b'{"type":"ping","x":"' + b"a" * 1_000_000 + b'"}', TOO_LARGE, id="1mb-bytes"),
        # Under the limit in characters, over it in UTF-8 bytes: the limit is in bytes.
        pytest.param(
            '{"type":"hello","token":"' + "é" * (MAX_FRAME_BYTES // 2 + 10) + '"}',
            TOO_LARGE,
            id="multibyte",
        ),
        # An object without a known type.
        pytest.param("{}", UNKNOWN, id="no-type"),
        pytest.param('{"type":"subscribe"}', UNKNOWN, id="unknown-type"),
        pytest.param('{"type":1}', UNKNOWN, id="type-not-a-string"),
        # A server frame's type sent by the client.
        pytest.param('{"type":"pong"}', UNKNOWN, id="server-type"),
        # Extra fields are errors, so a typo is not silently ignored.
        pytest.param('{"type":"hello","sinse":4}', INVALID, id="extra-field"),
        pytest.param('{"type":"ping","at":1}', INVALID, id="extra-field-on-ping"),
        # Wrong types are not coerced.
        pytest.param('{"type":"hello","since":"4"}', INVALID, id="since-as-string"),
        pytest.param('{"type":"hello","since":4.0}', INVALID, id="since-as-float"),
        pytest.param('{"type":"hello","since":true}', INVALID, id="since-as-bool"),
        pytest.param('{"type":"hello","token":123}', INVALID, id="token-as-number"),
        pytest.param('{"type":"hello","epoch":["a"]}', INVALID, id="epoch-as-list"),
        # Out of range.
        pytest.param('{"type":"hello","since":-1}', INVALID, id="negative-since"),
        pytest.param(json.dumps({"type": "hello", "since": MAX_SEQ + 1}), INVALID, id="huge-since"),
        pytest.param(json.dumps({"type": "hello", "token": "t" * 201}), INVALID, id="long-token"),
        pytest.param(json.dumps({"type": "hello", "epoch": "e" * 65}), INVALID, id="long-epoch"),
    ],
)
def test_bad_client_frames_map_to_their_error_code(raw: str | bytes, code: FrameErrorCode) -> None:
    with pytest.raises(FrameError) as caught:
        parse_client_frame(raw)
    assert caught.value.code is code
    assert 0 < len(caught.value.message) <= 200
    # The error frame that reports it is itself a valid server frame.
    report = json.loads(caught.value.frame())
    SERVER_SCHEMA.validate(report)
    assert report == {"type": "error", "code": str(code), "message": caught.value.message}


def test_the_size_is_checked_before_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_parsing(*args: object, **kwargs: object) -> object:
        raise AssertionError("a frame over the limit was parsed")

    monkeypatch.setattr(json, "loads", no_parsing)  # the module messages parses with
    with pytest.raises(FrameError) as caught:
        parse_client_frame("[" + "0," * 600_000 + "0]")
    assert caught.value.code is FrameErrorCode.FRAME_TOO_LARGE


def test_an_invalid_frame_names_the_field_without_echoing_the_client() -> None:
    with pytest.raises(FrameError) as caught:
        parse_client_frame('{"type":"hello","since":-1}')
    assert caught.value.message.startswith("since: ")
    with pytest.raises(FrameError) as caught:
        parse_client_frame(json.dumps({"type": "hello", "x" * 3000: 1}))
    assert len(caught.value.message) <= 200


def test_the_exported_contract_in_shared_is_up_to_date() -> None:
    assert EXPORT_PATH.read_text(encoding="utf-8") == render(), (
        "shared/ws-frames.schema.json is stale: run `python -m server.hub.export`"
    )
