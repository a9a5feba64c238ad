"""Every REST response a test receives is checked against what the OpenAPI document declares.

tests/conftest.py wraps httpx's `send` for every test (in-process ASGI clients, real servers
over TCP, and `httpx.get`/`httpx.post` alike): each response to a documented operation must
have a documented status, and its JSON body must match the schema the document gives for that
operation and status. Problems are collected and fail the test that made the request at its
teardown (raising inside a request would be swallowed by a test that expects an error).
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from importlib.metadata import version
from typing import Any

import jsonschema  # type: ignore[import-untyped]  # no stubs in the test extra

from server.api.routes import OPERATIONS
from server.api.spec import build_openapi

# The OpenAPI document is served by an operation of its own, and described by OpenAPI itself.
SELF_DESCRIBED = frozenset({"/openapi.json"})


def _is_json(media_type: str) -> bool:
    return media_type.split(";", 1)[0].strip().lower() == "application/json"


@dataclass(frozen=True)
class Route:
    """One documented operation: its method, path template and the regex its paths match."""

    method: str
    template: str
    pattern: re.Pattern[str]
    responses: dict[str, Any]


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", template)
    body = "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts)
    return re.compile(f"^{body}$")


class ResponseChecker:
    """Check responses against one OpenAPI document."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        routes = [
            Route(method.upper(), template, _pattern(template), item["responses"])
            for template, path_item in document["paths"].items()
            for method, item in path_item.items()
        ]
        # A literal path (/api/users/me) is preferred to a template that would also match it.
        self.routes = sorted(routes, key=lambda r: r.template.count("{"))
        self._validators: dict[tuple[str, str, str], Any] = {}

    def route(self, method: str, path: str) -> Route | None:
        """Return the documented operation a request addresses, or None."""
        return next((r for r in self.routes if r.method == method and r.pattern.match(path)), None)

    def _validator(self, route: Route, status: str, schema: dict[str, Any]) -> Any:
        key = (route.method, route.template, status)
        found = self._validators.get(key)
        if found is None:
            # The schema's `#/components/...` references resolve against the whole document.
            root = {**schema, "components": self.document["components"]}
            found = self._validators[key] = jsonschema.Draft202012Validator(root)
        return found

    def problems(
        self, method: str, path: str, status: int, content: bytes, media_type: str = ""
    ) -> list[str]:
        """Return what is wrong with one response (empty when it matches the document)."""
        if method == "HEAD":
            return []  # no body, and the GET it stands for is checked
        route = self.route(method, path)
        if route is None:
            return []  # not a documented operation: the PWA's files, /healthz, a 405, a 404
        where = f"{method} {path} ({route.template}) answered {status}"
        declared = route.responses.get(str(status))
        if declared is None:
            return [f"{where}: the status is not documented ({', '.join(route.responses)})"]
        media = declared.get("content", {}).get("application/json")
        if media is None:
            # Files (a CSV, a page, a stylesheet) are not described by a schema; JSON always is,
            # but for the document itself.
            if _is_json(media_type) and content.strip() and path not in SELF_DESCRIBED:
                return [f"{where}: a JSON body was sent where none is documented"]
            return []
        if not _is_json(media_type):
            return [f"{where}: the body is {media_type or 'untyped'}, not application/json"]
        try:
            body = json.loads(content)
        except ValueError:
            return [f"{where}: the body is not JSON: {content[:200]!r}"]
        errors = sorted(
            self._validator(route, str(status), media["schema"]).iter_errors(body),
            key=lambda e: list(e.absolute_path),
        )
        return [
            f"{where}: at /{'/'.join(map(str, e.absolute_path))}: {e.message[:300]}"
            for e in errors[:5]
        ]


@functools.cache
def checker() -> ResponseChecker:
    """Return the checker of the app's OpenAPI document (the same as shared/openapi.json)."""
    return ResponseChecker(build_openapi(OPERATIONS, version("hallpass")))
