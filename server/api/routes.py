"""Every HTTP operation: each API module declares its own next to its handlers; here, all."""

from __future__ import annotations

from server.api import (
    district,
    emergency,
    encounters,
    kiosk,
    locations,
    meta,
    notifications,
    overrides,
    passes,
    placement,
    policies,
    roster,
    schedules,
    school,
    sections,
    session,
    sso,
    students,
    substitutes,
    users,
    whereabouts,
)
from server.api.spec import Operation

OPERATIONS: list[Operation] = [
    *meta.OPERATIONS,
    *session.OPERATIONS,
    *sso.OPERATIONS,
    *locations.OPERATIONS,
    *school.OPERATIONS,
    *users.OPERATIONS,
    *students.OPERATIONS,
    *sections.OPERATIONS,
    *placement.OPERATIONS,
    *kiosk.OPERATIONS,
    *passes.OPERATIONS,
    *policies.OPERATIONS,
    *schedules.OPERATIONS,
    *encounters.OPERATIONS,
    *overrides.OPERATIONS,
    *notifications.OPERATIONS,
    *emergency.OPERATIONS,
    *roster.OPERATIONS,
    *substitutes.OPERATIONS,
    *district.OPERATIONS,
    *whereabouts.OPERATIONS,
]
