"""Roster imports from the admin screen: upload (preview or apply) and the history (admins)."""

from __future__ import annotations

import asyncio
from typing import Annotated

from pydantic import Field
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.api.context import caller
from server.api.params import Flag, QueryModel, read_query
from server.api.requests import missing_body, read_body
from server.api.spec import Operation
from server.contract.common import wire
from server.contract.roster import (
    MAX_UPLOAD_BYTES,
    Counts,
    ImportHistory,
    ImportRejected,
    ImportRejectedOut,
    ImportResult,
)
from server.enums import ImportStatus
from server.errors import ErrorCode as E
from server.errors import HallpassError
from server.models import School
from server.roster import history
from server.roster.imports import Outcome, reject, run_import
from server.roster.read import read_upload
from server.roster.targets import for_school
from server.services.users import require_user_admin

# What an upload may be, by its Content-Type, and the name it is read (and listed) under.
UPLOADS = {"application/zip": "roster.zip", "text/csv": "roster.csv"}
Text = Annotated[str, Field(min_length=1, max_length=255)]


class ImportQuery(QueryModel):
    """POST /api/roster/imports's query."""

    dry_run: Flag = Field(False, description="`true`: say what the import would do, write nothing.")
    org: Text | None = Field(
        None, description="The file's school org (`sourcedId`) to import, when it has several."
    )
    expect_plan: Text | None = Field(
        None, description="A preview's `plan`: apply only if the import would do exactly that."
    )
    filename: Text | None = Field(None, description="The file's name, for the history.")


def _media(request: Request) -> str:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in UPLOADS:
        raise HallpassError(
            E.UNSUPPORTED_MEDIA_TYPE,
            "Send the OneRoster zip as application/zip, or the flat file as text/csv.",
        )
    return media


def rejected(outcome: Outcome, entry_id: int) -> HallpassError:
    """Return the 422 listing every problem of a refused import."""
    problems = outcome.problems
    body = ImportRejected(
        id=entry_id,
        status=ImportStatus.REJECTED,
        errors=history.row_errors(problems),
        error_count=max(outcome.problem_count, len(problems)),
    )
    return HallpassError(
        E.ROSTER_INVALID,
        f"The roster has {body.error_count} problem(s); nothing was imported.",
        details=wire(body),
    )


async def upload(request: Request) -> Response:
    """POST /api/roster/imports: preview or apply a roster file for the admin's school."""
    principal = await caller(request)
    require_user_admin(principal)
    params = read_query(request, ImportQuery)
    data = await read_body(request, MAX_UPLOAD_BYTES)
    if not data:
        raise missing_body()
    media = _media(request)
    name = params.filename or UPLOADS[media]
    # Reading a large file takes seconds of CPU: off the event loop.
    roster = await asyncio.to_thread(read_upload, data, name)
    school = await School.get(id=principal.actor.school_id)
    if roster.problems:
        outcome = await reject(roster, [school.id], name, principal.user.id, roster.problems)
    else:
        target = await for_school(roster, school, params.org)
        outcome = await run_import(
            roster,
            [target],
            dry_run=params.dry_run,
            source=name,
            created_by_id=principal.user.id,
            expect_plan=params.expect_plan,
        )
    entry = outcome.entries[0]
    assert entry is not None  # the admin's school exists: every attempt has its row
    if outcome.status is ImportStatus.REJECTED:
        raise rejected(outcome, entry.id)
    result = ImportResult(
        id=entry.id,
        status=outcome.status,
        format="csv" if roster.format == "csv" else "oneroster",
        school_id=school.id,
        counts={k: Counts(**v) for k, v in entry.counts.items()},  # type: ignore[misc]
        changes=history.changes(outcome.plans[0]),
        plan=outcome.plan,
    )
    return JSONResponse(wire(result))


async def list_imports(request: Request) -> Response:
    """GET /api/roster/imports: the school's import history, newest first (admins)."""
    principal = await caller(request)
    require_user_admin(principal)
    return JSONResponse(wire(await history.history(principal.actor.school_id)))


ANY_BYTES = {"type": "string", "format": "binary"}

# Roster imports: admins only, each into their own school (docs/roster.md, "Importing").
OPERATIONS = [
    Operation(
        "POST",
        "/api/roster/imports",
        upload,
        "Preview (`dry_run=true`) or apply a OneRoster zip or flat CSV to the school; every "
        "problem is listed and nothing written (admins)",
        "importRoster",
        "roster",
        response=ImportResult,
        errors=(E.FORBIDDEN, E.ROSTER_INVALID, E.ORG_REQUIRED, E.PLAN_CHANGED),
        query=ImportQuery,
        error_models={422: ImportRejectedOut},
        raw_request={"application/zip": ANY_BYTES, "text/csv": {"type": "string"}},
    ),
    Operation(
        "GET",
        "/api/roster/imports",
        list_imports,
        "The school's roster imports, newest first: who, when, counts, errors (admins)",
        "listRosterImports",
        "roster",
        response=ImportHistory,
        errors=(E.FORBIDDEN,),
    ),
]
