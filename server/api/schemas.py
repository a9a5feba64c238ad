"""Request and response bodies as pydantic models: validation and the OpenAPI schemas in one."""

from __future__ import annotations

from datetime import date as CalendarDate
from functools import cache
from typing import Annotated, Literal
from zoneinfo import available_timezones

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    field_validator,
)

from server.api.times import Moment
from server.auth.logins import MAX_LOGIN, normalize_login
from server.enums import Approval, EndedBy, LocationKind, PassKind, PassState, PolicyScope, Role
from server.rules.reminders import DEFAULT_REMIND_MINUTES, MAX_REMIND_MINUTES

Id = Annotated[StrictInt, Field(ge=1, le=2**31 - 1)]
# PostgreSQL text can't hold NUL: refuse it here (422), not in the query (a 500).
NO_NUL = r"^[^\x00]*$"


def _storable_login(login: str) -> str:
    # NFKC can lengthen a string ("\ufdfa" is 18 letters): the stored form must fit too.
    if not 1 <= len(normalize_login(login)) <= MAX_LOGIN:
        raise ValueError(f"1 to {MAX_LOGIN} characters once normalised")
    return login


Login = Annotated[
    str,
    StringConstraints(min_length=1, max_length=MAX_LOGIN, strip_whitespace=True, pattern=NO_NUL),
    AfterValidator(_storable_login),
]
SchoolSlug = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=NO_NUL)]
Password = Annotated[str, StringConstraints(min_length=1, max_length=200)]
IdempotencyKeyText = Annotated[
    str, StringConstraints(min_length=8, max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$")
]


class Strict(BaseModel):
    """A request body: unknown fields are errors, types are not coerced."""

    model_config = ConfigDict(extra="forbid", strict=True)


class LoginRequest(Strict):
    """Credentials for POST /api/session."""

    login: Login
    password: Password
    school: SchoolSlug | None = Field(
        default=None,
        description="The school's slug; needed only when the login exists in more than one school.",
    )


RemindMinutes = Annotated[StrictInt, Field(ge=1, le=MAX_REMIND_MINUTES)]
REMIND_DESCRIPTION = (
    "Remind the student and their teacher this many minutes before start_at (a `pass.reminder` "
    f"event); null: no reminder. Default {DEFAULT_REMIND_MINUTES}."
)
# A grade's students in one request; beyond this, several requests (one per room, say).
MAX_GROUP = 200
StudentGroupName = Annotated[
    str, StringConstraints(min_length=1, max_length=64, strip_whitespace=True, pattern=NO_NUL)
]


OverrideReason = Annotated[
    str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True, pattern=NO_NUL)
]


class StaffOverrideIn(Strict):
    """A staff override: the reason is required and recorded for administrators."""

    reason: OverrideReason = Field(description="Why the student goes now (1-200 characters).")


class PassCreate(Strict):
    """A new pass: students send only the destination; staff add the student and a start time."""

    destination_id: Id
    student_id: Id | None = None
    start_at: Moment | None = Field(
        default=None, description="Staff only: start the pass at this time (a scheduled pass)."
    )
    remind_minutes_before: RemindMinutes | None = Field(
        default=DEFAULT_REMIND_MINUTES, description=f"With start_at only. {REMIND_DESCRIPTION}"
    )
    idempotency_key: IdempotencyKeyText | None = Field(
        default=None,
        description="Client-made key: a repeated request with the same key returns the first pass.",
    )
    override: StaffOverrideIn | None = Field(
        default=None,
        description="Staff who may (admins, security, the teacher of the student's room): the "
        "pass goes past the student's limits, cooldown and no-fly times and to the front of a "
        "line. Never past passes switched off, a blocking encounter group or a capacity. Not "
        "with `start_at`. The reason and the refusal the student would have had are recorded "
        "for admins (`GET /api/overrides`).",
    )


class PassGroupCreate(Strict):
    """Scheduled passes for several students at once: a list, a grade or a student group."""

    destination_id: Id
    student_ids: list[Id] | None = Field(
        default=None, min_length=1, max_length=MAX_GROUP, description="Students, no repeats."
    )
    grade: Annotated[StrictInt, Field(ge=0, le=99)] | None = Field(
        default=None, description="Every active student of this grade."
    )
    group: StudentGroupName | None = Field(
        default=None,
        description="Every active student in this student group (as policies name it).",
    )
    start_at: Moment = Field(description="When the passes start (in the future).")
    remind_minutes_before: RemindMinutes | None = Field(
        default=DEFAULT_REMIND_MINUTES, description=REMIND_DESCRIPTION
    )


class PassDelay(Strict):
    """When a delayed visit starts: a time today, or minutes from now (exactly one)."""

    until: Moment | None = Field(
        default=None, description="Start the visit at this time (today, at most 4 hours ahead)."
    )
    minutes: StrictInt | None = Field(
        default=None, description="Start the visit this many minutes from now (1-240, today)."
    )


class SchoolOut(BaseModel):
    """The caller's school."""

    id: int
    name: str
    slug: str
    timezone: str
    passes_enabled: bool = Field(
        description="False while passes are switched off (emergency mode): requests are refused."
    )


class UserOut(BaseModel):
    """A signed-in user."""

    id: int
    login: str
    name: str
    role: Role
    school: SchoolOut
    home_location_id: int | None
    location_ids: list[int] = Field(description="Locations assigned to this staff member.")
    csrf_token: str | None = Field(
        default=None,
        description="`GET /api/me` with the session cookie: the session's CSRF token, so a "
        "reloaded page can send `X-CSRF-Token` again. Absent for bearer tokens.",
    )


class SessionOut(BaseModel):
    """A new session: the bearer token (shown once) and the CSRF token for cookie requests."""

    user: UserOut
    token: str
    csrf_token: str


class LocationOut(BaseModel):
    """A place in the school, with how busy it is now."""

    id: int
    name: str
    kind: LocationKind
    capacity: int | None
    approval: Approval
    default_minutes: int
    is_destination: bool
    geometry: dict[str, object]
    max_out: int | None = Field(
        default=None, description="Most students out of this room at once; null: no maximum."
    )
    active: bool = Field(default=True, description="False once archived (admins list those).")
    staff_ids: list[int] | None = Field(
        default=None, description="Admins only: the staff and devices assigned to this place."
    )
    out: int = Field(description="Students on an active pass to this place now.")
    waiting: int = Field(description="Students in line for this place.")


class PersonRef(BaseModel):
    """A student, named as the caller may see."""

    id: int
    name: str
    short_name: str | None = Field(
        default=None,
        description="First name(s) and the family name's initial, as a door kiosk shows the "
        "student (`name` on a kiosk). Absent from events logged before it existed.",
    )


class PlaceRef(BaseModel):
    """A location, by id and name."""

    id: int
    name: str
    kind: LocationKind


class PassOut(BaseModel):
    """A pass (DESIGN.md section 4)."""

    id: int
    state: PassState
    kind: PassKind
    student: PersonRef
    origin: PlaceRef
    destination: PlaceRef
    minutes: int
    ended_by: EndedBy | None
    position: int | None = Field(
        description="Place in its destination's line while waiting, 1 is next (a pass offered "
        "a place is at the front)."
    )
    offer_expires_at: str | None = Field(
        description="While waiting: a place is offered to this pass and held until this time; "
        "`POST /api/passes/{id}/take` before it, or the pass goes to the back of the line. "
        "Null when no place is offered."
    )
    version: int
    requested_at: str
    start_at: str | None
    started_at: str | None
    arrived_at: str | None
    due_at: str | None
    ended_at: str | None
    delayed_at: str | None = Field(
        description="When the destination's staff put this visit off; it then starts at start_at."
    )
    remind_minutes_before: int | None = Field(
        description="A scheduled pass reminds its student and teacher this long before start_at."
    )
    reminded_at: str | None = Field(description="When that reminder was sent (once).")
    overdue_at: str | None = Field(
        description="When the pass, still out, was first seen past due_at (`pass.overdue`, "
        "once); null until then."
    )


class PassGroupOut(BaseModel):
    """The passes a group request made, one per student, in the order of the students."""

    passes: list[PassOut]


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


class PolicyOut(BaseModel):
    """A policy row: whom it applies to, and the settings it sets."""

    scope: PolicyScope
    target: str = Field(
        description="Empty for the school; the grade, group name, location id or student id."
    )
    rules: dict[str, int | bool | list[str] | None]
    updated_at: str


class EffectiveSettingOut(BaseModel):
    """One setting's effective value and the row it comes from."""

    value: int | bool | list[str] | None
    scope: PolicyScope | None = Field(description="The scope that set it; null for the default.")
    target: str | None
    source: str = Field(description="Who set it, in words: 'grade 10', 'the school', ...")


class EffectivePolicyOut(BaseModel):
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


class NoFlyWindowOut(BaseModel):
    """A stretch of today in which the student can't start a pass."""

    kind: Literal["after_start", "before_end", "whole_period"]
    period: str
    start: str
    end: str


class PolicyExplanationOut(BaseModel):
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


class PeriodIn(Strict):
    """A period: its name and school-local start and end (24-hour HH:MM)."""

    name: PeriodName
    start: Clock
    end: Clock


class DayTypeIn(Strict):
    """A day type's periods, in order, not overlapping."""

    periods: list[PeriodIn] = Field(min_length=1, max_length=MAX_PERIODS)


class WeekdaysIn(Strict):
    """The day type of each school weekday; null or left out: no school."""

    monday: DayTypeName | None = None
    tuesday: DayTypeName | None = None
    wednesday: DayTypeName | None = None
    thursday: DayTypeName | None = None
    friday: DayTypeName | None = None


class OverrideIn(Strict):
    """A date that follows another day type, or has no school (`day_type` null)."""

    date: CalendarDate
    day_type: DayTypeName | None
    note: Annotated[str, StringConstraints(max_length=200, pattern=NO_NUL)] = ""


class ScheduleIn(Strict):
    """A whole bell schedule: day types, each weekday's, and dates that differ."""

    day_types: dict[DayTypeName, DayTypeIn] = Field(max_length=MAX_DAY_TYPES)
    weekdays: WeekdaysIn = Field(default_factory=WeekdaysIn)
    overrides: list[OverrideIn] = Field(default_factory=list, max_length=MAX_OVERRIDES)


class PeriodOut(BaseModel):
    """A period of a day type."""

    name: str
    start: str = Field(description="School-local HH:MM.")
    end: str = Field(description="School-local HH:MM.")


class DayTypeOut(BaseModel):
    """A day type's periods."""

    periods: list[PeriodOut]


class OverrideOut(BaseModel):
    """A date that follows another day type (null: no school)."""

    date: str
    day_type: str | None
    note: str


class ScheduleOut(BaseModel):
    """The school's whole bell schedule."""

    timezone: str = Field(description="The school's IANA timezone: every time is local to it.")
    day_types: dict[str, DayTypeOut]
    weekdays: dict[str, str | None] = Field(description="monday to friday; null: no school.")
    overrides: list[OverrideOut]
    updated_at: str | None


class BellOut(BaseModel):
    """A period of today."""

    name: str
    start: str = Field(description="School-local HH:MM.")
    end: str = Field(description="School-local HH:MM.")
    starts_at: str = Field(description="The same moment in UTC.")
    ends_at: str
    current: bool


class TodayOut(BaseModel):
    """Today at school: its day type, its periods, and where the present falls."""

    timezone: str
    date: str = Field(description="Today's school-local date.")
    now: str
    day_type: str | None = Field(description="null: no school today.")
    status: Literal["no_school", "before_school", "in_period", "passing", "after_school"]
    current: str | None = Field(description="The current period's name.")
    next: str | None = Field(description="The next period's name.")
    periods: list[BellOut]


class ErrorDetail(BaseModel):
    """The one error shape."""

    code: str
    message: str
    details: dict[str, object] | None = None


class ErrorOut(BaseModel):
    """`{"error": {"code", "message"}}`."""

    error: ErrorDetail


class Health(BaseModel):
    """The health check's answer."""

    status: Literal["ok"]


# Encounter groups: staff-only (admins and security). Nothing below ever reaches a student.
GroupName = Annotated[
    str, StringConstraints(min_length=1, max_length=120, strip_whitespace=True, pattern=NO_NUL)
]
GroupNotes = Annotated[str, StringConstraints(max_length=2000, pattern=NO_NUL)]
MAX_MEMBERS = 50  # a group is a handful of students; a whole class is a schedule problem
EncounterModeName = Literal["block", "alert"]


class NamedRef(BaseModel):
    """A row of the school, by id and name."""

    id: int
    name: str


class EncounterGroupIn(Strict):
    """A new encounter group."""

    name: GroupName
    mode: EncounterModeName = Field(
        default="block",
        description="`block`: never out together; `alert`: allowed, and the encounter is logged "
        "for security.",
    )
    member_ids: list[Id] = Field(
        min_length=2, max_length=MAX_MEMBERS, description="Students of the school, no repeats."
    )
    expires_on: CalendarDate | None = Field(
        default=None,
        description="The last school-local day the group applies (inclusive); null: no end.",
    )
    notes: GroupNotes = Field(default="", description="Staff only: why the group exists.")


class EncounterGroupPatch(Strict):
    """The fields of a group to change; absent ones stay as they are."""

    name: GroupName | None = None
    mode: EncounterModeName | None = None
    member_ids: list[Id] | None = Field(default=None, min_length=2, max_length=MAX_MEMBERS)
    expires_on: CalendarDate | None = None
    notes: GroupNotes | None = None


class EncounterGroupOut(BaseModel):
    """An encounter group, as admins and security see it."""

    id: int
    name: str
    mode: EncounterModeName
    members: list[PersonRef]
    expires_on: CalendarDate | None
    notes: str
    created_by: int | None
    created_at: str | None
    updated_at: str | None


class EncounterLogOut(BaseModel):
    """One encounter a group prevented (block) or let happen and reported (alert)."""

    id: int
    at: str
    group: NamedRef
    mode: EncounterModeName
    outcome: Literal["prevented", "alerted"]
    student: PersonRef = Field(description="The student whose pass was refused or went out.")
    others: list[PersonRef] = Field(description="The group's other members out at that moment.")
    destination: NamedRef
    pass_id: int | None


class WouldHaveOut(BaseModel):
    """What the student would have been told without the override."""

    code: str = Field(description="`limit_reached`, `cooldown`, `no_fly_time` or `capacity_full`.")
    detail: str = Field(description="The reason, as staff read it.")


class StaffOverrideOut(BaseModel):
    """A staff override, as administrators see it."""

    pass_id: int
    at: str
    by: PersonRef = Field(description="The staff member who overrode.")
    student: PersonRef
    destination: NamedRef
    reason: str
    would_have: WouldHaveOut | None = Field(
        description="The refusal or line the override went past; null when nothing held."
    )


# --- Administration: the school's settings and its places (docs/adr/0005-school-policy.md) ---

MAX_HALLWAY = 10_000
MAX_CAPACITY = 10_000
MAX_PASS_MINUTES = 240
MAX_STAFF = 100
MAX_PLAN = 100_000  # floor-plan units; the demo's plan is 1000 x 600
SchoolName = Annotated[
    str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True, pattern=NO_NUL)
]
PlaceName = Annotated[
    str, StringConstraints(min_length=1, max_length=120, strip_whitespace=True, pattern=NO_NUL)
]
HallwayMax = Annotated[StrictInt, Field(ge=1, le=MAX_HALLWAY)]
Capacity = Annotated[StrictInt, Field(ge=1, le=MAX_CAPACITY)]
PassMinutes = Annotated[StrictInt, Field(ge=1, le=MAX_PASS_MINUTES)]
Coordinate = Annotated[StrictInt | float, Field(ge=0, le=MAX_PLAN, allow_inf_nan=False)]
Extent = Annotated[StrictInt | float, Field(gt=0, le=MAX_PLAN, allow_inf_nan=False)]
FloorName = Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=NO_NUL)]


# Files of a system's zoneinfo directory that are not zones of their own: the machine's
# local zone would make the school's days depend on where the server runs.
NOT_ZONES = frozenset({"localtime", "posixrules", "Factory"})


@cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones()) - NOT_ZONES


def _iana_zone(name: str) -> str:
    # Only names of the tz database: ZoneInfo alone would also take file paths and "localtime".
    if name not in _zones():
        raise ValueError("not an IANA time zone name, such as America/Chicago")
    return name


ZoneName = Annotated[str, StringConstraints(max_length=64), AfterValidator(_iana_zone)]


def _not_null(value: object) -> object:
    """Refuse an explicit null for a setting that can't be empty (absent means "unchanged")."""
    if value is None:
        raise ValueError("can't be null")
    return value


class SchoolPatch(Strict):
    """The school's settings to change; absent ones stay as they are."""

    name: SchoolName | None = None
    timezone: ZoneName | None = Field(
        default=None,
        description="An IANA zone. Days, weeks, bells and no-fly times are read in it from the "
        "next decision on; passes already out keep their due times.",
    )
    hallway_max: HallwayMax | None = Field(
        default=None,
        description="Most students out of class at once in the school; null: no maximum.",
    )
    passes_enabled: StrictBool | None = Field(
        default=None,
        description="False switches passes off: new requests get `passes_disabled` and the line "
        "is not offered places; true lets the line be offered free places again.",
    )

    _required = field_validator("name", "timezone", "passes_enabled", mode="before")(_not_null)


class SchoolSettingsOut(BaseModel):
    """The school's settings, as admins and security see them."""

    id: int
    name: str
    slug: str
    timezone: str
    hallway_max: int | None
    passes_enabled: bool
    out: int = Field(description="Students out of class now (active passes).")


class Geometry(Strict):
    """A place's rectangle on the floor plan, in plan units (the demo's plan is 1000 x 600)."""

    x: Coordinate
    y: Coordinate
    width: Extent
    height: Extent
    floor: FloorName | None = None


class LocationCreate(Strict):
    """A new place of the school."""

    name: PlaceName = Field(description="Unique in the school (case does not count).")
    kind: LocationKind
    capacity: Capacity | None = Field(
        default=None, description="Students there at once on passes; null: unlimited."
    )
    approval: Approval = Field(
        default=Approval.NONE,
        description="`none`: self-start; `origin_teacher`: the teacher approves; "
        "`destination_staff`: the place's staff accept.",
    )
    default_minutes: PassMinutes = Field(default=5, description="The time a pass there gets.")
    max_out: Capacity | None = Field(
        default=None, description="Most students out of this room at once; null: no maximum."
    )
    is_destination: StrictBool = True
    geometry: Geometry | None = Field(default=None, description="Null: not on the floor plan.")
    staff_ids: list[Id] = Field(
        default_factory=list,
        max_length=MAX_STAFF,
        description="Staff (or a door kiosk) of the school assigned to the place.",
    )


class LocationPatch(Strict):
    """The fields of a place to change; absent ones stay as they are."""

    name: PlaceName | None = None
    kind: LocationKind | None = None
    capacity: Capacity | None = Field(
        default=None,
        description="Lowering it below the students there now sends nobody back: the line waits.",
    )
    approval: Approval | None = None
    default_minutes: PassMinutes | None = None
    max_out: Capacity | None = None
    is_destination: StrictBool | None = None
    geometry: Geometry | None = None
    active: StrictBool | None = Field(
        default=None,
        description="False archives the place: no new passes go there; open passes keep working.",
    )
    staff_ids: list[Id] | None = Field(
        default=None, max_length=MAX_STAFF, description="Replaces the whole assignment."
    )

    _required = field_validator(
        "name",
        "kind",
        "approval",
        "default_minutes",
        "is_destination",
        "active",
        "staff_ids",
        mode="before",
    )(_not_null)
