"""Query parameters and headers take exactly what /openapi.json documents (issue 14).

Each operation's handler parses its query and headers with the model the document is built
from: these tests read the served document, send each documented bound and one step past it,
and expect the value to be taken or refused with the 422 naming it.
"""

from __future__ import annotations

from typing import Any

import httpx

from server.api.routes import OPERATIONS
from tests.conftest import Demo
from tests.test_error_shape import assert_error

ADMIN = "admin@demo.school"


def _fields(response: httpx.Response) -> list[str]:
    return [f["field"] for f in response.json()["error"]["details"]["fields"]]


def _taken_and_refused(schema: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Return values the schema takes and values one step outside it."""
    if "enum" in schema:
        return [str(schema["enum"][-1])], [str(schema["enum"][0]).upper() + "x"]
    kind = schema.get("type")
    if kind == "integer":
        low, high = schema["minimum"], schema["maximum"]
        return [str(low), str(high)], [str(high + 1), str(low - 1), "1.0", "+1", "ten"]
    if kind == "boolean":
        return ["true", "false"], ["yes", "1", "True"]
    if schema.get("format") == "date-time":
        return ["2025-03-04T08:00:00Z"], ["2025-03-04T08:00:00", "yesterday"]
    if schema.get("format") == "date":
        return ["2025-03-04"], ["2025-02-29", "20250304", "1999-12-31", "2025-03-04T08:00Z"]
    if "maxLength" in schema:
        return ["x" * schema["maxLength"]], ["x" * (schema["maxLength"] + 1)]
    raise AssertionError(f"no examples for {schema}")


async def test_every_documented_query_value_is_taken_and_one_past_it_is_named(
    demo: Demo,
) -> None:
    admin = await demo.auth(ADMIN)
    document = (await demo.client.get("/openapi.json")).json()
    checked: list[tuple[str, str]] = []
    for op in OPERATIONS:
        if op.query is None:
            continue
        if op.raw_request:
            continue  # an upload's query: tests/test_roster_api.py (its body decides the rest)
        assert op.method == "GET", op.operation_id  # a query is otherwise only ever a read's
        path = op.path.replace("{id}", "1")
        for parameter in document["paths"][op.path]["get"]["parameters"]:
            if parameter["in"] != "query" or parameter["name"] == "state":
                continue  # state's comma list: tests/test_bad_input.py
            name = parameter["name"]
            taken, refused = _taken_and_refused(parameter["schema"])
            for value in taken:
                response = await demo.client.get(path, params={name: value}, headers=admin)
                assert response.status_code != 422, (op.operation_id, name, value, response.text)
            for value in refused:
                response = await demo.client.get(path, params={name: value}, headers=admin)
                assert_error(response, 422)
                assert _fields(response) == [name], (op.operation_id, name, value)
            checked.append((op.operation_id, name))
    # Every kind of documented value was tried: ids, limits, offsets, flags, times, text, roles.
    assert {name for _, name in checked} >= {
        "limit",
        "offset",
        "before",
        "include_archived",
        "since",
        "q",
        "role",
        "active",
        "group",
        "location_id",
        "destination_id",
        "date",
        "period",
    }


async def test_a_header_past_its_documented_length_is_named(demo: Demo) -> None:
    admin = await demo.auth(ADMIN)
    document = (await demo.client.get("/openapi.json")).json()
    verbs = [op for op in OPERATIONS if op.headers is not None and op.request is None]
    assert verbs
    for op in verbs:
        [header] = [
            p
            for p in document["paths"][op.path][op.method.lower()]["parameters"]
            if p["in"] == "header"
        ]
        longest = header["schema"]["maxLength"]
        response = await demo.client.request(
            op.method,
            op.path.replace("{id}", "999999"),
            headers={**admin, header["name"]: "k" * (longest + 1)},
        )
        assert_error(response, 422)
        assert _fields(response) == [header["name"]], op.operation_id
        response = await demo.client.request(
            op.method,
            op.path.replace("{id}", "999999"),
            headers={**admin, header["name"]: "k" * longest},
        )
        assert response.status_code == 404, op.operation_id  # taken: the pass is then unknown
