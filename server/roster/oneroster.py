"""OneRoster 1.0, 1.1 and 1.2 CSV file sets (bulk or delta) read into a `Roster`, checked.

Read: manifest, orgs, academicSessions, courses, classes, users, roles (1.2) and enrollments;
the other files (demographics, lineItems, results, categories, resources...) are ignored.
Files are read in that order so each file's references point at files already read. A file
sent as `delta` may refer to records it does not hold (the database has them): references into
a delta file, or into a file that could not be read, are not checked here.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date

from server.enums import EnrollmentRole, Role
from server.roster import values
from server.roster.files import BOM, Files, decode
from server.roster.problems import ProblemCode, Problems
from server.roster.records import (
    EnrollmentRecord,
    Roster,
    SchoolRecord,
    SectionRecord,
    UserRecord,
    Where,
)
from server.roster.table import Cells, Table, read_table
from server.rules.timetable import Meeting


class _Extensible(frozenset[str]):
    """An enumeration OneRoster lets a vendor extend with `ext:` values."""

    def __contains__(self, value: object) -> bool:
        return super().__contains__(value) or (isinstance(value, str) and value.startswith("ext:"))


MANIFEST = "manifest.csv"
ORGS = "orgs.csv"
SESSIONS = "academicSessions.csv"
COURSES = "courses.csv"
CLASSES = "classes.csv"
USERS = "users.csv"
ROLES = "roles.csv"
ENROLLMENTS = "enrollments.csv"
# The reading order (each file refers only to files before it).
FILES = (MANIFEST, ORGS, SESSIONS, COURSES, CLASSES, USERS, ROLES, ENROLLMENTS)
REQUIRED_FILES = (MANIFEST, ORGS, SESSIONS, COURSES, CLASSES, USERS, ENROLLMENTS)
VERSIONS = frozenset({"1.0", "1.1", "1.2"})
MODES = frozenset({"bulk", "delta", "absent"})
# What a delta file changes, by the Roster's kinds.
KINDS = {ORGS: "schools", USERS: "users", ROLES: "users", CLASSES: "sections"}
KINDS[ENROLLMENTS] = "enrollments"

STATUSES = frozenset({"active", "tobedeleted"})
ORG_TYPES = _Extensible({"department", "school", "district", "local", "state", "national"})
SESSION_TYPES = _Extensible({"gradingPeriod", "semester", "schoolYear", "term"})
CLASS_TYPES = frozenset({"homeroom", "scheduled"})
ROLE_TYPES = frozenset({"primary", "secondary"})

# A user's role, as OneRoster names it, -> theirs here; None: valid, but not someone who signs
# in here (guardians and relatives), so they are left out. Aides and proctors are classroom
# staff: they act for the class like its teacher.
USER_ROLES: dict[str, Role | None] = {
    "student": Role.STUDENT,
    "teacher": Role.TEACHER,
    "aide": Role.TEACHER,
    "proctor": Role.TEACHER,
    "administrator": Role.ADMIN,
    "guardian": None,
    "parent": None,
    "relative": None,
}
# OneRoster 1.2 (roles.csv) names administrators by level, and has counselors.
USER_ROLES_12: dict[str, Role | None] = {
    **USER_ROLES,
    "counselor": Role.COUNSELOR,
    "principal": Role.ADMIN,
    "siteAdministrator": Role.ADMIN,
    "districtAdministrator": Role.ADMIN,
    "systemAdministrator": Role.ADMIN,
}
# A place in a class: administrators' enrollments are left out (they see the whole school).
ENROLLMENT_ROLES: dict[str, EnrollmentRole | None] = {
    "student": EnrollmentRole.STUDENT,
    "teacher": EnrollmentRole.TEACHER,
    "aide": EnrollmentRole.TEACHER,
    "proctor": EnrollmentRole.TEACHER,
    "administrator": None,
}
ENROLLMENT_ROLE_NAMES = _Extensible(ENROLLMENT_ROLES)

# The lengths the database holds (server/models).
ID_LENGTH = 255
NAME_LENGTH = 100
SCHOOL_NAME_LENGTH = 200
LOGIN_LENGTH = 120
EMAIL_LENGTH = 254
NUMBER_LENGTH = 32
TITLE_LENGTH = 200
CODE_LENGTH = 100
ROOM_LENGTH = 120


@dataclass(slots=True)
class _Index:
    """The sourcedIds of one file, each with its line and whether it is `tobedeleted`."""

    file: str
    # False: a delta file, or one that could not be read; an id it lacks may still exist.
    complete: bool = True
    ids: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class _User:
    """A users.csv row, waiting for its role (1.2 gives it in roles.csv)."""

    cells: Cells
    source_id: str
    deleted: bool
    role: str  # the OneRoster role ("" until known)
    orgs: list[str]
    roles: list[tuple[bool, str, str]] = field(default_factory=list)  # (primary, role, org)


class _Reader:
    def __init__(self, files: Files, problems: Problems) -> None:
        self.files = files
        self.problems = problems
        self.roster = Roster(format="oneroster")
        self.version = "1.1"
        self.modes: dict[str, str] = {}
        self.indexes: dict[str, _Index] = {}
        self.org_types: dict[str, str] = {}
        self.terms: dict[str, tuple[date | None, date | None]] = {}
        # 1.2 moved users' roles and orgs to roles.csv.
        self.roles_file = False

    # Files and tables

    def table(self, name: str, required: tuple[str, ...]) -> Table | None:
        found = self.files.get(name.lower())
        if found is None:
            return None
        text = decode(found[0], found[1], self.problems)
        if text is None:
            return None
        return read_table(found[0], text, required, self.problems)

    def header(self, name: str) -> tuple[str, ...]:
        """Return a file's column names, read ahead of the file (empty when it can't be)."""
        found = self.files.get(name.lower())
        if found is None:
            return ()
        first = found[1].removeprefix(BOM).split(b"\n", 1)[0].decode("utf-8", "replace")
        return tuple(name.strip() for name in next(csv.reader([first]), []))

    def missing(self, name: str) -> None:
        self.problems.add(
            name, None, None, ProblemCode.MISSING_FILE, f"The roster has no {name}; it needs one."
        )

    def delta(self, name: str) -> bool:
        return self.modes.get(name) == "delta"

    def rows(self, name: str, table: Table | None) -> list[tuple[Cells, str, bool]]:
        """Each row with its sourcedId (checked: present, unique) and whether it is deleted."""
        index = _Index(name, complete=table is not None and not self.delta(name))
        self.indexes[name] = index
        if table is None:
            return []
        if "sourcedId" in table.missing:
            index.complete = False
        found: list[tuple[Cells, str, bool]] = []
        for line, row in table.rows:
            cells = Cells(table, line, row, self.problems)
            source_id = cells.text("sourcedId", required=True, max_length=ID_LENGTH)
            status = cells.enum("status", STATUSES)
            if not source_id:
                continue
            first = index.ids.get(source_id)
            if first is not None:
                cells.report(
                    "sourcedId",
                    ProblemCode.DUPLICATE_ID,
                    f"sourcedId {source_id!r} is on line {first} and again on line {line}.",
                )
                continue
            index.ids[source_id] = line
            found.append((cells, source_id, status == "tobedeleted"))
        return found

    def refer(self, cells: Cells, column: str, target: str, source_id: str) -> bool:
        """Check that an id names a row of the target file; say whether it does (or may)."""
        index = self.indexes.get(target)
        if not source_id or index is None or source_id in index.ids:
            return True
        if index.complete:
            cells.report(
                column,
                ProblemCode.UNKNOWN_REFERENCE,
                f"{column} {source_id!r} is not a sourcedId in {target}.",
            )
            return False
        return True

    def school(self, cells: Cells, column: str, source_id: str) -> None:
        """Check that an id names an org of type school."""
        if not self.refer(cells, column, ORGS, source_id):
            return
        kind = self.org_types.get(source_id)
        if kind is not None and kind != "school":
            cells.report(
                column,
                ProblemCode.NOT_A_SCHOOL,
                f"{column} {source_id!r} is an org of type {kind!r}, not a school.",
            )

    # The files, in order

    def read(self) -> Roster:
        for name in REQUIRED_FILES:
            if name.lower() not in self.files:
                self.missing(name)
        self.manifest()
        self.orgs()
        self.sessions()
        self.courses()
        self.classes()
        users = self.users()
        self.roles(users)
        self.people(users)
        self.enrollments()
        self.roster.delta = frozenset(
            KINDS[name] for name, mode in self.modes.items() if mode == "delta" and name in KINDS
        )
        return self.roster

    def manifest(self) -> None:
        table = self.table(MANIFEST, ("propertyName", "value"))
        if table is None:
            self.guess_version()
            return
        versioned = False
        for line, row in table.rows:
            cells = Cells(table, line, row, self.problems)
            name = cells.text("propertyName")
            value = cells.text("value")
            if name == "oneroster.version":
                versioned = True
                if value in VERSIONS:
                    self.version = value
                else:
                    cells.report(
                        "value",
                        ProblemCode.BAD_MANIFEST,
                        f"oneroster.version is {value!r}; this server reads 1.0, 1.1 and 1.2.",
                    )
            elif name.startswith("file."):
                if value in MODES:
                    self.modes[name.removeprefix("file.") + ".csv"] = value
                else:
                    cells.report(
                        "value",
                        ProblemCode.BAD_ENUM,
                        f"{name} is {value!r}; it must be one of: absent, bulk, delta.",
                    )
        if not versioned:
            self.guess_version()

    def guess_version(self) -> None:
        # Without a version, the users header tells 1.1 from 1.2 (`role` went to roles.csv).
        if "role" not in self.header(USERS) and ROLES.lower() in self.files:
            self.version = "1.2"

    def orgs(self) -> None:
        table = self.table(ORGS, ("sourcedId", "name", "type"))
        for cells, source_id, deleted in self.rows(ORGS, table):
            name = cells.text("name", required=True, max_length=SCHOOL_NAME_LENGTH)
            kind = cells.enum("type", ORG_TYPES, required=True)
            if kind:  # else unknown: what refers to it is not judged by a type it lacks
                self.org_types[source_id] = kind
            if kind == "school":
                self.roster.schools[source_id] = SchoolRecord(
                    source_id, name, Where(cells.file, cells.line), deleted
                )
            elif kind == "district":
                self.roster.districts[source_id] = SchoolRecord(
                    source_id, name, Where(cells.file, cells.line), deleted
                )

    def sessions(self) -> None:
        table = self.table(SESSIONS, ("sourcedId", "title", "type", "startDate", "endDate"))
        for cells, source_id, _deleted in self.rows(SESSIONS, table):
            cells.text("title", required=True)
            cells.enum("type", SESSION_TYPES, required=True)
            starts = cells.date("startDate", required=True)
            ends = cells.date("endDate", required=True)
            cells.dates_in_order(starts, ends, "startDate", "endDate")
            self.terms[source_id] = (starts, ends)

    def courses(self) -> None:
        table = self.table(COURSES, ("sourcedId", "title", "orgSourcedId"))
        for cells, _source_id, _deleted in self.rows(COURSES, table):
            cells.text("title", required=True)

    def classes(self) -> None:
        required = (
            "sourcedId",
            "title",
            "courseSourcedId",
            "classType",
            "schoolSourcedId",
            "termSourcedIds",
        )
        table = self.table(CLASSES, required)
        for cells, source_id, deleted in self.rows(CLASSES, table):
            title = cells.text("title", required=True, max_length=TITLE_LENGTH)
            kind = cells.enum("classType", CLASS_TYPES, required=True)
            school_id = cells.text("schoolSourcedId", required=True)
            course_id = cells.text("courseSourcedId", required=True)
            term_ids = values.split_list(cells.text("termSourcedIds", required=True))
            code = cells.text("classCode", max_length=CODE_LENGTH)
            room = cells.text("location", max_length=ROOM_LENGTH)
            periods = values.split_list(cells.text("periods"))
            if not deleted:
                self.school(cells, "schoolSourcedId", school_id)
                self.refer(cells, "courseSourcedId", COURSES, course_id)
                for term_id in term_ids:
                    self.refer(cells, "termSourcedIds", SESSIONS, term_id)
            starts = [s for s, _ in (self.terms.get(t, (None, None)) for t in term_ids) if s]
            ends = [e for _, e in (self.terms.get(t, (None, None)) for t in term_ids) if e]
            self.roster.sections[source_id] = SectionRecord(
                source_id=source_id,
                school_id=school_id,
                title=title,
                code=code,
                room=room or None,
                meetings=tuple(Meeting(period) for period in dict.fromkeys(periods)),
                homeroom=kind == "homeroom",
                starts_on=min(starts, default=None),
                ends_on=max(ends, default=None),
                where=Where(cells.file, cells.line),
                deleted=deleted,
            )

    def users(self) -> dict[str, _User]:
        # An 1.2 export that kept roles and orgs in users.csv (and has no roles.csv) is read as
        # 1.1 is.
        self.roles_file = self.version == "1.2" and (
            ROLES.lower() in self.files or "role" not in self.header(USERS)
        )
        required = ["sourcedId", "enabledUser", "username", "givenName", "familyName"]
        if not self.roles_file:
            required[2:2] = ["orgSourcedIds", "role"]
        table = self.table(USERS, tuple(required))
        known = USER_ROLES_12 if self.version == "1.2" else USER_ROLES
        users: dict[str, _User] = {}
        for cells, source_id, deleted in self.rows(USERS, table):
            role = ""
            orgs: list[str] = []
            if not self.roles_file:
                role = cells.enum("role", known, required=True)
                orgs = values.split_list(cells.text("orgSourcedIds", required=True))
                if not deleted:
                    for org in orgs:
                        self.refer(cells, "orgSourcedIds", ORGS, org)
            users[source_id] = _User(cells, source_id, deleted, role, orgs)
        return users

    def roles(self, users: dict[str, _User]) -> None:
        if not self.roles_file:
            return
        required = ("sourcedId", "userSourcedId", "roleType", "role", "orgSourcedId")
        table = self.table(ROLES, required)
        if table is None and ROLES.lower() not in self.files:
            self.missing(ROLES)
        for cells, _source_id, deleted in self.rows(ROLES, table):
            user_id = cells.text("userSourcedId", required=True)
            kind = cells.enum("roleType", ROLE_TYPES, required=True)
            role = cells.enum("role", USER_ROLES_12, required=True)
            org = cells.text("orgSourcedId", required=True)
            if deleted:
                continue
            self.refer(cells, "userSourcedId", USERS, user_id)
            self.refer(cells, "orgSourcedId", ORGS, org)
            user = users.get(user_id)
            if user is not None and role:
                user.roles.append((kind == "primary", role, org))
        roles_index = self.indexes[ROLES]
        for user in users.values():
            if user.roles:
                # The primary role names what they are; every role names a school of theirs.
                user.roles.sort(key=lambda r: not r[0])
                user.role = user.roles[0][1]
                user.orgs = list(dict.fromkeys(org for _, _, org in user.roles))
            elif not user.deleted and roles_index.complete:
                user.cells.report(
                    None,
                    ProblemCode.MISSING_VALUE,
                    f"User {user.source_id!r} has no role in roles.csv.",
                )

    def people(self, users: dict[str, _User]) -> None:
        known = USER_ROLES_12 if self.version == "1.2" else USER_ROLES
        for user in users.values():
            cells = user.cells
            first_name = cells.text("givenName", required=True, max_length=NAME_LENGTH)
            last_name = cells.text("familyName", required=True, max_length=NAME_LENGTH)
            enabled = cells.flag("enabledUser", required=True, default=True)
            username = cells.text("username", max_length=LOGIN_LENGTH)
            email = cells.text("email", max_length=EMAIL_LENGTH)
            if email and not values.is_email(email):
                cells.report(
                    "email", ProblemCode.BAD_EMAIL, f"email {email!r} is not an e-mail address."
                )
            identifier = cells.text("identifier")
            grade = self.grade(cells)
            role = known.get(user.role) if user.role else None
            if role is None:
                continue
            login = username or email or identifier
            if not login:
                cells.report(
                    "username",
                    ProblemCode.MISSING_VALUE,
                    "username is empty, and there is no email or identifier to sign in with.",
                )
            number: str | None = None
            if role is Role.STUDENT:
                if len(identifier) > NUMBER_LENGTH:
                    cells.report(
                        "identifier",
                        ProblemCode.TOO_LONG,
                        f"The student number {identifier!r} is {len(identifier)} characters "
                        f"long; at most {NUMBER_LENGTH} fit.",
                    )
                # Without an identifier, a short username is the number a kiosk is typed.
                fallback = username if len(username) <= NUMBER_LENGTH else ""
                number = identifier or fallback or None
            schools = tuple(o for o in user.orgs if self.org_types.get(o, "school") == "school")
            self.roster.users[user.source_id] = UserRecord(
                source_id=user.source_id,
                role=role,
                school_ids=schools,
                first_name=first_name,
                last_name=last_name,
                login=login,
                email=email or None,
                student_number=number,
                grade=grade if role is Role.STUDENT else None,
                enabled=enabled,
                where=Where(cells.file, cells.line),
                deleted=user.deleted,
            )

    def grade(self, cells: Cells) -> int | None:
        """Return the number of a user's first grade (every one of them checked)."""
        first: int | None = None
        for index, code in enumerate(values.split_list(cells.text("grades"))):
            try:
                number = values.grade(code)
            except ValueError:
                cells.report(
                    "grades",
                    ProblemCode.BAD_GRADE,
                    f"grades holds {code!r}, which is not a grade code (KG, 01-13, PK, ...).",
                )
                continue
            if index == 0:
                first = number
        return first

    def enrollments(self) -> None:
        required = ("sourcedId", "classSourcedId", "schoolSourcedId", "userSourcedId", "role")
        table = self.table(ENROLLMENTS, required)
        for cells, source_id, deleted in self.rows(ENROLLMENTS, table):
            section_id = cells.text("classSourcedId", required=True)
            school_id = cells.text("schoolSourcedId", required=True)
            user_id = cells.text("userSourcedId", required=True)
            given_role = cells.enum("role", ENROLLMENT_ROLE_NAMES, required=True)
            primary = cells.flag("primary")
            begins = cells.date("beginDate")
            ends = cells.date("endDate")
            cells.dates_in_order(begins, ends, "beginDate", "endDate")
            if not deleted:
                self.refer(cells, "classSourcedId", CLASSES, section_id)
                self.refer(cells, "userSourcedId", USERS, user_id)
                self.school(cells, "schoolSourcedId", school_id)
            role = ENROLLMENT_ROLES.get(given_role)
            if role is None or (
                user_id in self.indexes[USERS].ids and user_id not in self.roster.users
            ):
                continue  # an administrator's, or a guardian's: not a place in the class
            self.roster.enrollments[source_id] = EnrollmentRecord(
                source_id=source_id,
                section_id=section_id,
                user_id=user_id,
                school_id=school_id,
                role=role,
                primary=primary,
                begins_on=begins,
                ends_on=ends,
                where=Where(cells.file, cells.line),
                deleted=deleted,
            )


def read_oneroster(files: Files, problems: Problems) -> Roster:
    """Read and check a OneRoster file set; its problems go to `problems`."""
    return _Reader(files, problems).read()
