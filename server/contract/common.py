"""Shared field types of request bodies, and the one error shape."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StringConstraints,
)

from server.logins import MAX_LOGIN, normalize_login

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


class Out(BaseModel):
    """A response body: a field the model does not declare can't be sent (nor validated)."""

    model_config = ConfigDict(extra="forbid")


class NamedRef(Out):
    """A row of the school, by id and name."""

    id: int
    name: str


def wire(model: BaseModel) -> dict[str, Any]:
    """Return a model as the JSON object every channel sends: REST, the event log and /ws."""
    return model.model_dump(mode="json", by_alias=True)


class ErrorDetail(Out):
    """The one error shape."""

    code: str
    message: str
    details: dict[str, object] | None = None


class ErrorOut(Out):
    """`{"error": {"code", "message"}}`."""

    error: ErrorDetail


class Health(Out):
    """The health check's answer."""

    status: Literal["ok"]
