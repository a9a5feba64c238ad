"""Pass limits: passes per day and per week, and a cooldown between a student's passes.

They hold only a student's own requests (asked on their device or at a kiosk): passes staff
issue or schedule are never held and never count. A destination can be exempt (the Nurse):
passes there are neither held nor counted.

What counts: a pass the student started that was not denied or cancelled (so pending, waiting,
active, ended or expired), to a destination that is not exempt, in the school-local day and
week (weeks start on Monday) of its request time. The cooldown runs from the end of the
student's latest counted pass: while a pass is open the student can't ask for another anyway
(one open pass), and time back in class is what "not again so soon" means.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from server.errors import ErrorCode
from server.rules.decision import Decision, Hold, plural
from server.rules.facts import PassRequest, Requester, SchoolFacts
from server.rules.localtime import (
    day_start,
    describe,
    next_day,
    next_week,
    time_of_day,
    week_start,
)
from server.rules.nofly import no_fly_hold, windows_for
from server.rules.policy import Effective, EffectivePolicy, resolve, source
from server.rules.schedule import Window, reopens_at

# Sorts after every real time: a hold that waiting won't lift (a limit of zero).
FOREVER = datetime.max.replace(tzinfo=UTC)
# When a lifted limit lets the student go: at once, or after the no-fly window it ends in.
Reopen = Callable[[datetime], datetime]


@dataclass(frozen=True, slots=True)
class Standing:
    """Where a student stands against their limits now: settings, counts, and any hold."""

    policy: EffectivePolicy
    today: int
    this_week: int
    hold: Hold | None  # a limit or the cooldown (checked first)
    no_fly: Hold | None = None  # a no-fly window the present falls in
    windows: tuple[Window, ...] = ()  # today's no-fly windows for this student

    @property
    def blocking(self) -> Hold | None:
        """Return what stops a pass now, as a request hears it: a limit first, then no-fly."""
        return self.hold or self.no_fly

    @property
    def next_possible_at(self) -> datetime | None:
        """Return when the next pass is possible, if a hold stops one now and waiting lifts it."""
        blocking = self.blocking
        return None if blocking is None else blocking.until


def limit_hold(
    facts: SchoolFacts, effective: Effective, used: int, period: str, release: datetime
) -> Hold | None:
    """Return the hold of a per-day or per-week limit that is used up, else None."""
    limit = effective.value
    if not isinstance(limit, int) or used < limit:
        return None
    by = source(effective, facts.places)
    if limit == 0:
        return Hold(
            ErrorCode.LIMIT_REACHED,
            None,
            "You can't start a pass yourself. Please ask your teacher.",
            f"No passes per {period} (set by {by}): only staff can give this student a pass.",
        )
    when = describe(release, facts.now, facts.zone)
    passes = plural(limit, "pass")
    label = "today" if period == "day" else "this week"
    return Hold(
        ErrorCode.LIMIT_REACHED,
        release,
        f"You have used your {passes} for {label}. Your next pass is possible {when}.",
        f"Limit of {passes} per {period} (set by {by}) reached: {used} {label}. "
        f"Next pass possible {when}.",
    )


def cooldown_hold(
    facts: SchoolFacts,
    effective: Effective,
    last_ended_at: datetime | None,
    reopen: Reopen,
) -> Hold | None:
    """Return the hold of a cooldown still running since the student's last pass, else None.

    It says when a pass is next possible: the cooldown's end, or the end of the no-fly window
    it ends in.
    """
    minutes = effective.value
    if not isinstance(minutes, int) or not minutes or last_ended_at is None:
        return None
    ends = last_ended_at.astimezone(UTC) + timedelta(minutes=minutes)
    if facts.now >= ends:
        return None
    until = reopen(ends)
    when = describe(until, facts.now, facts.zone)
    wait = plural(int(minutes), "minute")
    ended = time_of_day(last_ended_at, facts.zone)
    return Hold(
        ErrorCode.COOLDOWN,
        until,
        f"Please wait {wait} between passes. Next pass possible {when}.",
        f"Cooldown of {wait} (set by {source(effective, facts.places)}); the last pass ended "
        f"at {ended}. Next pass possible {when}.",
    )


def standing(facts: SchoolFacts, requester: Requester, destination_id: int | None) -> Standing:
    """Return the student's settings, counts and the hold that lifts last (None: free to go)."""
    policy = resolve(facts.policies, requester, destination_id)
    now, zone = facts.now, facts.zone
    monday, midnight = week_start(now, zone), day_start(now, zone)
    this_week = sum(1 for at in requester.counted if at >= monday)
    today = sum(1 for at in requester.counted if at >= midnight)
    if policy.unheld:  # an exempt place, or the student's accommodation
        return Standing(policy, today, this_week, None)
    windows = windows_for(facts, policy)
    holds = [
        hold
        for hold in (
            limit_hold(facts, policy.passes_per_week, this_week, "week", next_week(now, zone)),
            limit_hold(facts, policy.passes_per_day, today, "day", next_day(now, zone)),
            cooldown_hold(
                facts,
                policy.cooldown_minutes,
                requester.last_ended_at,
                lambda at: reopens_at(at, windows),
            ),
        )
        if hold is not None
    ]
    # The one that lifts last says when the next pass is possible; on a tie, the first listed.
    latest = max(holds, key=lambda hold: hold.until or FOREVER, default=None)
    return Standing(policy, today, this_week, latest, no_fly_hold(facts, policy, windows), windows)


def limits_check(facts: SchoolFacts, request: PassRequest) -> Decision | None:
    """Deny a student's own request over a day or week limit, or within their cooldown."""
    requester = facts.requester
    if request.issued_by_staff or requester is None:
        return None
    assert requester.student_id == request.student_id, "facts loaded for another student"
    hold = standing(facts, requester, request.destination_id).hold
    return None if hold is None else hold.deny()
