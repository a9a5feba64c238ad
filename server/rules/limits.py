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

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from server.errors import ErrorCode
from server.rules.decision import Decision
from server.rules.facts import PassRequest, Requester, SchoolFacts
from server.rules.policy import Effective, EffectivePolicy, resolve, source

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# Sorts after every real time: a hold that waiting won't lift (a limit of zero).
FOREVER = datetime.max.replace(tzinfo=UTC)


def midnight(day: date, zone: tzinfo) -> datetime:
    """Return the school-local midnight that begins `day`, in UTC.

    UTC, so that comparisons and sums are exact: Python compares two times of one zone by
    their wall clocks, which is wrong in the hour a DST change repeats.
    """
    return datetime.combine(day, time(0), zone).astimezone(UTC)


def local_date(at: datetime, zone: tzinfo) -> date:
    """Return the school-local date of `at`."""
    return at.astimezone(zone).date()


def day_start(at: datetime, zone: tzinfo) -> datetime:
    """Return the school-local midnight that began the day of `at`."""
    return midnight(local_date(at, zone), zone)


def week_start(at: datetime, zone: tzinfo) -> datetime:
    """Return the school-local midnight that began the week (on Monday) of `at`."""
    day = local_date(at, zone)
    return midnight(day - timedelta(days=day.weekday()), zone)


def next_day(at: datetime, zone: tzinfo) -> datetime:
    """Return the school-local midnight that begins the day after `at`."""
    return midnight(local_date(at, zone) + timedelta(days=1), zone)


def next_week(at: datetime, zone: tzinfo) -> datetime:
    """Return the school-local midnight that begins the next Monday after `at`."""
    day = local_date(at, zone)
    return midnight(day + timedelta(days=7 - day.weekday()), zone)


def ceil_minute(at: datetime) -> datetime:
    """Return `at` rounded up to a whole minute, so "at 10:42" is never a little too early."""
    whole = at.replace(second=0, microsecond=0)
    return whole if whole == at else whole + timedelta(minutes=1)


def describe(at: datetime, now: datetime, zone: tzinfo) -> str:
    """Say when, in school-local time: "at 10:42", "tomorrow", "on Monday at 07:55"."""
    local = ceil_minute(at).astimezone(zone)
    days = (local.date() - local_date(now, zone)).days
    clock = f"{local:%H:%M}"
    if days <= 0:
        return f"at {clock}"
    day = "tomorrow" if days == 1 else f"on {WEEKDAYS[local.weekday()]}"
    return day if local.time() == time(0) else f"{day} at {clock}"


def plural(n: int, word: str) -> str:
    """Return "1 pass", "4 passes", "1 minute", "15 minutes"."""
    if n == 1:
        return f"{n} {word}"
    return f"{n} {word}es" if word.endswith("s") else f"{n} {word}s"


@dataclass(frozen=True, slots=True)
class Hold:
    """A limit that stops a new pass now, and when waiting lifts it (None: it won't)."""

    code: ErrorCode
    until: datetime | None
    detail: str  # for the student: what they can do next, never who set what
    staff_detail: str  # for staff: also which scope set the rule


@dataclass(frozen=True, slots=True)
class Standing:
    """Where a student stands against their limits now: settings, counts, and any hold."""

    policy: EffectivePolicy
    today: int
    this_week: int
    hold: Hold | None

    @property
    def next_possible_at(self) -> datetime | None:
        """Return when the next pass is possible, if a hold stops one now and waiting lifts it."""
        return None if self.hold is None else self.hold.until


def limit_hold(
    facts: SchoolFacts, effective: Effective, used: int, period: str, release: datetime
) -> Hold | None:
    """Return the hold of a per-day or per-week limit that is used up, else None."""
    limit = effective.value
    if limit is None or used < limit:
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
    passes = plural(int(limit), "pass")
    label = "today" if period == "day" else "this week"
    return Hold(
        ErrorCode.LIMIT_REACHED,
        release,
        f"You have used your {passes} for {label}. Your next pass is possible {when}.",
        f"Limit of {passes} per {period} (set by {by}) reached: {used} {label}. "
        f"Next pass possible {when}.",
    )


def cooldown_hold(
    facts: SchoolFacts, effective: Effective, last_ended_at: datetime | None
) -> Hold | None:
    """Return the hold of a cooldown still running since the student's last pass, else None."""
    minutes = effective.value
    if not minutes or last_ended_at is None:
        return None
    until = last_ended_at.astimezone(UTC) + timedelta(minutes=int(minutes))
    if facts.now >= until:
        return None
    when = describe(until, facts.now, facts.zone)
    wait = plural(int(minutes), "minute")
    ended = f"{last_ended_at.astimezone(facts.zone):%H:%M}"
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
    if policy.exempt.value:
        return Standing(policy, today, this_week, None)
    holds = [
        hold
        for hold in (
            limit_hold(facts, policy.passes_per_week, this_week, "week", next_week(now, zone)),
            limit_hold(facts, policy.passes_per_day, today, "day", next_day(now, zone)),
            cooldown_hold(facts, policy.cooldown_minutes, requester.last_ended_at),
        )
        if hold is not None
    ]
    # The one that lifts last says when the next pass is possible; on a tie, the first listed.
    latest = max(holds, key=lambda hold: hold.until or FOREVER, default=None)
    return Standing(policy, today, this_week, latest)


def limits_check(facts: SchoolFacts, request: PassRequest) -> Decision | None:
    """Deny a student's own request over a day or week limit, or within their cooldown."""
    requester = facts.requester
    if request.issued_by_staff or requester is None:
        return None
    assert requester.student_id == request.student_id, "facts loaded for another student"
    hold = standing(facts, requester, request.destination_id).hold
    if hold is None:
        return None
    return Decision.deny(hold.code, hold.detail, hold.staff_detail)
