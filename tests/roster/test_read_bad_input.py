"""Bad roster input: every problem is named by file, line, column and code, and all are found."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from server.contract.roster import MAX_LISTED_ERRORS
from server.roster import files as roster_files
from server.roster.read import read_path, read_upload
from server.roster.records import Roster
from tests.roster import samples

# A problem without its message: (file, line, column, code).
Found = tuple[str, int | None, str | None, str]


def found(roster: Roster) -> list[Found]:
    """Return the problems of a roster, without their messages."""
    return [(p.file, p.line, p.column, p.code) for p in roster.problems]


def problems(
    files: samples.Files,
    *,
    windows_1252: tuple[str, ...] = (),
    extra: dict[str, bytes] | None = None,
) -> list[Found]:
    """Return the problems of a file set uploaded as a zip."""
    data = samples.zip_bytes(files, windows_1252=windows_1252, extra=extra)
    return found(read_upload(data, "roster.zip"))


def line_of(files: samples.Files, name: str, row: dict[str, str]) -> int:
    return files[name].line_of(row)


# The file set and its files


@pytest.mark.parametrize(
    "name",
    [
        "manifest.csv",
        "orgs.csv",
        "users.csv",
        "classes.csv",
        "courses.csv",
        "enrollments.csv",
        "academicSessions.csv",
    ],
)
def test_a_missing_required_file_is_named(name: str) -> None:
    files = samples.oneroster("1.1")
    del files[name]

    assert (name, None, None, "missing_file") in problems(files)


def test_oneroster_12_needs_roles_csv() -> None:
    files = samples.oneroster("1.2")
    del files["roles.csv"]

    assert problems(files) == [("roles.csv", None, None, "missing_file")]


def test_an_oneroster_12_user_without_a_role_is_named() -> None:
    files = samples.oneroster("1.2")
    teacher = files["roles.csv"].find(role="teacher")
    files["roles.csv"].rows.remove(teacher)
    user = files["users.csv"].find(sourcedId=teacher["userSourcedId"])

    assert problems(files) == [
        ("users.csv", line_of(files, "users.csv", user), None, "missing_value")
    ]


def test_ignored_files_may_be_missing_or_broken() -> None:
    files = samples.oneroster("1.1")
    del files["demographics.csv"]

    assert problems(files, extra={"results.csv": b"\xff\xfe garbage"}) == []


def test_an_empty_file_is_named() -> None:
    files = samples.oneroster("1.1")
    del files["courses.csv"]

    assert problems(files, extra={"courses.csv": b""}) == [
        ("courses.csv", None, None, "empty_file")
    ]


def test_an_empty_upload_is_an_empty_file() -> None:
    assert found(read_upload(b"", "students.csv")) == [("students.csv", None, None, "empty_file")]


def test_a_header_only_file_is_fine() -> None:
    files = samples.oneroster("1.1")
    files["enrollments.csv"].rows.clear()

    assert problems(files) == []


def test_a_file_not_in_utf8_names_the_line_of_its_first_bad_byte() -> None:
    files = samples.oneroster("1.1")
    first_accent = next(
        r for r in files["users.csv"].rows if not (r["givenName"] + r["familyName"]).isascii()
    )

    assert problems(files, windows_1252=("users.csv",)) == [
        ("users.csv", line_of(files, "users.csv", first_accent), None, "not_utf8")
    ]


def test_a_path_leaving_the_zip_refuses_the_whole_zip() -> None:
    files = samples.oneroster("1.1")

    assert problems(files, extra={"../../etc/cron.d/users.csv": b"x"}) == [
        ("../../etc/cron.d/users.csv", None, None, "unsafe_path")
    ]


def test_an_absolute_path_in_the_zip_is_refused() -> None:
    files = samples.oneroster("1.1")

    assert problems(files, extra={"/tmp/users.csv": b"x"}) == [
        ("/tmp/users.csv", None, None, "unsafe_path")
    ]


def test_a_zip_unpacking_past_the_limit_is_not_read(monkeypatch: pytest.MonkeyPatch) -> None:
    # The real limit is 500 MB; a small one keeps the zip small.
    monkeypatch.setattr(roster_files, "MAX_UNCOMPRESSED", 10_000)
    files = samples.oneroster("1.1")

    assert problems(files) == [("roster.zip", None, None, "too_large")]


def test_bytes_that_are_not_a_zip_under_a_zip_name() -> None:
    roster = read_upload(b"this is not a zip", "roster.zip")

    assert found(roster) == [("roster.zip", None, None, "bad_zip")]


def test_a_broken_zip_is_named() -> None:
    data = samples.zip_bytes(samples.oneroster("1.1"))

    roster = read_upload(data[: len(data) // 2], "roster.zip")

    assert found(roster) == [("roster.zip", None, None, "bad_zip")]


def test_a_path_that_does_not_exist(tmp_path: Path) -> None:
    roster = read_path(tmp_path / "nowhere.zip")

    assert found(roster) == [("nowhere.zip", None, None, "missing_file")]


# The manifest


def test_an_unknown_oneroster_version() -> None:
    files = samples.oneroster("1.1")
    row = files["manifest.csv"].find(propertyName="oneroster.version")
    row["value"] = "2.0"

    assert problems(files) == [
        ("manifest.csv", line_of(files, "manifest.csv", row), "value", "bad_manifest")
    ]


def test_a_file_mode_that_is_not_bulk_delta_or_absent() -> None:
    files = samples.oneroster("1.1")
    row = files["manifest.csv"].find(propertyName="file.users")
    row["value"] = "full"

    assert problems(files) == [
        ("manifest.csv", line_of(files, "manifest.csv", row), "value", "bad_enum")
    ]


# Headers and rows


def test_a_missing_column_is_named_once_on_the_header() -> None:
    files = samples.oneroster("1.1")
    files["users.csv"].drop("givenName")

    assert problems(files) == [("users.csv", 1, "givenName", "missing_column")]


def test_each_missing_column_is_named() -> None:
    files = samples.oneroster("1.1")
    files["enrollments.csv"].drop("role")
    files["enrollments.csv"].drop("classSourcedId")

    assert problems(files) == [
        ("enrollments.csv", 1, "classSourcedId", "missing_column"),
        ("enrollments.csv", 1, "role", "missing_column"),
    ]


def test_a_column_twice_in_the_header() -> None:
    files = samples.oneroster("1.1")
    files["orgs.csv"].header.append("name")

    assert problems(files) == [("orgs.csv", 1, "name", "duplicate_column")]


def test_a_row_with_too_many_values() -> None:
    files = samples.oneroster("1.1")
    data = samples.csv_bytes(files["courses.csv"]).replace(b"\n", b",extra\n", 2)
    data = data.replace(b",extra\n", b"\n", 1)  # the header keeps its width; line 2 has more
    del files["courses.csv"]

    assert problems(files, extra={"courses.csv": data}) == [
        ("courses.csv", 2, None, "wrong_field_count")
    ]


def test_a_quote_never_closed_stops_the_file_where_it_cannot_be_read() -> None:
    files = samples.oneroster("1.1")
    files["courses.csv"].rows[2]["title"] = 'Biology "Honors'
    data = samples.csv_bytes(files["courses.csv"]).replace(b'""Honors"', b'"Honors')
    del files["courses.csv"]

    assert ("courses.csv", 4, None, "bad_csv") in problems(files, extra={"courses.csv": data})


# Values


@pytest.mark.parametrize(
    ("name", "column", "value"),
    [
        ("users.csv", "role", "wizard"),
        ("users.csv", "enabledUser", "yes"),
        ("users.csv", "status", "deleted"),
        ("classes.csv", "classType", "lecture"),
        ("orgs.csv", "type", "campus"),
        ("academicSessions.csv", "type", "trimester"),
        ("enrollments.csv", "role", "guardian"),
        ("enrollments.csv", "primary", "Y"),
    ],
)
def test_a_value_outside_its_enumeration(name: str, column: str, value: str) -> None:
    files = samples.oneroster("1.1")
    row = files[name].rows[-1]
    row[column] = value

    assert problems(files) == [(name, line_of(files, name, row), column, "bad_enum")]


@pytest.mark.parametrize(
    ("name", "column"),
    [
        ("users.csv", "givenName"),
        ("users.csv", "orgSourcedIds"),
        ("classes.csv", "title"),
        ("classes.csv", "schoolSourcedId"),
        ("enrollments.csv", "userSourcedId"),
        ("academicSessions.csv", "startDate"),
        ("orgs.csv", "name"),
    ],
)
def test_a_required_value_left_empty(name: str, column: str) -> None:
    files = samples.oneroster("1.1")
    row = files[name].rows[-1]
    row[column] = ""

    assert problems(files) == [(name, line_of(files, name, row), column, "missing_value")]


def test_a_user_with_nothing_to_sign_in_with() -> None:
    files = samples.oneroster("1.1")
    row = samples.people(files, "teacher")[0]
    row.update(username="", email="", identifier="")

    assert problems(files) == [
        ("users.csv", line_of(files, "users.csv", row), "username", "missing_value")
    ]


@pytest.mark.parametrize(
    ("name", "column", "value"),
    [
        ("enrollments.csv", "beginDate", "08/18/2025"),
        ("enrollments.csv", "endDate", "2025-02-30"),
        ("academicSessions.csv", "startDate", "2025-8-18"),
        ("academicSessions.csv", "endDate", "2026-05-29T00:00:00Z"),
    ],
)
def test_a_date_not_written_iso(name: str, column: str, value: str) -> None:
    files = samples.oneroster("1.1")
    row = files[name].rows[-1]
    row[column] = value

    assert problems(files) == [(name, line_of(files, name, row), column, "bad_date")]


def test_an_end_before_its_start() -> None:
    files = samples.oneroster("1.1")
    row = files["enrollments.csv"].rows[0]
    row["endDate"] = "2025-08-01"

    assert problems(files) == [("enrollments.csv", 2, "endDate", "dates_out_of_order")]


@pytest.mark.parametrize("grades", ["Grade 9", "13th", "09,X"])
def test_an_unknown_grade_code(grades: str) -> None:
    files = samples.oneroster("1.1")
    row = samples.people(files, "student")[3]
    row["grades"] = grades

    assert problems(files) == [
        ("users.csv", line_of(files, "users.csv", row), "grades", "bad_grade")
    ]


def test_an_email_that_is_not_one() -> None:
    files = samples.oneroster("1.1")
    row = samples.people(files, "teacher")[2]
    row["email"] = "Maria Lee"

    assert problems(files) == [
        ("users.csv", line_of(files, "users.csv", row), "email", "bad_email")
    ]


def test_a_value_too_long_to_keep() -> None:
    files = samples.oneroster("1.1")
    row = files["classes.csv"].rows[4]
    row["location"] = "Room " + "9" * 200

    assert problems(files) == [
        ("classes.csv", line_of(files, "classes.csv", row), "location", "too_long")
    ]


# Between rows and files


def test_a_duplicate_sourced_id_names_both_lines() -> None:
    files = samples.oneroster("1.1")
    rows = files["users.csv"].rows
    first = rows[5]
    rows.append({**rows[9], "sourcedId": first["sourcedId"], "username": "another"})

    roster = read_upload(samples.zip_bytes(files), "roster.zip")

    assert found(roster) == [("users.csv", len(rows) + 1, "sourcedId", "duplicate_id")]
    assert f"line {line_of(files, 'users.csv', first)}" in roster.problems[0].message
    assert f"line {len(rows) + 1}" in roster.problems[0].message


def test_two_people_with_one_login() -> None:
    files = samples.oneroster("1.1")
    first, second = samples.people(files, "teacher")[:2]
    second["username"] = first["username"].upper()

    assert problems(files) == [
        ("users.csv", line_of(files, "users.csv", second), "username", "duplicate_id")
    ]


@pytest.mark.parametrize(
    ("name", "column", "target"),
    [
        ("enrollments.csv", "classSourcedId", "cls-gone"),
        ("enrollments.csv", "userSourcedId", "usr-gone"),
        ("enrollments.csv", "schoolSourcedId", "org-gone"),
        ("classes.csv", "courseSourcedId", "crs-gone"),
        ("classes.csv", "schoolSourcedId", "org-gone"),
        ("classes.csv", "termSourcedIds", "term-gone"),
        ("users.csv", "orgSourcedIds", "org-gone"),
    ],
)
def test_a_reference_to_nothing(name: str, column: str, target: str) -> None:
    files = samples.oneroster("1.1")
    row = files[name].rows[-1]
    row[column] = target

    assert problems(files) == [(name, line_of(files, name, row), column, "unknown_reference")]


def test_a_reference_into_a_list_names_the_missing_one() -> None:
    files = samples.oneroster("1.1")
    row = files["classes.csv"].rows[0]
    row["termSourcedIds"] = "term-fall,term-winter"

    roster = read_upload(samples.zip_bytes(files), "roster.zip")

    assert found(roster) == [("classes.csv", 2, "termSourcedIds", "unknown_reference")]
    assert "'term-winter'" in roster.problems[0].message


def test_oneroster_12_role_references() -> None:
    files = samples.oneroster("1.2")
    row = files["roles.csv"].add(
        sourcedId="rol-x", userSourcedId="usr-gone", roleType="primary", role="student",
        orgSourcedId="org-lhs",
    )  # fmt: skip

    assert problems(files) == [
        ("roles.csv", line_of(files, "roles.csv", row), "userSourcedId", "unknown_reference")
    ]


def test_a_class_of_a_district_is_not_a_class_of_a_school() -> None:
    files = samples.oneroster("1.1")
    row = files["classes.csv"].rows[0]
    row["schoolSourcedId"] = samples.DISTRICT_ID

    assert problems(files) == [("classes.csv", 2, "schoolSourcedId", "not_a_school")]


def test_a_reference_to_a_row_to_be_deleted_is_fine() -> None:
    files = samples.oneroster("1.1")
    section = files["classes.csv"].rows[0]
    section["status"] = "tobedeleted"
    student = samples.people(files, "student")[0]
    student["status"] = "tobedeleted"

    assert problems(files) == []


def test_a_row_to_be_deleted_is_not_checked_for_references() -> None:
    files = samples.oneroster("1.1")
    row = files["enrollments.csv"].rows[0]
    row.update(status="tobedeleted", userSourcedId="usr-long-gone")

    assert problems(files) == []


# All of them


def test_every_problem_of_a_file_is_reported_in_line_order() -> None:
    files = samples.oneroster("1.1")
    users = files["users.csv"]
    students = samples.people(files, "student")
    students[0]["role"] = "pupil"
    students[1]["grades"] = "Year 3"
    students[2]["enabledUser"] = "maybe"
    students[3]["orgSourcedIds"] = "org-nowhere"
    students[4]["givenName"] = ""
    files["enrollments.csv"].rows[7]["beginDate"] = "yesterday"

    assert problems(files) == [
        ("users.csv", users.line_of(students[0]), "role", "bad_enum"),
        ("users.csv", users.line_of(students[1]), "grades", "bad_grade"),
        ("users.csv", users.line_of(students[2]), "enabledUser", "bad_enum"),
        ("users.csv", users.line_of(students[3]), "orgSourcedIds", "unknown_reference"),
        ("users.csv", users.line_of(students[4]), "givenName", "missing_value"),
        ("enrollments.csv", 9, "beginDate", "bad_date"),
    ]


def test_problems_past_the_listed_maximum_are_counted() -> None:
    files = samples.oneroster("1.1")
    rows = files["enrollments.csv"].rows
    assert len(rows) > MAX_LISTED_ERRORS // 2
    for row in rows:
        row["role"] = "learner"
        row["primary"] = "sometimes"

    roster = read_upload(samples.zip_bytes(files), "roster.zip")

    assert roster.problem_count == 2 * len(rows)
    assert len(roster.problems) == MAX_LISTED_ERRORS
    assert [p.line for p in roster.problems] == sorted(p.line or 0 for p in roster.problems)


def test_a_student_number_too_long_to_keep() -> None:
    files = samples.oneroster("1.1")
    row = samples.people(files, "student")[0]
    row["identifier"] = "9" * 33

    assert problems(files) == [
        ("users.csv", line_of(files, "users.csv", row), "identifier", "too_long")
    ]


def test_an_excel_workbook_is_not_a_oneroster_zip() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as workbook:
        workbook.writestr("[Content_Types].xml", "<Types/>")
        workbook.writestr("xl/workbook.xml", "<workbook/>")

    roster = read_upload(out.getvalue(), "students.xlsx")

    assert found(roster) == [("students.xlsx", None, None, "bad_zip")]
    assert "CSV UTF-8" in roster.problems[0].message


@pytest.mark.parametrize(
    ("bom", "crlf"), [(True, False), (False, True), (True, True)], ids=["bom", "crlf", "both"]
)
def test_lines_are_counted_alike_with_a_bom_and_crlf(bom: bool, crlf: bool) -> None:
    files = samples.oneroster("1.1", commas=True)
    row = files["users.csv"].rows[40]
    row["role"] = "wizard"

    roster = read_upload(samples.zip_bytes(files, bom=bom, crlf=crlf), "roster.zip")

    assert found(roster) == [("users.csv", 42, "role", "bad_enum")]


def test_a_quoted_comma_does_not_shift_columns() -> None:
    files = samples.oneroster("1.1")
    row = files["classes.csv"].rows[5]
    row.update(title="Art, Design & Media", periods="1,2", classType="seminar")

    assert problems(files) == [("classes.csv", 7, "classType", "bad_enum")]


def test_a_value_spanning_two_lines_moves_the_lines_after_it() -> None:
    files = samples.oneroster("1.1")
    files["courses.csv"].rows[0]["title"] = "Algebra I\nHonors"
    bad = files["courses.csv"].rows[3]
    bad["title"] = ""

    # The fourth row starts on line 6 (the first row took lines 2 and 3).
    assert problems(files) == [("courses.csv", 6, "title", "missing_value")]


def test_problems_of_a_folder_name_its_files(tmp_path: Path) -> None:
    files = samples.oneroster("1.2")
    del files["enrollments.csv"]
    files["roles.csv"].rows[0]["roleType"] = "main"

    roster = read_path(samples.write_folder(files, tmp_path / "export"))

    assert found(roster) == [
        ("roles.csv", 2, "roleType", "bad_enum"),
        ("enrollments.csv", None, None, "missing_file"),
    ]
