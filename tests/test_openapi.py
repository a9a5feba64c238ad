"""The OpenAPI document describes every operation, its bodies and its error codes."""

from __future__ import annotations

import httpx
from openapi_spec_validator import validate
from starlette.applications import Starlette
from starlette.routing import Route

from server.api.export import EXPORT_PATH, render
from server.api.routes import OPERATIONS
from server.errors import ErrorCode


async def test_the_document_is_valid_openapi_and_covers_every_route(
    client: httpx.AsyncClient, app: Starlette
) -> None:
    document = (await client.get("/openapi.json")).json()
    validate(document)
    documented = {
        (path, method.upper()) for path, item in document["paths"].items() for method in item
    }
    served = {
        (route.path, method)
        for route in app.routes
        if isinstance(route, Route)
        for method in (route.methods or ())
        if method != "HEAD"
    }
    assert documented == served


async def test_every_operation_lists_its_success_and_error_responses(
    client: httpx.AsyncClient,
) -> None:
    document = (await client.get("/openapi.json")).json()
    codes = {str(code) for code in ErrorCode}
    for op in OPERATIONS:
        item = document["paths"][op.path][op.method.lower()]
        assert item["summary"], op.operation_id
        assert str(op.status) in item["responses"], op.operation_id
        for status, response in item["responses"].items():
            if int(status) >= 400:
                named = [
                    c.strip("`")
                    for c in response["description"].removeprefix("Error codes: ").split(", ")
                ]
                assert set(named) <= codes, (op.operation_id, named)
        if op.authenticated:
            assert "401" in item["responses"], op.operation_id
        if op.request is not None:
            assert {"400", "413", "415", "422"} <= set(item["responses"]), op.operation_id


async def test_the_pass_schema_has_the_contract_fields(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()
    required = set(document["components"]["schemas"]["PassOut"]["required"])
    assert {
        "id",
        "state",
        "student",
        "origin",
        "destination",
        "requested_at",
        "started_at",
        "due_at",
        "ended_at",
    } <= required


def test_the_exported_contract_in_shared_is_up_to_date() -> None:
    assert EXPORT_PATH.read_text(encoding="utf-8") == render(), (
        "shared/openapi.json is stale: run `python -m server.api.export`"
    )
