"""When a scheduled pass's time comes: start it, put it in line, or leave it scheduled for now."""

from __future__ import annotations

from server.enums import PassState
from server.rules.decision import Decision, Outcome
from server.rules.facts import OpenPass, PassRequest, SchoolFacts
from server.rules.lifecycle import admit, encounters, needs_approval, one_open_pass, passes_enabled


def start_scheduled(
    facts: SchoolFacts, scheduled: OpenPass, *, destination_accepts: bool
) -> Decision:
    """Decide a due scheduled pass: active, waiting or pending, or denied (stays scheduled).

    Staff made it, so it is the origin teacher's approval; a visit the destination's staff must
    accept waits for them unless they (or an admin) made it. The student must not be out on
    another pass, an encounter must not forbid it, and passes must be switched on.
    """
    request = PassRequest(
        scheduled.student_id,
        scheduled.origin_id,
        scheduled.destination_id,
        issued_by_staff=True,
        destination_accepts=destination_accepts,
        section_id=scheduled.section_id,
    )
    for check in (passes_enabled, one_open_pass, encounters):
        objection = check(facts, request)
        if objection is not None:
            return objection
    if needs_approval(facts.places[scheduled.destination_id], request):
        return Decision.allow(PassState.PENDING)
    decision = admit(facts, scheduled)
    assert decision.outcome is not Outcome.DENIED  # encounters were checked above
    return decision
