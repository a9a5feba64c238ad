"""What `hallpass roster import` prints: counts per kind, the first changes, or the problems."""

from __future__ import annotations

from server.roster.imports import Outcome, counts
from server.roster.records import Problem

# A dry run prints this many changes per school; the counts are always whole.
PRINTED_CHANGES = 20
SIGNS = {"create": "+", "update": "~", "disable": "-"}


def problem_line(problem: Problem) -> str:
    """Return a problem as `file:line: column: message` (without the parts it lacks)."""
    where = problem.file if problem.line is None else f"{problem.file}:{problem.line}"
    column = f" {problem.column}:" if problem.column else ""
    return f"{where}:{column} {problem.message}"


def summary(outcome: Outcome, names: list[str], *, dry_run: bool) -> list[str]:
    """Return the lines that say what an import did (or, as a dry run, would do) per school."""
    lines: list[str] = []
    verb = "would change" if dry_run else "imported"
    for target, plan, name in zip(outcome.targets, outcome.plans, names, strict=True):
        lines.append(f"{name} (org {target.org.source_id}): {verb}")
        for kind, tally in counts(plan, target).items():
            lines.append(
                f"  {kind}: {tally.created} created, {tally.updated} updated, "
                f"{tally.disabled} disabled, {tally.unchanged} unchanged"
            )
        if dry_run:
            for change in plan.changes[:PRINTED_CHANGES]:
                fields = f" ({', '.join(change.fields)})" if change.fields else ""
                lines.append(
                    f"  {SIGNS[change.action]} {change.kind} {change.source_id}: "
                    f"{change.label}{fields}"
                )
            if len(plan.changes) > PRINTED_CHANGES:
                lines.append(f"  ... and {len(plan.changes) - PRINTED_CHANGES} more changes")
    if dry_run:
        lines.append(f"plan {outcome.plan}: nothing was written (dry run)")
    return lines
