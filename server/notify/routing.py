"""Who is told what: a pure function of an event, the school's people and its settings.

No ORM, no I/O, no clock: the outbox (server/notify/outbox.py) reads the facts inside the
school transaction and writes what this returns. The routes are one table, so a new event
name is a one-line change to the `events` of a route.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, tzinfo
from enum import StrEnum
from typing import Any

from server.contract.categories import SAFETY, Category, Channel, Urgency, urgency_of
from server.enums import CLASSROOM_STAFF, STAFF_ROLES, LocationKind, PassState, Role
from server.names import short_name
from server.rules.localtime import time_of_day
from server.rules.walk import expected_arrival


class Audience(StrEnum):
    """Whom a route speaks to, resolved against the school's people."""

    STUDENT = "student"  # the pass's own student
    # The teachers of the section the pass left, or (no section) those of the room it leaves.
    ORIGIN_TEACHERS = "origin_teachers"
    NURSES = "nurses"  # nurses of the destination (every nurse when none is assigned)
    COUNSELORS = "counselors"  # counselors of the destination (every one when none is)
    SECURITY = "security"


@dataclass(frozen=True, slots=True)
class PassFacts:
    """What routing needs to know about the pass an event changed."""

    id: int
    state: PassState
    student_id: int
    first_name: str
    last_name: str
    origin_id: int
    origin_name: str
    destination_id: int
    destination_name: str
    destination_kind: LocationKind
    started_at: datetime | None = None
    due_at: datetime | None = None
    position: int | None = None
    # While waiting: a place is held for the pass until this time (`pass.offered`).
    offer_expires_at: datetime | None = None
    # A scheduled pass: when it starts, and how long before it its reminder is due.
    start_at: datetime | None = None
    remind_minutes: int | None = None
    # The section the pass left (its teachers answer for it); None: its room's staff do.
    section_id: int | None = None

    @property
    def full_name(self) -> str:
        """Return the student's full name (the nurse and counselor need it)."""
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def short_name(self) -> str:
        """Return the student's first name(s) and family initial (lock screens show it)."""
        return short_name(self.first_name, self.last_name)


@dataclass(frozen=True, slots=True)
class Event:
    """One committed pass event, as routing sees it."""

    name: str
    hall_pass: PassFacts
    # An alert-mode encounter group was met as this pass went out (logged in the same tx).
    alerted: bool = False
    # When the event happened (a reminder says how soon the visit starts); None: unknown.
    at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Person:
    """A possible recipient: their role, assigned rooms and muted categories."""

    user_id: int
    role: Role
    rooms: frozenset[int] = frozenset()
    muted: frozenset[Category] = frozenset()
    # The sections they teach, of those concerned (the pass's).
    sections: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class SchoolSettings:
    """The school's notification settings, as routing needs them."""

    zone: tzinfo = UTC
    flagged_student_ids: frozenset[int] = frozenset()
    email_categories: frozenset[Category] = frozenset()


@dataclass(frozen=True, slots=True)
class Notice:
    """One notification for one person: what to say, how urgently, on which channels."""

    user_id: int
    category: Category
    title: str
    body: str
    pass_id: int | None
    channels: tuple[Channel, ...] = (Channel.PUSH,)
    # What the notice is about when it is not a pass (a refused request): its topic's key.
    about: str = ""
    # Worthless from this time on (an offered place lapses): not sent after it, and a push's
    # TTL never outlives it. None: the channel's usual lifetime.
    expires_at: datetime | None = None
    # Where the app opens when the notice is tapped; "" for the pass's page (or the home).
    url: str = ""
    urgency: Urgency = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "urgency", urgency_of(self.category))

    @property
    def topic(self) -> str:
        """Return the Web Push topic: a later notice of a pass replaces an undelivered one.

        Safety notices have their own topic, so a routine update never replaces an alert.
        """
        prefix = "s" if self.category in SAFETY else "p"
        return f"{prefix}{self.pass_id}" if self.pass_id else f"{prefix}-{self.about}"


Message = Callable[[Event, SchoolSettings], tuple[str, str]]
Condition = Callable[[Event, SchoolSettings], bool]
Expiry = Callable[[Event], datetime | None]


def _never(event: Event) -> datetime | None:
    return None


@dataclass(frozen=True, slots=True)
class Route:
    """One row of the routing table: on these events, when this holds, tell this audience."""

    events: frozenset[str] | None  # None: every event
    category: Category
    audience: Audience
    when: Condition
    message: Message
    expires: Expiry = _never


def _clock(at: datetime | None, settings: SchoolSettings, *, seconds: bool = False) -> str:
    return "" if at is None else time_of_day(at, settings.zone, seconds=seconds)


def _always(event: Event, settings: SchoolSettings) -> bool:
    return True


def _alerted(event: Event, settings: SchoolSettings) -> bool:
    return event.alerted


def _flagged(event: Event, settings: SchoolSettings) -> bool:
    p = event.hall_pass
    return p.student_id in settings.flagged_student_ids and p.state in OUT_OR_BACK_STATES


def _to(kind: LocationKind, *states: PassState) -> Condition:
    def condition(event: Event, settings: SchoolSettings) -> bool:
        p = event.hall_pass
        return p.destination_kind is kind and p.state in states

    return condition


def _pending(event: Event, settings: SchoolSettings) -> bool:
    return event.hall_pass.state is PassState.PENDING


def _room_request(event: Event, settings: SchoolSettings) -> tuple[str, str]:
    p = event.hall_pass
    return f"Pass request: {p.short_name}", f"Asks to go to {p.destination_name}."


def _nurse(event: Event, settings: SchoolSettings) -> tuple[str, str]:
    p = event.hall_pass
    if p.state is PassState.PENDING:
        return (
            f"Nurse: {p.full_name}",
            f"Asked to come from {p.origin_name}; waiting for the teacher's approval.",
        )
    if p.started_at is None:
        return f"Nurse: {p.full_name}", f"On the way from {p.origin_name}."
    expected = expected_arrival(p.started_at, p.due_at)
    # The same words as the nurse's card (pwa/src/views/care/expected.ts): one time, explained.
    walk = math.ceil((expected - p.started_at).total_seconds() / 60)
    return (
        f"Nurse: {p.full_name}",
        f"On the way from {p.origin_name}, expected about {_clock(expected, settings)} "
        f"({walk}-min walk).",
    )


def _counselor(event: Event, settings: SchoolSettings) -> tuple[str, str]:
    p = event.hall_pass
    return f"Visit request: {p.full_name}", f"From {p.origin_name}. Accept or delay it."


def _approved(event: Event, settings: SchoolSettings) -> tuple[str, str]:
    p = event.hall_pass
    if p.state is PassState.WAITING:
        return "Pass approved", f"You're number {p.position} in line for {p.destination_name}."
    return "Pass approved", f"You can go to {p.destination_name} now."


def _denied(event: Event, settings: SchoolSettings) -> tuple[str, str]:
    # Never a reason: it could name an encounter group (DESIGN.md invariant 5).
    return "Pass denied", f"Your pass to {event.hall_pass.destination_name} was denied."


def _turn(event: Event, settings: SchoolSettings) -> tuple[str, str]:
    p = event.hall_pass
    until = _clock(p.offer_expires_at, settings, seconds=True)
    return "Your turn", f"{p.destination_name} is yours until {until}. Take it in the app."


def _offer_deadline(event: Event) -> datetime | None:
    return event.hall_pass.offer_expires_at


def _requeued(event: Event, settings: SchoolSettings) -> tuple[str, str]:
    p = event.hall_pass
    return (
        "Back of the line",
        f"Your turn for {p.destination_name} lapsed: you're number {p.position} in line now.",
    )


def _who_sees(p: PassFacts) -> str:
    if p.destination_kind is LocationKind.COUNSELOR:
        return "The counselor"
    if p.destination_kind is LocationKind.NURSE:
        return "The nurse"
    return p.destination_name


def _delayed(event: Event, settings: SchoolSettings) -> tuple[str, str]:
    p = event.hall_pass
    return "Visit delayed", f"{_who_sees(p)} will see you at {_clock(p.start_at, settings)}."


def _delayed_for_teacher(event: Event, settings: SchoolSettings) -> tuple[str, str]:
    p = event.hall_pass
    return (
        f"Visit delayed: {p.short_name}",
        f"{_who_sees(p)} will see them at {_clock(p.start_at, settings)}; "
        "they stay in class until then.",
    )


def _soon(event: Event, settings: SchoolSettings) -> str:
    p = event.hall_pass
    minutes = p.remind_minutes
    if event.at is not None and p.start_at is not None:
        # A sweep late after a restart says how soon it really is.
        minutes = max(0, math.ceil((p.start_at - event.at).total_seconds() / 60))
    soon = "" if minutes is None else f" (in {minutes} min)"
    return f"{p.destination_name} at {_clock(p.start_at, settings)}{soon}."


def _reminder(event: Event, settings: SchoolSettings) -> tuple[str, str]:
    return "Reminder", _soon(event, settings)


def _reminder_for_teacher(event: Event, settings: SchoolSettings) -> tuple[str, str]:
    return f"Reminder: {event.hall_pass.short_name}", _soon(event, settings)


def _overdue(event: Event, settings: SchoolSettings) -> tuple[str, str]:
    p = event.hall_pass
    return (
        f"Overdue: {p.short_name}",
        f"Pass from {p.origin_name} to {p.destination_name} was due "
        f"{_clock(p.due_at, settings)} and hasn't ended.",
    )


def _overdue_for_teacher(event: Event, settings: SchoolSettings) -> tuple[str, str]:
    p = event.hall_pass
    return (
        f"Overdue: {p.short_name}",
        f"Not back from {p.destination_name}: was due {_clock(p.due_at, settings)}.",
    )


def _expired(event: Event, settings: SchoolSettings) -> tuple[str, str]:
    p = event.hall_pass
    return (
        f"Expired: {p.short_name}",
        f"Pass from {p.origin_name} to {p.destination_name} was due "
        f"{_clock(p.due_at, settings)}; return not observed.",
    )


def _alert(event: Event, settings: SchoolSettings) -> tuple[str, str]:
    p = event.hall_pass
    return (
        f"Encounter alert: {p.short_name}",
        f"Out to {p.destination_name} while a member of their group is out.",
    )


def _flagged_message(event: Event, settings: SchoolSettings) -> tuple[str, str]:
    p = event.hall_pass
    if p.state is PassState.ACTIVE:
        return (
            f"Flagged student out: {p.short_name}",
            f"Left {p.origin_name} for {p.destination_name} at {_clock(p.started_at, settings)}.",
        )
    return f"Flagged student back: {p.short_name}", f"Pass to {p.destination_name} is over."


# A flagged student's pass is reported when it goes out and when it ends.
OUT_OR_BACK_STATES = frozenset({PassState.ACTIVE, PassState.ENDED, PassState.EXPIRED})
# Events that can put a pass out of class (`pass.promoted` is no longer written, and an
# event is routed only when it is appended, so no route names it).
GOES_OUT = frozenset({"pass.created", "pass.approved", "pass.started", "pass.taken"})

# The routing table. Order is priority: one person hears about one event once, by the first
# route that picks them, so safety routes come first (a flagged student's overdue pass is one
# "overdue" notice to security, not two). Emergencies are no pass event: `route_emergency`.
ROUTES: tuple[Route, ...] = (
    # Past due_at (once, by the sweep), then, if the school's grace ends it, expired: both are
    # security's OVERDUE with the pass's safety topic, so the later replaces the earlier.
    Route(frozenset({"pass.overdue"}), Category.OVERDUE, Audience.SECURITY, _always, _overdue),
    Route(frozenset({"pass.expired"}), Category.OVERDUE, Audience.SECURITY, _always, _expired),
    Route(GOES_OUT, Category.ENCOUNTER, Audience.SECURITY, _alerted, _alert),
    Route(
        GOES_OUT | {"pass.ended", "pass.expired"},
        Category.FLAGGED_STUDENT,
        Audience.SECURITY,
        _flagged,
        _flagged_message,
    ),
    Route(
        GOES_OUT,
        Category.NURSE,
        Audience.NURSES,
        _to(LocationKind.NURSE, PassState.PENDING, PassState.ACTIVE),
        _nurse,
    ),
    Route(
        frozenset({"pass.created"}),
        Category.COUNSELOR_REQUEST,
        Audience.COUNSELORS,
        _to(LocationKind.COUNSELOR, PassState.PENDING),
        _counselor,
    ),
    Route(
        frozenset({"pass.created"}),
        Category.ROOM_REQUEST,
        Audience.ORIGIN_TEACHERS,
        _pending,
        _room_request,
    ),
    Route(frozenset({"pass.approved"}), Category.PASS_UPDATE, Audience.STUDENT, _always, _approved),
    Route(frozenset({"pass.denied"}), Category.PASS_UPDATE, Audience.STUDENT, _always, _denied),
    # "Your turn in line": a place is held until offer_expires_at; worthless after it.
    Route(
        frozenset({"pass.offered"}),
        Category.TURN,
        Audience.STUDENT,
        _always,
        _turn,
        _offer_deadline,
    ),
    Route(frozenset({"pass.requeued"}), Category.PASS_UPDATE, Audience.STUDENT, _always, _requeued),
    Route(frozenset({"pass.delayed"}), Category.PASS_UPDATE, Audience.STUDENT, _always, _delayed),
    # The request the teacher was asked about is answered: the student leaves later.
    Route(
        frozenset({"pass.delayed"}),
        Category.ROOM_REQUEST,
        Audience.ORIGIN_TEACHERS,
        _always,
        _delayed_for_teacher,
    ),
    Route(frozenset({"pass.reminder"}), Category.REMINDER, Audience.STUDENT, _always, _reminder),
    Route(
        frozenset({"pass.reminder"}),
        Category.REMINDER,
        Audience.ORIGIN_TEACHERS,
        _always,
        _reminder_for_teacher,
    ),
    # The teacher's is a courtesy they may mute: security's OVERDUE above can't be.
    Route(
        frozenset({"pass.overdue"}),
        Category.ROOM_OVERDUE,
        Audience.ORIGIN_TEACHERS,
        _always,
        _overdue_for_teacher,
    ),
)


def routed_events(routes: Iterable[Route] = ROUTES) -> frozenset[str] | None:
    """Return the event names any route listens to (None: some route hears every event)."""
    names: set[str] = set()
    for route in routes:
        if route.events is None:
            return None
        names |= route.events
    return frozenset(names)


def _members(
    audience: Audience, p: PassFacts, people: Iterable[Person], student: Person | None
) -> list[Person]:
    if audience is Audience.STUDENT:
        return [] if student is None else [student]
    if audience is Audience.SECURITY:
        return [x for x in people if x.role is Role.SECURITY]
    if audience is Audience.ORIGIN_TEACHERS:
        if p.section_id is not None:  # as server/rules/permissions.py's "from mine"
            return [x for x in people if x.role in CLASSROOM_STAFF and p.section_id in x.sections]
        return [x for x in people if x.role in CLASSROOM_STAFF and p.origin_id in x.rooms]
    role = Role.NURSE if audience is Audience.NURSES else Role.COUNSELOR
    staff = [x for x in people if x.role is role]
    assigned = [x for x in staff if p.destination_id in x.rooms]
    return assigned or staff


def _channels(category: Category, settings: SchoolSettings) -> tuple[Channel, ...]:
    # Every notice also shows on the recipient's open screens (in-app), under the same mutes.
    if category in settings.email_categories:
        return (Channel.PUSH, Channel.INAPP, Channel.EMAIL)
    return (Channel.PUSH, Channel.INAPP)


Pick = tuple[Person, Category, str, str, datetime | None]


def _notices(
    picks: Iterable[Pick], pass_id: int | None, s: SchoolSettings, about: str = ""
) -> list[Notice]:
    notices: list[Notice] = []
    told: set[int] = set()
    for person, category, title, body, expires_at in picks:
        if person.user_id in told:
            continue
        told.add(person.user_id)
        if category in person.muted and category not in SAFETY:
            continue
        notices.append(
            Notice(
                person.user_id,
                category,
                title,
                body,
                pass_id,
                _channels(category, s),
                about,
                expires_at,
            )
        )
    return notices


def heard(event: Event, settings: SchoolSettings, routes: Iterable[Route] = ROUTES) -> bool:
    """Say whether any route would speak of this event, before anyone's rows are read.

    Most events tell nobody (a restroom pass out and back); the outbox then reads nothing.
    """
    return any(
        (rule.events is None or event.name in rule.events) and rule.when(event, settings)
        for rule in routes
    )


def route(
    event: Event,
    people: Iterable[Person],
    settings: SchoolSettings,
    *,
    student: Person | None = None,
    routes: Iterable[Route] = ROUTES,
) -> list[Notice]:
    """Return who is told what about one event (staff in `people`, the pass's `student`)."""
    staff = tuple(people)
    picks: list[Pick] = []
    for rule in routes:
        if rule.events is not None and event.name not in rule.events:
            continue
        if not rule.when(event, settings):
            continue
        title, body = rule.message(event, settings)
        expires_at = rule.expires(event)
        picks.extend(
            (person, rule.category, title, body, expires_at)
            for person in _members(rule.audience, event.hall_pass, staff, student)
        )
    return _notices(picks, event.hall_pass.id, settings)


def route_prevented(
    student: PassFacts, people: Iterable[Person], settings: SchoolSettings, *, waiting: bool = False
) -> list[Notice]:
    """Return the security notices of an encounter a blocking group prevented.

    The refused request may never have become a pass: `student.id` is 0 then. `waiting`: the
    line held a waiting pass back instead (the same notice, said as it is).
    """
    title = f"Encounter prevented: {student.short_name}"
    body = (
        f"A pass to {student.destination_name} is held in line: a group member is out."
        if waiting
        else f"A pass to {student.destination_name} was refused: a group member is out."
    )
    picks: list[Pick] = [
        (person, Category.ENCOUNTER, title, body, None)
        for person in people
        if person.role is Role.SECURITY
    ]
    # A refused request has no pass: its alerts replace each other per student only.
    return _notices(picks, student.id or None, settings, about=f"u{student.student_id}")


def pass_facts(data: Mapping[str, Any], first_name: str, last_name: str) -> PassFacts:
    """Read the routing facts from the pass JSON an event carries (server/services/views.py)."""

    def when(name: str) -> datetime | None:
        raw = data.get(name)
        return None if raw is None else datetime.fromisoformat(str(raw).replace("Z", "+00:00"))

    return PassFacts(
        id=int(data["id"]),
        state=PassState(data["state"]),
        student_id=int(data["student"]["id"]),
        first_name=first_name,
        last_name=last_name,
        origin_id=int(data["origin"]["id"]),
        origin_name=str(data["origin"]["name"]),
        destination_id=int(data["destination"]["id"]),
        destination_name=str(data["destination"]["name"]),
        destination_kind=LocationKind(data["destination"]["kind"]),
        started_at=when("started_at"),
        due_at=when("due_at"),
        position=data.get("position"),
        offer_expires_at=when("offer_expires_at"),
        start_at=when("start_at"),
        remind_minutes=data.get("remind_minutes_before"),
        section_id=int(data["section"]["id"]) if isinstance(data.get("section"), dict) else None,
    )


# Where an emergency notice opens the app (the PWA's emergency screen).
EMERGENCY_URL = "/emergency"
_EMERGENCY_WORDS = {
    "lockdown": ("Lockdown", "Lock your door and keep everyone in. "),
    "evacuation": ("Evacuation", "Leave the building by your route. "),
    "shelter": ("Shelter in place", "Stay where you are and take shelter. "),
    "drill": ("Emergency drill", "This is a drill. "),
}


def route_emergency(
    emergency_id: int,
    kind: str,
    phase: str,
    roster_size: int,
    people: Iterable[Person],
    settings: SchoolSettings,
) -> list[Notice]:
    """Return every staff member's notice that an emergency began (`started`) or ended.

    A safety category: mutes are ignored, urgency is high. Both notices share one topic, so
    an "ended" reaching a phone that was off replaces the undelivered "started".
    """
    name, advice = _EMERGENCY_WORDS.get(kind, (kind.title(), ""))
    drill = kind == "drill"
    if phase == "started":
        title = name.upper() if not drill else "DRILL: emergency drill"
        out = f"{roster_size} student{'s' if roster_size != 1 else ''} out of class"
        body = f"{advice}{out}: account for them in the app."
    else:
        title = f"All clear: {name.lower()} ended" if not drill else "DRILL over"
        body = "Passes are available again."
    picks: list[Pick] = [
        (person, Category.EMERGENCY, title, body, None)
        for person in people
        if person.role in STAFF_ROLES
    ]
    return [
        replace(notice, url=EMERGENCY_URL)
        for notice in _notices(picks, None, settings, about=f"e{emergency_id}")
    ]
