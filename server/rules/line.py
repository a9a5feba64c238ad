"""The fair line: a freed place is offered to the first in line who may go, for a short time.

A pass waits in line (FIFO by `queued_at`) while its destination, the hallway or its room's
maximum out is full. When a place frees, the first waiting pass that may go is *offered* it:
it stays `waiting`, with `offer_expires_at` set, and the place counts as taken (`holding`) so
nobody else gets it. The student takes it before the offer lapses (half-open: at
`offer_expires_at` it has lapsed), or the sweep puts the pass at the back of the line and the
place goes to the next. A student a blocking encounter group holds back is skipped, not offered,
and keeps their place in line. A student with an accommodation goes to the front of the line
(behind places already offered): they are offered the next place, and no limit is exceeded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from server.enums import PassState
from server.errors import ErrorCode
from server.rules.capacity import ordinal, room_check
from server.rules.decision import PLACE_GONE_MESSAGE, Decision, Outcome
from server.rules.facts import OpenPass, PolicyRow, Requester, SchoolFacts
from server.rules.lifecycle import admit
from server.rules.policy import DEFAULTS, Setting, applicable, resolve_setting


@dataclass(frozen=True, slots=True)
class LineMove:
    """What the line does when places may have freed: whom to offer one, whom it skips."""

    offered: tuple[int, ...]  # first in line first
    skipped: tuple[int, ...]  # there was room, but a blocking encounter group holds them back


def line_key(waiting: OpenPass, now: datetime) -> tuple[bool, bool, datetime, int]:
    """Return a waiting pass's sort key: offered passes first, then those with priority (an
    accommodation), then by time queued, then id."""
    return (not waiting.offered, not waiting.line_priority, waiting.queued_at or now, waiting.id)


def positions(waiting: Iterable[OpenPass], now: datetime) -> dict[int, int]:
    """Return each waiting pass's 1-based place in its destination's line (offered first)."""
    found: dict[int, int] = {}
    counters: dict[int, int] = {}
    for candidate in sorted(waiting, key=lambda p: line_key(p, now)):
        if candidate.state is not PassState.WAITING:
            continue
        counters[candidate.destination_id] = counters.get(candidate.destination_id, 0) + 1
        found[candidate.id] = counters[candidate.destination_id]
    return found


def _has_room(facts: SchoolFacts, candidate: OpenPass) -> bool:
    others = tuple(p for p in facts.holding() if p.id != candidate.id)
    origin = facts.places[candidate.origin_id]
    destination = facts.places[candidate.destination_id]
    return room_check(facts, others, origin, destination, candidate.section_id) is None


def offers(facts: SchoolFacts) -> LineMove:
    """Return the waiting passes to offer a place now, first in line first, and those skipped.

    Room is used up as places are offered; a pass that can't go yet keeps its place, and
    those behind it for other destinations may still be offered one. Limits per day or week,
    cooldowns and no-fly times were decided when the pass was asked for (it already counts),
    so only what admission checks is checked again: passes switched on, room, encounters.
    """
    offered: list[int] = []
    skipped: list[int] = []
    current = facts
    for waiting in facts.waiting_line():
        if waiting.offered:
            continue  # already holds its place
        decision = admit(current, waiting)
        if decision.code is ErrorCode.BLOCKED:
            if _has_room(current, waiting):
                skipped.append(waiting.id)
            continue
        if decision.state is not PassState.ACTIVE:
            continue
        offered.append(waiting.id)
        reserved = replace(waiting, offer_expires_at=facts.now)
        passes = tuple(reserved if p.id == waiting.id else p for p in current.open_passes)
        current = replace(current, open_passes=passes)
    return LineMove(tuple(offered), tuple(skipped))


def lapsed(facts: SchoolFacts) -> tuple[int, ...]:
    """Return the offered passes whose offer has lapsed at `now`, earliest deadline first."""
    due = [
        (p.offer_expires_at, p.id)
        for p in facts.open_passes
        if p.offered and p.offer_expires_at is not None and facts.now >= p.offer_expires_at
    ]
    return tuple(pass_id for _, pass_id in sorted(due))


def offer_seconds(rows: Iterable[PolicyRow], student: Requester, destination_id: int) -> int:
    """Return the seconds a student has to take a place offered to them for a destination."""
    by_scope = applicable(rows, student, destination_id)
    value = resolve_setting(Setting.OFFER_SECONDS, by_scope).value
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    default = DEFAULTS[Setting.OFFER_SECONDS]
    assert isinstance(default, int)
    return default


def take(facts: SchoolFacts, candidate: OpenPass) -> Decision:
    """Decide whether a waiting pass may take its offered place now: active, or why not.

    Every answer says what the student can do next and names nobody else.
    """
    if not candidate.offered:
        place = positions(facts.waiting_line(), facts.now).get(candidate.id, 1)
        return Decision.deny(
            ErrorCode.NOT_YOUR_TURN,
            f"It isn't your turn yet: you are {ordinal(place)} in line. "
            "You will be told when a place is yours.",
        )
    assert candidate.offer_expires_at is not None
    if facts.now >= candidate.offer_expires_at:
        return Decision.deny(
            ErrorCode.OFFER_EXPIRED,
            "The place was held for you, but not taken in time. You go to the back of the "
            "line and will be offered a place again.",
        )
    decision = admit(facts, candidate)
    if decision.outcome is Outcome.QUEUED:
        # Only when staff shrank a capacity under a place already offered. An encounter group
        # made meanwhile denies with the same code and words for the student (its
        # `student_code` and `detail`), and with the real reason for staff.
        return Decision.deny(ErrorCode.CAPACITY_FULL, PLACE_GONE_MESSAGE)
    return decision
