"""No-fly times: no passes in the first or last minutes of a period, or in closed periods.

Derived from the bell schedule (server/rules/schedule.py) and the student's effective policy
(`no_fly_after_start_minutes`, `no_fly_before_end_minutes`, `no_pass_periods`), so a modified
day (an assembly, a testing day) moves the windows with its bells. Like the limits, they hold
only a student's own requests: passes staff issue or schedule are never held, and neither are
passes to an exempt destination (the Nurse).
"""

from __future__ import annotations

from server.errors import ErrorCode
from server.rules.decision import Decision, Hold, plural
from server.rules.facts import PassRequest, PolicyValue, SchoolFacts
from server.rules.localtime import describe, local_date
from server.rules.policy import EffectivePolicy, Setting, resolve, source
from server.rules.schedule import (
    Window,
    WindowKind,
    bells_on,
    covering,
    day_type_on,
    no_fly_windows,
    reopens_at,
)

SETTING_OF: dict[WindowKind, Setting] = {
    WindowKind.AFTER_START: Setting.NO_FLY_AFTER_START_MINUTES,
    WindowKind.BEFORE_END: Setting.NO_FLY_BEFORE_END_MINUTES,
    WindowKind.WHOLE_PERIOD: Setting.NO_PASS_PERIODS,
}


def _minutes(value: PolicyValue) -> int:
    return value if isinstance(value, int) else 0


def _names(value: PolicyValue) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else ()


def windows_for(facts: SchoolFacts, policy: EffectivePolicy) -> tuple[Window, ...]:
    """Return today's no-fly windows under the student's settings (none when unheld)."""
    if facts.schedule is None or policy.unheld:
        return ()
    today = local_date(facts.now, facts.zone)
    return no_fly_windows(
        bells_on(facts.schedule, today, facts.zone),
        _minutes(policy.no_fly_after_start_minutes.value),
        _minutes(policy.no_fly_before_end_minutes.value),
        _names(policy.no_pass_periods.value),
    )


def _reasons(window: Window) -> tuple[str, str]:
    """Return why there are no passes now: for the student, and for staff."""
    if window.kind is WindowKind.WHOLE_PERIOD:
        return f"No passes during {window.period}.", f"no passes during {window.period}"
    minutes = plural(window.minutes, "minute")
    edge = "first" if window.kind is WindowKind.AFTER_START else "last"
    return (
        f"No passes in the {edge} {minutes} of a period.",
        f"the {edge} {minutes} of {window.period}",
    )


def no_fly_hold(
    facts: SchoolFacts, policy: EffectivePolicy, windows: tuple[Window, ...]
) -> Hold | None:
    """Return the hold of a no-fly window the present falls in, else None.

    It lifts when the present's chain of touching windows ends; the window that lasts longest
    among those now says why.
    """
    now = facts.now
    current = covering(now, windows)
    if not current or facts.schedule is None:
        return None
    until = reopens_at(now, windows)
    window = max(current, key=lambda w: w.end)
    for_student, for_staff = _reasons(window)
    when = describe(until, now, facts.zone)
    day_type = day_type_on(facts.schedule, local_date(now, facts.zone))
    by = source(policy.of(SETTING_OF[window.kind]), facts.places)
    return Hold(
        ErrorCode.NO_FLY_TIME,
        until,
        f"{for_student} Passes open again {when}.",
        f"No-fly time: {for_staff} on the {day_type} schedule (set by {by}). "
        f"Passes open again {when}.",
    )


def no_fly_check(facts: SchoolFacts, request: PassRequest) -> Decision | None:
    """Deny a student's own request in a no-fly window, saying when passes open again."""
    requester = facts.requester
    if request.issued_by_staff or requester is None or facts.schedule is None:
        return None
    policy = resolve(facts.policies, requester, request.destination_id)
    hold = no_fly_hold(facts, policy, windows_for(facts, policy))
    return None if hold is None else hold.deny()
