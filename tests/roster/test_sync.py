"""The sync: a roster applied to a school creates, updates, disables, and re-adds; or nothing."""

from __future__ import annotations

import dataclasses

from starlette.applications import Starlette

from server.enums import EnrollmentRole, ImportStatus, LocationKind, Role
from server.models import Enrollment, Location, RosterImport, School, Section, User
from tests.dbstate import changes, snapshot
from tests.roster.helpers import import_demo, statements
from tests.roster.rosters import small_school


def counts(outcome: object) -> dict[str, dict[str, int]]:
    """Return the first school's counts as plain numbers."""
    plans = outcome.plans  # type: ignore[attr-defined]
    return {k: dataclasses.asdict(v) for k, v in plans[0].counts.items()}


async def test_a_first_import_creates_the_school_roster_and_adopts_the_demo_accounts(
    app: Starlette,
) -> None:
    teacher1 = await User.get(login="teacher1@demo.school")
    ada = await User.get(login="1001")
    outcome = await import_demo(small_school().build())
    assert outcome.status is ImportStatus.APPLIED, outcome.problems
    assert counts(outcome) == {
        "users": {"created": 4, "updated": 2, "disabled": 0, "unchanged": 0},
        "sections": {"created": 2, "updated": 0, "disabled": 0, "unchanged": 0},
        "enrollments": {"created": 6, "updated": 0, "disabled": 0, "unchanged": 0},
        "rooms": {"created": 1, "updated": 0, "disabled": 0, "unchanged": 1},
    }
    # Adopted, not duplicated: the same rows, now with the SIS's ids and names.
    teacher1_now = await User.get(id=teacher1.id)
    assert (teacher1_now.source_id, teacher1_now.first_name) == ("t-1", "Tess")
    assert (await User.get(id=ada.id)).source_id == "s-1001"
    assert await User.filter(login="1001").count() == 1
    school = await School.get(slug="demo")
    assert school.source_id == "org-demo"
    lab = await Location.get(name="Lab 3")
    assert (lab.kind, lab.is_destination) == (LocationKind.CLASSROOM, False)
    bio = await Section.get(source_id="c-bio")
    assert bio.location_id == lab.id
    assert bio.meetings == [{"day_type": None, "period": "Period 3"}]
    algebra = await Section.get(source_id="c-alg")
    assert [m["period"] for m in algebra.meetings] == ["Period 1", "Period 2"]
    assert algebra.location_id == (await Location.get(name="Room 101")).id
    turing = await User.get(source_id="s-2001")
    assert (turing.role, turing.login, turing.student_number) == (Role.STUDENT, "2001", "2001")
    assert await Enrollment.filter(section_id=algebra.id, active=True).count() == 3
    teaching = await Enrollment.get(source_id="e-1")
    assert (teaching.role, teaching.primary, teaching.user_id) == (
        EnrollmentRole.TEACHER,
        True,
        teacher1.id,
    )
    entry = await RosterImport.get(school_id=school.id)
    assert (entry.status, entry.created_by_id) == (ImportStatus.APPLIED, None)
    assert entry.counts["users"]["created"] == 4


async def test_a_reimport_of_the_same_file_writes_nothing(app: Starlette) -> None:
    roster = small_school().build()
    await import_demo(roster)
    before = await snapshot()
    with statements() as sent:
        outcome = await import_demo(roster)
    assert outcome.status is ImportStatus.APPLIED
    assert sent.writes() == []
    assert all(c["created"] + c["updated"] + c["disabled"] == 0 for c in counts(outcome).values())
    assert counts(outcome)["enrollments"]["unchanged"] == 6
    assert set(changes(before, await snapshot())) == {"roster_imports"}


async def test_a_changed_record_updates_only_its_changed_fields(app: Starlette) -> None:
    b = small_school()
    await import_demo(b.build())
    b.user("s-2001", "2001", number="2001", first="Alan M.", last="Turing")
    b.section("c-bio", "Biology", room="Room 102", periods=("3",))
    b.enrol("e-5", "c-bio", "s-2002", primary=True)
    with statements() as sent:
        outcome = await import_demo(b.build())
    assert outcome.status is ImportStatus.APPLIED
    updates = [c for c in outcome.plans[0].changes if c.action == "update"]
    assert [(c.kind, c.source_id, c.fields) for c in updates] == [
        ("users", "s-2001", ["first_name"]),
        ("sections", "c-bio", ["location_id"]),
        ("enrollments", "e-5", ["primary"]),
    ]
    assert len(sent.writes()) == 3
    assert (await User.get(source_id="s-2001")).first_name == "Alan M."
    bio = await Section.get(source_id="c-bio")
    assert bio.location_id == (await Location.get(name="Room 102")).id


async def test_tobedeleted_disables_users_and_sections_and_ends_enrollments(
    app: Starlette,
) -> None:
    b = small_school()
    await import_demo(b.build())
    b.user("s-2003", "2003", number="2003", first="Edsger", last="Dijkstra", deleted=True)
    b.section("c-bio", "Biology", room="Lab 3", periods=("3",), deleted=True)
    b.enrol("e-4", "c-alg", "s-2001", deleted=True)
    outcome = await import_demo(b.build())
    assert outcome.status is ImportStatus.APPLIED, outcome.problems
    assert (await User.get(source_id="s-2003")).active is False
    assert (await Section.get(source_id="c-bio")).active is False
    ended = await Enrollment.get(source_id="e-4")
    assert ended.active is False
    assert ended.ended_at is not None
    # Kept for history: nothing is deleted.
    assert await User.filter(source_id="s-2003").exists()
    assert await Enrollment.filter(source_id__in=["e-4", "e-5", "e-6"]).count() == 3
    assert counts(outcome)["users"]["disabled"] == 1


async def test_records_gone_from_the_file_are_disabled_and_come_back_when_readded(
    app: Starlette,
) -> None:
    full = small_school()
    await import_demo(full.build())
    smaller = full.build()
    del smaller.users["s-2002"]
    del smaller.sections["c-bio"]
    for gone in ("e-2", "e-5", "e-6"):
        del smaller.enrollments[gone]
    outcome = await import_demo(smaller)
    assert counts(outcome)["users"]["disabled"] == 1
    assert counts(outcome)["sections"]["disabled"] == 1
    assert counts(outcome)["enrollments"]["disabled"] == 3
    assert (await User.get(source_id="s-2002")).active is False
    assert (await Section.get(source_id="c-bio")).active is False
    assert not await Enrollment.filter(source_id="e-5", active=True).exists()
    # Back in the next file: the same rows, active again, the enrollment no longer ended.
    back = await import_demo(full.build())
    assert counts(back)["users"] == {"created": 0, "updated": 1, "disabled": 0, "unchanged": 5}
    assert (await User.get(source_id="s-2002")).active is True
    assert (await Section.get(source_id="c-bio")).active is True
    readded = await Enrollment.get(source_id="e-5")
    assert (readded.active, readded.ended_at) == (True, None)
    assert await Enrollment.filter(source_id="e-5").count() == 1


async def test_rows_made_by_hand_are_never_disabled_by_a_file_that_does_not_name_them(
    app: Starlette,
) -> None:
    await import_demo(small_school().build())
    # The demo's other accounts have no sourcedId: the file doesn't own them.
    assert (await User.get(login="teacher2@demo.school")).active is True
    assert (await User.get(login="1030")).active is True
