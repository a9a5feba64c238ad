"""WebSocket close codes, error-frame codes and the limits of one `/ws` connection."""

from __future__ import annotations

from enum import IntEnum, StrEnum


class CloseCode(IntEnum):
    """The close codes `/ws` uses (RFC 6455 section 7.4; 4000-4999 are the application's)."""

    # The server or the client ended the session on purpose (shutdown, logout seen by the client).
    NORMAL = 1000
    # The client sent a binary frame: every /ws frame is JSON text.
    UNSUPPORTED_DATA = 1003
    # Auth failed, the Origin is not allowed, or the user lost the right to see the school.
    POLICY_VIOLATION = 1008
    # A client frame exceeded MAX_FRAME_BYTES; we close rather than read on.
    MESSAGE_TOO_BIG = 1009
    # A bug on our side; the client should reconnect with backoff.
    INTERNAL_ERROR = 1011
    # The client fell behind (its queue hit MAX_PENDING): reconnect and resume with `since`.
    TRY_AGAIN_LATER = 1013
    # No valid session cookie and no valid token in the hello: sign in before reconnecting.
    # Mirrors HTTP 401 so the PWA can tell "log in again" from "retry".
    NOT_AUTHENTICATED = 4401
    # The session ended (logged out, revoked, account disabled): do not retry with it.
    # Mirrors HTTP 403.
    FORBIDDEN = 4403


class FrameErrorCode(StrEnum):
    """The closed set of codes an error frame carries (`{"type": "error", "code", ...}`)."""

    # The frame is not UTF-8 JSON, or its JSON is not an object, or it is binary (then closed).
    BAD_FRAME = "bad_frame"
    # The object has no `type`, or one the server does not know.
    UNKNOWN_TYPE = "unknown_type"
    # A known type whose fields fail validation (extra field, wrong type, out of range).
    INVALID_FRAME = "invalid_frame"
    # Larger than MAX_FRAME_BYTES; refused before it is parsed.
    FRAME_TOO_LARGE = "frame_too_large"
    # More than FLOOD_FRAMES frames within FLOOD_WINDOW_SECONDS. Same string as the HTTP code.
    RATE_LIMITED = "rate_limited"
    # A frame other than hello before the connection is authenticated. Same string as HTTP's.
    NOT_AUTHENTICATED = "not_authenticated"
    # A second hello on a connection that already has a user.
    ALREADY_AUTHENTICATED = "already_authenticated"


# Client frames are tiny: a hello is at most ~350 bytes (a 200-char token, a 64-char epoch, a
# 19-digit since and the keys). 4 KiB leaves room for whitespace and a few future fields while
# capping what one frame can cost us to parse. (uvicorn's own ws_max_size is 16 MiB, so this is
# checked in the app, before JSON parsing.)
MAX_FRAME_BYTES = 4096

# The wire limits of a hello. A session token is 43 characters (secrets.token_urlsafe(32)).
MAX_TOKEN_CHARS = 200
# The server never emits a longer epoch, so a client can always echo back the one it was given.
MAX_EPOCH_CHARS = 64
# Event seqs are BIGINT in the database; a larger `since` could never match and would overflow.
MAX_SEQ = 2**63 - 1

# Outbound frames queued per connection before the client counts as too slow and is closed with
# TRY_AGAIN_LATER. The worst burst is a bell: ~30 rooms each ending and starting a few passes
# within seconds, ~100 events. 256 is 2.5x that; at ~600 bytes per event frame it caps a stalled
# client at ~150 KiB. A client 256 frames behind is better served by resuming (or a fresh
# snapshot) than by a replay of a backlog, so dropping it costs little.
MAX_PENDING = 256

# How often the PWA sends {"type": "ping"} while idle (browsers can't see protocol pings) and
# so how stale a silent connection may get. Proxies and load balancers commonly drop idle
# connections after 60 s (nginx proxy_read_timeout, AWS ALB idle timeout); 20 s keeps the link
# busy with room for two lost pings, and matches uvicorn's default ws_ping_interval.
HEARTBEAT_SECONDS = 20.0

# A well-behaved client sends a hello and then one ping per HEARTBEAT_SECONDS, about one frame
# per 10 s. Twenty frames per 10 s is 20x that: enough for reconnect storms and retries, while
# a looping or hostile client is stopped (RATE_LIMITED, then closed) after 20 frames.
FLOOD_FRAMES = 20
FLOOD_WINDOW_SECONDS = 10.0
