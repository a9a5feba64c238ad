"""The 422 a service raises for a request field the schema alone can't judge (it needs the DB)."""

from __future__ import annotations

from collections.abc import Sequence

from server.errors import ErrorCode, HallpassError
from server.rules.decision import FieldProblem


def invalid(problems: Sequence[FieldProblem], summary: str = "") -> HallpassError:
    """Return the 422 that names every bad field, as a schema violation does."""
    names = ", ".join(p.field for p in problems)
    return HallpassError(
        ErrorCode.VALIDATION_ERROR,
        summary or f"Invalid request: {names}.",
        details={"fields": [{"field": p.field, "message": p.message} for p in problems]},
    )
