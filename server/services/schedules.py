"""The bell schedule: admins read and replace it; everyone signed in asks about today.

The schedule is replaced whole inside the school's transaction, so a pass decision sees the
old schedule or the new one, never half of each.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from server.auth.principal import Principal
from server.clock import utcnow
from server.errors import ErrorCode, HallpassError, forbidden
from server.models import BellSchedule as ScheduleRow
from server.models import ScheduleOverride, School
from server.rules.facts import Period
from server.rules.localtime import local_date
from server.rules.permissions import may_manage_schedule
from server.rules.schedule import SCHOOL_WEEKDAYS, Bell, day_at, schedule_problems
from server.services.facts import load_schedule, zone_of
from server.services.transaction import consistent_read, school_transaction
from server.services.views import iso


@dataclass(frozen=True, slots=True)
class Override:
    """A date that follows another day type (None: no school), with a note for people."""

    date: date
    day_type: str | None
    note: str = ""


@dataclass(frozen=True, slots=True)
class Schedule:
    """A whole bell schedule as an admin sends it."""

    day_types: Mapping[str, tuple[Period, ...]]
    weekdays: Mapping[str, str | None]
    overrides: tuple[Override, ...] = ()


def require_admin(principal: Principal) -> None:
    """Refuse anyone but an administrator (403)."""
    if not may_manage_schedule(principal.actor):
        raise forbidden("Only an administrator can see or change the bell schedule.")


def _clock(period: Period) -> dict[str, str]:
    return {"name": period.name, "start": f"{period.start:%H:%M}", "end": f"{period.end:%H:%M}"}


def schedule_json(
    school: School, row: ScheduleRow | None, overrides: list[ScheduleOverride]
) -> dict[str, Any]:
    """Serialise a school's schedule (an empty one when it has none)."""
    day_types = {} if row is None else row.day_types
    weekdays = {} if row is None else row.weekdays
    return {
        "timezone": school.timezone,
        "day_types": {name: {"periods": periods} for name, periods in day_types.items()},
        "weekdays": {day: weekdays.get(day) for day in SCHOOL_WEEKDAYS},
        "overrides": [
            {"date": item.date.isoformat(), "day_type": item.day_type, "note": item.note}
            for item in sorted(overrides, key=lambda item: item.date)
        ],
        "updated_at": None if row is None else iso(row.updated_at),
    }


async def get_schedule(principal: Principal) -> dict[str, Any]:
    """Return the caller's school's whole schedule."""
    require_admin(principal)
    school_id = principal.actor.school_id
    async with consistent_read() as conn:
        school = await School.filter(id=school_id).using_db(conn).get()
        row = await ScheduleRow.filter(school_id=school_id).using_db(conn).get_or_none()
        overrides = await ScheduleOverride.filter(school_id=school_id).using_db(conn)
    return schedule_json(school, row, overrides)


def check_schedule(schedule: Schedule) -> None:
    """Refuse a schedule with overlapping periods, unknown day types or repeated dates (422)."""
    problems = schedule_problems(
        schedule.day_types,
        schedule.weekdays,
        [(item.date, item.day_type) for item in schedule.overrides],
    )
    if problems:
        fields = [{"field": field, "message": message} for field, message in problems]
        names = ", ".join(field for field, _ in problems)
        raise HallpassError(
            ErrorCode.VALIDATION_ERROR, f"Invalid request: {names}.", details={"fields": fields}
        )


async def put_schedule(principal: Principal, schedule: Schedule) -> dict[str, Any]:
    """Replace the school's whole schedule (day types, weekdays, overrides); return it."""
    require_admin(principal)
    check_schedule(schedule)
    school_id = principal.actor.school_id
    day_types = {
        name: [_clock(period) for period in periods] for name, periods in schedule.day_types.items()
    }
    weekdays = {day: schedule.weekdays.get(day) for day in SCHOOL_WEEKDAYS}
    async with school_transaction(school_id) as tx:
        row = await ScheduleRow.filter(school_id=school_id).using_db(tx.conn).get_or_none()
        if row is None:
            row = await ScheduleRow.create(
                using_db=tx.conn, school_id=school_id, day_types=day_types, weekdays=weekdays
            )
        else:
            row.day_types, row.weekdays = day_types, weekdays
            await row.save(using_db=tx.conn, update_fields=["day_types", "weekdays", "updated_at"])
        await ScheduleOverride.filter(school_id=school_id).using_db(tx.conn).delete()
        if schedule.overrides:
            await ScheduleOverride.bulk_create(
                [
                    ScheduleOverride(
                        school_id=school_id, date=item.date, day_type=item.day_type, note=item.note
                    )
                    for item in schedule.overrides
                ],
                using_db=tx.conn,
            )
        overrides = await ScheduleOverride.filter(school_id=school_id).using_db(tx.conn)
        return schedule_json(tx.school, row, overrides)


def _bell_json(bell: Bell, current: Bell | None) -> dict[str, Any]:
    return {
        **_clock(bell.period),
        "starts_at": iso(bell.start),
        "ends_at": iso(bell.end),
        "current": bell is current,
    }


async def today(principal: Principal) -> dict[str, Any]:
    """Return today's day type and periods, the current one marked, in the school's zone."""
    school_id = principal.actor.school_id
    async with consistent_read() as conn:
        school = await School.filter(id=school_id).using_db(conn).get()
        zone = zone_of(school.timezone)
        now = utcnow()
        schedule = await load_schedule(conn, school_id, (local_date(now, zone),))
    body: dict[str, Any] = {
        "timezone": school.timezone,
        "date": local_date(now, zone).isoformat(),
        "now": iso(now),
        "day_type": None,
        "status": "no_school",
        "current": None,
        "next": None,
        "periods": [],
    }
    if schedule is None:
        return body
    day = day_at(schedule, now, zone)
    body.update(
        day_type=day.day_type,
        status=str(day.status),
        current=None if day.current is None else day.current.period.name,
        next=None if day.next is None else day.next.period.name,
        periods=[_bell_json(bell, day.current) for bell in day.bells],
    )
    return body
