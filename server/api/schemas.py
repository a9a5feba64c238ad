"""Request and response bodies as pydantic models: validation and the OpenAPI schemas in one."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictInt, StringConstraints

from server.enums import Approval, EndedBy, LocationKind, PassKind, PassState, Role

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
