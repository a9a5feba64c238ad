"""Decisions over a pass's life: a new request, admission out of class, promotion from the line.

Each check is a small function returning a Decision or None (no objection); the request checks
run in the order of REQUEST_CHECKS, so adding a rule is adding one function to that tuple.
"""

from __future__ import annotations

from collections.abc import Callable

from server.enums import Approval, LineReason, PassState
from server.errors import ErrorCode
from server.rules.capacity import HALLWAYS_FULL_MESSAGE, ordinal, room_check
from server.rules.decision import Decision
from server.rules.encounters import encounter_check
from server.rules.facts import OpenPass, PassRequest, Place, SchoolFacts
from server.rules.limits import limits_check
from server.rules.nofly import no_fly_check

RequestCheck = Callable[[SchoolFacts, PassRequest], Decision | None]


def is_for_later(facts: SchoolFacts, request: PassRequest) -> bool:
    """Say whether the request schedules a pass for a later time."""
    return request.start_at is not None and request.start_at > facts.now


def needs_approval(place: Place, request: PassRequest) -> bool:
    """Say whether a pass to the place must wait for someone's approval before it starts.

    Staff issuing a pass are the origin teacher's approval; a visit that the destination's
    staff must accept (the counselor) needs them, whoever asks.
    """
    if place.approval is Approval.ORIGIN_TEACHER:
        return not request.issued_by_staff
    if place.approval is Approval.DESTINATION_STAFF:
        return not request.destination_accepts
    return False


EMERGENCY_MESSAGE = "Passes are paused during the emergency."


def passes_enabled(facts: SchoolFacts, request: PassRequest) -> Decision | None:
    """Deny every pass during an emergency, and while the school has passes switched off.

    An emergency refuses even a pass scheduled for later: nobody plans a trip out of class
    during a lockdown, and the scheduled passes there were are cancelled when it begins.
    """
    if facts.emergency:
        return Decision.deny(ErrorCode.PASSES_DISABLED, EMERGENCY_MESSAGE)
    if facts.passes_enabled or is_for_later(facts, request):
        return None
    return Decision.deny(ErrorCode.PASSES_DISABLED, "Passes are switched off right now.")


def destination_valid(facts: SchoolFacts, request: PassRequest) -> Decision | None:
    """Deny a destination that is not a place passes go to, or is where the student already is."""
    place = facts.places.get(request.destination_id)
    if place is None or not place.is_destination or request.destination_id == request.origin_id:
        return Decision.deny(ErrorCode.NOT_A_DESTINATION, "Passes can't go there.")
    return None


def one_open_pass(facts: SchoolFacts, request: PassRequest) -> Decision | None:
    """Deny a second open pass: at most one pending, waiting or active pass per student."""
    if is_for_later(facts, request):
        return None  # checked again when the scheduled pass starts
    if any(p.student_id == request.student_id for p in facts.open_passes):
        return Decision.deny(
            ErrorCode.ALREADY_OUT, "You already have a pass. End or cancel it first."
        )
    return None


def limits(facts: SchoolFacts, request: PassRequest) -> Decision | None:
    """Deny a student's own request over their daily or weekly limit, or in their cooldown.

    Before encounters: a limit tells the student when they can go, the neutral block can't.
    """
    return limits_check(facts, request)


def no_fly(facts: SchoolFacts, request: PassRequest) -> Decision | None:
    """Deny a student's own request in a no-fly window of the bell schedule.

    After the limits: a held student's "next pass possible at" already skips no-fly windows,
    and a student the limits let go hears when this window ends. Before encounters, which
    can't say when.
    """
    return no_fly_check(facts, request)


def encounters(facts: SchoolFacts, request: PassRequest) -> Decision | None:
    """Deny a staff-made pass while a blocking encounter group has another member out.

    A student's own request (from their device or a door kiosk) is not refused here: admission
    holds it back, and `decide_request` puts it in line like any other held pass.
    """
    if is_for_later(facts, request) or not request.issued_by_staff:
        return None  # a later pass is decided again when it starts
    return encounter_check(facts, request.student_id, facts.holding())


REQUEST_CHECKS: tuple[RequestCheck, ...] = (
    passes_enabled,
    destination_valid,
    one_open_pass,
    limits,
    no_fly,
    encounters,
)


def admit(facts: SchoolFacts, candidate: OpenPass) -> Decision:
    """Decide whether a pass may go out now: active, in line (waiting), or blocked.

    A place offered to someone in line is theirs until they take it or the offer lapses, so
    offered passes count as out (for the room and for encounter groups) like active ones.
    """
    if facts.emergency:  # nobody leaves a room during an emergency, whoever approves
        return Decision.deny(ErrorCode.PASSES_DISABLED, EMERGENCY_MESSAGE)
    if not facts.passes_enabled:  # approvals and the line must not release anyone either
        return Decision.deny(ErrorCode.PASSES_DISABLED, "Passes are switched off right now.")
    others = tuple(p for p in facts.holding() if p.id != candidate.id)
    blocked = encounter_check(facts, candidate.student_id, others)
    if blocked is not None:
        return blocked
    origin = facts.places[candidate.origin_id]
    destination = facts.places[candidate.destination_id]
    full = room_check(facts, others, origin, destination, candidate.section_id)
    if full is not None:
        return full
    return Decision.allow(PassState.ACTIVE)


def decide_request(facts: SchoolFacts, request: PassRequest) -> Decision:
    """Decide what a new pass becomes: scheduled, pending, active, waiting, or denied."""
    for check in REQUEST_CHECKS:
        objection = check(facts, request)
        if objection is not None:
            return objection
    if is_for_later(facts, request):
        return Decision.allow(PassState.SCHEDULED)
    destination = facts.places[request.destination_id]
    if needs_approval(destination, request):
        return Decision.allow(PassState.PENDING)
    candidate = OpenPass(
        0,
        request.student_id,
        request.origin_id,
        request.destination_id,
        PassState.PENDING,
        section_id=request.section_id,
    )
    decision = admit(facts, candidate)
    if decision.code is ErrorCode.BLOCKED:
        # Only a student's own request gets here (staff were refused above). It goes in line,
        # as when the hallways are full: the answer a student hears most often when they can't
        # go, and the only full limit they can't check (the hallway maximum is shown to staff
        # only, while /api/locations shows every place's counts and /api/me whether passes are
        # on). The line skips the pass while the group holds it back and offers it the first
        # place after (rules/line.py::offers). Why: ADR 0005, "What a held-back student hears".
        decision = Decision.queue(
            ErrorCode.CAPACITY_FULL, HALLWAYS_FULL_MESSAGE, LineReason.HALLWAY_FULL
        )
    if decision.state is PassState.WAITING:
        ahead = sum(1 for p in facts.waiting_line() if p.destination_id == destination.id)
        return Decision.queue(
            ErrorCode.CAPACITY_FULL,
            f"{decision.detail} You are {ordinal(ahead + 1)} in line.",
            decision.line_reason,
        )
    return decision
