"""One CSV file as a table of rows by header name, and the checks of one row's cells.

Lines are numbered as the csv module counts them (`reader.line_num`): the header is line 1,
and a row is named by the line it ends on, so a quoted value spanning two lines counts both.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from server.roster import values
from server.roster.problems import ProblemCode, Problems


@dataclass(slots=True)
class Table:
    """A CSV file's header and its rows (line number, values by column), values trimmed."""

    file: str
    columns: tuple[str, ...]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    # Required columns the header lacks: reported once, so their cells are not reported again.
    missing: frozenset[str] = frozenset()


def read_table(file: str, text: str, required: Iterable[str], problems: Problems) -> Table | None:
    """Parse a file's text; report its header's problems and malformed rows.

    Returns None when the text is not CSV at all (its problem named); a table missing a required
    column is still returned, so the rest of the file is checked too.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = tuple(name.strip() for name in next(reader))
    except csv.Error as error:
        problems.add(file, 1, None, ProblemCode.BAD_CSV, f"The header cannot be read: {error}.")
        return None
    seen: set[str] = set()
    for name in header:
        if name in seen:
            problems.add(
                file, 1, name, ProblemCode.DUPLICATE_COLUMN, f"The column {name} is there twice."
            )
        seen.add(name)
    missing = [name for name in required if name not in seen]
    for name in missing:
        problems.add(
            file, 1, name, ProblemCode.MISSING_COLUMN, f"{file} has no {name} column; it needs one."
        )
    table = Table(file, header, missing=frozenset(missing))
    width = len(header)
    rows = table.rows
    try:
        for raw in reader:
            if len(raw) != width:
                # Spreadsheets pad rows with empty cells, and leave rows of empty cells behind.
                if not any(cell.strip() for cell in raw):
                    continue
                if len(raw) < width or any(cell.strip() for cell in raw[width:]):
                    problems.add(
                        file,
                        reader.line_num,
                        None,
                        ProblemCode.WRONG_FIELD_COUNT,
                        f"This row has {len(raw)} values; the header has {width} columns.",
                    )
                # Still read (cut or padded), so its sourcedId is known and what refers to it
                # is not reported as well.
                raw = (raw + [""] * width)[:width]
            cells = {name: cell.strip() for name, cell in zip(header, raw, strict=True)}
            rows.append((reader.line_num, cells))
    except csv.Error as error:
        problems.add(
            file,
            reader.line_num,
            None,
            ProblemCode.BAD_CSV,
            f"The file cannot be read past this line: {error}.",
        )
    return table


class Cells:
    """The cells of one row, read and checked: each bad value is reported where it is."""

    __slots__ = ("file", "line", "missing", "problems", "row")

    def __init__(self, table: Table, line: int, row: dict[str, str], problems: Problems) -> None:
        self.file = table.file
        self.missing = table.missing
        self.line = line
        self.row = row
        self.problems = problems

    def report(self, column: str | None, code: ProblemCode, message: str) -> None:
        """Report a problem of this row (column None: the whole row)."""
        self.problems.add(self.file, self.line, column, code, message)

    def text(self, column: str, *, required: bool = False, max_length: int | None = None) -> str:
        """Return a cell's text ("" when empty or the column is absent)."""
        value = self.row.get(column, "")
        if not value:
            if required and column not in self.missing:
                self.report(
                    column, ProblemCode.MISSING_VALUE, f"{column} is empty; it is required."
                )
            return ""
        if max_length is not None and len(value) > max_length:
            self.report(
                column,
                ProblemCode.TOO_LONG,
                f"{column} is {len(value)} characters long; at most {max_length} fit.",
            )
        return value

    def enum(self, column: str, allowed: Collection[str], *, required: bool = False) -> str:
        """Return a cell holding one of the allowed values ("" when empty or not allowed)."""
        value = self.row.get(column) or self.text(column, required=required)
        if value and value not in allowed:
            self.report(
                column,
                ProblemCode.BAD_ENUM,
                f"{column} is {value!r}; it must be one of: {', '.join(sorted(allowed))}.",
            )
            return ""
        return value

    def date(self, column: str, *, required: bool = False) -> datetime.date | None:
        """Return a cell's date, written YYYY-MM-DD (None when empty or not a date)."""
        value = self.row.get(column) or self.text(column, required=required)
        if not value:
            return None
        try:
            return values.iso_date(value)
        except ValueError:
            self.report(
                column, ProblemCode.BAD_DATE, f"{column} is {value!r}; write dates as YYYY-MM-DD."
            )
            return None

    def flag(self, column: str, *, required: bool = False, default: bool = False) -> bool:
        """Return a cell's `true` or `false` (the default when empty or neither)."""
        value = self.row.get(column) or self.text(column, required=required)
        if not value:
            return default
        try:
            return values.boolean(value)
        except ValueError:
            self.report(
                column, ProblemCode.BAD_ENUM, f"{column} is {value!r}; it must be true or false."
            )
            return default

    def dates_in_order(
        self,
        first: datetime.date | None,
        last: datetime.date | None,
        first_column: str,
        last_column: str,
    ) -> None:
        """Report a last date before the first."""
        if first is not None and last is not None and last < first:
            self.report(
                last_column,
                ProblemCode.DATES_OUT_OF_ORDER,
                f"{last_column} {last.isoformat()} is before {first_column} {first.isoformat()}.",
            )
