"""Routing, table-driven: one row per case, who is told what about which event. No database."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from server.contract.categories import FOR_ROLE, SAFETY, Category, Channel, Urgency
from server.contract.frames import EVENT_NAMES
from server.enums import LocationKind, PassState, Role
from server.notify.payload import KEYS, notice_payload
from server.notify.routing import (
    ROUTES,
    Audience,
    Event,
    PassFacts,
    Person,
    Route,
    SchoolSettings,
    heard,
    pass_facts,
    route,
    route_emergency,
    route_prevented,
    routed_events,
)

ROOM_101, ROOM_102, NURSE_OFFICE, COUNSELING, RESTROOM = 101, 102, 201, 202, 203
STUDENT = Person(1, Role.STUDENT)
TEACHER_101 = Person(10, Role.TEACHER, frozenset({ROOM_101}))
TEACHER_102 = Person(11, Role.TEACHER, frozenset({ROOM_102}))
SUBSTITUTE_101 = Person(12, Role.SUBSTITUTE, frozenset({ROOM_101}))
NURSE = Person(20, Role.NURSE, frozenset({NURSE_OFFICE}))
OTHER_NURSE = Person(21, Role.NURSE)  # assigned nowhere: told only when nobody is assigned
COUNSELOR = Person(30, Role.COUNSELOR, frozenset({COUNSELING}))
SECURITY = Person(40, Role.SECURITY)
ADMIN = Person(50, Role.ADMIN)
STAFF = (TEACHER_101, TEACHER_102, SUBSTITUTE_101, NURSE, OTHER_NURSE, COUNSELOR, SECURITY, ADMIN)

STARTED = datetime(2025, 3, 4, 15, 0, tzinfo=UTC)  # 09:00 in Chicago
PLACES = {
    NURSE_OFFICE: ("Nurse", LocationKind.NURSE),
    COUNSELING: ("Counselor", LocationKind.COUNSELOR),
    RESTROOM: ("Restroom North", LocationKind.RESTROOM),
}
CHICAGO = SchoolSettings(zone=ZoneInfo("America/Chicago"))
FLAGGED = replace(CHICAGO, flagged_student_ids=frozenset({STUDENT.user_id}))


OFFERED_UNTIL = STARTED + timedelta(seconds=30)  # 09:00:30 in Chicago
VISIT_AT = STARTED + timedelta(minutes=40)  # 09:40 in Chicago


def a_pass(destination: int, state: PassState, position: int | None = None) -> PassFacts:
    """Return student 1's pass from Room 101 to a destination, in a state.

    A waiting pass is offered a place until OFFERED_UNTIL; a scheduled one starts at VISIT_AT,
    reminding five minutes before.
    """
    name, kind = PLACES[destination]
    active = state not in (PassState.PENDING, PassState.WAITING, PassState.SCHEDULED)
    scheduled = state is PassState.SCHEDULED
    return PassFacts(
        id=7,
        state=state,
        student_id=STUDENT.user_id,
        first_name="Ava",
        last_name="Smith",
        origin_id=ROOM_101,
        origin_name="Room 101",
        destination_id=destination,
        destination_name=name,
        destination_kind=kind,
        started_at=STARTED if active else None,
        due_at=STARTED + timedelta(minutes=10) if active else None,
        position=position,
        offer_expires_at=OFFERED_UNTIL if state is PassState.WAITING else None,
        start_at=VISIT_AT if scheduled else None,
        remind_minutes=5 if scheduled else None,
    )


P, A, W, S = PassState.PENDING, PassState.ACTIVE, PassState.WAITING, PassState.SCHEDULED
ENDED, EXPIRED, DENIED = PassState.ENDED, PassState.EXPIRED, PassState.DENIED
C = Category

# (event, destination, state, settings, alerted) -> {user id: category}
CASES: list[tuple[str, int, PassState, SchoolSettings, bool, dict[int, Category]]] = [
    # A nurse request: the origin room's teacher and substitute must approve; the assigned nurse
    # gets a heads-up (the unassigned nurse does not).
    (
        "pass.created",
        NURSE_OFFICE,
        P,
        CHICAGO,
        False,
        {10: C.ROOM_REQUEST, 12: C.ROOM_REQUEST, 20: C.NURSE},
    ),
    # A teacher sends the student straight to the nurse: the nurse only.
    ("pass.created", NURSE_OFFICE, A, CHICAGO, False, {20: C.NURSE}),
    # Approved: the student may go, and the nurse learns they are on the way.
    ("pass.approved", NURSE_OFFICE, A, CHICAGO, False, {1: C.PASS_UPDATE, 20: C.NURSE}),
    # Approved into the line: the student hears their place; the nurse hears when they leave.
    ("pass.approved", NURSE_OFFICE, W, CHICAGO, False, {1: C.PASS_UPDATE}),
    # A place is offered to the waiting student: their turn (the nurse hears when they take it).
    ("pass.offered", NURSE_OFFICE, W, CHICAGO, False, {1: C.TURN}),
    ("pass.taken", NURSE_OFFICE, A, CHICAGO, False, {20: C.NURSE}),
    # The offer lapsed: the student hears their new place in line.
    ("pass.requeued", RESTROOM, W, CHICAGO, False, {1: C.PASS_UPDATE}),
    # Nothing writes `pass.promoted` any more, and nothing routes it.
    ("pass.promoted", NURSE_OFFICE, A, FLAGGED, True, {}),
    ("pass.started", NURSE_OFFICE, A, CHICAGO, False, {20: C.NURSE}),
    ("pass.denied", NURSE_OFFICE, DENIED, CHICAGO, False, {1: C.PASS_UPDATE}),
    # A counselor visit: the counselor accepts or delays; the teacher sees the request too.
    (
        "pass.created",
        COUNSELING,
        P,
        CHICAGO,
        False,
        {10: C.ROOM_REQUEST, 12: C.ROOM_REQUEST, 30: C.COUNSELOR_REQUEST},
    ),
    # The counselor delays the visit: the student, and the teachers who were asked, hear when.
    (
        "pass.delayed",
        COUNSELING,
        S,
        CHICAGO,
        False,
        {1: C.PASS_UPDATE, 10: C.ROOM_REQUEST, 12: C.ROOM_REQUEST},
    ),
    # A scheduled visit is near: the student and their room's teachers.
    (
        "pass.reminder",
        COUNSELING,
        S,
        CHICAGO,
        False,
        {1: C.REMINDER, 10: C.REMINDER, 12: C.REMINDER},
    ),
    (
        "pass.reminder",
        COUNSELING,
        S,
        FLAGGED,
        False,
        {1: C.REMINDER, 10: C.REMINDER, 12: C.REMINDER},
    ),
    # Past due (once, from the sweep): security (safety) and the origin room's teachers.
    (
        "pass.overdue",
        RESTROOM,
        A,
        CHICAGO,
        False,
        {40: C.OVERDUE, 10: C.ROOM_OVERDUE, 12: C.ROOM_OVERDUE},
    ),
    # A flagged student's overdue pass is security's one OVERDUE notice.
    (
        "pass.overdue",
        RESTROOM,
        A,
        FLAGGED,
        False,
        {40: C.OVERDUE, 10: C.ROOM_OVERDUE, 12: C.ROOM_OVERDUE},
    ),
    # A self-started restroom pass tells nobody.
    ("pass.created", RESTROOM, A, CHICAGO, False, {}),
    ("pass.ended", RESTROOM, ENDED, CHICAGO, False, {}),
    ("pass.arrived", NURSE_OFFICE, A, CHICAGO, False, {}),
    ("pass.cancelled", NURSE_OFFICE, PassState.CANCELLED, CHICAGO, False, {}),
    # Overdue (expired without a return): security.
    ("pass.expired", RESTROOM, EXPIRED, CHICAGO, False, {40: C.OVERDUE}),
    # An alert-mode encounter as the pass goes out: security.
    ("pass.created", RESTROOM, A, CHICAGO, True, {40: C.ENCOUNTER}),
    # A flagged student: security hears of every pass out and back, once per event.
    ("pass.created", RESTROOM, A, FLAGGED, False, {40: C.FLAGGED_STUDENT}),
    ("pass.ended", RESTROOM, ENDED, FLAGGED, False, {40: C.FLAGGED_STUDENT}),
    ("pass.created", RESTROOM, P, FLAGGED, False, {10: C.ROOM_REQUEST, 12: C.ROOM_REQUEST}),
    # A flagged student's overdue pass is one overdue notice, not two.
    ("pass.expired", RESTROOM, EXPIRED, FLAGGED, False, {40: C.OVERDUE}),
    # Alerted and flagged: the encounter, which comes first.
    ("pass.taken", RESTROOM, A, FLAGGED, True, {40: C.ENCOUNTER}),
    # Taking the place puts the pass out: a flagged student, an alert-mode encounter.
    ("pass.taken", RESTROOM, A, FLAGGED, False, {40: C.FLAGGED_STUDENT}),
    ("pass.taken", RESTROOM, A, CHICAGO, True, {40: C.ENCOUNTER}),
    ("pass.taken", RESTROOM, A, CHICAGO, False, {}),
    # An offer or a requeue is no pass going out.
    ("pass.offered", RESTROOM, W, FLAGGED, False, {1: C.TURN}),
    ("pass.requeued", RESTROOM, W, FLAGGED, False, {1: C.PASS_UPDATE}),
]

URGENT = SAFETY | {C.TURN}  # a held place lapses in seconds: wake the phone


@pytest.mark.parametrize(("name", "destination", "state", "settings", "alerted", "told"), CASES)
def test_who_is_told_what(
    name: str,
    destination: int,
    state: PassState,
    settings: SchoolSettings,
    alerted: bool,
    told: dict[int, Category],
) -> None:
    event = Event(name, a_pass(destination, state, position=2), alerted=alerted)
    notices = route(event, STAFF, settings, student=STUDENT)
    assert {n.user_id: n.category for n in notices} == told
    assert len(notices) == len(told)  # one notice per person per event
    for notice in notices:
        assert notice.pass_id == 7
        assert notice.urgency is (Urgency.HIGH if notice.category in URGENT else Urgency.NORMAL)
        assert notice.topic == ("s7" if notice.category in SAFETY else "p7")
        # Only the offer's notice has a deadline: the place it holds.
        assert notice.expires_at == (OFFERED_UNTIL if notice.category is C.TURN else None)


@pytest.mark.parametrize(("name", "destination", "state", "settings", "alerted", "told"), CASES)
def test_an_event_is_heard_exactly_when_someone_is_told(
    name: str,
    destination: int,
    state: PassState,
    settings: SchoolSettings,
    alerted: bool,
    told: dict[int, Category],
) -> None:
    # The outbox reads nobody's rows for an event no route speaks of; with every audience
    # present and nothing muted, that must be exactly the events nobody is told of.
    event = Event(name, a_pass(destination, state, position=2), alerted=alerted)
    assert heard(event, settings) is bool(told)


# (event, state, settings, alerted) -> (user id, title, body)
MESSAGES: list[tuple[str, int, PassState, SchoolSettings, bool, int, str, str]] = [
    ("pass.created", NURSE_OFFICE, P, CHICAGO, False, 20, "Nurse: Ava Smith",
     "Asked to come from Room 101; waiting for the teacher's approval."),
    # Expected three minutes after leaving, in the school's zone.
    ("pass.approved", NURSE_OFFICE, A, CHICAGO, False, 20, "Nurse: Ava Smith",
     "On the way from Room 101, expected about 9:03 AM (3-min walk)."),
    ("pass.created", NURSE_OFFICE, P, CHICAGO, False, 10, "Pass request: Ava S.",
     "Asks to go to Nurse."),
    ("pass.created", COUNSELING, P, CHICAGO, False, 30, "Visit request: Ava Smith",
     "From Room 101. Accept or delay it."),
    ("pass.approved", NURSE_OFFICE, A, CHICAGO, False, 1, "Pass approved",
     "You can go to Nurse now."),
    ("pass.approved", NURSE_OFFICE, W, CHICAGO, False, 1, "Pass approved",
     "You're number 2 in line for Nurse."),
    # A denial never says why (it could name an encounter group).
    ("pass.denied", NURSE_OFFICE, DENIED, CHICAGO, False, 1, "Pass denied",
     "Your pass to Nurse was denied."),
    # The held place's deadline, to the second, in the school's zone.
    ("pass.offered", RESTROOM, W, CHICAGO, False, 1, "Your turn",
     "Restroom North is yours until 9:00:30 AM. Take it in the app."),
    ("pass.requeued", RESTROOM, W, CHICAGO, False, 1, "Back of the line",
     "Your turn for Restroom North lapsed: you're number 2 in line now."),
    ("pass.delayed", COUNSELING, S, CHICAGO, False, 1, "Visit delayed",
     "The counselor will see you at 9:40 AM."),
    ("pass.delayed", NURSE_OFFICE, S, CHICAGO, False, 1, "Visit delayed",
     "The nurse will see you at 9:40 AM."),
    ("pass.delayed", COUNSELING, S, CHICAGO, False, 10, "Visit delayed: Ava S.",
     "The counselor will see them at 9:40 AM; they stay in class until then."),
    ("pass.reminder", COUNSELING, S, CHICAGO, False, 1, "Reminder",
     "Counselor at 9:40 AM (in 5 min)."),
    ("pass.reminder", COUNSELING, S, CHICAGO, False, 12, "Reminder: Ava S.",
     "Counselor at 9:40 AM (in 5 min)."),
    ("pass.overdue", RESTROOM, A, CHICAGO, False, 40, "Overdue: Ava S.",
     "Pass from Room 101 to Restroom North was due 9:10 AM and hasn't ended."),
    ("pass.overdue", RESTROOM, A, CHICAGO, False, 10, "Overdue: Ava S.",
     "Not back from Restroom North: was due 9:10 AM."),
    # Expired later (the school's grace): a different title, the same safety topic, so it
    # replaces the overdue notice on security's phone.
    ("pass.expired", RESTROOM, EXPIRED, CHICAGO, False, 40, "Expired: Ava S.",
     "Pass from Room 101 to Restroom North was due 9:10 AM; return not observed."),
    ("pass.created", RESTROOM, A, CHICAGO, True, 40, "Encounter alert: Ava S.",
     "Out to Restroom North while a member of their group is out."),
    ("pass.created", RESTROOM, A, FLAGGED, False, 40, "Flagged student out: Ava S.",
     "Left Room 101 for Restroom North at 9:00 AM."),
    ("pass.ended", RESTROOM, ENDED, FLAGGED, False, 40, "Flagged student back: Ava S.",
     "Pass to Restroom North is over."),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "destination", "state", "settings", "alerted", "user", "title", "body"), MESSAGES
)
def test_what_each_is_told(
    name: str,
    destination: int,
    state: PassState,
    settings: SchoolSettings,
    alerted: bool,
    user: int,
    title: str,
    body: str,
) -> None:
    event = Event(name, a_pass(destination, state, position=2), alerted=alerted)
    [notice] = [n for n in route(event, STAFF, settings, student=STUDENT) if n.user_id == user]
    assert (notice.title, notice.body) == (title, body)


def test_a_late_reminder_says_how_soon_the_visit_really_is() -> None:
    # The sweep ran late (a restart): two minutes before, not five.
    event = Event("pass.reminder", a_pass(COUNSELING, S), at=VISIT_AT - timedelta(seconds=110))
    [notice] = route(event, (), CHICAGO, student=STUDENT)
    assert notice.body == "Counselor at 9:40 AM (in 2 min)."
    event = Event("pass.reminder", a_pass(COUNSELING, S), at=VISIT_AT + timedelta(seconds=5))
    [notice] = route(event, (), CHICAGO, student=STUDENT)
    assert notice.body == "Counselor at 9:40 AM (in 0 min)."
    unknown = replace(a_pass(COUNSELING, S), remind_minutes=None)
    [notice] = route(Event("pass.reminder", unknown), (), CHICAGO, student=STUDENT)
    assert notice.body == "Counselor at 9:40 AM."


def test_overdue_then_expired_share_the_safety_topic() -> None:
    [overdue] = route(Event("pass.overdue", a_pass(RESTROOM, A)), [SECURITY], CHICAGO)
    [expired] = route(Event("pass.expired", a_pass(RESTROOM, EXPIRED)), [SECURITY], CHICAGO)
    assert overdue.topic == expired.topic == "s7"
    assert overdue.title != expired.title


def test_the_expected_arrival_is_never_after_the_pass_is_due() -> None:
    hurried = replace(a_pass(NURSE_OFFICE, A), due_at=STARTED + timedelta(minutes=2))
    [notice] = route(Event("pass.started", hurried), STAFF, CHICAGO)
    assert notice.body == "On the way from Room 101, expected about 9:02 AM (2-min walk)."


def test_every_nurse_hears_when_none_is_assigned_to_the_office() -> None:
    unassigned = (replace(NURSE, rooms=frozenset()), OTHER_NURSE)
    notices = route(Event("pass.approved", a_pass(NURSE_OFFICE, A)), unassigned, CHICAGO)
    assert sorted(n.user_id for n in notices) == [20, 21]


# (muted categories, event, destination, state, settings, alerted, told?)
MUTES: list[tuple[frozenset[Category], str, int, PassState, SchoolSettings, bool, bool]] = [
    # Routine categories can be muted...
    (frozenset({C.NURSE}), "pass.created", NURSE_OFFICE, P, CHICAGO, False, False),
    # ...and muting one does not mute another.
    (frozenset({C.ROOM_REQUEST}), "pass.created", NURSE_OFFICE, P, CHICAGO, False, True),
    # Safety cannot, whatever is stored.
    (frozenset(SAFETY), "pass.expired", RESTROOM, EXPIRED, CHICAGO, False, True),
    (frozenset(SAFETY), "pass.created", RESTROOM, A, CHICAGO, True, True),
    (frozenset(SAFETY), "pass.created", RESTROOM, A, FLAGGED, False, True),
    (frozenset(SAFETY), "pass.overdue", RESTROOM, A, CHICAGO, False, True),
]


# (muted categories, event, destination, state) -> who is still told
STUDENT_AND_TEACHER_MUTES: list[tuple[frozenset[Category], str, int, PassState, set[int]]] = [
    (frozenset({C.TURN}), "pass.offered", RESTROOM, W, set()),
    (frozenset({C.PASS_UPDATE}), "pass.offered", RESTROOM, W, {1}),
    (frozenset({C.PASS_UPDATE}), "pass.requeued", RESTROOM, W, set()),
    (frozenset({C.REMINDER}), "pass.reminder", COUNSELING, S, set()),
    (frozenset({C.PASS_UPDATE, C.ROOM_REQUEST}), "pass.delayed", COUNSELING, S, set()),
    # The teacher may mute their overdue courtesy; security's can't be (above).
    (frozenset({C.ROOM_OVERDUE}), "pass.overdue", RESTROOM, A, set()),
    (frozenset(SAFETY), "pass.overdue", RESTROOM, A, {10}),
]


@pytest.mark.parametrize(
    ("muted", "name", "destination", "state", "told"), STUDENT_AND_TEACHER_MUTES
)
def test_students_and_teachers_mute_their_own_categories(
    muted: frozenset[Category], name: str, destination: int, state: PassState, told: set[int]
) -> None:
    event = Event(name, a_pass(destination, state, position=2))
    teacher = replace(TEACHER_101, muted=muted)
    notices = route(event, [teacher], CHICAGO, student=replace(STUDENT, muted=muted))
    assert {n.user_id for n in notices} == told


@pytest.mark.parametrize(
    ("muted", "name", "destination", "state", "settings", "alerted", "told"), MUTES
)
def test_mutes_silence_routine_categories_only(
    muted: frozenset[Category],
    name: str,
    destination: int,
    state: PassState,
    settings: SchoolSettings,
    alerted: bool,
    told: bool,
) -> None:
    people = [replace(p, muted=muted) for p in (NURSE, SECURITY)]
    event = Event(name, a_pass(destination, state), alerted=alerted)
    assert bool(route(event, people, settings)) is told


def test_the_student_can_mute_their_own_updates() -> None:
    event = Event("pass.denied", a_pass(NURSE_OFFICE, DENIED))
    muted = replace(STUDENT, muted=frozenset({C.PASS_UPDATE}))
    assert route(event, STAFF, CHICAGO, student=muted) == []


def test_emailed_categories_add_the_email_channel() -> None:
    settings = replace(CHICAGO, email_categories=frozenset({C.OVERDUE}))
    [overdue] = route(Event("pass.expired", a_pass(RESTROOM, EXPIRED)), STAFF, settings)
    assert overdue.channels == (Channel.PUSH, Channel.INAPP, Channel.EMAIL)
    [nurse] = route(Event("pass.started", a_pass(NURSE_OFFICE, A)), STAFF, settings)
    assert nurse.channels == (Channel.PUSH, Channel.INAPP)


def test_a_prevented_encounter_tells_security_only() -> None:
    refused = replace(a_pass(RESTROOM, P), id=0)  # the request never became a pass
    [notice] = route_prevented(refused, STAFF, CHICAGO)
    assert (notice.user_id, notice.category, notice.pass_id) == (40, C.ENCOUNTER, None)
    assert notice.title == "Encounter prevented: Ava S."
    assert notice.topic == "s-u1"  # per student: one student's alert never replaces another's
    assert notice.urgency is Urgency.HIGH
    muted = replace(SECURITY, muted=frozenset(SAFETY))
    assert len(route_prevented(refused, [muted], CHICAGO)) == 1


def test_a_student_the_line_holds_back_is_the_same_notice_said_as_it_is() -> None:
    held = a_pass(RESTROOM, W)
    [notice] = route_prevented(held, STAFF, CHICAGO, waiting=True)
    assert (notice.user_id, notice.category, notice.pass_id) == (40, C.ENCOUNTER, 7)
    assert notice.title == "Encounter prevented: Ava S."
    assert notice.body == "A pass to Restroom North is held in line: a group member is out."
    assert (notice.topic, notice.urgency) == ("s7", Urgency.HIGH)


def test_a_new_event_name_is_one_row_of_the_table() -> None:
    # A new event joins "your turn" by naming it in a route's events.
    turn = next(r for r in ROUTES if r.category is C.TURN)
    more = (
        *ROUTES,
        Route(frozenset({"pass.nudged"}), C.TURN, turn.audience, turn.when, turn.message),
    )
    event = Event("pass.nudged", a_pass(RESTROOM, W))
    assert route(event, STAFF, CHICAGO, student=STUDENT) == []
    [notice] = route(event, STAFF, CHICAGO, student=STUDENT, routes=more)
    assert (notice.user_id, notice.category, notice.expires_at) == (1, C.TURN, None)
    assert routed_events(more) == (routed_events() or frozenset()) | {"pass.nudged"}


def test_every_event_the_services_write_is_routed_or_deliberately_silent() -> None:
    silent = {"pass.arrived", "pass.cancelled", "pass.promoted"}  # promoted: no longer written
    assert routed_events() == EVENT_NAMES - silent


def test_a_route_for_every_event_listens_to_all() -> None:
    everything = Route(
        None, C.EMERGENCY, Audience.SECURITY, lambda e, s: True, lambda e, s: ("", "")
    )
    assert routed_events((everything,)) is None
    assert routed_events() is not None  # today every route names its events


def test_no_student_category_is_a_staff_one() -> None:
    # A student's settings never name a staff category (invariant 5: not even "encounter").
    assert set(FOR_ROLE[Role.STUDENT]) == {C.PASS_UPDATE, C.TURN, C.REMINDER}
    assert not set(FOR_ROLE[Role.STUDENT]) & SAFETY
    assert set(FOR_ROLE[Role.ADMIN]) == set(Category)


def test_each_role_lists_every_category_routed_to_it() -> None:
    # Whatever a route can send a role, that role's settings list (so it can be seen, and
    # muted unless it is safety).
    audience_roles = {
        Audience.STUDENT: (Role.STUDENT,),
        Audience.ORIGIN_TEACHERS: (Role.TEACHER, Role.SUBSTITUTE),
        Audience.NURSES: (Role.NURSE,),
        Audience.COUNSELORS: (Role.COUNSELOR,),
        Audience.SECURITY: (Role.SECURITY,),
    }
    for r in ROUTES:
        for role in audience_roles[r.audience]:
            assert r.category in FOR_ROLE[role], (r.category, role)


def test_pass_facts_reads_the_event_pass_json() -> None:
    data = {
        "id": 7,
        "state": "active",
        "student": {"id": 1, "name": "Ava Smith"},
        "origin": {"id": ROOM_101, "name": "Room 101", "kind": "classroom"},
        "destination": {"id": NURSE_OFFICE, "name": "Nurse", "kind": "nurse"},
        "started_at": "2025-03-04T15:00:00Z",
        "due_at": "2025-03-04T15:10:00Z",
        "position": None,
        "offer_expires_at": None,
        "start_at": None,
        "remind_minutes_before": None,
    }
    assert pass_facts(data, "Ava", "Smith") == a_pass(NURSE_OFFICE, A)
    offered = {
        **data,
        "state": "waiting",
        "started_at": None,
        "due_at": None,
        "position": 2,
        "offer_expires_at": "2025-03-04T15:00:30Z",
    }
    assert pass_facts(offered, "Ava", "Smith") == a_pass(NURSE_OFFICE, W, position=2)
    scheduled = {
        **data,
        "state": "scheduled",
        "started_at": None,
        "due_at": None,
        "start_at": "2025-03-04T15:40:00Z",
        "remind_minutes_before": 5,
    }
    assert pass_facts(scheduled, "Ava", "Smith") == a_pass(NURSE_OFFICE, S)


# Emergencies (issue 7): not a pass event; every staff member is told, whatever they muted.
KIOSK = Person(60, Role.KIOSK)
MUTED_ALL = Person(13, Role.TEACHER, frozenset({ROOM_101}), frozenset(Category))


@pytest.mark.parametrize(
    ("kind", "phase", "title", "body"),
    [
        ("lockdown", "started", "LOCKDOWN",
         "Lock your door and keep everyone in. 2 students out of class: account for them in "
         "the app."),
        ("evacuation", "started", "EVACUATION",
         "Leave the building by your route. 2 students out of class: account for them in the "
         "app."),
        ("shelter", "started", "SHELTER IN PLACE",
         "Stay where you are and take shelter. 2 students out of class: account for them in "
         "the app."),
        # A drill says so in the title: nobody mistakes it for the real thing.
        ("drill", "started", "DRILL: emergency drill",
         "This is a drill. 2 students out of class: account for them in the app."),
        ("lockdown", "ended", "All clear: lockdown ended", "Passes are available again."),
        ("drill", "ended", "DRILL over", "Passes are available again."),
    ],
)  # fmt: skip
def test_an_emergency_tells_every_staff_member_and_no_student_or_kiosk(
    kind: str, phase: str, title: str, body: str
) -> None:
    people = (*STAFF, STUDENT, KIOSK, MUTED_ALL)
    notices = route_emergency(7, kind, phase, 2, people, CHICAGO)
    assert sorted(n.user_id for n in notices) == sorted(p.user_id for p in (*STAFF, MUTED_ALL))
    for notice in notices:
        assert (notice.title, notice.body) == (title, body)
        assert notice.category is Category.EMERGENCY
        assert notice.urgency is Urgency.HIGH
        assert notice.pass_id is None
        assert notice.url == "/emergency"
        # Start and end share one topic: an all-clear replaces an undelivered alarm.
        assert notice.topic == "s-e7"
        assert Channel.PUSH in notice.channels
        assert Channel.INAPP in notice.channels


def test_an_emergency_notice_names_one_student_out_in_the_singular() -> None:
    [notice] = route_emergency(3, "lockdown", "started", 1, (ADMIN,), CHICAGO)
    assert "1 student out of class" in notice.body


def test_the_emergency_payload_keeps_the_six_keys_and_opens_the_emergency_screen() -> None:
    [notice] = route_emergency(3, "lockdown", "started", 0, (ADMIN,), CHICAGO)
    payload = notice_payload(notice)
    assert set(payload) == set(KEYS)
    assert (payload["url"], payload["pass_id"], payload["tag"]) == ("/emergency", None, "s-e3")


def test_a_request_from_a_section_asks_its_teachers_not_the_rooms() -> None:
    # Section 5 left Room 101; its teacher (assigned to Room 102, or to no room) is asked, the
    # staff of Room 101 (who teach another class there now) are not.
    section_teacher = Person(14, Role.TEACHER, frozenset({ROOM_102}), sections=frozenset({5}))
    request = replace(a_pass(NURSE_OFFICE, P), section_id=5)
    notices = route(Event("pass.created", request), (*STAFF, section_teacher), CHICAGO)
    assert {n.user_id: n.category for n in notices} == {14: C.ROOM_REQUEST, 20: C.NURSE}
    # Without a section, the room's staff as before.
    notices = route(
        Event("pass.created", a_pass(NURSE_OFFICE, P)), (*STAFF, section_teacher), CHICAGO
    )
    assert {n.user_id for n in notices} == {10, 12, 20}
