"""Notification preferences: users' mutes, the school's notification settings, and the delivery
log admins read (the rows server/notify writes and sends)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from tortoise.transactions import in_transaction

from server.auth.principal import Principal
from server.contract.categories import FOR_ROLE, SAFETY, Category
from server.enums import Role
from server.errors import ErrorCode, HallpassError, forbidden
from server.models import Delivery, DeliveryAttempt, NotificationMute, School, User
from server.notify import KEY, Stored, Webhook, stored, webhook_allowed
from server.rules.permissions import may_manage_policy
from server.services.push import bad
from server.services.transaction import school_transaction
from server.services.views import iso

MAX_LOG = 200


def _categories(role: Role) -> list[dict[str, Any]]:
    return [{"name": str(c), "safety": c in SAFETY} for c in FOR_ROLE[role]]


async def read_mutes(principal: Principal) -> dict[str, Any]:
    """Return the caller's muted categories."""
    if principal.actor.role is Role.KIOSK:
        raise forbidden("A kiosk has no notifications.")
    rows = await NotificationMute.filter(user_id=principal.actor.user_id).values("category")
    known = {str(c) for c in Category}
    muted = sorted(str(r["category"]) for r in rows if r["category"] in known)
    return {"muted": muted, "categories": _categories(principal.actor.role)}


async def write_mutes(principal: Principal, muted: list[Category]) -> dict[str, Any]:
    """Replace the caller's muted categories; a safety category refuses the whole change."""
    if principal.actor.role is Role.KIOSK:
        raise forbidden("A kiosk has no notifications.")
    for index, category in enumerate(muted):
        if category in SAFETY:
            raise HallpassError(
                ErrorCode.NOT_MUTABLE,
                f"{category} is a safety notification: it can't be muted.",
                details={"fields": [{"field": f"muted[{index}]", "message": "a safety category"}]},
            )
    user_id = principal.actor.user_id
    async with in_transaction() as conn:
        await NotificationMute.filter(user_id=user_id).using_db(conn).delete()
        for category in sorted(set(muted)):
            await NotificationMute.create(using_db=conn, user_id=user_id, category=str(category))
    return await read_mutes(principal)


def require_admin(principal: Principal) -> None:
    """Refuse anyone but the school's administrators (403)."""
    if not may_manage_policy(principal.actor):
        raise forbidden()


def _settings_json(settings: Stored) -> dict[str, Any]:
    return {
        "email_categories": [str(c) for c in settings.email_categories],
        "flagged_student_ids": list(settings.flagged_student_ids),
        "webhooks": [{"url": w.url} for w in settings.webhooks],  # never the secret
    }


async def read_settings(principal: Principal) -> dict[str, Any]:
    """Return the school's notification settings (admins)."""
    require_admin(principal)
    school = await School.get(id=principal.actor.school_id)
    return _settings_json(stored(school))


async def write_settings(
    principal: Principal, body: dict[str, Any], webhook_hosts: Sequence[str] = ()
) -> dict[str, Any]:
    """Replace the school's notification settings (admins), checked whole before any write."""
    require_admin(principal)
    for index, hook in enumerate(body["webhooks"]):
        parts = urlsplit(hook["url"])
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise bad(f"webhooks[{index}].url", "an absolute http(s) URL")
        if not webhook_allowed(hook["url"], webhook_hosts):
            raise bad(f"webhooks[{index}].url", "a host this server may call (ask its operator)")
    flagged: list[int] = list(dict.fromkeys(body["flagged_student_ids"]))
    school_id = principal.actor.school_id
    async with school_transaction(school_id) as tx:
        students = {
            int(r["id"])
            for r in await User.filter(id__in=flagged, school_id=school_id, role=Role.STUDENT)
            .using_db(tx.conn)
            .values("id")
        }
        for index, student_id in enumerate(flagged):
            if student_id not in students:
                raise bad(f"flagged_student_ids[{index}]", "not a student of this school")
        settings = Stored(
            email_categories=tuple(dict.fromkeys(Category(c) for c in body["email_categories"])),
            flagged_student_ids=tuple(flagged),
            webhooks=tuple(Webhook(w["url"], w["secret"]) for w in body["webhooks"]),
        )
        # Under the school's lock: a pass routed meanwhile sees the old settings or the new.
        all_settings = {**tx.school.settings, KEY: settings.as_json()}
        await School.filter(id=school_id).using_db(tx.conn).update(settings=all_settings)
    return _settings_json(settings)


async def delivery_log(principal: Principal) -> list[dict[str, Any]]:
    """Return the school's latest deliveries with each attempt, newest first (admins)."""
    require_admin(principal)
    rows = await Delivery.filter(school_id=principal.actor.school_id).order_by("-id").limit(MAX_LOG)
    tries: dict[int, list[dict[str, Any]]] = {}
    for attempt in await DeliveryAttempt.filter(delivery_id__in=[r.id for r in rows]).order_by(
        "id"
    ):
        tries.setdefault(attempt.delivery_id, []).append(
            {
                "at": iso(attempt.at),
                "status": attempt.status,
                "error": attempt.error,
                "reduced": attempt.reduced,
                "duration_ms": attempt.duration_ms,
            }
        )
    return [
        {
            "id": r.id,
            "channel": r.channel,
            "category": r.category,
            "urgency": r.urgency,
            "state": r.state,
            "recipient_id": r.recipient_id,
            "pass_id": r.hall_pass_id,
            "event_seq": r.event_seq,
            "created_at": iso(r.created_at),
            "sent_at": iso(r.sent_at),
            "attempts": tries.get(r.id, []),
        }
        for r in rows
    ]
