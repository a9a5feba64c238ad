"""The flat CSV (docs/roster.md "The flat CSV"): one row per student per section meeting.

Ids are derived so a re-import finds the same records: a student is `student:<number>`, a
teacher `teacher:<e-mail, lower case>`, a section `section:<section>` or, with a room,
`section:<section>|<room>`: one section name met in two rooms is two sections, each with its
room (a lab on some periods, a classroom on others), since a section has one room. The file
names no school: records belong to the school imported into (`school_id` is "").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from server.enums import EnrollmentRole, Role
from server.roster import values
from server.roster.files import decode
from server.roster.problems import ProblemCode, Problems
from server.roster.records import EnrollmentRecord, Roster, SectionRecord, UserRecord, Where
from server.roster.table import Cells, read_table
from server.rules.timetable import Meeting

COLUMNS = (
    "student_number",
    "first_name",
    "last_name",
    "grade",
    "email",
    "section",
    "period",
    "room",
    "teacher_email",
)
OPTIONAL_COLUMNS = ("day_type", "teacher_first_name", "teacher_last_name", "homeroom")
# The school a flat file's records belong to: the one it is imported into.
THIS_SCHOOL = ""

NAME_LENGTH = 100
NUMBER_LENGTH = 32
TITLE_LENGTH = 200
ROOM_LENGTH = 120
EMAIL_LENGTH = 254


@dataclass(slots=True)
class _Person:
    line: int
    fields: dict[str, str]  # what must agree on every line naming them


@dataclass(slots=True)
class _Section:
    line: int
    title: str
    room: str | None
    homeroom: bool = False
    meetings: dict[Meeting, None] = field(default_factory=dict)


def section_id(section: str, room: str) -> str:
    """Return the derived sourcedId of a section name in a room."""
    return f"section:{section}|{room}" if room else f"section:{section}"


def teacher_names(email: str) -> tuple[str, str]:
    """Return a teacher's first and last name read off their address (maria.lee@ -> Maria Lee)."""
    local = email.split("@", 1)[0].replace("_", ".").replace("-", ".")
    parts = [part for part in local.split(".") if part]
    if not parts:
        return (email, "")
    return (parts[0].title(), " ".join(parts[1:]).title())


class _Reader:
    def __init__(self, file: str, problems: Problems) -> None:
        self.file = file
        self.problems = problems
        self.roster = Roster(format="csv")
        self.students: dict[str, _Person] = {}
        self.teachers: dict[str, _Person] = {}
        self.sections: dict[str, _Section] = {}
        self.enrolled: dict[tuple[str, str], int] = {}

    def agree(
        self, cells: Cells, who: str, people: dict[str, _Person], key: str, **given: str
    ) -> bool:
        """Record a person's values, or report each that differs from their first line.

        Returns whether they were new.
        """
        seen = people.get(key)
        if seen is None:
            people[key] = _Person(cells.line, given)
            return True
        for column, value in given.items():
            before = seen.fields.get(column, "")
            if not before and value:
                seen.fields[column] = value
            elif value and before != value:
                cells.report(
                    column,
                    ProblemCode.CONFLICTING_VALUES,
                    f"{who} has {column} {before!r} on line {seen.line} and {value!r} on line "
                    f"{cells.line}.",
                )
        return False

    def read(self, text: str) -> Roster:
        table = read_table(self.file, text, COLUMNS, self.problems)
        if table is None:
            return self.roster
        for line, row in table.rows:
            self.row(Cells(table, line, row, self.problems))
        self.build()
        return self.roster

    def row(self, cells: Cells) -> None:
        number = cells.text("student_number", required=True, max_length=NUMBER_LENGTH)
        first_name = cells.text("first_name", required=True, max_length=NAME_LENGTH)
        last_name = cells.text("last_name", required=True, max_length=NAME_LENGTH)
        grade = cells.text("grade")
        if grade:
            try:
                values.grade(grade)
            except ValueError:
                cells.report(
                    "grade",
                    ProblemCode.BAD_GRADE,
                    f"grade is {grade!r}; write K (or KG), 1 to 12, or PK.",
                )
                grade = ""  # reported: not compared with their other lines
        email = self.email(cells, "email")
        homeroom = cells.flag("homeroom")
        section = cells.text("section", required=True, max_length=TITLE_LENGTH)
        period = cells.text("period", required=not homeroom)
        room = cells.text("room", max_length=ROOM_LENGTH)
        day_type = cells.text("day_type")
        teacher = self.email(cells, "teacher_email").lower()
        teacher_first = cells.text("teacher_first_name", max_length=NAME_LENGTH)
        teacher_last = cells.text("teacher_last_name", max_length=NAME_LENGTH)
        if number:
            self.agree(
                cells,
                f"Student {number}",
                self.students,
                number,
                first_name=first_name,
                last_name=last_name,
                grade=grade,
                email=email,
            )
        if teacher:
            self.agree(
                cells,
                f"Teacher {teacher}",
                self.teachers,
                teacher,
                teacher_first_name=teacher_first,
                teacher_last_name=teacher_last,
            )
        if not section:
            return
        key = section_id(section, room)
        found = self.sections.setdefault(key, _Section(cells.line, section, room or None))
        found.homeroom = found.homeroom or homeroom
        if period:
            found.meetings[Meeting(period, day_type or None)] = None
        if number:
            self.enrolled.setdefault((key, f"student:{number}"), cells.line)
        if teacher:
            self.enrolled.setdefault((key, f"teacher:{teacher}"), cells.line)

    def email(self, cells: Cells, column: str) -> str:
        value = cells.text(column, max_length=EMAIL_LENGTH)
        if value and not values.is_email(value):
            cells.report(
                column, ProblemCode.BAD_EMAIL, f"{column} {value!r} is not an e-mail address."
            )
            return ""
        return value

    def build(self) -> None:
        users = self.roster.users
        for number, student in self.students.items():
            given = student.fields
            source_id = f"student:{number}"
            grade = given["grade"]
            users[source_id] = UserRecord(
                source_id=source_id,
                role=Role.STUDENT,
                school_ids=(),
                first_name=given["first_name"],
                last_name=given["last_name"],
                login=given["email"] or number,
                email=given["email"] or None,
                student_number=number,
                grade=_grade(grade),
                enabled=True,
                where=Where(self.file, student.line),
            )
        for email, teacher in self.teachers.items():
            source_id = f"teacher:{email}"
            derived = teacher_names(email)
            users[source_id] = UserRecord(
                source_id=source_id,
                role=Role.TEACHER,
                school_ids=(),
                first_name=teacher.fields["teacher_first_name"] or derived[0],
                last_name=teacher.fields["teacher_last_name"] or derived[1],
                login=email,
                email=email,
                student_number=None,
                grade=None,
                enabled=True,
                where=Where(self.file, teacher.line),
            )
        for key, section in self.sections.items():
            self.roster.sections[key] = SectionRecord(
                source_id=key,
                school_id=THIS_SCHOOL,
                title=section.title,
                code=section.title,
                room=section.room,
                meetings=tuple(section.meetings),
                homeroom=section.homeroom,
                starts_on=None,
                ends_on=None,
                where=Where(self.file, section.line),
            )
        for (key, user_id), line in self.enrolled.items():
            source_id = f"enrollment:{key}:{user_id}"
            is_student = user_id.startswith("student:")
            self.roster.enrollments[source_id] = EnrollmentRecord(
                source_id=source_id,
                section_id=key,
                user_id=user_id,
                school_id=THIS_SCHOOL,
                role=EnrollmentRole.STUDENT if is_student else EnrollmentRole.TEACHER,
                # Every teacher a row names teaches the section: each is a teacher of record.
                primary=not is_student,
                begins_on=None,
                ends_on=None,
                where=Where(self.file, line),
            )


def _grade(code: str) -> int | None:
    try:
        return values.grade(code) if code else None
    except ValueError:
        return None  # reported on its line


def read_flat(file: str, data: bytes, problems: Problems) -> Roster:
    """Read and check a flat CSV file; its problems go to `problems`."""
    text = decode(file, data, problems)
    if text is None:
        return Roster(format="csv")
    return _Reader(file, problems).read(text)
