"""Load the pure rules' snapshot of a school from the database, inside a transaction."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import date, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q

from server.enums import OPEN_STATES, Approval, EncounterMode, PassKind, PassState, PolicyScope
from server.models import (
    BellSchedule as ScheduleRow,
)
from server.models import (
    EncounterGroup,
    Location,
    Pass,
    Policy,
    ScheduleOverride,
    School,
    User,
)
from server.rules import (
    BellSchedule,
    Encounter,
    OpenPass,
    Period,
    Place,
    PolicyRow,
    Requester,
    SchoolFacts,
)
from server.rules.facts import PolicyValue
from server.rules.localtime import local_date, week_start
from server.rules.policy import Setting, exempt_destination_ids
from server.rules.schedule import SCHOOL_WEEKDAYS

# Passes the student started: on their own device, or typed in at the door's kiosk.
STUDENT_STARTED = (PassKind.REQUESTED, PassKind.KIOSK)
# Passes that never went out and never will: they don't count toward limits.
NOT_COUNTED = (PassState.DENIED, PassState.CANCELLED)
KNOWN_SETTINGS = frozenset(Setting)
KNOWN_SCOPES = frozenset(PolicyScope)
# The settings that need the bell schedule: without them a request doesn't read it.
SCHEDULE_SETTINGS = frozenset(
    {
        Setting.NO_FLY_AFTER_START_MINUTES,
        Setting.NO_FLY_BEFORE_END_MINUTES,
        Setting.NO_PASS_PERIODS,
    }
)


def place_of(location: Location) -> Place:
    """Return the rules' view of a location."""
    return Place(
        id=location.id,
        name=location.name,
        capacity=location.capacity,
        approval=Approval(location.approval),
        default_minutes=location.default_minutes,
        max_out=location.max_out,
        is_destination=location.is_destination and location.active,
    )


def open_pass_of(hall_pass: Pass) -> OpenPass:
    """Return the rules' view of an open pass."""
    return OpenPass(
        id=hall_pass.id,
        student_id=hall_pass.student_id,
        origin_id=hall_pass.origin_id,
        destination_id=hall_pass.destination_id,
        state=PassState(hall_pass.state),
        queued_at=hall_pass.queued_at,
        offer_expires_at=hall_pass.offer_expires_at,
        line_priority=hall_pass.line_priority,
        section_id=hall_pass.section_id,
    )


@lru_cache(maxsize=64)
def zone_of(name: str) -> ZoneInfo:
    """Return the school's timezone (an IANA name such as America/Chicago)."""
    return ZoneInfo(name)


def policy_values(rules: Mapping[str, object]) -> dict[str, PolicyValue]:
    """Return a row's known settings, skipping anything the API would not have accepted."""
    values: dict[str, PolicyValue] = {}
    for name, value in rules.items():
        if name not in KNOWN_SETTINGS:
            continue
        if name in (Setting.EXEMPT, Setting.ACCOMMODATION):
            if isinstance(value, bool):
                values[name] = value
        elif name == Setting.NO_PASS_PERIODS:
            if value is None:
                values[name] = None
            elif isinstance(value, list):
                values[name] = tuple(str(item) for item in value if isinstance(item, str))
        elif value is None or (isinstance(value, int) and not isinstance(value, bool)):
            values[name] = value
    return values


def needs_schedule(policies: tuple[PolicyRow, ...]) -> bool:
    """Say whether any row sets a no-fly time (a schedule alone holds no pass)."""
    return any(name in SCHEDULE_SETTINGS for row in policies for name in row.values)


def periods_of(raw: object) -> tuple[Period, ...]:
    """Return a stored day type's periods (as the API validated them)."""
    if not isinstance(raw, list):
        return ()
    return tuple(
        Period(item["name"], time.fromisoformat(item["start"]), time.fromisoformat(item["end"]))
        for item in raw
    )


def schedule_of(row: ScheduleRow, overrides: Mapping[date, str | None]) -> BellSchedule:
    """Return the rules' view of a stored schedule, with the overrides of the dates read."""
    weekdays = (*(row.weekdays.get(day) for day in SCHOOL_WEEKDAYS), None, None)  # no weekends
    return BellSchedule(
        day_types={name: periods_of(periods) for name, periods in row.day_types.items()},
        weekdays=weekdays,
        overrides=dict(overrides),
    )


async def load_schedule(
    conn: BaseDBAsyncClient | None, school_id: int, days: tuple[date, ...]
) -> BellSchedule | None:
    """Read the school's bell schedule, with the overrides of the given dates (two queries)."""
    row = await ScheduleRow.filter(school_id=school_id).using_db(conn).get_or_none()
    if row is None:
        return None
    overrides = (
        await ScheduleOverride.filter(school_id=school_id, date__in=list(days))
        .using_db(conn)
        .values("date", "day_type")
    )
    return schedule_of(row, {item["date"]: item["day_type"] for item in overrides})


def policy_row(scope: str, target: str, rules: Mapping[str, object]) -> PolicyRow:
    """Return the rules' view of a policy row."""
    return PolicyRow(PolicyScope(scope), target, policy_values(rules))


async def load_policies(
    conn: BaseDBAsyncClient | None, school_id: int, student: User
) -> tuple[PolicyRow, ...]:
    """Read the policy rows that can apply to the student: one indexed query.

    Every destination row comes too: which destinations are exempt decides what counts.
    """
    wanted = (
        Q(scope=PolicyScope.SCHOOL, target="")
        | Q(scope=PolicyScope.DESTINATION)
        | Q(scope=PolicyScope.STUDENT, target=str(student.id))
    )
    if student.grade is not None:
        wanted |= Q(scope=PolicyScope.GRADE, target=str(student.grade))
    if student.groups:
        wanted |= Q(scope=PolicyScope.GROUP, target__in=[str(g) for g in student.groups])
    rows = (
        await Policy.filter(wanted, school_id=school_id)
        .using_db(conn)
        .values("scope", "target", "rules")
    )
    return tuple(
        policy_row(row["scope"], row["target"], row["rules"])
        for row in rows
        if row["scope"] in KNOWN_SCOPES
    )


async def load_requester(
    conn: BaseDBAsyncClient | None,
    student: User,
    policies: tuple[PolicyRow, ...],
    now: datetime,
    zone: ZoneInfo,
) -> Requester:
    """Read the student's counted passes since the school week began, and the latest's end.

    Two queries on the (student_id, requested_at) index; counting is done here in the
    database's terms (kind, state, exempt destinations), the day/week split by the rules.
    """
    counted = Pass.filter(
        student_id=student.id, kind__in=STUDENT_STARTED, state__not_in=NOT_COUNTED
    ).using_db(conn)
    exempt = exempt_destination_ids(policies)
    if exempt:
        counted = counted.exclude(destination_id__in=sorted(exempt))
    monday = week_start(now, zone)  # in UTC, as stored times are
    since_monday = await counted.filter(requested_at__gte=monday).values("requested_at")
    last_ended = (
        await counted.filter(ended_at__not_isnull=True)
        .order_by("-ended_at")
        .limit(1)
        .values("ended_at")
    )
    return Requester(
        student_id=student.id,
        grade=student.grade,
        groups=frozenset(str(g) for g in student.groups),
        counted=tuple(sorted(row["requested_at"] for row in since_monday)),
        last_ended_at=last_ended[0]["ended_at"] if last_ended else None,
    )


async def load_facts(
    conn: BaseDBAsyncClient | None,
    school: School,
    now: datetime,
    requester: User | None = None,
    *,
    places: Collection[int] | None = None,
) -> SchoolFacts:
    """Read everything the rules look at for one school.

    With a `requester` (a student asking for their own pass), also read what their limits
    need: the school's policy rows that apply to them and their counted passes.

    `places` None reads every place of the school. Otherwise only the destinations, the
    places of the open passes and these (the rules' request or candidate: its origin and
    destination) are read: a rostered school has hundreds of classrooms that no rule of this
    transition looks at, and this runs in every transition, under the school's lock.
    """
    open_rows = (
        await Pass.filter(school_id=school.id, state__in=list(OPEN_STATES))
        .using_db(conn)
        .values(
            "id",
            "student_id",
            "origin_id",
            "destination_id",
            "state",
            "queued_at",
            "offer_expires_at",
            "line_priority",
            "section_id",
        )
    )
    wanted = Location.filter(school_id=school.id).using_db(conn)
    if places is not None:
        ids = {
            *places,
            *(r["origin_id"] for r in open_rows),
            *(r["destination_id"] for r in open_rows),
        }
        wanted = wanted.filter(Q(is_destination=True) | Q(id__in=sorted(ids)))
    # Plain rows, not models.
    locations = await wanted.values(
        "id",
        "name",
        "capacity",
        "approval",
        "default_minutes",
        "max_out",
        "is_destination",
        "active",
    )
    members = (
        await EncounterGroup.filter(school_id=school.id, active=True)
        .using_db(conn)
        .values("id", "name", "mode", "expires_on", "members__id")
    )
    # Expired groups come too: the rules drop them by the school-local date (in_force).
    groups: dict[int, tuple[str, EncounterMode, date | None, set[int]]] = {}
    for row in members:
        _, _, _, ids = groups.setdefault(
            row["id"], (row["name"], EncounterMode(row["mode"]), row["expires_on"], set())
        )
        if row["members__id"] is not None:
            ids.add(row["members__id"])
    zone = zone_of(school.timezone)
    policies: tuple[PolicyRow, ...] = ()
    student: Requester | None = None
    schedule: BellSchedule | None = None
    if requester is not None:
        policies = await load_policies(conn, school.id, requester)
        student = await load_requester(conn, requester, policies, now, zone)
        if needs_schedule(policies):
            schedule = await load_schedule(conn, school.id, (local_date(now, zone),))
    return SchoolFacts(
        now=now,
        places={
            row["id"]: Place(
                id=row["id"],
                name=row["name"],
                capacity=row["capacity"],
                approval=Approval(row["approval"]),
                default_minutes=row["default_minutes"],
                max_out=row["max_out"],
                is_destination=row["is_destination"] and row["active"],
            )
            for row in locations
        },
        open_passes=tuple(
            OpenPass(
                id=row["id"],
                student_id=row["student_id"],
                origin_id=row["origin_id"],
                destination_id=row["destination_id"],
                state=PassState(row["state"]),
                queued_at=row["queued_at"],
                offer_expires_at=row["offer_expires_at"],
                line_priority=row["line_priority"],
                section_id=row["section_id"],
            )
            for row in open_rows
        ),
        encounters=tuple(
            Encounter(gid, name, mode, frozenset(ids), expires_on)
            for gid, (name, mode, expires_on, ids) in groups.items()
        ),
        hallway_max=school.hallway_max,
        passes_enabled=school.passes_enabled,
        emergency=school.emergency_id is not None,
        zone=zone,
        policies=policies,
        requester=student,
        schedule=schedule,
    )


async def rows_setting(
    conn: BaseDBAsyncClient | None, school_id: int, setting: Setting
) -> tuple[PolicyRow, ...]:
    """Read the school's policy rows that set one setting (one query; usually none)."""
    rows = (
        await Policy.filter(school_id=school_id).using_db(conn).values("scope", "target", "rules")
    )
    return tuple(
        policy_row(row["scope"], row["target"], row["rules"])
        for row in rows
        if row["scope"] in KNOWN_SCOPES and setting in row["rules"]
    )


async def requesters_of(
    conn: BaseDBAsyncClient | None, student_ids: Iterable[int]
) -> dict[int, Requester]:
    """Read the students' grades and groups: what resolves a setting for each (one query)."""
    students = (
        await User.filter(id__in=sorted(set(student_ids)))
        .using_db(conn)
        .values("id", "grade", "groups")
    )
    return {
        row["id"]: Requester(
            row["id"], row["grade"], frozenset(str(g) for g in row["groups"] or ())
        )
        for row in students
    }


async def accommodated(conn: BaseDBAsyncClient | None, school_id: int, student_id: int) -> bool:
    """Say whether the student's own policy row gives them an accommodation (one query)."""
    row = (
        await Policy.filter(school_id=school_id, scope=PolicyScope.STUDENT, target=str(student_id))
        .using_db(conn)
        .values("rules")
    )
    return bool(row) and row[0]["rules"].get(Setting.ACCOMMODATION) is True
