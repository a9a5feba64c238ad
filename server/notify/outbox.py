"""The outbox: route an event and write its deliveries in the transaction that appends it.

Written with the event, a delivery exists exactly when the event does (a rollback takes both),
and its unique key (school, epoch, seq, channel, target) means no retry or second process can queue
it twice. The delivery worker (server/notify/worker.py) sends it after commit.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from server.contract.categories import Category, Channel
from server.enums import STAFF_ROLES, EnrollmentRole, PassState, Role
from server.models import (
    Delivery,
    EncounterLog,
    Location,
    NotificationMute,
    PassEvent,
    PushSubscription,
    School,
    User,
)
from server.notify.payload import notice_payload
from server.notify.routing import (
    Event,
    Notice,
    PassFacts,
    Person,
    heard,
    pass_facts,
    route,
    route_emergency,
    route_prevented,
    routed_events,
)
from server.notify.school_settings import Stored, for_routing, stored

# Staff routing may pick whatever their rooms: every person of these roles is a candidate.
ROLE_WIDE = (Role.SECURITY, Role.NURSE, Role.COUNSELOR)
LISTENED = routed_events()
# A prevented request never changed state; routing reads only its names.
_REFUSED = PassState.DENIED


async def _people(
    conn: BaseDBAsyncClient, school_id: int, room_ids: Sequence[int], section_id: int | None = None
) -> dict[int, Person]:
    """Return the school's possible recipients: every nurse, counselor and security member,
    the staff assigned to the rooms concerned and the teachers of the section concerned, each
    with their rooms, sections and mutes."""
    # On the (school_id, role) index: a rostered school has thousands of students.
    rows = await (
        User.filter(school_id=school_id, active=True, role__in=list(ROLE_WIDE))
        .using_db(conn)
        .values("id", "role")
    )
    roles = {int(r["id"]): Role(r["role"]) for r in rows}
    rooms: dict[int, set[int]] = {}
    if room_ids:
        # From the rooms to their staff, not from the school's users to their rooms: the
        # planners otherwise walk every user of the school (20,000 in a district's school).
        assigned = await (
            Location.filter(school_id=school_id, id__in=sorted(set(room_ids)), staff__active=True)
            .using_db(conn)
            .values("id", "staff__id", "staff__role")
        )
        for r in assigned:
            roles[int(r["staff__id"])] = Role(r["staff__role"])
            rooms.setdefault(int(r["staff__id"]), set()).add(int(r["id"]))
    teaching: set[int] = set()
    if section_id is not None:
        teachers = await (
            User.filter(
                school_id=school_id,
                active=True,
                enrollments__section_id=section_id,
                enrollments__role=EnrollmentRole.TEACHER,
                enrollments__active=True,
            )
            .using_db(conn)
            .values("id", "role")
        )
        for r in teachers:
            roles[int(r["id"])] = Role(r["role"])
            teaching.add(int(r["id"]))
    muted = await _mutes(conn, roles)
    return {
        uid: Person(
            uid,
            role,
            frozenset(rooms.get(uid, ())),
            muted.get(uid, frozenset()),
            frozenset({section_id}) if uid in teaching and section_id is not None else frozenset(),
        )
        for uid, role in roles.items()
    }


async def _mutes(
    conn: BaseDBAsyncClient, user_ids: Iterable[int]
) -> dict[int, frozenset[Category]]:
    ids = sorted(user_ids)
    if not ids:
        return {}
    found: dict[int, set[Category]] = {}
    for row in (
        await NotificationMute.filter(user_id__in=ids).using_db(conn).values("user_id", "category")
    ):
        if row["category"] in set(Category):
            found.setdefault(int(row["user_id"]), set()).add(Category(row["category"]))
    return {uid: frozenset(cats) for uid, cats in found.items()}


def _webhook_key(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest()[:16]


async def _write(
    conn: BaseDBAsyncClient,
    school: School,
    settings: Stored,
    notices: Sequence[Notice],
    *,
    key: str,
    seq: int | None,
    event_name: str,
    now: datetime,
    people: dict[int, Person],
) -> None:
    """Write one delivery per (notice, device or address), one per (notice, user) for the
    in-app channel, and one per school webhook."""
    if not notices:
        return
    user_ids = sorted({n.user_id for n in notices})
    subscriptions: dict[int, list[PushSubscription]] = {}
    for sub in await PushSubscription.filter(user_id__in=user_ids).using_db(conn):
        subscriptions.setdefault(sub.user_id, []).append(sub)
    emails: dict[int, str] = {}
    if any(Channel.EMAIL in n.channels for n in notices):
        emails = {
            int(r["id"]): str(r["email"])
            for r in await User.filter(id__in=user_ids, email__isnull=False)
            .using_db(conn)
            .values("id", "email")
            if r["email"]
        }
    rows: list[Delivery] = []

    def row(notice: Notice | None, channel: Channel, target: str, **extra: Any) -> Delivery:
        return Delivery(
            school_id=school.id,
            key=f"{school.id}:{key}:{channel}:{target}",
            event_seq=seq,
            hall_pass_id=notice.pass_id if notice else extra.pop("pass_id", None),
            channel=str(channel),
            category=str(notice.category) if notice else extra.pop("category"),
            urgency=str(notice.urgency) if notice else extra.pop("urgency"),
            recipient_id=notice.user_id if notice else None,
            due_at=now,
            expires_at=notice.expires_at if notice else None,
            created_at=now,
            **extra,
        )

    for notice in notices:
        payload = notice_payload(notice)
        for sub in subscriptions.get(notice.user_id, ()):
            rows.append(
                row(notice, Channel.PUSH, str(sub.id), subscription_id=sub.id, payload=payload)
            )
        if Channel.INAPP in notice.channels:
            # One per user, not per socket: the hub of every process finds the user's sockets.
            rows.append(row(notice, Channel.INAPP, str(notice.user_id), payload=payload))
        if Channel.EMAIL in notice.channels and notice.user_id in emails:
            address = emails[notice.user_id]
            rows.append(
                row(notice, Channel.EMAIL, str(notice.user_id), address=address, payload=payload)
            )
    if settings.webhooks:
        first = notices[0]
        body = {
            "type": "hallpass.notifications",
            "school_id": school.id,
            "event": event_name,
            "seq": seq,
            "pass_id": first.pass_id,
            "notifications": [
                {
                    "user_id": n.user_id,
                    "role": str(people[n.user_id].role) if n.user_id in people else "student",
                    "category": str(n.category),
                    "urgency": str(n.urgency),
                    "title": n.title,
                    "body": n.body,
                }
                for n in notices
            ],
        }
        top = max(notices, key=lambda n: n.urgency == "high")
        for hook in settings.webhooks:
            rows.append(
                row(
                    None,
                    Channel.WEBHOOK,
                    _webhook_key(hook.url),
                    address=hook.url,
                    payload=body,
                    pass_id=first.pass_id,
                    category=str(top.category),
                    urgency=str(top.urgency),
                )
            )
    if rows:
        await Delivery.bulk_create(rows, using_db=conn)


async def enqueue_event(
    conn: BaseDBAsyncClient, school: School, event: PassEvent, *, alerted: bool
) -> None:
    """Route one event just appended, and write its deliveries in the same transaction."""
    if LISTENED is not None and event.name not in LISTENED:
        return  # arrivals, cancellations: nobody is told, and nothing is read
    data: dict[str, Any] = dict(event.data)
    settings = stored(school)
    routing = for_routing(school, settings)
    # Whether anyone is told never depends on names, people or mutes: decide it first, so the
    # common event nobody hears of (a restroom pass out and back) costs no query in the lock.
    if not heard(
        Event(event.name, pass_facts(data, "", ""), alerted=alerted, at=event.at), routing
    ):
        return
    student = await User.filter(id=int(data["student"]["id"])).using_db(conn).get()
    facts = pass_facts(data, student.first_name, student.last_name)
    people = await _people(
        conn, school.id, (facts.origin_id, facts.destination_id), facts.section_id
    )
    muted = await _mutes(conn, (student.id,))
    pupil = Person(student.id, Role.STUDENT, muted=muted.get(student.id, frozenset()))
    notices = route(
        Event(event.name, facts, alerted=alerted, at=event.at),
        people.values(),
        routing,
        student=pupil,
    )
    await _write(
        conn,
        school,
        settings,
        notices,
        # With the epoch: a school whose event log restarts (a new epoch) numbers seqs from 1
        # again, and its new deliveries must not collide with the last month's.
        key=f"{school.epoch}:{event.seq}",
        seq=event.seq,
        event_name=event.name,
        now=event.at,
        people=people,
    )


async def enqueue_prevented(
    conn: BaseDBAsyncClient, school: School, log: EncounterLog, *, waiting: bool = False
) -> None:
    """Write security's deliveries for an encounter a blocking group prevented (`waiting`: by
    holding back a pass in line, rather than refusing a request)."""
    student = await User.filter(id=log.student_id).using_db(conn).get()
    destination = await Location.filter(id=log.destination_id).using_db(conn).get()
    facts = PassFacts(
        id=log.hall_pass_id or 0,
        state=_REFUSED,
        student_id=student.id,
        first_name=student.first_name,
        last_name=student.last_name,
        origin_id=student.home_location_id or 0,
        origin_name="",
        destination_id=destination.id,
        destination_name=destination.name,
        destination_kind=destination.kind,
    )
    settings = stored(school)
    people = await _people(conn, school.id, ())
    notices = route_prevented(
        facts, people.values(), for_routing(school, settings), waiting=waiting
    )
    await _write(
        conn,
        school,
        settings,
        notices,
        key=f"encounter-{log.id}",
        seq=None,
        event_name="encounter.prevented",
        now=log.at,
        people=people,
    )


async def enqueue_emergency(
    conn: BaseDBAsyncClient,
    school: School,
    emergency_id: int,
    kind: str,
    phase: str,
    roster_size: int,
    now: datetime,
) -> None:
    """Write every staff member's deliveries that an emergency `started` or `ended`, in the
    transaction that starts or ends it (one row per device, one in-app row per person)."""
    rows = await (
        User.filter(school_id=school.id, active=True, role__in=sorted(STAFF_ROLES))
        .using_db(conn)
        .values("id", "role")
    )
    people = {int(r["id"]): Person(int(r["id"]), Role(r["role"])) for r in rows}
    settings = stored(school)
    notices = route_emergency(
        emergency_id, kind, phase, roster_size, people.values(), for_routing(school, settings)
    )
    await _write(
        conn,
        school,
        settings,
        notices,
        key=f"emergency-{emergency_id}-{phase}",
        seq=None,
        event_name=f"emergency.{phase}",
        now=now,
        people=people,
    )
