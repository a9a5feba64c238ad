"""Bodies of roster imports (OneRoster or the flat CSV): the diff, the errors, the history."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from server.contract.common import Out
from server.enums import ImportStatus

# An upload larger than this is refused (413) before it is read.
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
# A rejected import lists every error up to this many (and says how many there were).
MAX_LISTED_ERRORS = 1000
# A preview lists changes one by one up to this many per kind; counts are always whole.
MAX_LISTED_CHANGES = 500

ImportFormat = Literal["oneroster", "csv"]
Kind = Literal["schools", "users", "sections", "enrollments", "rooms"]


class RowError(Out):
    """One thing wrong in the input, where it is: file, line (1 = the header), column."""

    file: str = Field(description="The file's name inside the zip or folder, e.g. `users.csv`.")
    line: int | None = Field(description="The line in that file (1 is the header); null: the file.")
    column: str | None = Field(description="The column's header name; null: the whole row.")
    code: str = Field(description="What kind of problem, e.g. `missing_column`, `bad_enum`.")
    message: str


class ImportCounts(Out):
    """What an import does to one kind of record."""

    created: int = 0
    updated: int = 0
    disabled: int = 0  # users disabled, enrollments ended, sections deactivated
    unchanged: int = 0


class ImportChange(Out):
    """One record an import creates, updates or disables (the preview's diff)."""

    kind: Kind
    action: Literal["create", "update", "disable"]
    source_id: str = Field(description="The record's `sourcedId` (or the flat CSV's key).")
    label: str = Field(description="What a person recognises: a name, a section title.")
    fields: list[str] = Field(
        default_factory=list, description="On an update: which fields change."
    )


# Named apart from the emergency's `Counts` in the OpenAPI document (one schema per name);
# the short names stay for code.
Counts = ImportCounts
Change = ImportChange


class ImportResult(Out):
    """What an import did (or, as a dry run, would do) to one school."""

    id: int = Field(description="The history entry of this import.")
    status: ImportStatus
    format: ImportFormat
    school_id: int
    counts: dict[Kind, Counts]
    changes: list[Change] = Field(description=f"The first {MAX_LISTED_CHANGES} of each kind.")
    plan: str = Field(
        description="A digest of the changes: pass it back as `expect_plan` to apply exactly "
        "what the preview showed (409 if the database or the file changed since)."
    )


class ImportRejected(Out):
    """An import refused for bad input: every error found, nothing written."""

    id: int
    status: Literal[ImportStatus.REJECTED]
    errors: list[RowError]
    error_count: int


class RejectedDetail(Out):
    """The error of a rejected import: the one error shape, its details every problem."""

    code: Literal["roster_invalid"]
    message: str
    details: ImportRejected


class ImportRejectedOut(Out):
    """`422 roster_invalid`: `{"error": {"code", "message", "details": ImportRejected}}`."""

    error: RejectedDetail


class ImportEntry(Out):
    """One line of the import history."""

    id: int
    status: ImportStatus
    format: ImportFormat
    source: str
    created_at: datetime
    created_by: str | None = Field(description="Who imported: a name, or null (the CLI).")
    counts: dict[Kind, Counts]
    error_count: int
    errors: list[RowError] = Field(description="The first errors of a rejected import.")


class ImportHistory(Out):
    """A school's roster imports, newest first."""

    imports: list[ImportEntry]
