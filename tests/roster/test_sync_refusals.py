"""What stops an import (every problem, nothing written), and that an import is all or nothing."""

from __future__ import annotations

import dataclasses

import pytest
from starlette.applications import Starlette
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from server.clock import utcnow
from server.enums import ImportStatus, Role
from server.models import RosterImport, School, Section, User
from server.roster.plan import make_plan
from server.roster.sync import apply_plan, load_state
from tests.conftest import Demo
from tests.dbstate import changes, snapshot
from tests.roster.helpers import import_demo
from tests.roster.rosters import ORG, small_school


async def test_an_error_midway_through_the_writes_leaves_the_database_as_it_was(
    app: Starlette,
) -> None:
    school = await School.get(slug="demo")
    roster = small_school().build()
    async with in_transaction() as conn:
        plan = make_plan(roster, ORG, await load_state(conn, school.id))
    # Meanwhile a section takes the sourcedId the plan creates: its INSERT will be refused
    # after the users' and the rooms' are written.
    await Section.create(school_id=school.id, source_id="c-bio", title="Made meanwhile")
    before = await snapshot()
    with pytest.raises(IntegrityError):
        async with in_transaction() as conn:
            await apply_plan(conn, plan, school.id, utcnow())
    assert changes(before, await snapshot()) == {}


async def test_a_dry_run_writes_nothing_but_its_history_row(app: Starlette) -> None:
    before = await snapshot()
    outcome = await import_demo(small_school().build(), dry_run=True)
    assert outcome.status is ImportStatus.PREVIEWED
    assert outcome.plans[0].counts["users"].created == 4
    assert set(changes(before, await snapshot())) == {"roster_imports"}
    assert (await RosterImport.get()).status is ImportStatus.PREVIEWED


async def test_a_preview_applied_as_planned_and_a_stale_plan_refused(app: Starlette) -> None:
    roster = small_school().build()
    preview = await import_demo(roster, dry_run=True)
    await User.filter(login="1030").update(active=False)  # not in the file: same plan
    applied = await import_demo(roster, expect_plan=preview.plan)
    assert applied.status is ImportStatus.APPLIED
    again = await import_demo(roster, dry_run=True)
    assert again.plan != preview.plan  # nothing left to do is another plan


async def test_unknown_periods_and_taken_logins_are_all_named_and_nothing_is_written(
    app: Starlette,
) -> None:
    b = small_school()
    await import_demo(b.build())
    b.section("c-chem", "Chemistry", room="Lab 3", periods=("9", "Period 2"))
    del b.roster.users["s-2003"]  # gone from the file: disabled, but their login stays theirs
    del b.roster.enrollments["e-6"]
    b.user("s-3000", "2003", number="3000", first="Kurt", last="Gödel")
    b.user("s-3001", "teacher2@demo.school", first="Emmy", last="Noether")
    b.user("s-3002", "teacher2@demo.school", first="Emmy", last="Noether II", number="3002")
    roster = b.build()
    before = await snapshot()
    outcome = await import_demo(roster)
    assert outcome.status is ImportStatus.REJECTED
    assert [(p.file, p.line, p.column, p.code) for p in outcome.problems] == [
        ("users.csv", 8, "username", "login_taken"),
        ("users.csv", 10, "username", "duplicate_login"),
        ("classes.csv", 4, "periods", "unknown_period"),
    ]
    assert 'The login "2003" belongs to Edsger Dijkstra' in outcome.problems[0].message
    assert "line 9" in outcome.problems[1].message
    assert 'No period "9"' in outcome.problems[2].message
    assert set(changes(before, await snapshot())) == {"roster_imports"}
    entry = await RosterImport.filter(status=ImportStatus.REJECTED).get()
    assert [e["line"] for e in entry.errors] == [8, 10, 4]


async def test_a_student_out_on_a_pass_cannot_become_staff(demo: Demo) -> None:
    b = small_school()
    await import_demo(b.build())
    assert (await demo.request_pass("1001", "Library")).status_code == 201
    b.user("s-1001", "1001", number="1001", first="Ada", last="Lovelace", role=Role.TEACHER)
    outcome = await import_demo(b.build())
    assert [(p.line, p.column, p.code) for p in outcome.problems] == [(8, "role", "student_out")]
    assert (await User.get(login="1001")).role is Role.STUDENT
    # Another role for someone not out is fine (and ends their sessions, as an admin's would).
    b.user("s-2002", "2002", number="2002", first="Grace", last="Hopper", role=Role.TEACHER)
    b.user("s-1001", "1001", number="1001", first="Ada", last="Lovelace")
    assert (await import_demo(b.build())).status is ImportStatus.APPLIED
    grace = await User.get(source_id="s-2002")
    assert (grace.role, grace.student_number, grace.grade) == (Role.TEACHER, None, None)


async def test_a_disabled_user_loses_their_sessions(demo: Demo) -> None:
    b = small_school()
    await import_demo(b.build())
    headers = await demo.auth("1001")
    assert (await demo.client.get("/api/me", headers=headers)).status_code == 200
    roster = b.build()
    roster.users["s-1001"] = dataclasses.replace(roster.users["s-1001"], enabled=False)
    assert (await import_demo(roster)).status is ImportStatus.APPLIED
    assert (await demo.client.get("/api/me", headers=headers)).status_code == 401


async def test_a_delta_file_leaves_what_it_does_not_name(app: Starlette) -> None:
    await import_demo(small_school().build())
    b = small_school()
    roster = b.build()
    # Only Turing's enrollment changes: the other rows are not in the file.
    roster.users = {}
    roster.sections = {}
    roster.enrollments = {"e-4": dataclasses.replace(roster.enrollments["e-4"], primary=True)}
    roster.delta = frozenset({"users", "sections", "enrollments"})
    outcome = await import_demo(roster)
    assert outcome.status is ImportStatus.APPLIED, outcome.problems
    assert [(c.kind, c.action, c.fields) for c in outcome.plans[0].changes] == [
        ("enrollments", "update", ["primary"])
    ]


async def test_a_schools_file_cannot_take_over_a_district_administrators_account(
    app: Starlette,
) -> None:
    school = await School.get(slug="demo")
    chief = await User.create(
        school=school,
        role=Role.DISTRICT_ADMIN,
        login="chief@demo.school",
        first_name="Dee",
        last_name="Chief",
        password_hash="x",
    )
    b = small_school()
    b.user("t-chief", "chief@demo.school", first="Dee", last="Chief", role=Role.TEACHER)
    before = await snapshot()
    outcome = await import_demo(b.build())
    assert [(p.file, p.column, p.code) for p in outcome.problems] == [
        ("users.csv", "username", "login_taken")
    ]
    assert set(changes(before, await snapshot())) == {"roster_imports"}
    assert (await User.get(id=chief.id)).role is Role.DISTRICT_ADMIN
