"""The roster import history: one row per attempt and school, and its wire form."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict

from tortoise.backends.base.client import BaseDBAsyncClient

from server.contract.roster import (
    MAX_LISTED_CHANGES,
    MAX_LISTED_ERRORS,
    Change,
    Counts,
    ImportEntry,
    ImportHistory,
    Kind,
    RowError,
)
from server.enums import ImportStatus
from server.models import RosterImport, User
from server.roster.plan import Plan, Tally
from server.roster.records import Problem

# The history screen lists this many imports, newest first.
HISTORY_LENGTH = 100


def row_errors(problems: Iterable[Problem]) -> list[RowError]:
    """Return problems as the wire lists them (every one)."""
    return [
        RowError(file=p.file, line=p.line, column=p.column, code=p.code, message=p.message)
        for p in problems
    ]


def counts_json(counts: dict[Kind, Tally]) -> dict[str, dict[str, int]]:
    """Return the counts as stored and sent."""
    return {kind: asdict(tally) for kind, tally in counts.items()}


def changes(plan: Plan) -> list[Change]:
    """Return the first changes of each kind, as the preview lists them."""
    listed: list[Change] = []
    per_kind: dict[str, int] = {}
    for change in plan.changes:
        if per_kind.get(change.kind, 0) >= MAX_LISTED_CHANGES:
            continue
        per_kind[change.kind] = per_kind.get(change.kind, 0) + 1
        listed.append(
            Change(
                kind=change.kind,
                action=change.action,
                source_id=change.source_id,
                label=change.label,
                fields=change.fields,
            )
        )
    return listed


async def record(
    conn: BaseDBAsyncClient | None,
    school_id: int,
    status: ImportStatus,
    *,
    format: str,
    source: str,
    created_by_id: int | None,
    counts: dict[Kind, Tally] | None = None,
    problems: list[Problem] | None = None,
) -> RosterImport:
    """Write one history row."""
    errors = [e.model_dump() for e in row_errors((problems or [])[:MAX_LISTED_ERRORS])]
    return await RosterImport.create(
        using_db=conn,
        school_id=school_id,
        status=status,
        format=format,
        source=source[:255],
        created_by_id=created_by_id,
        counts=counts_json(counts or {}),
        errors=errors,
    )


async def history(school_id: int) -> ImportHistory:
    """Return the school's imports, newest first."""
    rows = await (
        RosterImport.filter(school_id=school_id)
        .order_by("-created_at", "-id")
        .limit(HISTORY_LENGTH)
    )
    creators = {r.created_by_id for r in rows if r.created_by_id is not None}
    names = {u.id: u.display_name for u in await User.filter(id__in=creators)} if creators else {}
    return ImportHistory(
        imports=[
            ImportEntry(
                id=r.id,
                status=r.status,
                format="csv" if r.format == "csv" else "oneroster",
                source=r.source,
                created_at=r.created_at,
                created_by=None if r.created_by_id is None else names.get(r.created_by_id),
                counts={k: Counts(**v) for k, v in r.counts.items()},  # type: ignore[misc]
                error_count=len(r.errors),
                errors=[RowError.model_validate(e) for e in r.errors[:20]],
            )
            for r in rows
        ]
    )
