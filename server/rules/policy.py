"""School policy: which value of each setting applies to a student, and which scope set it.

Settings are set for the whole school and overridden by grade, student group, destination and
student; the most specific scope that sets a value wins:

    student > destination > group > grade > school

A student in several groups that set the same setting gets the strictest of their values (the
lowest limit, the longest cooldown or no-fly time, the longest list of closed periods, the
shortest overtime grace or time to take an offered place): a group is usually a restriction
someone asked for, and the group with the looser value can't be assumed to have meant to lift
it. An absent name inherits from the
less specific scopes; an explicit null means "no limit" (for the grace: never expire) and so
lifts one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from server.enums import PolicyScope
from server.rules.facts import Place, PolicyRow, PolicyValue, Requester


class Setting(StrEnum):
    """The settings a policy row may hold (the keys of its `rules`)."""

    PASSES_PER_DAY = "passes_per_day"
    PASSES_PER_WEEK = "passes_per_week"
    COOLDOWN_MINUTES = "cooldown_minutes"
    EXEMPT = "exempt"  # a destination only: passes there neither count nor are held
    # No-fly times, derived from the bell schedule: the first and last minutes of each period.
    NO_FLY_AFTER_START_MINUTES = "no_fly_after_start_minutes"
    NO_FLY_BEFORE_END_MINUTES = "no_fly_before_end_minutes"
    # Whole periods without passes, by name ("Period 1", "Testing"), on any day type.
    NO_PASS_PERIODS = "no_pass_periods"
    # Minutes an active pass may run past its due time before the system ends it as expired.
    OVERTIME_GRACE_MINUTES = "overtime_grace_minutes"
    # Seconds a student in line has to take a place offered to them before going to the back.
    OFFER_SECONDS = "offer_seconds"
    # A student only (an IEP, 504 or medical plan): no limit, cooldown or no-fly time holds
    # them, and their pass is at the front of a line. Admins alone read or set it.
    ACCOMMODATION = "accommodation"


# Most specific first: the order resolution looks in.
PRECEDENCE: tuple[PolicyScope, ...] = (
    PolicyScope.STUDENT,
    PolicyScope.DESTINATION,
    PolicyScope.GROUP,
    PolicyScope.GRADE,
    PolicyScope.SCHOOL,
)
# What applies when no row sets a setting: no limits, no cooldown, nothing exempt.
DEFAULTS: Mapping[Setting, PolicyValue] = {
    Setting.PASSES_PER_DAY: None,
    Setting.PASSES_PER_WEEK: None,
    Setting.COOLDOWN_MINUTES: None,
    Setting.EXEMPT: False,
    Setting.NO_FLY_AFTER_START_MINUTES: None,
    Setting.NO_FLY_BEFORE_END_MINUTES: None,
    Setting.NO_PASS_PERIODS: None,
    Setting.OVERTIME_GRACE_MINUTES: None,  # passes never expire unless a school sets it
    Setting.OFFER_SECONDS: 30,  # time to put the pencil down and stand up, not to finish a task
    Setting.ACCOMMODATION: False,
}
# The scopes each setting may be set for.
SCOPES_OF: Mapping[Setting, frozenset[PolicyScope]] = {
    Setting.PASSES_PER_DAY: frozenset(PolicyScope),
    Setting.PASSES_PER_WEEK: frozenset(PolicyScope),
    Setting.COOLDOWN_MINUTES: frozenset(PolicyScope),
    Setting.EXEMPT: frozenset({PolicyScope.DESTINATION}),
    Setting.NO_FLY_AFTER_START_MINUTES: frozenset(PolicyScope),
    Setting.NO_FLY_BEFORE_END_MINUTES: frozenset(PolicyScope),
    Setting.NO_PASS_PERIODS: frozenset(PolicyScope),
    Setting.OVERTIME_GRACE_MINUTES: frozenset(PolicyScope),
    Setting.OFFER_SECONDS: frozenset(PolicyScope),
    Setting.ACCOMMODATION: frozenset({PolicyScope.STUDENT}),
}
# Settings whose bigger value is stricter (a longer wait); the limits are stricter when lower.
LONGER_IS_STRICTER = frozenset(
    {
        Setting.COOLDOWN_MINUTES,
        Setting.NO_FLY_AFTER_START_MINUTES,
        Setting.NO_FLY_BEFORE_END_MINUTES,
    }
)


@dataclass(frozen=True, slots=True)
class Effective:
    """A setting's value for one student, and the row that set it (scope None: the default)."""

    value: PolicyValue
    scope: PolicyScope | None = None
    target: str = ""


@dataclass(frozen=True, slots=True)
class EffectivePolicy:
    """Every setting's effective value for one student (and destination, when one is asked)."""

    passes_per_day: Effective
    passes_per_week: Effective
    cooldown_minutes: Effective
    exempt: Effective
    no_fly_after_start_minutes: Effective
    no_fly_before_end_minutes: Effective
    no_pass_periods: Effective
    overtime_grace_minutes: Effective
    offer_seconds: Effective
    accommodation: Effective

    @property
    def unheld(self) -> bool:
        """Say whether no limit, cooldown or no-fly time holds the pass: an exempt destination,
        or a student with an accommodation."""
        return bool(self.exempt.value) or self.accommodation.value is True

    def of(self, setting: Setting) -> Effective:
        """Return one setting by name."""
        effective: Effective = getattr(self, setting.value)
        return effective


def strictness(setting: Setting, value: PolicyValue) -> float:
    """Return how strict a value is (higher is stricter), to choose among a student's groups.

    Of two lists of no-pass periods the longer is the stricter: one row sets the value, so
    staff can always be told which (a union would have no single source).
    """
    if isinstance(value, tuple):
        return float(len(value))
    if setting is Setting.NO_PASS_PERIODS:
        return 0.0  # null: no period is closed
    if setting in LONGER_IS_STRICTER:
        return float(value or 0)
    if setting in (Setting.EXEMPT, Setting.ACCOMMODATION):
        return 0.0 if value else 1.0
    return float("-inf") if value is None else -float(value)


def applicable(
    rows: Iterable[PolicyRow], requester: Requester, destination_id: int | None
) -> dict[PolicyScope, list[PolicyRow]]:
    """Return the rows that apply to the student (and destination), by scope."""
    wanted: dict[PolicyScope, Callable[[str], bool]] = {
        PolicyScope.SCHOOL: lambda target: target == "",
        PolicyScope.GRADE: lambda target: (
            requester.grade is not None and target == str(requester.grade)
        ),
        PolicyScope.GROUP: lambda target: target in requester.groups,
        PolicyScope.DESTINATION: lambda target: (
            destination_id is not None and target == str(destination_id)
        ),
        PolicyScope.STUDENT: lambda target: target == str(requester.student_id),
    }
    found: dict[PolicyScope, list[PolicyRow]] = {scope: [] for scope in PolicyScope}
    for row in rows:
        if wanted[row.scope](row.target):
            found[row.scope].append(row)
    return found


def resolve_setting(setting: Setting, by_scope: Mapping[PolicyScope, list[PolicyRow]]) -> Effective:
    """Return the most specific value of one setting, the strictest among several groups."""
    for scope in PRECEDENCE:
        setting_rows = sorted(
            (row for row in by_scope.get(scope, ()) if setting.value in row.values),
            key=lambda row: row.target,
        )
        if setting_rows:
            chosen = max(setting_rows, key=lambda row: strictness(setting, row.values[setting]))
            return Effective(chosen.values[setting], scope, chosen.target)
    return Effective(DEFAULTS[setting])


def resolve(
    rows: Iterable[PolicyRow], requester: Requester, destination_id: int | None = None
) -> EffectivePolicy:
    """Return the student's effective settings, each with the scope that set it."""
    by_scope = applicable(rows, requester, destination_id)
    return EffectivePolicy(
        **{setting.value: resolve_setting(setting, by_scope) for setting in Setting}
    )


def exempt_destination_ids(rows: Iterable[PolicyRow]) -> frozenset[int]:
    """Return the destinations whose passes neither count nor are limited."""
    return frozenset(
        int(row.target)
        for row in rows
        if row.scope is PolicyScope.DESTINATION
        and row.values.get(Setting.EXEMPT) is True
        and row.target.isdigit()
    )


def source(effective: Effective, places: Mapping[int, Place]) -> str:
    """Return, for staff, who set a value: "the school", "grade 10", "group 'IEP'", ..."""
    if effective.scope is None:
        return "nobody (the default)"
    if effective.scope is PolicyScope.SCHOOL:
        return "the school"
    if effective.scope is PolicyScope.GROUP:
        return f"group '{effective.target}'"
    if effective.scope is PolicyScope.DESTINATION:
        place = places.get(int(effective.target))
        return place.name if place is not None else f"destination {effective.target}"
    if effective.scope is PolicyScope.STUDENT:
        return "this student"
    return f"grade {effective.target}"
