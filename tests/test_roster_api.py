"""POST /api/roster/imports and its history: admins only, their own school, 50 MB at most."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from server.contract.roster import MAX_UPLOAD_BYTES
from server.enums import ImportStatus
from server.models import RosterImport, School, User
from tests.conftest import Demo
from tests.dbstate import changes, snapshot
from tests.roster.flatfiles import BAD_PERIODS, DEMO_FLAT
from tests.roster.samples import oneroster, zip_bytes

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


async def upload(
    demo: Demo, body: bytes, query: str = "", login: str = "admin@demo.school"
) -> httpx.Response:
    """POST a flat CSV to the import endpoint as the user."""
    headers = {**await demo.auth(login), **CSV}
    return await demo.client.post(f"/api/roster/imports{query}", content=body, headers=headers)


async def test_a_preview_then_its_plan_applied_then_the_history(demo: Demo) -> None:
    before = await snapshot()
    preview = await upload(demo, DEMO_FLAT.encode(), "?dry_run=true&filename=lincoln.csv")
    assert preview.status_code == 200, preview.text
    body = preview.json()
    assert body["status"] == "previewed"
    assert body["format"] == "csv"
    assert body["counts"]["users"] == {"created": 2, "updated": 3, "disabled": 0, "unchanged": 0}
    assert {"kind": "users", "action": "create", "source_id": "student:2001",
            "label": "Grace Hopper", "fields": []} in body["changes"]  # fmt: skip
    assert set(changes(before, await snapshot())) == {"roster_imports"}
    applied = await upload(demo, DEMO_FLAT.encode(), f"?expect_plan={body['plan']}")
    assert applied.status_code == 200, applied.text
    assert applied.json()["status"] == "applied"
    assert applied.json()["plan"] == body["plan"]
    assert await User.filter(source_id="student:2001").exists()
    listed = (await demo.get("admin@demo.school", "/api/roster/imports")).json()["imports"]
    assert [(e["status"], e["source"], e["created_by"]) for e in listed] == [
        ("applied", "roster.csv", "Dana Whitfield"),
        ("previewed", "lincoln.csv", "Dana Whitfield"),
    ]


async def test_a_plan_that_changed_since_the_preview_is_409_and_writes_nothing(
    demo: Demo,
) -> None:
    preview = (await upload(demo, DEMO_FLAT.encode(), "?dry_run=true")).json()
    # Someone gives a student the name the file has: the plan no longer changes it.
    await User.filter(login="1002").update(first_name="Alan")
    before = await snapshot()
    late = await upload(demo, DEMO_FLAT.encode(), f"?expect_plan={preview['plan']}")
    assert (late.status_code, code_of(late)) == (409, "plan_changed")
    assert changes(before, await snapshot()) == {}


async def test_bad_input_is_422_with_every_problem_and_nothing_is_written(demo: Demo) -> None:
    before = await snapshot()
    response = await upload(demo, BAD_PERIODS.encode())
    assert (response.status_code, code_of(response)) == (422, "roster_invalid")
    details = response.json()["error"]["details"]
    assert details["error_count"] == 2
    assert [(e["file"], e["line"], e["column"], e["code"]) for e in details["errors"]] == [
        ("roster.csv", 3, "period", "unknown_period"),
        ("roster.csv", 4, "day_type", "unknown_day_type"),
    ]
    assert set(changes(before, await snapshot())) == {"roster_imports"}
    entry = await RosterImport.get(id=details["id"])
    assert entry.status is ImportStatus.REJECTED
    unreadable = await upload(demo, b"student_number,first_name\n1001,Ada\n")
    assert (unreadable.status_code, code_of(unreadable)) == (422, "roster_invalid")


async def test_a_file_of_several_schools_asks_which_org_and_binds_the_one_chosen(
    demo: Demo,
) -> None:
    files = oneroster(students_per_school=10, sections_per_school=3)
    for row in files["classes.csv"].rows:  # homerooms: the demo's bells have no "HR" period
        row["periods"] = row["periods"].replace("HR", "7")
    data = zip_bytes(files)
    headers = {**await demo.auth("admin@demo.school"), "Content-Type": "application/zip"}
    asked = await demo.client.post(
        "/api/roster/imports?dry_run=true", content=data, headers=headers
    )
    assert (asked.status_code, code_of(asked)) == (422, "org_required")
    orgs = asked.json()["error"]["details"]["orgs"]
    assert {o["name"] for o in orgs} >= {"Lincoln High School", "Oak Grove Elementary"}
    lincoln = next(o["source_id"] for o in orgs if o["name"] == "Lincoln High School")
    # The demo's bell schedule has "Period 1".."Period 7": the file's "1".."7" match them.
    chosen = await demo.client.post(
        f"/api/roster/imports?org={lincoln}", content=data, headers=headers
    )
    assert chosen.status_code == 200, chosen.text
    assert (await School.get(slug="demo")).source_id == lincoln
    assert chosen.json()["counts"]["schools"]["updated"] == 1


async def test_imported_people_have_no_password_that_works(demo: Demo) -> None:
    await upload(demo, DEMO_FLAT.encode())
    for password in ("", "demo", "not a real password", "!roster"):
        response = await demo.client.post(
            "/api/session", json={"login": "teacher9@demo.school", "password": password or "x"}
        )
        assert (response.status_code, code_of(response)) == (401, "invalid_credentials")


async def test_a_school_sees_only_its_own_history(demo: Demo) -> None:
    await upload(demo, DEMO_FLAT.encode(), "?dry_run=true")
    other = await School.create(name="Other School", slug="other")
    await RosterImport.create(
        school_id=other.id, status=ImportStatus.APPLIED, format="csv", source="theirs.csv"
    )
    listed = (await demo.get("admin@demo.school", "/api/roster/imports")).json()["imports"]
    assert [e["source"] for e in listed] == ["roster.csv"]


@pytest.mark.parametrize(
    ("query", "name"),
    [("?dry_run=yes", "dry_run"), ("?org=", "org"), (f"?expect_plan={'x' * 256}", "expect_plan")],
)
async def test_a_bad_query_value_is_named(demo: Demo, query: str, name: str) -> None:
    response = await upload(demo, DEMO_FLAT.encode(), query)
    assert (response.status_code, code_of(response)) == (422, "validation_error")
    assert [f["field"] for f in response.json()["error"]["details"]["fields"]] == [name]
