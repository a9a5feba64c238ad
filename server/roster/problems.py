"""What can be wrong in a roster file set, and the one collector every reader reports into."""

from __future__ import annotations

from enum import StrEnum

from server.contract.roster import MAX_LISTED_ERRORS
from server.roster.records import Problem


class ProblemCode(StrEnum):
    """Every kind of problem a roster reader reports (docs/roster.md lists them)."""

    # The file set: what is there, and whether it can be opened.
    MISSING_FILE = "missing_file"
    BAD_ZIP = "bad_zip"
    UNSAFE_PATH = "unsafe_path"
    TOO_LARGE = "too_large"
    EMPTY_FILE = "empty_file"
    NOT_UTF8 = "not_utf8"
    BAD_CSV = "bad_csv"
    BAD_MANIFEST = "bad_manifest"
    # The header.
    MISSING_COLUMN = "missing_column"
    DUPLICATE_COLUMN = "duplicate_column"
    # A row or a value.
    WRONG_FIELD_COUNT = "wrong_field_count"
    MISSING_VALUE = "missing_value"
    BAD_ENUM = "bad_enum"
    BAD_DATE = "bad_date"
    DATES_OUT_OF_ORDER = "dates_out_of_order"
    BAD_GRADE = "bad_grade"
    BAD_EMAIL = "bad_email"
    TOO_LONG = "too_long"
    # Between rows and files.
    DUPLICATE_ID = "duplicate_id"
    UNKNOWN_REFERENCE = "unknown_reference"
    NOT_A_SCHOOL = "not_a_school"
    CONFLICTING_VALUES = "conflicting_values"


class Problems:
    """Every problem found, in the order the files are read; listed up to a cap, all counted."""

    def __init__(self, files: tuple[str, ...] = ()) -> None:
        # Files in reading order, so problems found late (references) still sort by file.
        self._order = {name: index for index, name in enumerate(files)}
        self._found: list[Problem] = []

    def add(
        self, file: str, line: int | None, column: str | None, code: ProblemCode, message: str
    ) -> None:
        """Record one problem."""
        self._found.append(Problem(file, line, column, str(code), message))

    def __len__(self) -> int:
        return len(self._found)

    def listed(self, limit: int = MAX_LISTED_ERRORS) -> list[Problem]:
        """Return the first `limit` problems by file (reading order), line and column."""
        last = len(self._order)
        ordered = sorted(
            self._found,
            key=lambda p: (self._order.get(p.file, last), p.file, p.line or 0, p.column or ""),
        )
        return ordered[:limit]
