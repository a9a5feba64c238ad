"""The response check of tests/conftest.py (tests/contract.py) catches what breaks the document."""

from __future__ import annotations

import json

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.contract import checker

JSON = "application/json"


def a_pass() -> dict[str, object]:
    """Return a pass as the contract has it."""
    place = {"id": 2, "name": "Library", "kind": "library"}
    return {
        "id": 7,
        "state": "active",
        "kind": "requested",
        "student": {"id": 3, "name": "Ava Martinez", "short_name": "Ava M."},
        "origin": {**place, "id": 1, "name": "Room 101", "kind": "classroom"},
        "destination": place,
        "minutes": 5,
        "ended_by": None,
        "position": None,
        "offer_expires_at": None,
        "version": 2,
        "requested_at": "2026-01-05T09:00:00Z",
        "start_at": None,
        "started_at": "2026-01-05T09:00:00Z",
        "arrived_at": None,
        "due_at": "2026-01-05T09:05:00Z",
        "ended_at": None,
        "delayed_at": None,
        "remind_minutes_before": None,
        "reminded_at": None,
        "overdue_at": None,
    }


def problems(method: str, path: str, status: int, body: object, media: str = JSON) -> list[str]:
    """Return what the checker finds wrong with one response."""
    return checker().problems(method, path, status, json.dumps(body).encode(), media)


def test_a_pass_as_the_contract_has_it_passes() -> None:
    assert problems("GET", "/api/passes/7", 200, a_pass()) == []
    assert problems("GET", "/api/passes", 200, [a_pass()]) == []
    # Events logged before short_name existed are still passes.
    old = a_pass()
    old["student"] = {"id": 3, "name": "Ava Martinez"}
    assert problems("GET", "/api/passes/7", 200, old) == []


@pytest.mark.parametrize(
    ("change", "found"),
    [
        (lambda p: p.pop("due_at"), "'due_at' is a required property"),
        (lambda p: p.update(state="lost"), "'lost' is not one of"),
        (lambda p: p.update(line_priority=True), "Additional properties are not allowed"),
        (lambda p: p["student"].update(login="1001"), "Additional properties are not allowed"),
        (lambda p: p.update(minutes="5"), "'5' is not of type 'integer'"),
    ],
)
def test_a_pass_that_breaks_the_contract_is_reported(change: object, found: str) -> None:
    body = a_pass()
    change(body)  # type: ignore[operator]
    reported = problems("GET", "/api/passes/7", 200, body)
    assert len(reported) == 1
    assert "GET /api/passes/7 (/api/passes/{id}) answered 200" in reported[0]
    assert found in reported[0]


def test_an_undocumented_status_or_shape_is_reported() -> None:
    assert "status is not documented" in problems("GET", "/api/passes/7", 418, {})[0]
    error = {"error": {"code": "not_found", "message": "No such pass."}}
    assert problems("GET", "/api/passes/7", 404, error) == []
    assert problems("GET", "/api/passes/7", 404, {"detail": "Not Found"}) != []
    assert "not application/json" in problems("GET", "/api/passes/7", 200, a_pass(), "text/html")[0]
    assert "none is documented" in problems("DELETE", "/api/session", 204, {"ok": True})[0]


def test_what_is_not_an_operation_is_not_checked() -> None:
    assert problems("GET", "/assets/app.js", 200, "anything", "text/javascript") == []
    assert problems("GET", "/api/nothing/here", 404, "anything") == []
    assert problems("HEAD", "/api/passes", 200, "anything") == []


async def test_a_wrong_answer_through_httpx_reaches_the_check(
    checked_responses: list[str],
) -> None:
    """A server that answers a pass without its due_at: the fixture collects the problem."""

    async def wrong(request: Request) -> Response:
        body = a_pass()
        del body["due_at"]
        return JSONResponse(body)

    app = Starlette(routes=[Route("/api/passes/{id}", wrong)])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get("/api/passes/7")
    assert response.status_code == 200
    assert len(checked_responses) == 1
    assert "'due_at' is a required property" in checked_responses[0]
    checked_responses.clear()  # reported and seen: this test itself passes
