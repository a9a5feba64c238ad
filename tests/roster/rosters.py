"""Rosters built in code, as the readers would return them, for the sync's tests."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from server.enums import EnrollmentRole, Role
from server.roster.records import (
    EnrollmentRecord,
    Roster,
    SchoolRecord,
    SectionRecord,
    UserRecord,
    Where,
)
from server.rules.timetable import Meeting

ORG = "org-demo"


class Lines:
    """Hands out line numbers per file, as a reader would (1 is the header)."""

    def __init__(self) -> None:
        self.last: dict[str, int] = {}

    def __call__(self, file: str) -> Where:
        self.last[file] = self.last.get(file, 1) + 1
        return Where(file, self.last[file])


class RosterBuilder:
    """A roster of one school org, record by record."""

    def __init__(self, org: str = ORG, name: str = "Demo High School") -> None:
        self.lines = Lines()
        self.roster = Roster(format="oneroster")
        self.roster.schools[org] = SchoolRecord(org, name, self.lines("orgs.csv"))
        self.org = org

    def user(
        self,
        source_id: str,
        login: str,
        *,
        role: Role = Role.STUDENT,
        first: str = "Pat",
        last: str | None = None,
        number: str | None = None,
        **more: Any,
    ) -> RosterBuilder:
        """Add a user (a student unless `role` says otherwise)."""
        values: dict[str, Any] = {
            "source_id": source_id,
            "role": role,
            "school_ids": (self.org,),
            "first_name": first,
            "last_name": last if last is not None else source_id.title(),
            "login": login,
            "email": None,
            "student_number": number,
            "grade": 9 if role is Role.STUDENT else None,
            "enabled": True,
            "where": self.lines("users.csv"),
        }
        self.roster.users[source_id] = UserRecord(**(values | more))
        return self

    def section(
        self,
        source_id: str,
        title: str,
        *,
        room: str | None = None,
        periods: tuple[str, ...] = ("1",),
        **more: Any,
    ) -> RosterBuilder:
        """Add a section meeting in the given periods (file spelling)."""
        values: dict[str, Any] = {
            "source_id": source_id,
            "school_id": self.org,
            "title": title,
            "code": source_id.upper(),
            "room": room,
            "meetings": tuple(Meeting(p) for p in periods),
            "homeroom": False,
            "starts_on": date(2026, 8, 20),
            "ends_on": date(2027, 6, 10),
            "where": self.lines("classes.csv"),
        }
        self.roster.sections[source_id] = SectionRecord(**(values | more))
        return self

    def enrol(
        self,
        source_id: str,
        section: str,
        user: str,
        *,
        role: EnrollmentRole = EnrollmentRole.STUDENT,
        **more: Any,
    ) -> RosterBuilder:
        """Add an enrollment of a user in a section."""
        values: dict[str, Any] = {
            "source_id": source_id,
            "section_id": section,
            "user_id": user,
            "school_id": self.org,
            "role": role,
            "primary": role is EnrollmentRole.TEACHER,
            "begins_on": None,
            "ends_on": None,
            "where": self.lines("enrollments.csv"),
        }
        self.roster.enrollments[source_id] = EnrollmentRecord(**(values | more))
        return self

    def build(self) -> Roster:
        """Return the roster (a copy: later changes to the builder don't touch it)."""
        return dataclasses.replace(
            self.roster,
            schools=dict(self.roster.schools),
            users=dict(self.roster.users),
            sections=dict(self.roster.sections),
            enrollments=dict(self.roster.enrollments),
            problems=list(self.roster.problems),
        )


def small_school() -> RosterBuilder:
    """Two teachers, four students, two sections in two rooms (one new), six enrollments."""
    b = RosterBuilder()
    b.user("t-1", "teacher1@demo.school", role=Role.TEACHER, first="Tess", last="One")
    b.user("t-9", "teacher9@demo.school", role=Role.TEACHER, first="Nina", last="Nine")
    b.user("s-1001", "1001", number="1001", first="Ada", last="Lovelace")
    b.user("s-2001", "2001", number="2001", first="Alan", last="Turing")
    b.user("s-2002", "2002", number="2002", first="Grace", last="Hopper")
    b.user("s-2003", "2003", number="2003", first="Edsger", last="Dijkstra")
    b.section("c-alg", "Algebra", room="Room 101", periods=("1", "Period 2"))
    b.section("c-bio", "Biology", room="Lab 3", periods=("3",))
    b.enrol("e-1", "c-alg", "t-1", role=EnrollmentRole.TEACHER)
    b.enrol("e-2", "c-bio", "t-9", role=EnrollmentRole.TEACHER)
    b.enrol("e-3", "c-alg", "s-1001")
    b.enrol("e-4", "c-alg", "s-2001")
    b.enrol("e-5", "c-bio", "s-2002")
    b.enrol("e-6", "c-bio", "s-2003")
    return b
