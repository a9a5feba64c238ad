"""Request and response bodies as pydantic models: validation and the OpenAPI schemas in one."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
)

from server.enums import Approval, EndedBy, LocationKind, PassKind, PassState, PolicyScope, Role

Id = Annotated[StrictInt, Field(ge=1, le=2**31 - 1)]
# PostgreSQL text can't hold NUL: refuse it here (422), not in the query (a 500).
NO_NUL = r"^[^\x00]*$"
Login = Annotated[
    str, StringConstraints(min_length=1, max_length=120, strip_whitespace=True, pattern=NO_NUL)
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


class PassCreate(Strict):
    """A new pass: students send only the destination; staff add the student and a start time."""

    destination_id: Id
    student_id: Id | None = None
    start_at: AwareDatetime | None = Field(
        default=None, description="Staff only: start the pass at this time (a scheduled pass)."
    )
    idempotency_key: IdempotencyKeyText | None = Field(
        default=None,
        description="Client-made key: a repeated request with the same key returns the first pass.",
    )


class SchoolOut(BaseModel):
    """The caller's school."""

    id: int
    name: str
    slug: str
    timezone: str


class UserOut(BaseModel):
    """A signed-in user."""

    id: int
    login: str
    name: str
    role: Role
    school: SchoolOut
    home_location_id: int | None
    location_ids: list[int] = Field(description="Locations assigned to this staff member.")


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
    out: int = Field(description="Students on an active pass to this place now.")
    waiting: int = Field(description="Students in line for this place.")


class PersonRef(BaseModel):
    """A student, named as the caller may see."""

    id: int
    name: str


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
    position: int | None = Field(description="Place in line while waiting, 1 is next.")
    version: int
    requested_at: str
    start_at: str | None
    started_at: str | None
    arrived_at: str | None
    due_at: str | None
    ended_at: str | None


# The bounds say "surely a typo" beyond them: a school day has fewer than 100 passes to give,
# and a cooldown longer than a day is a daily limit.
PerDay = Annotated[StrictInt, Field(ge=0, le=100)]
PerWeek = Annotated[StrictInt, Field(ge=0, le=500)]
CooldownMinutes = Annotated[StrictInt, Field(ge=0, le=1440)]


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


class PolicyPut(Strict):
    """The new settings of one policy row (replacing any it had)."""

    rules: PolicyRules


class PolicyOut(BaseModel):
    """A policy row: whom it applies to, and the settings it sets."""

    scope: PolicyScope
    target: str = Field(
        description="Empty for the school; the grade, group name, location id or student id."
    )
    rules: dict[str, int | bool | None]
    updated_at: str


class EffectiveSettingOut(BaseModel):
    """One setting's effective value and the row it comes from."""

    value: int | bool | None
    scope: PolicyScope | None = Field(description="The scope that set it; null for the default.")
    target: str | None
    source: str = Field(description="Who set it, in words: 'grade 10', 'the school', ...")


class EffectivePolicyOut(BaseModel):
    """Every setting's effective value."""

    passes_per_day: EffectiveSettingOut
    passes_per_week: EffectiveSettingOut
    cooldown_minutes: EffectiveSettingOut
    exempt: EffectiveSettingOut


class PolicyExplanationOut(BaseModel):
    """Why a student may or may not start a pass now: settings, counts, and the next chance."""

    student: PersonRef
    destination: PlaceRef | None = Field(description="Explained for passes to this place.")
    timezone: str
    settings: EffectivePolicyOut
    today: int = Field(description="Counted passes today (school-local day).")
    this_week: int = Field(description="Counted passes this week (from Monday).")
    allowed: bool = Field(description="A pass the student starts now passes these limits.")
    code: str | None = Field(description="`limit_reached` or `cooldown` when not allowed.")
    detail: str = Field(description="The reason, for staff; empty when allowed.")
    student_detail: str = Field(description="What the student is told; empty when allowed.")
    next_possible_at: str | None = Field(
        description="When the next pass is possible; null when allowed, or when only staff can."
    )


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
