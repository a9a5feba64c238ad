"""The process's own endpoints: the health check and the OpenAPI document."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.api.spec import Operation
from server.contract.common import Health


async def healthz(request: Request) -> Response:
    """GET /healthz: the process is up."""
    return JSONResponse({"status": "ok"})


async def openapi(request: Request) -> Response:
    """GET /openapi.json: the OpenAPI document."""
    return JSONResponse(request.app.state.openapi)


OPERATIONS = [
    Operation(
        "GET",
        "/healthz",
        healthz,
        "Health check",
        "healthz",
        "meta",
        response=Health,
        authenticated=False,
    ),
    Operation(
        "GET",
        "/openapi.json",
        openapi,
        "This OpenAPI document",
        "openapi",
        "meta",
        authenticated=False,
    ),
]
