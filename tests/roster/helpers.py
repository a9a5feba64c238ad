"""Running an import into the demo school, and counting the statements that write."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from server.models import School
from server.roster.imports import Outcome, run_import
from server.roster.records import Roster
from server.roster.targets import for_school

WRITES = ("INSERT", "UPDATE", "DELETE")


async def import_demo(
    roster: Roster, *, dry_run: bool = False, expect_plan: str | None = None
) -> Outcome:
    """Import a roster into Demo High School (binding its one org), as the admin screen does."""
    school = await School.get(slug="demo")
    target = await for_school(roster, school, None)
    return await run_import(
        roster, [target], dry_run=dry_run, source="roster.zip", expect_plan=expect_plan
    )


class Statements(logging.Handler):
    """Every SQL statement the ORM sends while installed (Tortoise logs each at DEBUG)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.sql: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.msg if isinstance(record.msg, str) else str(record.msg)
        if message == "%s: %s" and isinstance(record.args, tuple) and record.args:
            message = str(record.args[0])
        self.sql.append(message.strip())

    def writes(self, *, besides: str = "roster_imports") -> list[str]:
        """Return the statements that write, but to the table named."""
        return [s for s in self.sql if s.upper().startswith(WRITES) and f'"{besides}"' not in s]


@contextmanager
def statements() -> Iterator[Statements]:
    """Record every statement sent meanwhile."""
    logger = logging.getLogger("tortoise.db_client")
    handler = Statements()
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
