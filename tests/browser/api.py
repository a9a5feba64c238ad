"""Set-up through the HTTP API for browser tests: what a test needs in place before it looks."""

from __future__ import annotations

from typing import Any

import httpx

from tests.browser.conftest import LiveServer


def token(server: LiveServer, login: str) -> str:
    """Sign in through the API and return the bearer token."""
    with httpx.Client(base_url=server.url) as client:
        answer = client.post("/api/session", json={"login": login, "password": "demo"})
        answer.raise_for_status()
        value: str = answer.json()["token"]
    return value


def api(server: LiveServer, login: str, method: str, path: str, body: Any = None) -> Any:
    """Call the API as one demo account and return the JSON answer (raising on 4xx/5xx)."""
    headers = {"Authorization": f"Bearer {token(server, login)}"}
    with httpx.Client(base_url=server.url, headers=headers) as client:
        answer = client.request(method, path, json=body)
        answer.raise_for_status()
        return answer.json() if answer.content else None


def place_id(server: LiveServer, name: str) -> int:
    """Return a demo location's id by its name."""
    places: list[dict[str, Any]] = api(server, "admin@demo.school", "GET", "/api/locations")
    return next(int(p["id"]) for p in places if p["name"] == name)


def ask(server: LiveServer, student: str, destination: str) -> dict[str, Any]:
    """A student asks for a pass to a place (as their phone would); return the pass."""
    created: dict[str, Any] = api(
        server, student, "POST", "/api/passes", {"destination_id": place_id(server, destination)}
    )
    return created


def pass_of(server: LiveServer, pass_id: int) -> dict[str, Any]:
    """Return a pass as the hall monitor reads it from the API."""
    found: dict[str, Any] = api(server, "monitor@demo.school", "GET", f"/api/passes/{pass_id}")
    return found
