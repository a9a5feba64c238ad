"""Path ids, query strings and headers: each operation's one pydantic model parses and documents.

A bad path id is 404 (like any unknown id); a bad query value or header is the 422 naming it,
its message what the operation documents the value as (a whole number from 1 to 500, ...).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    WrapValidator,
)
from pydantic_core import PydanticCustomError
from pydantic_core.core_schema import ValidatorFunctionWrapHandler
from starlette.requests import Request

from server.contract.times import RANGE_TEXT, in_range
from server.errors import HallpassError
from server.rules.decision import FieldProblem
from server.services.validation import invalid

MAX_ID = 2**31 - 1
# More digits than any id has. Checked before int(): Python refuses to parse numbers of more
# than 4,300 digits, which would be a 500 instead of a 404.
MAX_ID_DIGITS = len(str(MAX_ID))
# The error type of a value this module's own validators refuse: its message is the problem.
EXPLAINED = "hallpass_param"
TIME_TEXT = f"ISO 8601 with an offset, e.g. 2025-03-04T08:00:00Z, {RANGE_TEXT}"
DATE_TEXT = "a date, YYYY-MM-DD, from 2000 to 2099"


def positive_id(raw: str) -> int | None:
    """Return a positive 32-bit id written in ASCII digits, else None."""
    if not (raw.isascii() and raw.isdigit() and len(raw) <= MAX_ID_DIGITS):
        return None
    number = int(raw)
    return number if 1 <= number <= MAX_ID else None


class QueryModel(BaseModel):
    """An operation's query parameters: one field each, its alias the name in the URL."""

    # Unknown parameters are ignored, as they always were (a cache-buster harms nothing).
    model_config = ConfigDict(extra="ignore", frozen=True)


class HeaderModel(BaseModel):
    """An operation's own request headers (not auth's): one field each, aliased by header name."""

    model_config = ConfigDict(extra="ignore", frozen=True)


def problem(text: str) -> PydanticCustomError:
    """Return the error a value fails with, its message the text a 422 names it with."""
    return PydanticCustomError(EXPLAINED, text)


def _digits(raw: object) -> object:
    # ASCII digits only: int() would take "+5", " 5", "1_0" and "\u0661" (Arabic-Indic one).
    if isinstance(raw, str):
        if not (raw.isascii() and raw.isdigit() and len(raw) <= MAX_ID_DIGITS):
            raise ValueError("not a whole number")  # described from the field's bounds
        return int(raw)
    return raw


def _flag(raw: object) -> object:
    if raw not in ("true", "false"):
        raise ValueError("not true or false")
    return raw == "true"


def _blank_is_absent(raw: object) -> object:
    return None if isinstance(raw, str) and not raw.strip() else raw


def _no_nul(text: str) -> str:
    if "\x00" in text:
        raise ValueError("a NUL character")  # PostgreSQL text can't hold it
    return text.strip()


def _moment(raw: object) -> object:
    if not isinstance(raw, str):
        return raw
    try:
        moment = datetime.fromisoformat(raw)
        if moment.tzinfo is None:
            raise ValueError("no offset")  # a naive time means nothing without the school's zone
        # Stored times are UTC, and SQLite compares them as text.
        return in_range(moment).astimezone(UTC)
    except ValueError:
        raise ValueError("not a time") from None  # described from the field's format


def _date(raw: object) -> object:
    # Only the one spelling: fromisoformat would also take 20250304 and 2025-W10-2.
    if not isinstance(raw, str):
        return raw
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        raise ValueError("not a date")  # described from the field's format
    day = date.fromisoformat(raw)  # a ValueError for 2025-13-01 alike
    if not 2000 <= day.year <= 2099:
        raise ValueError("out of range")
    return day


def explained(text: str) -> WrapValidator:
    """Return a validator that names any failure of the value it wraps with this text."""

    def check(raw: object, handler: ValidatorFunctionWrapHandler) -> object:
        try:
            return handler(raw)
        except ValidationError:
            raise problem(text) from None

    return WrapValidator(check)


# A whole number written in ASCII digits; its field gives the bounds (Field(ge=, le=)).
Whole = Annotated[int, BeforeValidator(_digits)]
# A positive 32-bit id, as a path's; in a query, a bad one is 422 (it names no resource yet).
QueryId = Annotated[int, Field(ge=1, le=MAX_ID), BeforeValidator(_digits)]
# A school-local date, YYYY-MM-DD (2000-2099).
QueryDate = Annotated[date, BeforeValidator(_date), Field(json_schema_extra={"format": "date"})]
# `true` or `false`, nothing else.
Flag = Annotated[bool, BeforeValidator(_flag)]
# An ISO 8601 time with its offset, in the years requests may name, as UTC.
Since = Annotated[datetime, BeforeValidator(_moment)]
# The people search of /api/users and /api/students: trimmed text without NUL, its length
# bounded before trimming; blank is absent (None).
SEARCH_MAX = 100
Search = Annotated[
    Annotated[str, Field(max_length=SEARCH_MAX), AfterValidator(_no_nul)] | None,
    BeforeValidator(_blank_is_absent),
    Field(
        description="Words that must each appear in the first name, last name, login or "
        "student number (case ignored)."
    ),
]

QueryT = TypeVar("QueryT", bound=QueryModel)
HeadersT = TypeVar("HeadersT", bound=HeaderModel)


def read_query(request: Request, model: type[QueryT]) -> QueryT:
    """Parse the query string with the operation's model, or raise the 422 naming each value."""
    params = request.query_params
    return _parse(model, {name: params[name] for name in _names(model) if name in params})


def read_headers(request: Request, model: type[HeadersT]) -> HeadersT:
    """Parse the operation's headers with its model, or raise the 422 naming each header."""
    headers = request.headers
    return _parse(model, {name: headers[name] for name in _names(model) if name in headers})


def _names(model: type[BaseModel]) -> list[str]:
    return [field.alias or name for name, field in model.model_fields.items()]


ModelT = TypeVar("ModelT", bound=BaseModel)


def _parse(model: type[ModelT], values: dict[str, str]) -> ModelT:
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise param_error(model, exc) from None


def param_error(model: type[BaseModel], exc: ValidationError) -> HallpassError:
    """Return the 422 naming each bad parameter with what its documentation says it takes."""
    schemas = parameter_schemas(model)
    problems: list[FieldProblem] = []
    for error in exc.errors(include_url=False, include_input=False):
        name = str(error["loc"][0])
        text = error["msg"] if error["type"] == EXPLAINED else expectation(schemas[name])
        if all(p.field != name for p in problems):
            problems.append(FieldProblem(name, text))
    return invalid(problems)


def parameter_schemas(model: type[BaseModel]) -> dict[str, dict[str, Any]]:
    """Return each parameter's JSON Schema as OpenAPI documents it, by name (alias)."""
    document = model.model_json_schema(by_alias=True)
    definitions = document.get("$defs", {})
    return {name: _plain(schema, definitions) for name, schema in document["properties"].items()}


def _plain(schema: dict[str, Any], definitions: dict[str, Any]) -> dict[str, Any]:
    # A parameter is a string on the wire: it is absent, never null, and its schema stands alone.
    schema = {k: v for k, v in schema.items() if k not in ("title", "description")}
    if "anyOf" in schema:
        [value] = [s for s in schema.pop("anyOf") if s != {"type": "null"}]
        schema = {**value, **schema}
    if "$ref" in schema:
        name = schema.pop("$ref").removeprefix("#/$defs/")
        schema = {**_plain(definitions[name], definitions), **schema}
    if schema.get("default", ...) is None:
        del schema["default"]
    return schema


def expectation(schema: dict[str, Any]) -> str:
    """Say in words what a parameter's JSON Schema takes: `a whole number from 1 to 500`."""
    if "enum" in schema:
        return "one of " + ", ".join(str(value) for value in schema["enum"])
    kind = schema.get("type")
    if kind == "integer":
        return f"a whole number from {schema['minimum']} to {schema['maximum']}"
    if kind == "boolean":
        return "true or false"
    if schema.get("format") == "date-time":
        return TIME_TEXT
    if schema.get("format") == "date":
        return DATE_TEXT
    if "maxLength" in schema:
        return f"at most {schema['maxLength']} characters"
    return "not valid"
