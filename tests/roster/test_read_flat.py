"""The flat CSV: one row per student per section meeting, read into derived, stable records."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.enums import EnrollmentRole, Role
from server.roster.read import read_path, read_upload
from server.roster.records import Roster
from server.rules.timetable import Meeting
from tests.roster import samples

ANA = {
    "student_number": "1001",
    "first_name": "Ana",
    "last_name": "Núñez",
    "grade": "9",
    "email": "ana.nunez@students.lincoln.example.org",
    "section": "ALG1-03",
    "period": "2",
    "room": "Room 204",
    "teacher_email": "Maria.Lee@lincoln.example.org",
}


def table(*rows: dict[str, str], columns: tuple[str, ...] = samples.FLAT_COLUMNS) -> samples.Table:
    """Return a flat CSV of these rows."""
    return samples.Table(list(columns), [dict(r) for r in rows])


def read(flat: samples.Table, *, bom: bool = False, crlf: bool = False) -> Roster:
    """Read a flat CSV upload, and insist it has no problem."""
    roster = read_upload(samples.csv_bytes(flat, bom=bom, crlf=crlf), "students.csv")
    assert roster.problems == []
    return roster


def problems(
    flat: samples.Table, encoding: str = "utf-8"
) -> list[tuple[int | None, str | None, str]]:
    """Return the problems of a flat CSV upload as (line, column, code)."""
    roster = read_upload(samples.csv_bytes(flat, encoding=encoding), "students.csv")
    assert {p.file for p in roster.problems} <= {"students.csv"}
    return [(p.line, p.column, p.code) for p in roster.problems]


def test_a_row_makes_a_student_a_teacher_a_section_and_two_enrollments() -> None:
    roster = read(table(ANA))

    assert roster.format == "csv"
    assert roster.schools == {}
    student = roster.users["student:1001"]
    assert student.role is Role.STUDENT
    assert (student.first_name, student.last_name, student.grade) == ("Ana", "Núñez", 9)
    assert student.student_number == "1001"
    assert student.login == student.email == ANA["email"]
    assert student.school_ids == ()
    assert (student.where.file, student.where.line) == ("students.csv", 2)
    teacher = roster.users["teacher:maria.lee@lincoln.example.org"]
    assert teacher.role is Role.TEACHER
    assert teacher.login == "maria.lee@lincoln.example.org"
    # No name given: read off the address.
    assert (teacher.first_name, teacher.last_name) == ("Maria", "Lee")
    section = roster.sections["section:ALG1-03|Room 204"]
    assert (section.title, section.code, section.room) == ("ALG1-03", "ALG1-03", "Room 204")
    assert section.meetings == (Meeting("2"),)
    assert section.homeroom is False
    assert section.school_id == ""
    enrolled = {(e.user_id, e.role, e.primary) for e in roster.enrollments.values()}
    assert enrolled == {
        ("student:1001", EnrollmentRole.STUDENT, False),
        ("teacher:maria.lee@lincoln.example.org", EnrollmentRole.TEACHER, True),
    }
    assert all(e.section_id == section.source_id for e in roster.enrollments.values())


def test_a_student_without_email_signs_in_with_their_number() -> None:
    student = read(table({**ANA, "email": ""})).users["student:1001"]

    assert (student.login, student.email) == ("1001", None)


def test_teacher_names_given_win_over_the_address() -> None:
    row = {**ANA, "teacher_first_name": "María José", "teacher_last_name": "Lee-Park"}

    teacher = read(table(row)).users["teacher:maria.lee@lincoln.example.org"]

    assert (teacher.first_name, teacher.last_name) == ("María José", "Lee-Park")


def test_each_meeting_is_a_row_and_day_types_are_kept() -> None:
    rows = [
        {**ANA, "section": "CHEM-04", "period": "3", "day_type": "A"},
        {**ANA, "section": "CHEM-04", "period": "4", "day_type": "B"},
        {**ANA, "section": "CHEM-04", "period": "3", "day_type": "A"},  # said twice: once
    ]

    section = read(table(*rows)).sections["section:CHEM-04|Room 204"]

    assert section.meetings == (Meeting("3", "A"), Meeting("4", "B"))


def test_one_section_name_in_two_rooms_is_two_sections() -> None:
    rows = [
        {**ANA, "section": "BIO-01", "period": "3", "room": "Room 110"},
        {**ANA, "section": "BIO-01", "period": "4", "room": "Lab 2"},
    ]

    sections = read(table(*rows)).sections

    assert sections["section:BIO-01|Room 110"].meetings == (Meeting("3"),)
    assert sections["section:BIO-01|Lab 2"].meetings == (Meeting("4"),)


def test_a_section_without_room_is_keyed_by_its_name() -> None:
    section = read(table({**ANA, "room": ""})).sections["section:ALG1-03"]

    assert section.room is None


def test_a_homeroom_needs_no_period() -> None:
    row = {**ANA, "section": "Homeroom 12", "period": "", "homeroom": "TRUE"}

    section = read(table(row)).sections["section:Homeroom 12|Room 204"]

    assert (section.homeroom, section.meetings) == (True, ())


def test_the_optional_columns_may_be_left_out() -> None:
    roster = read(table(ANA, columns=samples.FLAT_COLUMNS[:9]))

    assert len(roster.users) == 2


def test_a_teacher_without_address_teaches_no_one() -> None:
    roster = read(table({**ANA, "teacher_email": ""}))

    assert [u.role for u in roster.users.values()] == [Role.STUDENT]
    assert [e.role for e in roster.enrollments.values()] == [EnrollmentRole.STUDENT]


def test_the_sample_school_reads_whole() -> None:
    roster = read(samples.flat(), bom=True, crlf=True)

    roles = [u.role for u in roster.users.values()]
    assert (roles.count(Role.STUDENT), roles.count(Role.TEACHER)) == (60, 8)
    assert len(roster.sections) == 8
    assert sum(s.homeroom for s in roster.sections.values()) == 1
    homeroom = next(s for s in roster.sections.values() if s.homeroom)
    students_in_homeroom = [
        e for e in roster.enrollments.values() if e.section_id == homeroom.source_id
    ]
    assert len(students_in_homeroom) == 61  # every student, and the teacher


def test_a_flat_file_on_disk(tmp_path: Path) -> None:
    path = tmp_path / "Lincoln roster.csv"
    path.write_bytes(samples.csv_bytes(table(ANA)))

    roster = read_path(path)

    assert (roster.format, roster.problems) == ("csv", [])
    assert roster.users["student:1001"].where.file == "Lincoln roster.csv"


def test_quoted_commas_and_newlines_stay_in_their_value() -> None:
    row = {**ANA, "last_name": "Núñez, Jr.", "section": "ALG1-03\nHonors"}

    roster = read(table(ANA, row | {"student_number": "1002", "email": ""}))

    assert roster.users["student:1002"].last_name == "Núñez, Jr."
    # The second row spans lines 3 and 4: named by the line it ends on.
    assert roster.users["student:1002"].where.line == 4


# Problems


def test_a_missing_column_is_named_on_the_header() -> None:
    flat = table(ANA)
    flat.drop("teacher_email")
    flat.drop("grade")

    assert problems(flat) == [
        (1, "grade", "missing_column"),
        (1, "teacher_email", "missing_column"),
    ]


def test_a_student_named_two_ways_names_both_lines() -> None:
    flat = table(
        ANA, {**ANA, "section": "BIO-01"}, {**ANA, "section": "ART-02", "first_name": "Anna"}
    )

    roster = read_upload(samples.csv_bytes(flat), "students.csv")

    assert [(p.line, p.column, p.code) for p in roster.problems] == [
        (4, "first_name", "conflicting_values")
    ]
    assert "line 2" in roster.problems[0].message
    assert "line 4" in roster.problems[0].message


def test_a_teacher_named_two_ways() -> None:
    first = {**ANA, "teacher_first_name": "Maria", "teacher_last_name": "Lee"}
    second = {**first, "section": "GEO-01", "teacher_last_name": "Li"}

    assert problems(table(first, second)) == [(3, "teacher_last_name", "conflicting_values")]


@pytest.mark.parametrize("grade", ["9th", "Grade 9", "14", "-1"])
def test_a_bad_grade(grade: str) -> None:
    assert problems(table(ANA, {**ANA, "student_number": "1002", "email": "", "grade": grade})) == [
        (3, "grade", "bad_grade")
    ]


@pytest.mark.parametrize(
    ("grade", "expected"), [("K", 0), ("KG", 0), ("PK", None), ("09", 9), ("", None)]
)
def test_grades(grade: str, expected: int | None) -> None:
    assert read(table({**ANA, "grade": grade})).users["student:1001"].grade == expected


@pytest.mark.parametrize("column", ["email", "teacher_email"])
def test_a_bad_email(column: str) -> None:
    assert problems(table({**ANA, column: "ana at school"})) == [(2, column, "bad_email")]


@pytest.mark.parametrize(
    "column", ["student_number", "first_name", "last_name", "section", "period"]
)
def test_a_required_value_left_empty(column: str) -> None:
    assert problems(table(ANA, {**ANA, column: ""})) == [(3, column, "missing_value")]


def test_two_students_with_one_email() -> None:
    flat = table(ANA, {**ANA, "student_number": "1002", "first_name": "Bo"})

    assert problems(flat) == [(3, "email", "duplicate_id")]


def test_a_flat_file_not_in_utf8() -> None:
    flat = table({**ANA, "last_name": "Lopez"}, {**ANA, "student_number": "1002"})

    assert problems(flat, encoding="cp1252") == [(3, None, "not_utf8")]


def test_a_header_only_flat_file_is_empty_of_records() -> None:
    roster = read(table())

    assert (roster.users, roster.sections, roster.enrollments) == ({}, {}, {})


def test_a_flat_file_reports_every_problem() -> None:
    flat = table(
        {**ANA, "grade": "Z"},
        {**ANA, "student_number": "1002", "email": "bo@", "first_name": ""},
        {**ANA, "student_number": "1003", "period": "", "email": ""},
        {**ANA, "last_name": "Nunez", "email": ""},
    )

    assert problems(flat) == [
        (2, "grade", "bad_grade"),
        (3, "email", "bad_email"),
        (3, "first_name", "missing_value"),
        (4, "period", "missing_value"),
        (5, "last_name", "conflicting_values"),
    ]


def test_the_example_of_docs_roster_md_reads_as_it_says() -> None:
    document = (Path(__file__).resolve().parents[2] / "docs" / "roster.md").read_text()
    example = document.split("```csv\n", 1)[1].split("```", 1)[0]

    roster = read_upload(example.encode(), "students.csv")

    assert roster.problems == []
    roles = [u.role for u in roster.users.values()]
    assert (roles.count(Role.STUDENT), roles.count(Role.TEACHER)) == (2, 3)
    assert roster.users["student:1002"].login == "1002"
    assert sorted(roster.sections) == [
        "section:ALG1-03|Room 204",
        "section:CHEM-01|Lab 2",
        "section:Homeroom 12|Room 112",
    ]
    assert roster.sections["section:CHEM-01|Lab 2"].meetings == (
        Meeting("3", "A"),
        Meeting("4", "B"),
    )
    assert len(roster.enrollments) == 7
