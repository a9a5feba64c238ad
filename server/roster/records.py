"""What a roster file says, once read and checked: plain records keyed by `sourcedId`.

Both readers (server/roster/oneroster.py, server/roster/flat.py) produce a `Roster`; the sync
(server/roster/sync.py) compares it with the database. Nothing here knows about files or rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from server.enums import EnrollmentRole, Role
from server.rules.timetable import Meeting


@dataclass(frozen=True, slots=True)
class Where:
    """Where a record came from, so a problem found later (the sync) names file and line."""

    file: str
    line: int


@dataclass(frozen=True, slots=True)
class SchoolRecord:
    """An org of type school."""

    source_id: str
    name: str
    where: Where
    deleted: bool = False


@dataclass(frozen=True, slots=True)
class UserRecord:
    """A person with a role the school's screens know (guardians and parents are left out)."""

    source_id: str
    role: Role
    school_ids: tuple[str, ...]
    first_name: str
    last_name: str
    login: str  # username, else email, else the student number
    email: str | None
    student_number: str | None  # OneRoster `identifier` (1.1) or the flat CSV's number
    grade: int | None
    enabled: bool
    where: Where
    deleted: bool = False  # status `tobedeleted`
    # False when the file gave no name (a flat CSV's teacher known by e-mail alone): the names
    # above are made up for a new account and never overwrite an existing one's.
    named: bool = True


@dataclass(frozen=True, slots=True)
class SectionRecord:
    """A class: its title, room (a name: rooms it names are created) and periods."""

    source_id: str
    school_id: str
    title: str
    code: str
    room: str | None
    meetings: tuple[Meeting, ...]
    homeroom: bool
    starts_on: date | None
    ends_on: date | None
    where: Where
    deleted: bool = False


@dataclass(frozen=True, slots=True)
class EnrollmentRecord:
    """A student in a section, or a teacher of it (`primary`: the teacher of record)."""

    source_id: str
    section_id: str
    user_id: str
    school_id: str
    role: EnrollmentRole
    primary: bool
    begins_on: date | None
    ends_on: date | None
    where: Where
    deleted: bool = False


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in the input: file, line (1 is the header; None: the whole file),
    column (None: the row), a code and a sentence a data manager can act on."""

    file: str
    line: int | None
    column: str | None
    code: str
    message: str


@dataclass(slots=True)
class Roster:
    """Everything a file set holds, or the problems that stop it from being imported."""

    format: str  # "oneroster" or "csv"
    schools: dict[str, SchoolRecord] = field(default_factory=dict)
    # Orgs of type district (OneRoster): a district import names its district by one.
    districts: dict[str, SchoolRecord] = field(default_factory=dict)
    users: dict[str, UserRecord] = field(default_factory=dict)
    sections: dict[str, SectionRecord] = field(default_factory=dict)
    enrollments: dict[str, EnrollmentRecord] = field(default_factory=dict)
    # The first MAX_LISTED_ERRORS problems (server/contract/roster.py), in file and line order.
    problems: list[Problem] = field(default_factory=list)
    # How many problems there were in all (more than listed when the list was cut).
    problem_count: int = 0
    # The kinds ("schools", "users", "sections", "enrollments") a OneRoster manifest sends as
    # `delta`: only the rows given change; a record missing from the file is left alone (not
    # disabled) and may be referred to without being in the file.
    delta: frozenset[str] = frozenset()
