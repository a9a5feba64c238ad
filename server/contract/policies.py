"""Policy rows and a student's effective policy, with the reasons (ADR 0005)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
)

from server.contract.common import NO_NUL, Out, Strict
from server.contract.passes import PersonRef, PlaceRef
from server.enums import PolicyScope

# The bounds say "surely a typo" beyond them: a school day has fewer than 100 passes to give,
# and a cooldown longer than a day is a daily limit.
PerDay = Annotated[StrictInt, Field(ge=0, le=100)]
PerWeek = Annotated[StrictInt, Field(ge=0, le=500)]
CooldownMinutes = Annotated[StrictInt, Field(ge=0, le=1440)]
# Two hours is longer than any period: a no-fly time beyond it would close whole periods,
# which `no_pass_periods` says plainly.
NoFlyMinutes = Annotated[StrictInt, Field(ge=0, le=120)]
# Four hours past the due time is a school day's half: any longer and "expired" means nothing.
GraceMinutes = Annotated[StrictInt, Field(ge=0, le=240)]
# Ten seconds is the least a student needs to see the offer; ten minutes holds a place empty
# longer than most visits last.
OfferSeconds = Annotated[StrictInt, Field(ge=10, le=600)]
# A school-local wall-clock time, 24-hour: "08:00", "14:50".
Clock = Annotated[str, StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
PeriodName = Annotated[
    str, StringConstraints(min_length=1, max_length=40, strip_whitespace=True, pattern=NO_NUL)
]
# A day type's name is a key in URLs and field names: lower case, digits, - and _.
DayTypeName = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")]
# More than any real bell schedule has, small enough that a schedule is a few kilobytes.
MAX_PERIODS = 24
MAX_DAY_TYPES = 20
MAX_OVERRIDES = 400


class PolicyRules(Strict):
    """A policy row's settings. An absent setting inherits; null means no limit (it lifts one)."""

    passes_per_day: PerDay | None = Field(
        default=None, description="Passes a student may start per school day; 0 allows none."
    )
    passes_per_week: PerWeek | None = Field(
        default=None, description="Passes a student may start per school week (from Monday)."
    )
    cooldown_minutes: CooldownMinutes | None = Field(
        default=None,
        description="Minutes from the end of a student's last pass before they may start the next.",
    )
    exempt: StrictBool = Field(
        default=False,
        description="Destination rows only: passes there are neither counted nor limited.",
    )
    no_fly_after_start_minutes: NoFlyMinutes | None = Field(
        default=None,
        description="No passes a student starts in the first minutes of every period "
        "(from the bell schedule).",
    )
    no_fly_before_end_minutes: NoFlyMinutes | None = Field(
        default=None,
        description="No passes a student starts in the last minutes of every period.",
    )
    no_pass_periods: list[PeriodName] | None = Field(
        default=None,
        max_length=MAX_PERIODS,
        description="Periods without passes a student starts, by name (case ignored), on "
        "whichever day type has them.",
    )
    overtime_grace_minutes: GraceMinutes | None = Field(
        default=None,
        description="Minutes an active pass may run past its due time before the system ends "
        "it as `expired` (ended_by `system`); null or unset everywhere: passes never expire "
        "(but one an hour overdue while someone waits in line does).",
    )
    accommodation: StrictBool = Field(
        default=False,
        description="Student rows only, read and set by admins alone: the student has an "
        "accommodation (an IEP, 504 or medical plan). No limit, cooldown or no-fly time holds "
        "them, and their pass goes to the front of a line (no capacity is exceeded). No other "
        "screen shows it.",
    )
    offer_seconds: OfferSeconds = Field(
        default=30,
        description="Seconds a student in line has to take a place offered to them before "
        "their pass goes to the back of the line (10-600; unset everywhere: 30).",
    )


class PolicyPut(Strict):
    """The new settings of one policy row (replacing any it had)."""

    rules: PolicyRules


class PolicyOut(Out):
    """A policy row: whom it applies to, and the settings it sets."""

    scope: PolicyScope
    target: str = Field(
        description="Empty for the school; the grade, group name, location id or student id."
    )
    rules: dict[str, int | bool | list[str] | None]
    updated_at: str


class EffectiveSettingOut(Out):
    """One setting's effective value and the row it comes from."""

    value: int | bool | list[str] | None
    scope: PolicyScope | None = Field(description="The scope that set it; null for the default.")
    target: str | None
    source: str = Field(description="Who set it, in words: 'grade 10', 'the school', ...")


class EffectivePolicyOut(Out):
    """Every setting's effective value."""

    passes_per_day: EffectiveSettingOut
    passes_per_week: EffectiveSettingOut
    cooldown_minutes: EffectiveSettingOut
    exempt: EffectiveSettingOut
    no_fly_after_start_minutes: EffectiveSettingOut
    no_fly_before_end_minutes: EffectiveSettingOut
    no_pass_periods: EffectiveSettingOut
    overtime_grace_minutes: EffectiveSettingOut
    offer_seconds: EffectiveSettingOut
    accommodation: EffectiveSettingOut | None = Field(
        default=None, description="Admins only; absent for other staff."
    )


class NoFlyWindowOut(Out):
    """A stretch of today in which the student can't start a pass."""

    kind: Literal["after_start", "before_end", "whole_period"]
    period: str
    start: str
    end: str


class PolicyExplanationOut(Out):
    """Why a student may or may not start a pass now: settings, counts, and the next chance."""

    student: PersonRef
    destination: PlaceRef | None = Field(description="Explained for passes to this place.")
    timezone: str
    settings: EffectivePolicyOut
    today: int = Field(description="Counted passes today (school-local day).")
    this_week: int = Field(description="Counted passes this week (from Monday).")
    allowed: bool = Field(description="A pass the student starts now passes these limits.")
    code: str | None = Field(
        description="`limit_reached`, `cooldown` or `no_fly_time` when not allowed."
    )
    detail: str = Field(description="The reason, for staff; empty when allowed.")
    student_detail: str = Field(description="What the student is told; empty when allowed.")
    next_possible_at: str | None = Field(
        description="When the next pass is possible; null when allowed, or when only staff can."
    )
    no_fly_windows: list[NoFlyWindowOut] = Field(
        description="Today's no-fly windows for this student (and destination), in order."
    )
