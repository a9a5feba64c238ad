"""POST /api/roster/imports and its history: admins only, their own school, 50 MB at most."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from server.contract.roster import MAX_UPLOAD_BYTES
from tests.conftest import Demo
from tests.dbstate import changes, snapshot

CSV = {"Content-Type": "text/csv"}


def code_of(response: object) -> str:
    """Return the error code of a response."""
    return str(response.json()["error"]["code"])  # type: ignore[attr-defined]


async def test_an_upload_needs_a_signed_in_admin(demo: Demo) -> None:
    before = await snapshot()
    anonymous = await demo.client.post("/api/roster/imports", content=b"x", headers=CSV)
    assert (anonymous.status_code, code_of(anonymous)) == (401, "not_authenticated")
    for login in ("teacher1@demo.school", "1001", "monitor@demo.school"):
        headers = {**await demo.auth(login), **CSV}
        refused = await demo.client.post("/api/roster/imports", content=b"x", headers=headers)
        assert (refused.status_code, code_of(refused)) == (403, "forbidden"), login
        listed = await demo.get(login, "/api/roster/imports")
        assert (listed.status_code, code_of(listed)) == (403, "forbidden"), login
    assert changes(before, await snapshot()) == {}


async def test_a_body_over_50_mb_is_refused_before_it_is_read(demo: Demo) -> None:
    headers = {**await demo.auth("admin@demo.school"), **CSV}
    declared = await demo.client.post(
        "/api/roster/imports",
        content=b"x",
        headers={**headers, "Content-Length": str(MAX_UPLOAD_BYTES + 1)},
    )
    assert (declared.status_code, code_of(declared)) == (413, "payload_too_large")

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted as it streams
        for _ in range(MAX_UPLOAD_BYTES // (1 << 20) + 1):
            yield b"x" * (1 << 20)

    streamed = await demo.client.post("/api/roster/imports", content=chunks(), headers=headers)
    assert (streamed.status_code, code_of(streamed)) == (413, "payload_too_large")


@pytest.mark.parametrize("media", ["application/json", "application/octet-stream", ""])
async def test_an_upload_says_what_it_is(demo: Demo, media: str) -> None:
    headers = {**await demo.auth("admin@demo.school"), "Content-Type": media}
    response = await demo.client.post("/api/roster/imports", content=b"{}", headers=headers)
    assert (response.status_code, code_of(response)) == (415, "unsupported_media_type")


async def test_the_history_starts_empty(demo: Demo) -> None:
    response = await demo.get("admin@demo.school", "/api/roster/imports")
    assert response.status_code == 200
    assert response.json() == {"imports": []}
