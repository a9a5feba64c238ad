"""School policy rows (admins set them) and a student's effective limits (staff ask why).

Rows are written inside the school's transaction: a pass decision sees a policy either before
or after a change, never half of it, and two admins saving one row at once can't collide on
its unique (school, scope, target).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from server.auth.principal import Principal
from server.clock import utcnow
from server.enums import PolicyScope, Role
from server.errors import ErrorCode, HallpassError, forbidden, not_found
from server.models import Location, Policy, School, User
from server.rules.limits import standing
from server.rules.permissions import may_explain_policy, may_manage_policy
from server.rules.policy import PRECEDENCE, SCOPES_OF, Effective, Setting, source
from server.services.facts import load_facts
from server.services.transaction import consistent_read, school_transaction
from server.services.views import iso, student_name


@dataclass(frozen=True, slots=True)
class PolicyKey:
    """Which row: a scope and its target ("" for the school; ids and grades as digits)."""

    scope: PolicyScope
    target: str


# The school first, the student last: the order rows are listed in.
LISTING_ORDER: dict[str, int] = {str(scope): n for n, scope in enumerate(reversed(PRECEDENCE))}


def policy_json(row: Policy) -> dict[str, Any]:
    """Serialise a policy row."""
    return {
        "scope": row.scope,
        "target": row.target,
        "rules": row.rules,
        "updated_at": iso(row.updated_at),
    }


def _listing_key(row: Policy) -> tuple[int, int, str]:
    # Grades and ids in numeric order (9 before 10), group names by name.
    number = int(row.target) if row.target.isdigit() else 0
    order = LISTING_ORDER.get(row.scope, len(LISTING_ORDER))
    return (order, number, row.target)


def require_admin(principal: Principal) -> None:
    """Refuse anyone but an administrator (403)."""
    if not may_manage_policy(principal.actor):
        raise forbidden("Only an administrator can see or change the school's policy.")


async def list_policies(principal: Principal) -> list[dict[str, Any]]:
    """Return every policy row of the caller's school, the school's first."""
    require_admin(principal)
    rows = await Policy.filter(school_id=principal.actor.school_id)
    rows.sort(key=_listing_key)
    return [policy_json(row) for row in rows]


def _check_settings(key: PolicyKey, rules: Mapping[str, object]) -> None:
    bad = [
        {"field": f"rules.{name}", "message": f"can't be set for a {key.scope}"}
        for name in rules
        if key.scope not in SCOPES_OF[Setting(name)]
    ]
    if bad:
        names = ", ".join(item["field"] for item in bad)
        raise HallpassError(
            ErrorCode.VALIDATION_ERROR, f"Invalid request: {names}.", details={"fields": bad}
        )


async def _check_target(school_id: int, key: PolicyKey, conn: BaseDBAsyncClient) -> None:
    """Refuse a destination or student that is not this school's (a grade or group may be new)."""
    if key.scope is PolicyScope.DESTINATION:
        found = await (
            Location.filter(id=int(key.target), school_id=school_id, is_destination=True)
            .using_db(conn)
            .exists()
        )
        if not found:
            raise not_found("destination")
    elif key.scope is PolicyScope.STUDENT:
        found = await (
            User.filter(id=int(key.target), school_id=school_id, role=Role.STUDENT)
            .using_db(conn)
            .exists()
        )
        if not found:
            raise not_found("student")


async def put_policy(
    principal: Principal, key: PolicyKey, rules: Mapping[str, object]
) -> dict[str, Any]:
    """Create the row, or replace its settings; return it."""
    require_admin(principal)
    _check_settings(key, rules)
    school_id = principal.actor.school_id
    async with school_transaction(school_id) as tx:
        await _check_target(school_id, key, tx.conn)
        row = (
            await Policy.filter(school_id=school_id, scope=key.scope, target=key.target)
            .using_db(tx.conn)
            .get_or_none()
        )
        if row is None:
            row = await Policy.create(
                using_db=tx.conn,
                school_id=school_id,
                scope=key.scope,
                target=key.target,
                rules=dict(rules),
            )
        else:
            row.rules = dict(rules)
            await row.save(using_db=tx.conn, update_fields=["rules", "updated_at"])
        return policy_json(row)


async def delete_policy(principal: Principal, key: PolicyKey) -> None:
    """Delete the row (its target need not exist any more: a student may have left)."""
    require_admin(principal)
    async with school_transaction(principal.actor.school_id) as tx:
        deleted = (
            await Policy.filter(
                school_id=principal.actor.school_id, scope=key.scope, target=key.target
            )
            .using_db(tx.conn)
            .delete()
        )
        if not deleted:
            raise not_found("policy")


def require_staff(principal: Principal) -> None:
    """Refuse students and kiosks (403): limits are explained to staff."""
    if not may_explain_policy(principal.actor):
        raise forbidden("Only staff can see a student's limits.")


def _setting_json(effective: Effective, places: Mapping[int, Any]) -> dict[str, Any]:
    value = effective.value
    return {
        "value": list(value) if isinstance(value, tuple) else value,
        "scope": None if effective.scope is None else str(effective.scope),
        "target": None if effective.scope is None else effective.target,
        "source": source(effective, places),
    }


async def explain(
    principal: Principal, student_id: int, destination_id: int | None
) -> dict[str, Any]:
    """Return a student's effective policy, counts, no-fly windows, and their next chance.

    It runs the very function that decides requests, on facts read the same way, so the
    answer is the decision a request would get now (for `destination_id`, when given).
    """
    require_staff(principal)
    actor = principal.actor
    async with consistent_read() as conn:
        student = (
            await User.filter(id=student_id, school_id=actor.school_id, role=Role.STUDENT)
            .using_db(conn)
            .get_or_none()
        )
        if student is None:
            raise not_found("student")
        destination = None
        if destination_id is not None:
            destination = (
                await Location.filter(
                    id=destination_id, school_id=actor.school_id, is_destination=True
                )
                .using_db(conn)
                .get_or_none()
            )
            if destination is None:
                raise not_found("destination")
        school = await School.filter(id=actor.school_id).using_db(conn).get()
        facts = await load_facts(conn, school, utcnow(), requester=student)
    assert facts.requester is not None
    result = standing(facts, facts.requester, destination_id)
    hold = result.blocking
    policy = result.policy
    return {
        "student": {"id": student.id, "name": student_name(student, full=True)},
        "destination": None
        if destination is None
        else {"id": destination.id, "name": destination.name, "kind": str(destination.kind)},
        "timezone": school.timezone,
        "settings": {
            setting.value: _setting_json(policy.of(setting), facts.places)
            for setting in Setting
            if setting is not Setting.ACCOMMODATION or may_manage_policy(actor)
        },
        "today": result.today,
        "this_week": result.this_week,
        "allowed": hold is None,
        "code": None if hold is None else str(hold.code),
        "detail": "" if hold is None else hold.staff_detail,
        "student_detail": "" if hold is None else hold.detail,
        "next_possible_at": None
        if result.next_possible_at is None
        else iso(result.next_possible_at.astimezone(UTC)),
        "no_fly_windows": [
            {
                "kind": str(window.kind),
                "period": window.period,
                "start": iso(window.start),
                "end": iso(window.end),
            }
            for window in result.windows
        ],
    }
