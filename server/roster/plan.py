"""The diff of one school: what a roster creates, updates and disables (pure, no I/O).

The sync (server/roster/sync.py) loads the school's rows as plain values (`SchoolState`) and
applies the `Plan` made here. Matching: by `source_id`; a user without one whose login or
student number is the record's is adopted; an enrollment without a match takes over the row of
the same section, person and role. A row the file no longer names, or names `tobedeleted`, is
disabled (users, sections) or ended (enrollments), never deleted.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from server.contract.roster import Kind
from server.enums import EnrollmentRole, Role
from server.logins import normalize_login
from server.roster.periods import PeriodNames
from server.roster.records import (
    EnrollmentRecord,
    Problem,
    Roster,
    SectionRecord,
    UserRecord,
    Where,
)

Action = Literal["create", "update", "disable"]
KINDS: tuple[Kind, ...] = ("users", "sections", "enrollments", "rooms")
# The columns each kind's files name (the message of a problem points there).
USERS_FILE_COLUMN_ROLE = "role"

# The ref of a user or section the file names `tobedeleted`: nothing may enrol in it.
GONE = -1


@dataclass(frozen=True, slots=True)
class New:
    """A row this plan creates, named by kind and key: its id is known once it is written."""

    kind: Kind
    key: str


class _Now:
    """The moment the plan is applied (an enrollment's `ended_at`), left out of the digest."""

    def __repr__(self) -> str:
        return "NOW"


NOW = _Now()
Ref = int | New
Value = object


@dataclass(frozen=True, slots=True)
class Change:
    """One row to create, or the fields to change on one row."""

    kind: Kind
    action: Action
    source_id: str
    label: str
    row_id: int | None  # None: a row this plan creates
    values: dict[str, Value]

    @property
    def fields(self) -> list[str]:
        """Name the fields an update writes (none are listed for a create)."""
        return [] if self.action == "create" else sorted(self.values)


@dataclass(slots=True)
class Tally:
    """How many rows of one kind a plan creates, updates, disables or leaves alone."""

    created: int = 0
    updated: int = 0
    disabled: int = 0
    unchanged: int = 0

    def add(self, action: Action | None) -> None:
        """Count one row."""
        if action == "create":
            self.created += 1
        elif action == "update":
            self.updated += 1
        elif action == "disable":
            self.disabled += 1
        else:
            self.unchanged += 1


@dataclass(frozen=True, slots=True)
class UserRow:
    """A user of the school as the plan compares it."""

    id: int
    source_id: str | None
    login: str
    role: Role
    first_name: str
    last_name: str
    email: str | None
    student_number: str | None
    grade: int | None
    active: bool


@dataclass(frozen=True, slots=True)
class SectionRow:
    """A section of the school as the plan compares it."""

    id: int
    source_id: str | None
    title: str
    code: str
    location_id: int | None
    meetings: list[dict[str, str | None]]
    homeroom: bool
    starts_on: date | None
    ends_on: date | None
    active: bool


@dataclass(frozen=True, slots=True)
class EnrollmentRow:
    """An enrollment of the school as the plan compares it."""

    id: int
    source_id: str | None
    section_id: int
    user_id: int
    role: EnrollmentRole
    primary: bool
    begins_on: date | None
    ends_on: date | None
    active: bool


@dataclass(slots=True)
class SchoolState:
    """What one school holds now (empty for a school the import will create)."""

    school_id: int | None
    users: list[UserRow] = field(default_factory=list)
    sections: list[SectionRow] = field(default_factory=list)
    enrollments: list[EnrollmentRow] = field(default_factory=list)
    rooms: dict[str, int] = field(default_factory=dict)  # place name, case-folded -> id
    periods: PeriodNames = field(default_factory=lambda: PeriodNames({}))
    out: set[int] = field(default_factory=set)  # students with an open pass


@dataclass(slots=True)
class Plan:
    """Everything an import does to one school, or the problems that stop it."""

    org: str
    school_id: int | None
    changes: list[Change] = field(default_factory=list)
    counts: dict[Kind, Tally] = field(default_factory=lambda: {k: Tally() for k in KINDS})
    problems: list[Problem] = field(default_factory=list)
    # Users whose sessions end when the plan is applied: disabled, or given another role.
    end_sessions: set[int] = field(default_factory=set)

    def of(self, kind: Kind, action: Action) -> list[Change]:
        """Return the changes of one kind and action, in file order."""
        return [c for c in self.changes if c.kind == kind and c.action == action]

    @property
    def writes(self) -> bool:
        """Say whether applying the plan writes anything."""
        return bool(self.changes)

    def note(self, kind: Kind, change: Change | None) -> None:
        """Record a change (or a row left alone) and count it."""
        if change is not None:
            self.changes.append(change)
        self.counts[kind].add(None if change is None else change.action)


def digest(plans: Iterable[Plan]) -> str:
    """Return a short digest of exactly what the plans write (not when: `NOW` is a word)."""
    summary = [
        [
            plan.org,
            plan.school_id,
            [
                [
                    c.kind,
                    c.action,
                    c.source_id,
                    c.row_id,
                    sorted((k, repr(v)) for k, v in c.values.items()),
                ]
                for c in plan.changes
            ],
        ]
        for plan in plans
    ]
    text = json.dumps(summary, separators=(",", ":"), default=repr)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _problem(where: Where, column: str | None, code: str, message: str) -> Problem:
    return Problem(where.file, where.line, column, code, message)


def _label(record: UserRecord) -> str:
    return f"{record.first_name} {record.last_name}".strip() or record.login


def user_values(record: UserRecord) -> dict[str, Value]:
    """Return the user columns a record sets (staff keep no student number or grade)."""
    student = record.role is Role.STUDENT
    return {
        "login": normalize_login(record.login),
        "role": record.role,
        "first_name": record.first_name,
        "last_name": record.last_name,
        "email": record.email,
        "student_number": record.student_number if student else None,
        "grade": record.grade if student else None,
        "active": record.enabled and not record.deleted,
    }


def _diff(row: object, wanted: dict[str, Value]) -> dict[str, Value]:
    return {k: v for k, v in wanted.items() if getattr(row, k) != v}


def _action(row_active: bool, changed: dict[str, Value]) -> Action:
    return "disable" if row_active and changed.get("active") is False else "update"


class _Planner:
    """Builds one school's plan, kind by kind (users first: the others refer to them)."""

    def __init__(self, roster: Roster, org: str, state: SchoolState) -> None:
        self.roster = roster
        self.org = org
        self.state = state
        self.plan = Plan(org, state.school_id)
        # Where each user and section of the file ends up: a row id, or a row to create.
        self.user_refs: dict[str, Ref] = {}
        self.section_refs: dict[str, Ref] = {}
        self.known_users = {u.source_id: u.id for u in state.users if u.source_id is not None}
        self.known_sections: dict[str, Ref] = {
            s.source_id: s.id for s in state.sections if s.source_id is not None
        }

    def problem(self, where: Where, column: str | None, code: str, message: str) -> None:
        self.plan.problems.append(_problem(where, column, code, message))

    def users(self) -> None:
        state, plan = self.state, self.plan
        # A flat CSV names no school (org ""): its people belong to the school imported into.
        records = [
            u
            for u in self.roster.users.values()
            if self.org in u.school_ids or (not self.org and not u.school_ids)
        ]
        by_source = {u.source_id: u for u in state.users if u.source_id is not None}
        # Accounts made by hand (the demo's, an admin's) are adopted rather than duplicated;
        # never a district administrator's: a school's file must not take over (disable,
        # demote) the account of someone above the school, so their login is just taken.
        by_login = {
            u.login: u
            for u in state.users
            if u.source_id is None and u.role is not Role.DISTRICT_ADMIN
        }
        by_number = {
            u.student_number: u
            for u in state.users
            if u.source_id is None
            and u.student_number is not None
            and u.role is not Role.DISTRICT_ADMIN
        }
        login_owner = {u.login: u for u in state.users}
        number_owner = {
            u.student_number: u
            for u in state.users
            if u.student_number is not None and u.role is Role.STUDENT
        }
        adopted: set[int] = set()
        in_file: dict[str, UserRecord] = {}
        numbers_in_file: dict[str, UserRecord] = {}
        for record in records:
            row = by_source.get(record.source_id)
            wanted = user_values(record)
            login = str(wanted["login"])
            # A hand-made account the file marks `tobedeleted` (a student who left) is adopted
            # too, so that it is disabled like any rostered one.
            if row is None:
                row = by_login.get(login)
                if row is None and record.student_number is not None:
                    row = by_number.get(record.student_number)
                if row is not None and row.id in adopted:
                    row = None
                if row is not None:
                    adopted.add(row.id)
            if record.deleted:
                self.user_refs[record.source_id] = row.id if row is not None else GONE
                change = None
                values: dict[str, Value] = {}
                if row is not None and row.active:
                    values["active"] = False
                    plan.end_sessions.add(row.id)
                if row is not None and row.source_id is None:
                    values["source_id"] = record.source_id
                if row is not None and values:
                    action: Action = "disable" if "active" in values else "update"
                    change = Change(
                        "users", action, record.source_id, _label(record), row.id, values
                    )
                plan.note("users", change)
                continue
            twin = in_file.setdefault(login, record)
            if twin is not record:
                self.problem(
                    record.where,
                    "username",
                    "duplicate_login",
                    f'The login "{login}" is also the login of line {twin.where.line}.',
                )
            owner = login_owner.get(login)
            if twin is record and owner is not None and (row is None or owner.id != row.id):
                state_word = "" if owner.active else " (disabled)"
                self.problem(
                    record.where,
                    "username",
                    "login_taken",
                    f'The login "{login}" belongs to {owner.first_name} {owner.last_name}'
                    f"{state_word}, another user of the school.",
                )
            number = wanted["student_number"]
            if isinstance(number, str):
                twin = numbers_in_file.setdefault(number, record)
                holder = number_owner.get(number)
                if twin is not record:
                    self.problem(
                        record.where,
                        "identifier",
                        "duplicate_student_number",
                        f'The student number "{number}" is also on line {twin.where.line}.',
                    )
                elif holder is not None and (row is None or holder.id != row.id):
                    self.problem(
                        record.where,
                        "identifier",
                        "student_number_taken",
                        f'The student number "{number}" belongs to {holder.first_name} '
                        f"{holder.last_name}, another student of the school.",
                    )
            if row is None:
                self.user_refs[record.source_id] = New("users", record.source_id)
                plan.note(
                    "users",
                    Change(
                        "users",
                        "create",
                        record.source_id,
                        _label(record),
                        None,
                        {**wanted, "source_id": record.source_id},
                    ),
                )
                continue
            self.user_refs[record.source_id] = row.id
            if not record.named:
                del wanted["first_name"], wanted["last_name"]
            changed = _diff(row, wanted)
            if row.source_id is None:
                changed["source_id"] = record.source_id
            if "role" in changed:
                plan.end_sessions.add(row.id)
                if row.role is Role.STUDENT and row.id in state.out:
                    self.problem(
                        record.where,
                        USERS_FILE_COLUMN_ROLE,
                        "student_out",
                        f"{_label(record)} has an open pass: they can't become "
                        f"{record.role} until it ends.",
                    )
            if changed.get("active") is False:
                plan.end_sessions.add(row.id)
            plan.note(
                "users",
                Change(
                    "users",
                    _action(row.active, changed),
                    record.source_id,
                    _label(record),
                    row.id,
                    changed,
                )
                if changed
                else None,
            )
        named = {r.source_id for r in records}
        for row in state.users:
            if "users" in self.roster.delta:
                break  # a delta file names only what changes: the others stay as they are
            if row.source_id is not None and row.source_id not in named and row.active:
                plan.end_sessions.add(row.id)
                plan.note(
                    "users",
                    Change(
                        "users",
                        "disable",
                        row.source_id,
                        f"{row.first_name} {row.last_name}",
                        row.id,
                        {"active": False},
                    ),
                )

    def rooms(self, records: list[SectionRecord]) -> dict[str, Ref]:
        """Find or plan the room of each section's room name."""
        refs: dict[str, Ref] = {}
        for record in records:
            if record.room is None or record.deleted or not record.room.strip():
                continue
            name = record.room.strip()
            key = name.casefold()
            if key in refs:
                continue
            found = self.state.rooms.get(key)
            if found is not None:
                refs[key] = found
                self.plan.note("rooms", None)
            else:
                refs[key] = New("rooms", name)
                self.plan.note("rooms", Change("rooms", "create", name, name, None, {"name": name}))
        return refs

    def meetings(self, record: SectionRecord) -> list[dict[str, str | None]]:
        periods = self.state.periods
        # The column a reader took them from: OneRoster's `periods`, the flat CSV's own two.
        flat = self.roster.format == "csv"
        period_column, day_column = ("period", "day_type") if flat else ("periods", "periods")
        found: list[dict[str, str | None]] = []
        for meeting in record.meetings:
            period = periods.period(meeting.period)
            if period is None:
                self.problem(
                    record.where,
                    period_column,
                    "unknown_period",
                    f'No period "{meeting.period}" in the bell schedule (it has: '
                    f"{periods.known()}).",
                )
                continue
            day_type = None
            if meeting.day_type is not None:
                day_type = periods.day_type(meeting.day_type)
                if day_type is None:
                    self.problem(
                        record.where,
                        day_column,
                        "unknown_day_type",
                        f'No day type "{meeting.day_type}" in the bell schedule.',
                    )
                    continue
            found.append({"day_type": day_type, "period": period})
        return found

    def sections(self) -> None:
        plan = self.plan
        records = [s for s in self.roster.sections.values() if s.school_id == self.org]
        rooms = self.rooms(records)
        by_source = {s.source_id: s for s in self.state.sections if s.source_id is not None}
        for record in records:
            row = by_source.get(record.source_id)
            if record.deleted:
                self.section_refs[record.source_id] = row.id if row is not None else GONE
                change = None
                if row is not None and row.active:
                    change = Change(
                        "sections",
                        "disable",
                        record.source_id,
                        record.title,
                        row.id,
                        {"active": False},
                    )
                plan.note("sections", change)
                continue
            room = record.room.strip().casefold() if record.room and record.room.strip() else None
            wanted: dict[str, Value] = {
                "title": record.title,
                "code": record.code,
                "location_id": None if room is None else rooms[room],
                "meetings": self.meetings(record),
                "homeroom": record.homeroom,
                "starts_on": record.starts_on,
                "ends_on": record.ends_on,
                "active": True,
            }
            if row is None:
                self.section_refs[record.source_id] = New("sections", record.source_id)
                plan.note(
                    "sections",
                    Change(
                        "sections",
                        "create",
                        record.source_id,
                        record.title,
                        None,
                        {**wanted, "source_id": record.source_id},
                    ),
                )
                continue
            self.section_refs[record.source_id] = row.id
            changed = _diff(row, wanted)
            plan.note(
                "sections",
                Change("sections", "update", record.source_id, record.title, row.id, changed)
                if changed
                else None,
            )
        named = {r.source_id for r in records}
        for row in self.state.sections:
            if "sections" in self.roster.delta:
                break
            if row.source_id is not None and row.source_id not in named and row.active:
                plan.note(
                    "sections",
                    Change(
                        "sections", "disable", row.source_id, row.title, row.id, {"active": False}
                    ),
                )

    def enrollments(self) -> None:
        plan, roster = self.plan, self.roster
        records = [e for e in roster.enrollments.values() if e.school_id == self.org]
        rows = self.state.enrollments
        by_source = {e.source_id: e for e in rows if e.source_id is not None}
        by_key = {(e.section_id, e.user_id, e.role): e for e in rows}
        claimed = {by_source[r.source_id].id for r in records if r.source_id in by_source}
        keys: dict[tuple[Ref, Ref, EnrollmentRole], EnrollmentRecord] = {}
        for record in records:
            row = by_source.get(record.source_id)
            section = self.section_refs.get(record.section_id)
            user = self.user_refs.get(record.user_id)
            # A delta file may name a class or person it doesn't send: the school has them.
            if section is None and "sections" in roster.delta:
                section = self.known_sections.get(record.section_id)
            if user is None and "users" in roster.delta:
                user = self.known_users.get(record.user_id)
            label = self._enrollment_label(record)
            if record.deleted:
                change = None
                if row is not None and row.active:
                    change = Change(
                        "enrollments",
                        "disable",
                        record.source_id,
                        label,
                        row.id,
                        {"active": False, "ended_at": NOW},
                    )
                plan.note("enrollments", change)
                continue
            if section is None:
                self.problem(
                    record.where,
                    "classSourcedId",
                    "unknown_class",
                    f'No class "{record.section_id}" of this school in the file.',
                )
            if user is None:
                self.problem(
                    record.where,
                    "userSourcedId",
                    "unknown_user",
                    f'No user "{record.user_id}" of this school in the file.',
                )
            if section is None or user is None:
                continue
            if GONE in (section, user):
                self.problem(
                    record.where,
                    "status",
                    "deleted_reference",
                    "The enrollment is active but its class or user is tobedeleted.",
                )
                continue
            key = (section, user, record.role)
            twin = keys.setdefault(key, record)
            if twin is not record:
                self.problem(
                    record.where,
                    "userSourcedId",
                    "duplicate_enrollment",
                    f"The same person and role in the same class as line {twin.where.line}.",
                )
                continue
            if row is None and isinstance(section, int) and isinstance(user, int):
                found = by_key.get((section, user, record.role))
                if found is not None and found.id not in claimed:
                    row = found
                    claimed.add(found.id)
            wanted: dict[str, Value] = {
                "section_id": section,
                "user_id": user,
                "role": record.role,
                "primary": record.primary,
                "begins_on": record.begins_on,
                "ends_on": record.ends_on,
                "active": True,
            }
            if row is None:
                plan.note(
                    "enrollments",
                    Change(
                        "enrollments",
                        "create",
                        record.source_id,
                        label,
                        None,
                        {**wanted, "source_id": record.source_id},
                    ),
                )
                continue
            changed = _diff(row, wanted)
            if row.source_id != record.source_id:
                changed["source_id"] = record.source_id
            if changed.get("active") is True:
                changed["ended_at"] = None  # back in the class (re-added)
            plan.note(
                "enrollments",
                Change("enrollments", "update", record.source_id, label, row.id, changed)
                if changed
                else None,
            )
        named = {r.source_id for r in records}
        for erow in rows:
            if "enrollments" in roster.delta:
                break
            if (
                erow.source_id is not None
                and erow.source_id not in named
                and erow.active
                and erow.id not in claimed
            ):
                plan.note(
                    "enrollments",
                    Change(
                        "enrollments",
                        "disable",
                        erow.source_id,
                        erow.source_id,
                        erow.id,
                        {"active": False, "ended_at": NOW},
                    ),
                )

    def _enrollment_label(self, record: EnrollmentRecord) -> str:
        user = self.roster.users.get(record.user_id)
        section = self.roster.sections.get(record.section_id)
        who = _label(user) if user is not None else record.user_id
        what = section.title if section is not None else record.section_id
        return f"{who} in {what}"


def make_plan(roster: Roster, org: str, state: SchoolState) -> Plan:
    """Compare the file's records of one org with the school's rows."""
    planner = _Planner(roster, org, state)
    planner.users()
    planner.sections()
    planner.enrollments()
    return planner.plan
