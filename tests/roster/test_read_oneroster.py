"""Reading OneRoster 1.1 and 1.2 file sets: what each row becomes in the Roster."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest

from server.enums import EnrollmentRole, Role
from server.roster.read import read_path, read_upload
from server.roster.records import Roster
from server.rules.timetable import Meeting
from tests.roster import samples

VERSIONS = ("1.1", "1.2")


def read(
    files: samples.Files, *, bom: bool = False, crlf: bool = False, folder: str = ""
) -> Roster:
    """Read a file set sent as a zip upload, and insist it has no problem."""
    roster = read_upload(samples.zip_bytes(files, bom=bom, crlf=crlf, folder=folder), "roster.zip")
    assert roster.problems == []
    return roster


@pytest.mark.parametrize("version", VERSIONS)
def test_a_district_reads_whole(version: str) -> None:
    roster = read(samples.oneroster(version))

    assert roster.format == "oneroster"
    assert sorted(s.name for s in roster.schools.values()) == [
        "Lincoln High School",
        "Oak Grove Elementary",
        "Riverside Middle School",
    ]
    roles = [u.role for u in roster.users.values()]
    # Per school: 80 students, 10 teachers, an aide and a proctor (classroom staff), an admin.
    assert roles.count(Role.STUDENT) == 240
    assert roles.count(Role.TEACHER) == 36
    assert roles.count(Role.ADMIN) == 3
    assert len(roster.sections) == 30
    assert roster.problem_count == 0
    assert roster.delta == frozenset()


@pytest.mark.parametrize("version", VERSIONS)
def test_guardians_and_administrators_enrollments_are_left_out(version: str) -> None:
    files = samples.oneroster(version)
    guardian = samples.people(files, "guardian")[0]
    admin = samples.people(files, "administrator")[0]
    section = files["classes.csv"].rows[0]
    files["enrollments.csv"].add(
        sourcedId="enr-admin",
        classSourcedId=section["sourcedId"],
        schoolSourcedId=section["schoolSourcedId"],
        userSourcedId=admin["sourcedId"],
        role="administrator",
    )

    roster = read(files)

    assert guardian["sourcedId"] not in roster.users
    assert roster.users[admin["sourcedId"]].role is Role.ADMIN
    assert "enr-admin" not in roster.enrollments


@pytest.mark.parametrize("version", VERSIONS)
def test_a_student_becomes_a_user_with_number_grade_and_login(version: str) -> None:
    files = samples.oneroster(version)
    row = samples.people(files, "student")[0]

    student = read(files).users[row["sourcedId"]]

    assert student.role is Role.STUDENT
    assert (student.first_name, student.last_name) == (row["givenName"], row["familyName"])
    assert student.login == row["username"]
    assert student.email == row["email"]
    assert student.student_number == row["identifier"]
    assert student.grade == 9
    assert student.school_ids == ("org-lhs",)
    assert student.enabled is True
    assert student.where.file == "users.csv"
    assert student.where.line == files["users.csv"].line_of(row)


def test_an_administrator_of_the_district_belongs_to_their_school_only() -> None:
    files = samples.oneroster("1.1")
    row = samples.people(files, "administrator")[0]
    assert row["orgSourcedIds"] == "org-district,org-lhs"

    assert read(files).users[row["sourcedId"]].school_ids == ("org-lhs",)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("aide", Role.TEACHER),
        ("proctor", Role.TEACHER),
        ("counselor", Role.COUNSELOR),
        ("principal", Role.ADMIN),
        ("siteAdministrator", Role.ADMIN),
        ("districtAdministrator", Role.ADMIN),
    ],
)
def test_oneroster_12_roles_map_to_ours(role: str, expected: Role) -> None:
    files = samples.oneroster("1.2")
    row = files["roles.csv"].find(role="teacher")
    row["role"] = role

    assert read(files).users[row["userSourcedId"]].role is expected


def test_the_primary_role_of_a_12_user_wins_and_all_their_schools_count() -> None:
    files = samples.oneroster("1.2")
    teacher = files["roles.csv"].find(role="teacher")
    files["roles.csv"].add(
        sourcedId="rol-second",
        userSourcedId=teacher["userSourcedId"],
        roleType="secondary",
        role="administrator",
        orgSourcedId="org-rms",
    )

    user = read(files).users[teacher["userSourcedId"]]

    assert user.role is Role.TEACHER
    assert user.school_ids == ("org-lhs", "org-rms")


def test_a_class_becomes_a_section_with_room_periods_and_term_dates() -> None:
    files = samples.oneroster("1.1")
    chemistry = files["classes.csv"].find(title="Chemistry")
    assert chemistry["periods"] == "3,4"
    assert chemistry["termSourcedIds"] == "term-fall,term-spring"

    section = read(files).sections[chemistry["sourcedId"]]

    assert section.title == "Chemistry"
    assert section.code == chemistry["classCode"]
    assert section.school_id == chemistry["schoolSourcedId"]
    assert section.room == chemistry["location"]
    assert section.meetings == (Meeting("3"), Meeting("4"))
    assert section.homeroom is False
    # The earliest start and the latest end of its terms.
    assert (section.starts_on, section.ends_on) == (date(2025, 8, 18), date(2026, 5, 29))


def test_a_homeroom_class_is_a_homeroom_and_an_empty_location_no_room() -> None:
    files = samples.oneroster("1.1")
    row = files["classes.csv"].find(classType="homeroom")
    row["location"] = ""
    row["termSourcedIds"] = "term-fall"

    section = read(files).sections[row["sourcedId"]]

    assert section.homeroom is True
    assert section.room is None
    assert (section.starts_on, section.ends_on) == (date(2025, 8, 18), date(2025, 12, 19))


def test_enrollments_of_students_and_classroom_staff() -> None:
    files = samples.oneroster("1.1")
    rows = files["enrollments.csv"].rows
    by_role = {r["role"]: r for r in rows}

    enrollments = read(files).enrollments

    teacher = enrollments[by_role["teacher"]["sourcedId"]]
    assert (teacher.role, teacher.primary) == (EnrollmentRole.TEACHER, True)
    assert teacher.begins_on == date(2025, 8, 18)
    assert teacher.ends_on is None
    for role in ("aide", "proctor"):
        staff = enrollments[by_role[role]["sourcedId"]]
        assert (staff.role, staff.primary) == (EnrollmentRole.TEACHER, False)
    student = enrollments[by_role["student"]["sourcedId"]]
    assert student.role is EnrollmentRole.STUDENT
    assert student.section_id == by_role["student"]["classSourcedId"]
    assert student.user_id == by_role["student"]["userSourcedId"]
    assert student.school_id == by_role["student"]["schoolSourcedId"]


@pytest.mark.parametrize(
    ("grades", "expected"),
    [("KG", 0), ("TK", 0), ("PK", None), ("01", 1), ("09,10", 9), ("12", 12), ("", None)],
)
def test_grade_codes(grades: str, expected: int | None) -> None:
    files = samples.oneroster("1.1")
    row = samples.people(files, "student")[0]
    row["grades"] = grades

    assert read(files).users[row["sourcedId"]].grade == expected


def test_the_login_falls_back_to_email_then_identifier() -> None:
    files = samples.oneroster("1.1")
    first, second = samples.people(files, "student")[:2]
    first["username"] = ""
    second["username"] = ""
    second["email"] = ""

    users = read(files).users

    assert users[first["sourcedId"]].login == first["email"]
    assert users[second["sourcedId"]].login == second["identifier"]


def test_a_student_without_identifier_is_numbered_by_username() -> None:
    files = samples.oneroster("1.1")
    row = samples.people(files, "student")[0]
    row["identifier"] = ""

    assert read(files).users[row["sourcedId"]].student_number == row["username"]


def test_a_disabled_user_is_read_as_disabled() -> None:
    files = samples.oneroster("1.1")
    row = samples.people(files, "teacher")[0]
    row["enabledUser"] = "FALSE"

    assert read(files).users[row["sourcedId"]].enabled is False


@pytest.mark.parametrize("version", VERSIONS)
def test_a_delta_set_marks_tobedeleted_records_deleted(version: str) -> None:
    files = samples.oneroster(version, delta=True)
    user = samples.people(files, "student")[0]
    user["status"] = "tobedeleted"
    section = files["classes.csv"].rows[1]
    section["status"] = "tobedeleted"
    # Its enrollments stay active in the file: a reference to a deleted row is fine.

    roster = read(files)

    assert roster.users[user["sourcedId"]].deleted is True
    assert roster.sections[section["sourcedId"]].deleted is True
    assert roster.delta == frozenset({"schools", "users", "sections", "enrollments"})


def test_a_delta_file_may_refer_to_records_it_does_not_hold() -> None:
    files = samples.oneroster("1.1", delta=True)
    files["enrollments.csv"].add(
        sourcedId="enr-new",
        status="active",
        classSourcedId="cls-sent-last-week",
        schoolSourcedId="org-lhs",
        userSourcedId="usr-stu-sent-last-week",
        role="student",
    )

    assert read(files).enrollments["enr-new"].section_id == "cls-sent-last-week"


def test_the_files_may_sit_in_one_folder_inside_the_zip() -> None:
    files = samples.oneroster("1.1")

    assert len(read(files, folder="OneRosterv1p1BaseCSV").users) == 279


@pytest.mark.parametrize("version", VERSIONS)
def test_a_folder_reads_as_its_zip_does(tmp_path: Path, version: str) -> None:
    files = samples.oneroster(version)
    from_zip = read(files)

    from_folder = read_path(samples.write_folder(files, tmp_path / "export"))

    assert from_folder.problems == []
    assert from_folder.users == from_zip.users
    assert from_folder.enrollments == from_zip.enrollments


def test_a_zip_on_disk_reads_by_its_magic_bytes_whatever_its_name(tmp_path: Path) -> None:
    path = samples.write_zip(samples.oneroster("1.1"), tmp_path / "roster.dat")

    roster = read_path(path)

    assert (roster.format, roster.problems, len(roster.users)) == ("oneroster", [], 279)


@pytest.mark.parametrize(
    ("bom", "crlf"), [(True, False), (False, True), (True, True)], ids=["bom", "crlf", "both"]
)
def test_a_bom_and_crlf_line_ends_change_nothing(bom: bool, crlf: bool) -> None:
    files = samples.oneroster("1.1", commas=True)

    assert read(files, bom=bom, crlf=crlf).users == read(files).users


def test_quoted_commas_stay_inside_their_value() -> None:
    files = samples.oneroster("1.1", commas=True)
    row = next(r for r in files["users.csv"].rows if r["familyName"].endswith(", Jr."))

    user = read(files, crlf=True).users[row["sourcedId"]]

    assert user.last_name == row["familyName"]
    assert user.where.line == files["users.csv"].line_of(row)


def test_a_value_spanning_lines_is_named_by_the_line_it_ends_on() -> None:
    files = samples.oneroster("1.1")
    rows = files["classes.csv"].rows
    rows[0]["title"] = "Algebra I\n(first year)"

    sections = read(files).sections

    assert sections[rows[0]["sourcedId"]].title == "Algebra I\n(first year)"
    assert sections[rows[0]["sourcedId"]].where.line == 3
    assert sections[rows[1]["sourcedId"]].where.line == 4


def test_a_header_only_file_has_no_rows() -> None:
    files = samples.oneroster("1.1")
    files["enrollments.csv"].rows.clear()

    assert read(files).enrollments == {}


def test_a_big_district_reads_in_seconds(tmp_path: Path) -> None:
    path = samples.district(tmp_path / "district.zip")

    started = time.perf_counter()
    roster = read_path(path)
    took = time.perf_counter() - started

    assert roster.problems == []
    assert (len(roster.users), len(roster.sections), len(roster.enrollments)) == (
        20_000,
        1_000,
        100_000,
    )
    assert took < 10, f"reading 20,000 users took {took:.1f} s"


def test_a_manifest_without_a_version_reads_12_files_as_12() -> None:
    files = samples.oneroster("1.2")
    version = files["manifest.csv"].find(propertyName="oneroster.version")
    files["manifest.csv"].rows.remove(version)
    row = files["roles.csv"].find(role="teacher")
    row["role"] = "counselor"

    assert read(files).users[row["userSourcedId"]].role is Role.COUNSELOR


def test_an_12_export_with_roles_in_users_csv_reads_as_11() -> None:
    files = samples.oneroster("1.1")
    files["manifest.csv"].find(propertyName="oneroster.version")["value"] = "1.2"

    assert len(read(files).users) == 279


def test_only_the_files_sent_as_delta_are_partial() -> None:
    files = samples.oneroster("1.1")
    files["manifest.csv"].find(propertyName="file.enrollments")["value"] = "delta"

    assert read(files).delta == frozenset({"enrollments"})


def test_a_student_with_a_long_username_and_no_identifier_has_no_number() -> None:
    files = samples.oneroster("1.1")
    row = samples.people(files, "student")[0]
    row.update(identifier="", username="ana.nunez.garcia@students.lincoln.k12.ca.us")

    student = read(files).users[row["sourcedId"]]

    assert (student.student_number, student.login) == (None, row["username"])


def test_what_macos_adds_to_a_zip_is_ignored() -> None:
    files = samples.oneroster("1.1")
    extra = {"__MACOSX/._users.csv": b"\x00\x05\x16\x07", ".DS_Store": b"\x00\x00\x00\x01Bud1"}

    roster = read_upload(samples.zip_bytes(files, extra=extra), "roster.zip")

    assert (roster.problems, len(roster.users)) == ([], 279)


@pytest.mark.parametrize("version", VERSIONS)
def test_students_to_be_deleted_and_their_enrollments_are_read_deleted(version: str) -> None:
    files = samples.oneroster(version, tobedeleted=4)

    roster = read(files)

    gone = {u.source_id for u in roster.users.values() if u.deleted}
    assert len(gone) == 4
    assert {u.role for u in roster.users.values() if u.deleted} == {Role.STUDENT}
    ended = [e for e in roster.enrollments.values() if e.deleted]
    assert ended
    assert {e.user_id for e in ended} == gone


def test_a_folder_holding_one_folder_of_files(tmp_path: Path) -> None:
    samples.write_folder(samples.oneroster("1.1"), tmp_path / "upload" / "OneRoster")

    roster = read_path(tmp_path / "upload")

    assert (roster.problems, len(roster.users)) == ([], 279)
