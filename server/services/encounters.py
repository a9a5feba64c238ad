"""Encounter groups (admins and security manage them) and the log of encounters they met.

Groups are written inside the school's transaction: a pass decision sees a group either
before or after a change, never half of one (its members written, its mode not yet).
Nothing here is reachable by a student: every function starts with `require_manager`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from server.auth.principal import Principal
from server.enums import EncounterMode, Role
from server.errors import ErrorCode, HallpassError, forbidden, not_found
from server.models import EncounterGroup, EncounterLog, User
from server.notify import enqueue_prevented
from server.rules import Encounter, OpenPass, SchoolFacts
from server.rules.encounters import alerting_groups, blocking_group, others_out
from server.rules.permissions import may_manage_encounters
from server.services.transaction import (
    Prevented,
    SchoolTransaction,
    consistent_read,
    school_transaction,
)
from server.services.views import iso

PREVENTED = "prevented"
ALERTED = "alerted"
MAX_LOG = 500


def require_manager(principal: Principal) -> None:
    """Refuse anyone but administrators and security (403)."""
    if not may_manage_encounters(principal.actor):
        # The same words as any 403: a student who guesses the URL learns nothing from it.
        raise forbidden()


def _people(ids: Iterable[int], names: dict[int, str]) -> list[dict[str, Any]]:
    return [{"id": i, "name": names.get(i, "")} for i in sorted(ids)]


async def _names(conn: Any, ids: Iterable[int]) -> dict[int, str]:
    users = await User.filter(id__in=sorted(set(ids))).using_db(conn)
    return {user.id: user.display_name for user in users}


async def _group_json(conn: Any, group: EncounterGroup) -> dict[str, Any]:
    member_ids = await group.members.all().using_db(conn).values_list("id", flat=True)
    names = await _names(conn, member_ids)  # type: ignore[arg-type]
    return {
        "id": group.id,
        "name": group.name,
        "mode": str(group.mode),
        "members": _people(names, names),
        "expires_on": None if group.expires_on is None else group.expires_on.isoformat(),
        "notes": group.notes,
        "created_by": group.created_by_id,
        "created_at": iso(group.created_at),
        "updated_at": iso(group.updated_at),
    }


async def _students(tx: SchoolTransaction, member_ids: Sequence[int]) -> list[User]:
    """Return the members, naming the first id that is not an active student of the school."""
    found = {
        user.id: user
        for user in await User.filter(
            id__in=list(member_ids), school_id=tx.school.id, role=Role.STUDENT, active=True
        ).using_db(tx.conn)
    }
    for index, member_id in enumerate(member_ids):
        if member_id not in found:
            field = f"member_ids[{index}]"
            raise HallpassError(
                ErrorCode.VALIDATION_ERROR,
                f"Invalid request: {field}.",
                details={"fields": [{"field": field, "message": "not a student of this school"}]},
            )
    return [found[i] for i in member_ids]


async def _get(tx: SchoolTransaction, group_id: int) -> EncounterGroup:
    group = (
        await EncounterGroup.filter(id=group_id, school_id=tx.school.id, active=True)
        .using_db(tx.conn)
        .get_or_none()
    )
    if group is None:
        raise not_found("encounter group")
    return group


async def list_groups(principal: Principal) -> list[dict[str, Any]]:
    """Return the school's encounter groups (deleted ones aside), by name."""
    require_manager(principal)
    async with consistent_read() as conn:
        groups = (
            await EncounterGroup.filter(school_id=principal.actor.school_id, active=True)
            .using_db(conn)
            .order_by("name", "id")
        )
        return [await _group_json(conn, group) for group in groups]


async def read_group(principal: Principal, group_id: int) -> dict[str, Any]:
    """Return one group of the caller's school (404 for another school's)."""
    require_manager(principal)
    async with school_transaction(principal.actor.school_id) as tx:
        return await _group_json(tx.conn, await _get(tx, group_id))


async def create_group(principal: Principal, values: dict[str, Any]) -> dict[str, Any]:
    """Create a group of students of the caller's school; return it."""
    require_manager(principal)
    async with school_transaction(principal.actor.school_id) as tx:
        members = await _students(tx, values["member_ids"])
        group = await EncounterGroup.create(
            using_db=tx.conn,
            school_id=tx.school.id,
            name=values["name"],
            mode=EncounterMode(values.get("mode", EncounterMode.BLOCK)),
            notes=values.get("notes", ""),
            expires_on=values.get("expires_on"),
            created_by_id=principal.actor.user_id,
        )
        await group.members.add(*members, using_db=tx.conn)
        return await _group_json(tx.conn, group)


async def update_group(
    principal: Principal, group_id: int, values: dict[str, Any]
) -> dict[str, Any]:
    """Change what was sent of a group's name, mode, members, last day and notes."""
    require_manager(principal)
    async with school_transaction(principal.actor.school_id) as tx:
        group = await _get(tx, group_id)
        if "member_ids" in values:
            members = await _students(tx, values["member_ids"])
            await group.members.clear(using_db=tx.conn)
            await group.members.add(*members, using_db=tx.conn)
        for name in ("name", "notes", "expires_on"):
            if name in values:
                setattr(group, name, values[name])
        if "mode" in values:
            group.mode = EncounterMode(values["mode"])
        await group.save(using_db=tx.conn)
        return await _group_json(tx.conn, group)


async def delete_group(principal: Principal, group_id: int) -> None:
    """Deactivate a group: it stops applying at once, and its log keeps naming it."""
    require_manager(principal)
    async with school_transaction(principal.actor.school_id) as tx:
        group = await _get(tx, group_id)
        group.active = False
        await group.save(using_db=tx.conn, update_fields=["active", "updated_at"])


async def read_log(
    principal: Principal, since: datetime | None, group_id: int | None, limit: int = MAX_LOG
) -> list[dict[str, Any]]:
    """Return the school's logged encounters, newest first."""
    require_manager(principal)
    query = EncounterLog.filter(school_id=principal.actor.school_id)
    if since is not None:
        query = query.filter(at__gte=since)
    if group_id is not None:
        query = query.filter(group_id=group_id)
    async with consistent_read() as conn:
        rows = (
            await query.using_db(conn)
            .order_by("-at", "-id")
            .limit(limit)
            .select_related("group", "destination")
        )
        names = await _names(conn, [i for row in rows for i in (row.student_id, *row.others)])
    return [
        {
            "id": row.id,
            "at": iso(row.at),
            "group": {"id": row.group.id, "name": row.group.name},
            "mode": str(row.mode),
            "outcome": row.outcome,
            "student": {"id": row.student_id, "name": names.get(row.student_id, "")},
            "others": _people(row.others, names),
            "destination": {"id": row.destination.id, "name": row.destination.name},
            "pass_id": row.hall_pass_id,
        }
        for row in rows
    ]


def _row(
    tx: SchoolTransaction,
    group: Encounter,
    outcome: str,
    student_id: int,
    others: frozenset[int],
    destination_id: int,
    pass_id: int | None,
) -> EncounterLog:
    return EncounterLog(
        school_id=tx.school.id,
        at=tx.now,
        group_id=group.id,
        mode=group.mode,
        student_id=student_id,
        others=sorted(others),
        destination_id=destination_id,
        hall_pass_id=pass_id,
        outcome=outcome,
    )


def keep_prevented(
    tx: SchoolTransaction,
    facts: SchoolFacts,
    candidate: OpenPass,
    active: tuple[OpenPass, ...],
    *,
    waiting: bool = False,
) -> None:
    """Queue the log row of the encounter a blocking group prevents, written after the answer.

    For a refusal (the row outlives its rollback), or for a student's request the group put in
    line (`waiting`): either way the answer must not wait for it (`transaction.write_prevented`).
    """
    group = blocking_group(facts, candidate.student_id, active)
    if group is None:
        return
    others = others_out(group, candidate.student_id, active)
    pass_id = candidate.id or None  # 0: a request that never became a pass
    row = _row(
        tx, group, PREVENTED, candidate.student_id, others, candidate.destination_id, pass_id
    )
    tx.prevented.append(Prevented(row, waiting))


async def log_prevented(
    tx: SchoolTransaction,
    facts: SchoolFacts,
    candidate: OpenPass,
    holding: tuple[OpenPass, ...],
) -> None:
    """Log, in the transaction that skips a pass in line, the group that held it back, and
    queue security's notice of it: once per (pass, group), however often the line moves
    while the group holds the pass back (the school's lock makes the check and the write one).
    """
    group = blocking_group(facts, candidate.student_id, holding)
    if group is None:
        return
    logged = EncounterLog.filter(
        hall_pass_id=candidate.id, group_id=group.id, outcome=PREVENTED
    ).using_db(tx.conn)
    if await logged.exists():
        return
    others = others_out(group, candidate.student_id, holding)
    row = _row(
        tx, group, PREVENTED, candidate.student_id, others, candidate.destination_id, candidate.id
    )
    await row.save(using_db=tx.conn)
    # With the log row, in its transaction: like an event's outbox rows, queued exactly when
    # the row commits.
    await enqueue_prevented(tx.conn, tx.school, row, waiting=True)


async def log_alerts(
    tx: SchoolTransaction,
    facts: SchoolFacts,
    candidate: OpenPass,
    active: tuple[OpenPass, ...],
) -> None:
    """Log, in the transaction that lets the pass out, each alert group it meets."""
    for group in alerting_groups(facts, candidate.student_id, active):
        tx.alerted.add(candidate.id)
        others = others_out(group, candidate.student_id, active)
        row = _row(
            tx, group, ALERTED, candidate.student_id, others, candidate.destination_id, candidate.id
        )
        await row.save(using_db=tx.conn)
