"""The operation registry: every route declared once, with what OpenAPI needs to describe it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.api.params import HeaderModel, QueryModel, parameter_schemas
from server.errors import STATUS, ErrorCode

Handler = Callable[[Request], Awaitable[Response]]


@dataclass(frozen=True)
class Operation:
    """One HTTP operation: path, method, handler, and its documented bodies and errors."""

    method: str
    path: str
    handler: Handler
    summary: str
    operation_id: str
    tag: str
    request: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    response_list: bool = False
    status: int = 200
    # Other success statuses answered with the same body: status -> when.
    also: Mapping[int, str] = field(default_factory=dict, hash=False)
    errors: tuple[ErrorCode, ...] = ()
    authenticated: bool = True
    # What the handler parses its query string and headers with (server/api/params.py).
    query: type[QueryModel] | None = None
    headers: type[HeaderModel] | None = None
    path_params: tuple[str, ...] = field(default=())
    # Path parameters that are not positive integer ids: name -> JSON Schema.
    path_schemas: Mapping[str, dict[str, Any]] = field(default_factory=dict, hash=False)
    # An error status whose body may also be a richer model (still the one error shape):
    # status -> the model, offered besides ErrorOut.
    error_models: Mapping[int, type[BaseModel]] = field(default_factory=dict, hash=False)
    # A body that is not JSON (an upload): media type -> its JSON Schema.
    raw_request: Mapping[str, dict[str, Any]] = field(default_factory=dict, hash=False)


COMMON_AUTH_ERRORS = (
    ErrorCode.NOT_AUTHENTICATED,
    ErrorCode.CSRF_FAILED,
    ErrorCode.ORIGIN_NOT_ALLOWED,
)
BODY_ERRORS = (
    ErrorCode.MALFORMED_JSON,
    ErrorCode.VALIDATION_ERROR,
    ErrorCode.PAYLOAD_TOO_LARGE,
    ErrorCode.UNSUPPORTED_MEDIA_TYPE,
)
# Any operation that parses a query string or headers may find a bad value there.
PARAMETER_ERRORS = (ErrorCode.VALIDATION_ERROR,)
# Any operation that writes may find the database with no room (server/storage.py).
WRITE_ERRORS = (ErrorCode.STORAGE_FULL,)


def path_routes(operations: list[Operation]) -> list[Route]:
    """Return one route per path, taking each of its operations' methods.

    One route, not one per operation: Starlette answers a wrong method with the first route whose
    path matches, so its 405's `Allow` named only that operation's method, never the path's others.
    """
    by_path: dict[str, dict[str, Handler]] = {}
    for op in operations:
        by_path.setdefault(op.path, {})[op.method] = op.handler
    return [
        Route(path, _by_method(handlers), methods=list(handlers), name=path)
        for path, handlers in by_path.items()
    ]


def _by_method(handlers: dict[str, Handler]) -> Handler:
    if "GET" in handlers:
        handlers = {"HEAD": handlers["GET"], **handlers}  # Starlette allows HEAD with GET

    async def handle(request: Request) -> Response:
        return await handlers[request.method](request)

    return handle


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def parameters(model: type[BaseModel], where: str) -> list[dict[str, Any]]:
    """Return the OpenAPI parameters (`in` query or header) of a model's fields."""
    schemas = parameter_schemas(model)
    described = []
    for name, info in model.model_fields.items():
        alias = info.alias or name
        parameter: dict[str, Any] = {
            "name": alias,
            "in": where,
            "required": info.is_required(),
            "schema": schemas[alias],
        }
        if info.description:
            parameter["description"] = info.description
        described.append(parameter)
    return described


def build_openapi(operations: list[Operation], version: str) -> dict[str, Any]:
    """Return the OpenAPI 3.1 document for the registered operations."""
    from server.contract.common import ErrorOut

    schemas: dict[str, Any] = {}

    def register(model: type[BaseModel]) -> dict[str, str]:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, sub in schema.pop("$defs", {}).items():
            schemas[name] = sub
        schemas[model.__name__] = schema
        return _ref(model)

    register(ErrorOut)
    paths: dict[str, Any] = {}
    for op in operations:
        item: dict[str, Any] = {
            "operationId": op.operation_id,
            "summary": op.summary,
            "tags": [op.tag],
            "responses": {},
        }
        if op.path_params:
            item["parameters"] = [
                {
                    "name": p,
                    "in": "path",
                    "required": True,
                    "schema": op.path_schemas.get(p, {"type": "integer", "minimum": 1}),
                }
                for p in op.path_params
            ]
        for where, model in (("query", op.query), ("header", op.headers)):
            if model is not None:
                item.setdefault("parameters", []).extend(parameters(model, where))
        if op.request is not None:
            item["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": register(op.request)}},
            }
        elif op.raw_request:
            item["requestBody"] = {
                "required": True,
                "content": {media: {"schema": schema} for media, schema in op.raw_request.items()},
            }
        ok: dict[str, Any] = {"description": "Success"}
        if op.response is not None:
            ref = register(op.response)
            schema = {"type": "array", "items": ref} if op.response_list else ref
            ok["content"] = {"application/json": {"schema": schema}}
        item["responses"][str(op.status)] = ok
        for status, when in op.also.items():
            item["responses"][str(status)] = {**ok, "description": when}
        errors = list(op.errors)
        if op.authenticated:
            errors = [*COMMON_AUTH_ERRORS, *errors]
            item["security"] = [{"bearer": []}, {"cookie": []}]
        else:
            item["security"] = []
        if op.request is not None or op.raw_request:
            errors.extend(BODY_ERRORS)
        if op.query is not None or op.headers is not None:
            errors.extend(PARAMETER_ERRORS)
        if op.method != "GET":
            errors.extend(WRITE_ERRORS)
        by_status: dict[int, list[str]] = {}
        for code in dict.fromkeys(errors):
            by_status.setdefault(STATUS[code], []).append(str(code))
        for status, codes in sorted(by_status.items()):
            error_schema: dict[str, Any] = _ref(ErrorOut)
            if status in op.error_models:
                error_schema = {"anyOf": [register(op.error_models[status]), error_schema]}
            item["responses"][str(status)] = {
                "description": "Error codes: " + ", ".join(f"`{c}`" for c in codes),
                "content": {"application/json": {"schema": error_schema}},
            }
        paths.setdefault(op.path, {})[op.method.lower()] = item
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Hallpass",
            "version": version,
            "description": "Digital hall passes. Errors everywhere are "
            '`{"error": {"code": "snake_case", "message": "..."}}`.',
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "cookie": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": "hallpass_session",
                    "description": "Unsafe methods also need the X-CSRF-Token header.",
                },
            },
        },
    }
