"""Every `/ws` frame as a typed model, the client-frame parser and the server-frame builders.

The models are the contract (exported to shared/ws-frames.schema.json by server.hub.export).
The builders write the same shapes straight to compact JSON text, because they run once per
event on the hot path; tests/hub/test_messages.py checks every builder against the models and
the exported schema, so the two cannot drift.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Final, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from server.contract.categories import Category, Urgency
from server.contract.emergency import EmergencyView
from server.contract.passes import PassOut
from server.contract.ws import (
    MAX_EPOCH_CHARS,
    MAX_FRAME_BYTES,
    MAX_SEQ,
    MAX_TOKEN_CHARS,
    FrameErrorCode,
)

# Every event name the services append to the log (server/services/passes.py, scheduler.py).
EventName = Literal[
    "pass.created",
    "pass.approved",
    "pass.denied",
    "pass.cancelled",
    "pass.arrived",
    "pass.ended",
    "pass.promoted",  # no longer appended (the line offers places); kept in older logs
    "pass.started",
    "pass.expired",
    "pass.delayed",
    "pass.reminder",
    "pass.offered",
    "pass.requeued",
    "pass.taken",
    "pass.overdue",  # not a change of state: the pass went past due_at (overdue_at, version)
]
EVENT_NAMES: Final[frozenset[str]] = frozenset(get_args(EventName))

Seq = Annotated[int, Field(ge=0, le=MAX_SEQ)]
EventSeq = Annotated[int, Field(ge=1, le=MAX_SEQ, description="The school's event sequence.")]
Epoch = Annotated[
    str,
    Field(
        max_length=MAX_EPOCH_CHARS,
        description="Names the event log the seqs belong to; a resume needs the same epoch.",
    ),
]

# An error message echoes at most this much, since parts of it (field names) come from the client.
_MAX_MESSAGE_CHARS = 200


class _ClientModel(BaseModel):
    """A frame the client sends: unknown fields are errors, types are not coerced."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


def _hallway_is_optional(schema: dict[str, Any]) -> None:
    """Drop `hallway` from `required`: it is sent to staff only (defaults are otherwise sent)."""
    required = schema.get("required")
    if isinstance(required, list) and "hallway" in required:
        required.remove("hallway")


class _ServerModel(BaseModel):
    """A frame the server sends; `type` has a default but is always on the wire."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        # `pass` is a Python keyword, so Event's field is `pass_` with the wire name as alias.
        serialize_by_alias=True,
        # The schema describes what is sent, and `type` (a default) is always sent.
        json_schema_serialization_defaults_required=True,
        json_schema_extra=_hallway_is_optional,
    )


class Hello(_ClientModel):
    """The client's first frame: who it is (unless the session cookie says) and where to resume."""

    type: Literal["hello"]
    token: Annotated[str, Field(max_length=MAX_TOKEN_CHARS)] | None = Field(
        default=None, description="A bearer token, when the connection has no session cookie."
    )
    since: Annotated[int, Field(ge=0, le=MAX_SEQ)] | None = Field(
        default=None, description="The last seq the client applied; resume after it."
    )
    epoch: Annotated[str, Field(max_length=MAX_EPOCH_CHARS)] | None = Field(
        default=None, description="The epoch `since` belongs to."
    )


class Ping(_ClientModel):
    """A client heartbeat; the server answers with a pong."""

    type: Literal["ping"]


class Hallway(_ServerModel):
    """How many students are out of class in the school now, against its maximum (staff only)."""

    out: int = Field(ge=0)
    max: int | None = Field(description="The school's hallway maximum; null: none is set.")


HALLWAY_FIELD = Field(
    default=None,
    description="Extension of DESIGN.md section 4, for staff only: the hallway count after this.",
)


class OlderPasses(_ServerModel):
    """Extension of DESIGN.md section 4 (issue 13): where today's older finished passes are.

    A snapshot holds every open and scheduled pass, but only the newest finished ones of the
    day (ended, denied, cancelled, expired; `SNAPSHOT_FINISHED`, 200, by id), so that it stays
    well under 1 MiB however busy the day. The rest are a REST page away.
    """

    before: int = Field(
        ge=1, description="The lowest id of the snapshot's finished passes: older ones are below."
    )
    href: str = Field(
        description="GET this for the next page of the day's older finished passes, newest "
        "first (GET /api/passes with `state`, `before` and `limit`); go on with `before` set to "
        "the last id received, until the passes were asked for before today."
    )


class Snapshot(_ServerModel):
    """Every pass the user may see now, sent when the server cannot resume from `since`.

    Also sent mid-stream when what the user may see changes (an admin changed the places they
    are assigned to): it replaces everything the client holds, and events follow from `seq`.
    """

    type: Literal["snapshot"] = "snapshot"
    epoch: Epoch
    seq: Seq = Field(description="The seq the snapshot is current to; resume after it.")
    passes: list[PassOut]
    hallway: Hallway | None = HALLWAY_FIELD
    older: OlderPasses | None = Field(
        default=None,
        description="Extension of DESIGN.md section 4: null when `passes` holds all of today's "
        "finished passes, else where the older ones are.",
    )


class Event(_ServerModel):
    """One change of a pass the user may see, replayed on resume or sent live."""

    type: Literal["event"] = "event"
    seq: EventSeq
    name: EventName
    pass_: PassOut = Field(alias="pass", description="The pass right after the change.")
    hallway: Hallway | None = HALLWAY_FIELD


class Ready(_ServerModel):
    """Extension of DESIGN.md section 4: after a resume's replayed events, the stream is live."""

    type: Literal["ready"] = "ready"
    epoch: Epoch
    seq: Seq = Field(description="The seq the stream is current to; resume after it.")
    hallway: Hallway | None = HALLWAY_FIELD


class Pong(_ServerModel):
    """The answer to a ping."""

    type: Literal["pong"] = "pong"


class Error(_ServerModel):
    """Reports a client frame the server refused: a code from the closed set, a human message."""

    type: Literal["error"] = "error"
    code: FrameErrorCode
    message: str


class Notification(_ServerModel):
    """Extension of DESIGN.md section 4: a notice for this user, shown as a toast (ADR 0006).

    The push payload's content (server/notify/payload.py) plus what a toast needs: an id to drop
    a repeat by, the urgency and when it was made. Sent live only, never replayed on resume.
    """

    type: Literal["notification"] = "notification"
    id: int = Field(ge=1, description="The delivery's id: a repeat of one notice has the same.")
    category: Category
    title: str
    body: str
    pass_id: int | None = Field(description="The pass it is about; null for a refused request.")
    url: str = Field(description="Where the app opens when the toast is tapped.")
    tag: str = Field(description="A newer toast with the same tag replaces the older one.")
    urgency: Urgency = Field(description="`high` for the safety categories.")
    at: str = Field(description="When the notice was made (ISO 8601, UTC).")


class EmergencyFrame(_ServerModel):
    """Extension of DESIGN.md section 4 (issue 7): the emergency as this user may see it.

    Sent to every socket of the school when one starts, on every report or mark, and when it
    ends (`active: false`, the final record); and right after the snapshot (or `ready`) to a
    socket that connects while one is in force. Staff get the whole roster and the counter, a
    student only their own entry, a kiosk only that one is on. Not in the event stream (no
    seq): keep the frame with the highest `emergency.revision` per `emergency.id`.
    """

    type: Literal["emergency"] = "emergency"
    active: bool = Field(description="Whether the emergency is still in force.")
    emergency: EmergencyView


class PlaceCount(_ServerModel):
    """How busy one active place of the school is now (its `LocationOut` counts)."""

    id: int = Field(ge=1, description="The place (GET /api/locations lists its name and kind).")
    out: int = Field(ge=0, description="Students on an active pass to this place now.")
    waiting: int = Field(ge=0, description="Students in line for this place.")


class SchoolFrame(_ServerModel):
    """Extension of DESIGN.md section 4 (issue 17): the school's live state, so no screen polls.

    Sent right after the snapshot (or `ready`), and whenever a count or a setting changes:
    every active place's counts, whether the hallways are full and whether passes are on.
    Staff also get the hallway count. Never who is out, never an encounter group. Not in the
    event stream: keep the frame with the highest `seq` (a later one of the same `seq` wins).
    """

    type: Literal["school"] = "school"
    seq: Seq = Field(description="The school's event seq the counts are current to.")
    passes_enabled: bool = Field(description="False: the school switched passes off.")
    hallway_full: bool = Field(
        description="The school's hallway maximum is out: a new pass waits in line (reason "
        "`hallway_full`) even to a place with room."
    )
    places: list[PlaceCount] = Field(description="Every active place of the school, by id.")
    hallway: Hallway | None = HALLWAY_FIELD


ClientFrame = Annotated[Hello | Ping, Field(discriminator="type")]
ServerFrame = Annotated[
    Snapshot | Event | Ready | Pong | Error | Notification | EmergencyFrame | SchoolFrame,
    Field(discriminator="type"),
]

_CLIENT_MODELS: Final[dict[str, type[Hello] | type[Ping]]] = {
    get_args(model.model_fields["type"].annotation)[0]: model for model in (Hello, Ping)
}


class FrameError(Exception):
    """A client frame the server refuses, with the code to send back."""

    def __init__(self, code: FrameErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def frame(self) -> str:
        """Return the error frame that reports this error."""
        return error_frame(self.code, self.message)


def parse_client_frame(raw: str | bytes) -> ClientFrame:
    """Parse and validate one client frame, or raise FrameError with the code to report."""
    # Size first, before any decoding or parsing. A str has at most as many characters as its
    # UTF-8 has bytes, so a long one is refused without encoding it; a short one is cheap to
    # encode. Encoding errors (a lone surrogate) are ValueErrors, a bad frame like bad UTF-8.
    try:
        if len(raw) > MAX_FRAME_BYTES or (
            isinstance(raw, str) and len(raw.encode("utf-8")) > MAX_FRAME_BYTES
        ):
            raise _too_large()
        text = raw if isinstance(raw, str) else raw.decode("utf-8")
        # ValueError covers malformed JSON, NaN/Infinity (not JSON) and over-long integers;
        # RecursionError a few thousand nested brackets, which fit in MAX_FRAME_BYTES.
        data = json.loads(text, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        raise FrameError(FrameErrorCode.BAD_FRAME, "The frame is not valid JSON.") from None
    if not isinstance(data, dict):
        raise FrameError(FrameErrorCode.BAD_FRAME, "The frame must be a JSON object.")
    model = _CLIENT_MODELS.get(data["type"]) if isinstance(data.get("type"), str) else None
    if model is None:
        raise FrameError(
            FrameErrorCode.UNKNOWN_TYPE,
            f"Unknown frame type; expected one of: {', '.join(sorted(_CLIENT_MODELS))}.",
        )
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise FrameError(FrameErrorCode.INVALID_FRAME, _describe(error)) from None


def _with_hallway(body: dict[str, Any], hallway: Mapping[str, Any] | None) -> dict[str, Any]:
    if hallway is not None:
        body["hallway"] = hallway
    return body


def snapshot_frame(
    epoch: str,
    seq: int,
    passes: Sequence[Mapping[str, Any]],
    hallway: Mapping[str, Any] | None = None,
    older: Mapping[str, Any] | None = None,
) -> str:
    """Return a snapshot frame of already-serialised passes (pass_json) as JSON text."""
    _check_epoch(epoch)
    body = {"type": "snapshot", "epoch": epoch, "seq": seq, "passes": passes}
    return _dumps({**_with_hallway(body, hallway), "older": older})


def event_frame(
    seq: int, name: str, pass_json: Mapping[str, Any], hallway: Mapping[str, Any] | None = None
) -> str:
    """Return an event frame of an already-serialised pass (pass_json) as JSON text."""
    # Names arrive as text from the event log, so the closed set is checked here, once per event.
    if name not in EVENT_NAMES:
        raise ValueError(f"{name!r} is not an event name of the /ws contract")
    body = {"type": "event", "seq": seq, "name": name, "pass": pass_json}
    return _dumps(_with_hallway(body, hallway))


def ready_frame(epoch: str, seq: int, hallway: Mapping[str, Any] | None = None) -> str:
    """Return the frame that ends a resume's replay as JSON text."""
    _check_epoch(epoch)
    return _dumps(_with_hallway({"type": "ready", "epoch": epoch, "seq": seq}, hallway))


def pong_frame() -> str:
    """Return the answer to a ping as JSON text."""
    return _PONG


def error_frame(code: FrameErrorCode, message: str) -> str:
    """Return an error frame as JSON text."""
    return _dumps({"type": "error", "code": FrameErrorCode(code).value, "message": message})


def notification_frame(delivery_id: int, payload: Mapping[str, Any], urgency: str, at: str) -> str:
    """Return a notification frame of a stored in-app delivery (its push payload) as JSON text."""
    body = {
        "type": "notification",
        "id": delivery_id,
        "category": Category(payload["category"]).value,
        "title": str(payload["title"]),
        "body": str(payload["body"]),
        "pass_id": payload.get("pass_id"),
        "url": str(payload["url"]),
        "tag": str(payload["tag"]),
        "urgency": Urgency(urgency).value,
        "at": at,
    }
    return _dumps(body)


def emergency_frame(view: Mapping[str, Any]) -> str:
    """Return an emergency frame of one audience's view (server/services/emergency_views.py)."""
    return _dumps({"type": "emergency", "active": bool(view["active"]), "emergency": view})


def school_frame(
    seq: int,
    passes_enabled: bool,
    hallway_full: bool,
    places: Sequence[tuple[int, int, int]],
    hallway: Mapping[str, Any] | None = None,
) -> str:
    """Return a school frame of (place id, out, waiting) counts as JSON text."""
    body = {
        "type": "school",
        "seq": seq,
        "passes_enabled": passes_enabled,
        "hallway_full": hallway_full,
        "places": [{"id": i, "out": out, "waiting": waiting} for i, out, waiting in places],
    }
    return _dumps(_with_hallway(body, hallway))


def _dumps(body: Mapping[str, Any]) -> str:
    # Compact, and ASCII-only so any string (even a lone surrogate) stays sendable; NaN is not
    # JSON, so it is a bug here rather than a frame the PWA can't parse.
    return json.dumps(body, separators=(",", ":"), allow_nan=False)


_PONG: Final = _dumps({"type": "pong"})


def _check_epoch(epoch: str) -> None:
    # A longer epoch would make every hello that echoes it back invalid.
    if len(epoch) > MAX_EPOCH_CHARS:
        raise ValueError(f"an epoch has at most {MAX_EPOCH_CHARS} characters")


def _too_large() -> FrameError:
    return FrameError(
        FrameErrorCode.FRAME_TOO_LARGE, f"A frame may be at most {MAX_FRAME_BYTES} bytes."
    )


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _describe(error: ValidationError) -> str:
    parts = []
    for item in error.errors(include_url=False, include_input=False, include_context=False):
        where = ".".join(str(part) for part in item["loc"])
        parts.append(f"{where}: {item['msg']}" if where else item["msg"])
    message = "; ".join(parts)
    if len(message) > _MAX_MESSAGE_CHARS:
        message = message[: _MAX_MESSAGE_CHARS - 3] + "..."
    return message
