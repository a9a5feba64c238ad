"""A school's rows read for the plan (few queries), and a plan applied in bulk.

Reading: one query per table, keyed by `source_id` in memory. Writing: new rows with
`bulk_create` in batches, changed rows with one `executemany` per set of changed fields,
disabled rows with one UPDATE per batch of ids. Nothing is written for a row that doesn't
change, so a re-import of the same file writes nothing. Every statement runs on the caller's
connection: the whole import is one transaction (server/roster/imports.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.fields import JSONField
from tortoise.fields.data import CharEnumFieldInstance
from tortoise.models import Model

from server.enums import OPEN_STATES, LocationKind
from server.models import BellSchedule, Enrollment, Location, Pass, Section, Session, User
from server.roster.periods import PeriodNames
from server.roster.plan import (
    NOW,
    Change,
    EnrollmentRow,
    New,
    Plan,
    SchoolState,
    SectionRow,
    UserRow,
    Value,
)

# Rows per INSERT or UPDATE ... IN: well under SQLite's 32,766 parameters per statement.
BATCH = 500
# Not an Argon2 hash, so no password ever matches it (server/auth/passwords.py answers a
# plain wrong password): an imported user signs in by single sign-on, or an admin sets one.
UNUSABLE_PASSWORD = "!roster"

USER_COLUMNS = (
    "id", "source_id", "login", "role", "first_name", "last_name", "email",
    "student_number", "grade", "active",
)  # fmt: skip
SECTION_COLUMNS = (
    "id", "source_id", "title", "code", "location_id", "meetings", "homeroom", "starts_on",
    "ends_on", "active",
)  # fmt: skip
ENROLLMENT_COLUMNS = (
    "id", "source_id", "section_id", "user_id", "role", "primary", "begins_on", "ends_on",
    "active",
)  # fmt: skip


async def load_state(conn: BaseDBAsyncClient, school_id: int) -> SchoolState:
    """Read what the plan compares: the school's users, sections, enrollments, places, bells."""
    users = await User.filter(school_id=school_id).using_db(conn).values_list(*USER_COLUMNS)
    sections = await (
        Section.filter(school_id=school_id).using_db(conn).values_list(*SECTION_COLUMNS)
    )
    enrollments = await (
        Enrollment.filter(school_id=school_id).using_db(conn).values_list(*ENROLLMENT_COLUMNS)
    )
    places = await Location.filter(school_id=school_id).using_db(conn).values_list("id", "name")
    bells = await BellSchedule.filter(school_id=school_id).using_db(conn).first()
    out = await (
        Pass.filter(school_id=school_id, state__in=list(OPEN_STATES))
        .using_db(conn)
        .values_list("student_id", flat=True)
    )
    return SchoolState(
        school_id=school_id,
        users=[UserRow(*row) for row in users],
        sections=[SectionRow(*row) for row in sections],
        enrollments=[EnrollmentRow(*row) for row in enrollments],
        rooms={str(name).strip().casefold(): int(i) for i, name in places},
        periods=PeriodNames(bells.day_types if bells is not None else {}),
        out={int(str(s)) for s in out},
    )


def _chunks(items: Sequence[Any]) -> list[Sequence[Any]]:
    return [items[i : i + BATCH] for i in range(0, len(items), BATCH)]


class _Writer:
    """Applies one plan's changes on one connection, resolving the ids of new rows."""

    def __init__(self, conn: BaseDBAsyncClient, school_id: int, now: datetime) -> None:
        self.conn = conn
        self.school_id = school_id
        self.now = now
        self.ids: dict[New, int] = {}
        self.postgres = conn.capabilities.dialect == "postgres"

    def value(self, model: type[Model], name: str, value: Value) -> Any:
        if value is NOW:
            return self.now
        if isinstance(value, New):
            return self.ids[value]
        field = model._meta.fields_map.get(name)
        if isinstance(field, JSONField):
            return field.to_db_value(value, model)
        if isinstance(field, CharEnumFieldInstance):
            return str(value)  # a StrEnum: its value
        return value

    def resolved(self, model: type[Model], values: dict[str, Value]) -> dict[str, Any]:
        return {name: self.value(model, name, v) for name, v in values.items()}

    async def create(self, model: type[Model], changes: list[Change], **common: Any) -> None:
        rows = [
            model(school_id=self.school_id, **common, **self.resolved(model, c.values))
            for c in changes
        ]
        for chunk in _chunks(rows):
            await model.bulk_create(chunk, using_db=self.conn)

    async def update(self, model: type[Model], changes: list[Change], **common: Any) -> None:
        """Write each changed row's changed fields: one executemany per set of fields."""
        groups: dict[tuple[str, ...], list[Change]] = defaultdict(list)
        for change in changes:
            groups[tuple(sorted(change.values))].append(change)
        table = model._meta.db_table
        for names, group in groups.items():
            columns = [*names, *common]
            marks = [f"${n + 1}" if self.postgres else "?" for n in range(len(columns) + 1)]
            sets = ", ".join(
                f'"{self.column(model, c)}" = {m}' for c, m in zip(columns, marks[:-1], strict=True)
            )
            sql = f'UPDATE "{table}" SET {sets} WHERE "id" = {marks[-1]}'
            rows = []
            for change in group:
                values = [self.value(model, n, change.values[n]) for n in names]
                rows.append([*values, *common.values(), change.row_id])
            for chunk in _chunks(rows):
                await self.conn.execute_many(sql, list(chunk))

    @staticmethod
    def column(model: type[Model], name: str) -> str:
        field = model._meta.fields_map[name]
        return str(field.source_field or name)

    async def ids_by_source(self, model: type[Model], kind: str) -> None:
        rows = await (
            model.filter(school_id=self.school_id, source_id__not_isnull=True)
            .using_db(self.conn)
            .values_list("source_id", "id")
        )
        self.ids.update({New(kind, str(s)): int(i) for s, i in rows})  # type: ignore[arg-type]


async def apply_plan(conn: BaseDBAsyncClient, plan: Plan, school_id: int, now: datetime) -> None:
    """Write a plan to its school on the caller's connection (inside its transaction)."""
    if not plan.writes:
        return
    writer = _Writer(conn, school_id, now)
    rooms = plan.of("rooms", "create")
    if rooms:
        await writer.create(Location, rooms, kind=LocationKind.CLASSROOM, is_destination=False)
        made = await (
            Location.filter(school_id=school_id, name__in=[c.source_id for c in rooms])
            .using_db(conn)
            .values_list("name", "id")
        )
        writer.ids.update({New("rooms", str(n)): int(i) for n, i in made})
    users = plan.of("users", "create")
    if users:
        await writer.create(User, users, password_hash=UNUSABLE_PASSWORD)
        await writer.ids_by_source(User, "users")
    await writer.update(User, plan.of("users", "update") + plan.of("users", "disable"))
    # As when an admin disables a user or changes their role (server/services/users.py): their
    # sessions end, so their next request is 401 and the hub closes their sockets.
    for chunk in _chunks(sorted(plan.end_sessions)):
        await Session.filter(user_id__in=list(chunk)).using_db(conn).delete()
    sections = plan.of("sections", "create")
    if sections:
        await writer.create(Section, sections)
        await writer.ids_by_source(Section, "sections")
    await writer.update(
        Section, plan.of("sections", "update") + plan.of("sections", "disable"), updated_at=now
    )
    await writer.create(Enrollment, plan.of("enrollments", "create"))
    await writer.update(
        Enrollment, plan.of("enrollments", "update") + plan.of("enrollments", "disable")
    )
