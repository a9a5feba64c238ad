"""One roster import: plan every school under its lock, then apply all or nothing.

The plans are made inside the transaction that applies them, with each school's row locked
(as `server/services/transaction.py::school_transaction` does for a pass), so what is written
is exactly what was compared, and a preview's digest (`expect_plan`) is checked against the
plan made under the lock. A problem anywhere stops the whole import before its first write;
an error during the writes (the database refusing a row) rolls every write back. Each attempt
leaves one history row per school: applied, previewed or rejected.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from server.clock import utcnow
from server.contract.roster import Kind
from server.enums import ImportStatus
from server.errors import ErrorCode, HallpassError
from server.models import RosterImport, School
from server.roster import history
from server.roster.plan import Plan, SchoolState, Tally, digest, make_plan
from server.roster.records import Problem, Roster
from server.roster.sync import apply_plan, load_state
from server.roster.targets import Target, create_school


@dataclass(slots=True)
class Outcome:
    """What an import did: its status, each school's plan and history row, or the problems."""

    status: ImportStatus
    targets: list[Target]
    plans: list[Plan] = field(default_factory=list)
    plan: str = ""
    problems: list[Problem] = field(default_factory=list)
    # The history row of each target with a school (a school to create has none on a preview).
    entries: list[RosterImport | None] = field(default_factory=list)
    school_ids: list[int | None] = field(default_factory=list)
    # How many problems there were, when the reader listed only the first of them.
    problem_count: int = 0


class _Rejected(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


def counts(plan: Plan, target: Target) -> dict[Kind, Tally]:
    """Return a plan's counts, with the school itself (created, bound, or as it was)."""
    school = Tally()
    school.add("create" if target.school is None else "update" if target.bind else None)
    return {"schools": school, **plan.counts}


async def run_import(
    roster: Roster,
    targets: list[Target],
    *,
    dry_run: bool,
    source: str,
    created_by_id: int | None = None,
    expect_plan: str | None = None,
) -> Outcome:
    """Import a read roster into its target schools, or (dry run) say what that would do."""
    outcome = Outcome(ImportStatus.REJECTED, targets)
    known = [t.school.id for t in targets if t.school is not None]
    try:
        if roster.problems:
            raise _Rejected(list(roster.problems))
        async with in_transaction() as conn:
            # Locked in id order, so two imports of overlapping schools can't deadlock.
            for school_id in sorted(known):
                await School.select_for_update().using_db(conn).get(id=school_id)
            for target in targets:
                state = (
                    SchoolState(None)
                    if target.school is None
                    else await load_state(conn, target.school.id)
                )
                outcome.plans.append(make_plan(roster, target.org.source_id, state))
            problems = [p for plan in outcome.plans for p in plan.problems]
            if problems:
                raise _Rejected(problems)
            outcome.plan = digest(outcome.plans)
            if expect_plan is not None and expect_plan != outcome.plan:
                raise HallpassError(
                    ErrorCode.PLAN_CHANGED,
                    "The school or the file changed since the preview: preview it again.",
                )
            now = utcnow()
            status = ImportStatus.PREVIEWED if dry_run else ImportStatus.APPLIED
            for target, plan in zip(targets, outcome.plans, strict=True):
                school = target.school
                if not dry_run:
                    if school is None:
                        school = await create_school(conn, target.org)
                    elif target.bind:
                        school.source_id = target.org.source_id
                        await school.save(using_db=conn, update_fields=["source_id"])
                    await apply_plan(conn, plan, school.id, now)
                outcome.school_ids.append(None if school is None else school.id)
                entry = None
                if school is not None:
                    entry = await history.record(
                        conn,
                        school.id,
                        status,
                        format=roster.format,
                        source=source,
                        created_by_id=created_by_id,
                        counts=counts(plan, target),
                    )
                outcome.entries.append(entry)
            outcome.status = status
            return outcome
    except IntegrityError as exc:
        # The plan checks what it can (logins, keys); the database has the last word. All
        # writes were rolled back with the transaction.
        problem = Problem(
            source, None, None, "conflict", f"The database refused the import: {exc}."
        )
        outcome.problems = [problem]
    except _Rejected as rejected:
        outcome.problems = rejected.problems
    school_ids = [t.school.id for t in targets if t.school is not None]
    refused = await reject(roster, school_ids, source, created_by_id, outcome.problems)
    refused.targets = targets
    return refused


async def reject(
    roster: Roster,
    school_ids: list[int],
    source: str,
    created_by_id: int | None,
    problems: list[Problem],
) -> Outcome:
    """Record a refused import in each school's history; nothing else is written."""
    outcome = Outcome(ImportStatus.REJECTED, [], problems=problems)
    outcome.problem_count = max(len(problems), roster.problem_count)
    for school_id in school_ids:
        outcome.school_ids.append(school_id)
        outcome.entries.append(
            await history.record(
                None,
                school_id,
                ImportStatus.REJECTED,
                format=roster.format,
                source=source,
                created_by_id=created_by_id,
                problems=problems,
            )
        )
    return outcome
