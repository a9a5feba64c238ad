"""One roster import: plan every school under its lock, then apply all or nothing.

The plans are made inside the transaction that applies them, with each school's row locked
(as `server/services/transaction.py::school_transaction` does for a pass), so what is written
is exactly what was compared, and a preview's digest (`expect_plan`) is checked against the
plan made under the lock. A problem anywhere stops the whole import before its first write;
an error during the writes (the database refusing a row) rolls every write back. Each attempt
leaves one history row per school: applied, previewed or rejected.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from server.clock import utcnow
from server.contract.roster import Kind
from server.enums import ImportStatus
from server.errors import ErrorCode, HallpassError
from server.models import District, RosterImport, School, User
from server.roster import history
from server.roster.plan import Plan, SchoolState, Tally, digest, make_plan
from server.roster.records import Problem, Roster
from server.roster.sync import apply_plan, load_state
from server.roster.targets import DistrictTarget, Target, create_school


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


def _own_account(roster: Roster, plans: list[Plan], admin_id: int | None) -> list[Problem]:
    # The admin importing must still be an admin afterwards: a file that drops them (or makes
    # them a teacher) would lock them out in the middle of their own work.
    for plan in plans:
        if admin_id is None or admin_id not in plan.end_sessions:
            continue
        for change in plan.changes:
            record = roster.users.get(change.source_id)
            if change.kind == "users" and change.row_id == admin_id and record is not None:
                return [
                    Problem(
                        record.where.file,
                        record.where.line,
                        None,
                        "own_account",
                        f"This file would disable your own account or change its role "
                        f"({change.label}): another administrator must import it.",
                    )
                ]
    return []


async def run_import(
    roster: Roster,
    targets: list[Target],
    *,
    dry_run: bool,
    source: str,
    created_by_id: int | None = None,
    expect_plan: str | None = None,
    district: DistrictTarget | None = None,
) -> Outcome:
    """Import a read roster into its target schools, or (dry run) say what that would do.

    With a `district` (a district's bulk file), the district is created or bound, its schools
    join it, and a person in several of its schools has their accounts linked by `person_key`:
    all in the one transaction.
    """
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
                # A district's plan is seconds of Python: in a thread, the event loop goes on
                # serving passes meanwhile (the GIL is shared, the loop is not blocked).
                plan = await asyncio.to_thread(make_plan, roster, target.org.source_id, state)
                outcome.plans.append(plan)
            problems = [p for plan in outcome.plans for p in plan.problems]
            problems += _own_account(roster, outcome.plans, created_by_id)
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
            joined: District | None = None
            if district is not None and not dry_run:
                joined = await _district(conn, district)
            for target, plan in zip(targets, outcome.plans, strict=True):
                school = target.school
                if not dry_run:
                    if school is None:
                        school = await create_school(
                            conn, target.org, None if joined is None else joined.id
                        )
                    elif target.bind:
                        school.source_id = target.org.source_id
                        await school.save(using_db=conn, update_fields=["source_id"])
                    if joined is not None and school.district_id != joined.id:
                        school.district_id = joined.id
                        await school.save(using_db=conn, update_fields=["district_id"])
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
            if joined is not None:
                await _link_people(conn, roster, joined, outcome.school_ids)
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


async def _district(conn: BaseDBAsyncClient, target: DistrictTarget) -> District:
    """Create the district of a district's file, or bind the existing one to its org."""
    if target.district is None:
        return await District.create(
            using_db=conn, name=target.org.name, slug=target.slug, source_id=target.org.source_id
        )
    district = target.district
    if target.bind:
        district.source_id = target.org.source_id
        await district.save(using_db=conn, update_fields=["source_id"])
    return district


def person_key(district: District, source_id: str) -> str:
    """Return the key that links one rostered person's accounts across a district's schools."""
    return f"{district.id}:{source_id}"


async def _link_people(
    conn: BaseDBAsyncClient, roster: Roster, district: District, school_ids: list[int | None]
) -> None:
    # Only people the file puts in several schools: one update each, a few per district.
    ids = [i for i in school_ids if i is not None]
    for record in roster.users.values():
        if len(set(record.school_ids)) > 1 and not record.deleted:
            await (
                User.filter(school_id__in=ids, source_id=record.source_id)
                .using_db(conn)
                .update(person_key=person_key(district, record.source_id))
            )


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
