"""Who may do what to which pass: every endpoint x every role, and nothing crosses schools.

One test walks `server.api.routes.OPERATIONS` for every caller (anonymous, each role of Demo High
School, a kiosk, a substitute, and three users of a second school) against a fixed set of passes,
and compares each status with the matrix below. An endpoint added to OPERATIONS without a row here
fails the walk. Along the way it holds invariant 5 (DESIGN.md section 2): a student sees only their
own passes and never an encounter group, the word "encounter" or another student's name; a kiosk
sees students only as "First L.". A refused request must change nothing in the database; a
successful one is undone before the next call, so every cell sees the same school.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from server import clock
from server.api.routes import OPERATIONS
from server.api.spec import Operation
from server.enums import LocationKind, Role
from server.errors import ErrorCode
from server.models import (
    BellSchedule,
    Emergency,
    EncounterGroup,
    EncounterLog,
    IdempotencyKey,
    Location,
    Pass,
    PassEvent,
    Policy,
    ScheduleOverride,
    School,
    User,
)
from tests import dbstate
from tests.conftest import CHEAP_PASSWORDS, Demo, location_id, user_id
from tests.test_error_shape import assert_error

ANONYMOUS = "anonymous"
PASSWORD = "demo"
ENCOUNTER_GROUP = "Demo separation"

# name -> (login, role, school slug)
CALLERS: dict[str, tuple[str, Role, str]] = {
    "student": ("1003", Role.STUDENT, "demo"),  # owns the r101 pass
    "student_pending": ("1004", Role.STUDENT, "demo"),  # owns the pending nurse pass
    "teacher": ("teacher1@demo.school", Role.TEACHER, "demo"),  # Room 101
    "teacher_other": ("teacher2@demo.school", Role.TEACHER, "demo"),  # Room 102
    "substitute": ("sub@demo.school", Role.SUBSTITUTE, "demo"),  # covering Room 102
    "nurse": ("nurse@demo.school", Role.NURSE, "demo"),
    "counselor": ("counselor@demo.school", Role.COUNSELOR, "demo"),
    "security": ("monitor@demo.school", Role.SECURITY, "demo"),
    "admin": ("admin@demo.school", Role.ADMIN, "demo"),
    "kiosk": ("kiosk101@demo.school", Role.KIOSK, "demo"),  # the device at Room 101's door
    "other_student": ("2001", Role.STUDENT, "second"),  # owns the other school's pass
    "other_teacher": ("teacher@second.school", Role.TEACHER, "second"),  # Room 201
    "other_admin": ("admin@second.school", Role.ADMIN, "second"),
}

# The passes every cell is checked against: label -> (student login, destination, state).
PASSES: dict[str, tuple[str, str, str]] = {
    "r101": ("1003", "Restroom North", "active"),  # out of Room 101
    "r102": ("1016", "Library", "active"),  # out of Room 102
    "nurse": ("1004", "Nurse", "pending"),  # Room 101, awaits the origin teacher
    "counselor": ("1017", "Counselor", "pending"),  # Room 102, awaits the counselor
    "other": ("2001", "Restroom", "active"),  # the second school's, out of Room 201
}

# Which of PASSES each caller may see: GET /api/passes lists exactly these, GET /api/passes/{id}
# answers 200 for these and 404 for the rest (an unseen pass is as good as nonexistent).
VISIBLE: dict[str, frozenset[str]] = {
    "student": frozenset({"r101"}),
    "student_pending": frozenset({"nurse"}),
    "teacher": frozenset({"r101", "nurse"}),  # from or to their room
    "teacher_other": frozenset({"r102", "counselor"}),
    "substitute": frozenset({"r102", "counselor"}),
    "nurse": frozenset({"nurse"}),  # to their office only
    "counselor": frozenset({"counselor"}),
    "security": frozenset({"r101", "r102", "nurse", "counselor"}),  # the whole school, only
    "admin": frozenset({"r101", "r102", "nurse", "counselor"}),
    "kiosk": frozenset({"r101", "nurse"}),  # from or to its room
    "other_student": frozenset({"other"}),
    "other_teacher": frozenset({"other"}),
    "other_admin": frozenset({"other"}),
}

# POST /api/passes/{id}/<verb>, on the passes   r101 r102 nurse couns other
# 200 done; 403 seen, but the role may not; 404 not seen; 409 not in a state the verb takes.
APPROVE: dict[str, tuple[int, int, int, int, int]] = {
    "student": (403, 404, 404, 404, 404),
    "student_pending": (404, 404, 403, 404, 404),  # nobody approves their own pass
    "teacher": (403, 404, 200, 404, 404),  # the origin teacher approves the nurse
    "teacher_other": (404, 403, 404, 403, 404),  # not the counselor's pass to approve
    "substitute": (404, 403, 404, 403, 404),
    "nurse": (404, 404, 403, 404, 404),  # the nurse pass needs the origin teacher
    "counselor": (404, 404, 404, 200, 404),  # destination staff accept
    "security": (403, 403, 403, 403, 404),  # sees all, approves nothing
    "admin": (409, 409, 200, 200, 404),  # may approve anything pending
    "kiosk": (403, 404, 403, 404, 404),
    "other_student": (404, 404, 404, 404, 403),
    "other_teacher": (404, 404, 404, 404, 403),
    "other_admin": (404, 404, 404, 404, 409),
}
CANCEL: dict[str, tuple[int, int, int, int, int]] = {
    "student": (409, 404, 404, 404, 404),  # an active pass is ended, not cancelled
    "student_pending": (404, 404, 200, 404, 404),  # a student withdraws their request
    "teacher": (409, 404, 200, 404, 404),
    "teacher_other": (404, 409, 404, 200, 404),
    "substitute": (404, 409, 404, 200, 404),
    "nurse": (404, 404, 200, 404, 404),
    "counselor": (404, 404, 404, 200, 404),
    "security": (409, 409, 200, 200, 404),
    "admin": (409, 409, 200, 200, 404),
    "kiosk": (403, 404, 403, 404, 404),  # a door device starts and ends, never cancels
    "other_student": (404, 404, 404, 404, 409),
    "other_teacher": (404, 404, 404, 404, 409),
    "other_admin": (404, 404, 404, 404, 409),
}
ARRIVE: dict[str, tuple[int, int, int, int, int]] = {
    "student": (403, 404, 404, 404, 404),  # checking in is the destination's job
    "student_pending": (404, 404, 403, 404, 404),
    "teacher": (403, 404, 403, 404, 404),  # none of these go to Room 101
    "teacher_other": (404, 403, 404, 403, 404),
    "substitute": (404, 403, 404, 403, 404),
    "nurse": (404, 404, 409, 404, 404),  # the nurse checks in passes to the nurse, once active
    "counselor": (404, 404, 404, 409, 404),
    "security": (200, 200, 409, 409, 404),
    "admin": (200, 200, 409, 409, 404),
    "kiosk": (403, 404, 403, 404, 404),  # only passes *to* its room
    "other_student": (404, 404, 404, 404, 403),
    "other_teacher": (404, 404, 404, 404, 403),
    "other_admin": (404, 404, 404, 404, 200),
}
END: dict[str, tuple[int, int, int, int, int]] = {
    "student": (200, 404, 404, 404, 404),  # a student ends their own pass on return
    "student_pending": (404, 404, 409, 404, 404),
    "teacher": (200, 404, 409, 404, 404),
    "teacher_other": (404, 200, 404, 409, 404),
    "substitute": (404, 200, 404, 409, 404),
    "nurse": (404, 404, 409, 404, 404),
    "counselor": (404, 404, 404, 409, 404),
    "security": (200, 200, 409, 409, 404),
    "admin": (200, 200, 409, 409, 404),
    "kiosk": (200, 404, 409, 404, 404),  # the door device ends passes from its room
    "other_student": (404, 404, 404, 404, 200),
    "other_teacher": (404, 404, 404, 404, 200),
    "other_admin": (404, 404, 404, 404, 200),
}
# Delaying is accepting for later: as approving, but never the origin teacher's (a "later"
# from the teacher is a no), so only the counselor's pass and the admin remain.
DELAY = APPROVE | {"teacher": (403, 404, 403, 404, 404)}
# Taking an offered place: none of the passes waits, so whoever may take gets 409.
TAKE: dict[str, tuple[int, int, int, int, int]] = {
    "student": (409, 404, 404, 404, 404),  # their own pass, but it isn't waiting
    "student_pending": (404, 404, 409, 404, 404),
    "teacher": (409, 404, 409, 404, 404),  # passes leaving their room
    "teacher_other": (404, 409, 404, 409, 404),
    "substitute": (404, 409, 404, 409, 404),
    "nurse": (404, 404, 403, 404, 404),  # a destination doesn't take the place for the student
    "counselor": (404, 404, 404, 403, 404),
    "security": (409, 409, 409, 409, 404),
    "admin": (409, 409, 409, 409, 404),
    "kiosk": (409, 404, 409, 404, 404),  # the door of the room the passes leave
    "other_student": (404, 404, 404, 404, 409),
    "other_teacher": (404, 404, 404, 404, 409),
    "other_admin": (404, 404, 404, 404, 409),
}
# GET /api/passes/{id}/history: staff (and no kiosk) read the history of a pass they may see;
# a student or a kiosk never reads one (403 before the pass is looked at).
HISTORY: dict[str, tuple[int, int, int, int, int]] = {
    caller: tuple(  # type: ignore[misc]
        403
        if caller in ("student", "student_pending", "kiosk", "other_student")
        else 200
        if label in VISIBLE[caller]
        else 404
        for label in PASSES
    )
    for caller in CALLERS
}

PER_PASS: dict[tuple[str, str], dict[str, tuple[int, int, int, int, int]] | None] = {
    ("GET", "/api/passes/{id}"): None,  # from VISIBLE
    ("POST", "/api/passes/{id}/approve"): APPROVE,
    ("POST", "/api/passes/{id}/deny"): APPROVE,  # whoever may approve may deny
    ("POST", "/api/passes/{id}/cancel"): CANCEL,
    ("POST", "/api/passes/{id}/arrive"): ARRIVE,
    ("POST", "/api/passes/{id}/end"): END,
    ("POST", "/api/passes/{id}/delay"): DELAY,
    ("POST", "/api/passes/{id}/take"): TAKE,
    ("GET", "/api/passes/{id}/history"): HISTORY,
}

# POST /api/passes, three bodies: issue a pass for 1005 (Room 101) to Restroom South; the
# caller's own request to Restroom South; issue for 1005 to the second school's restroom.
CREATE_KEY = ("POST", "/api/passes")
CREATE_CASES = ("issue", "request", "cross_school")
CREATE: dict[str, tuple[int, int, int]] = {
    "student": (403, 409, 403),  # only for themselves; already out on r101
    "student_pending": (403, 409, 403),
    "teacher": (201, 422, 404),  # a student of their room; staff must name the student
    "teacher_other": (403, 422, 404),
    "substitute": (403, 422, 404),
    "nurse": (403, 422, 404),  # staff at a destination issue passes to it only
    "counselor": (403, 422, 404),
    "security": (201, 422, 404),
    "admin": (201, 422, 404),
    "kiosk": (201, 422, 404),  # starts passes for the students of its room
    "other_student": (403, 404, 403),  # Restroom South is another school's: not found
    "other_teacher": (404, 422, 404),  # 1005 is another school's student: not found
    "other_admin": (404, 422, 404),
}

DISTRICT_OPERATIONS = (
    ("GET", "/api/district"),
    ("POST", "/api/district/schools"),
    ("GET", "/api/district/schools/{id}"),
    ("GET", "/api/district/schools/{id}/report"),
    ("POST", "/api/district/schools/{id}/admins"),
)

# Policy operations: one status per caller. They act on 1005 (a Room 101 student of Demo High
# School), whose school has a school row and a row for 1005 (see `world`); the second school
# has no rows. Only admins manage rows, each of their own school; staff explain any student of
# their school; students and kiosks get nothing.
ADMINS_ONLY = {caller: 403 for caller in CALLERS}
STAFF = ("teacher", "teacher_other", "substitute", "nurse", "counselor", "security", "admin")
ENCOUNTER_MANAGERS = ADMINS_ONLY | {"admin": 200, "security": 200}
SECTION_READERS = ("teacher", "teacher_other", "substitute", "counselor", "security", "admin")
NOT_KIOSK = {"kiosk": 403}
GRANTERS = ("teacher", "teacher_other", "admin", "other_teacher", "other_admin")
BY_ROLE: dict[tuple[str, str], dict[str, int]] = {
    ("GET", "/api/policies"): ADMINS_ONLY | {"admin": 200, "other_admin": 200},
    ("PUT", "/api/policies/school"): ADMINS_ONLY | {"admin": 200, "other_admin": 200},
    ("DELETE", "/api/policies/school"): ADMINS_ONLY | {"admin": 204, "other_admin": 404},
    ("PUT", "/api/policies/{scope}/{target}"): ADMINS_ONLY | {"admin": 200, "other_admin": 404},
    ("DELETE", "/api/policies/{scope}/{target}"): ADMINS_ONLY | {"admin": 204, "other_admin": 404},
    ("GET", "/api/students/{id}/policy"): ADMINS_ONLY
    | {caller: 200 for caller in STAFF}
    | {"other_teacher": 404, "other_admin": 404},
    # The whole bell schedule: admins only, each their own school's.
    ("GET", "/api/schedule"): ADMINS_ONLY | {"admin": 200, "other_admin": 200},
    ("PUT", "/api/schedule"): ADMINS_ONLY | {"admin": 200, "other_admin": 200},
    # Encounter groups: admins and security, each of their own school; counselors, teachers,
    # students and kiosks never (invariant 5). The walk acts on the demo's group, which is
    # another school's to `other_admin` (404), and creates one of Demo High School's students
    # (not students of `other_admin`'s school: 422 naming member_ids[0]).
    ("GET", "/api/encounters/groups"): ENCOUNTER_MANAGERS | {"other_admin": 200},
    ("POST", "/api/encounters/groups"): ENCOUNTER_MANAGERS
    | {"admin": 201, "security": 201, "other_admin": 422},
    ("GET", "/api/encounters/groups/{id}"): ENCOUNTER_MANAGERS | {"other_admin": 404},
    ("PATCH", "/api/encounters/groups/{id}"): ENCOUNTER_MANAGERS | {"other_admin": 404},
    ("DELETE", "/api/encounters/groups/{id}"): ENCOUNTER_MANAGERS
    | {"admin": 204, "security": 204, "other_admin": 404},
    ("GET", "/api/encounters/log"): ENCOUNTER_MANAGERS | {"other_admin": 200},
    # Appointments for 1005 (Room 101) to Restroom South: staff who may issue that pass one by
    # one may schedule it for a group; it is another school's place to the second school.
    ("POST", "/api/appointments"): ADMINS_ONLY
    | {"teacher": 201, "security": 201, "admin": 201, "other_teacher": 404, "other_admin": 404},
    # Overrides and their reasons: admins only, each their own school's.
    ("GET", "/api/overrides"): ADMINS_ONLY | {"admin": 200, "other_admin": 200},
    # Roster imports: admins only, into and from their own school. The walk sends no file: an
    # admin's upload is 422 (a body is required), after the role was checked.
    ("POST", "/api/roster/imports"): ADMINS_ONLY | {"admin": 422, "other_admin": 422},
    ("GET", "/api/roster/imports"): ADMINS_ONLY | {"admin": 200, "other_admin": 200},
    # Notifications: every person registers devices and mutes; a kiosk (a shared door device)
    # has no notifications. The walk deletes an endpoint nobody registered: 404 for everyone.
    ("POST", "/api/push/subscriptions"): {caller: 201 for caller in CALLERS} | NOT_KIOSK,
    ("DELETE", "/api/push/subscriptions"): {caller: 404 for caller in CALLERS} | NOT_KIOSK,
    ("GET", "/api/me/notifications"): {caller: 200 for caller in CALLERS} | NOT_KIOSK,
    ("PUT", "/api/me/notifications"): {caller: 200 for caller in CALLERS} | NOT_KIOSK,
    # School settings and the delivery log: admins, each of their own school. The walk flags
    # a Demo High School student, who is not `other_admin`'s (422 naming the id).
    ("GET", "/api/notifications/settings"): ADMINS_ONLY | {"admin": 200, "other_admin": 200},
    ("PUT", "/api/notifications/settings"): ADMINS_ONLY | {"admin": 200, "other_admin": 422},
    ("GET", "/api/notifications/deliveries"): ADMINS_ONLY | {"admin": 200, "other_admin": 200},
    # Substitutes: teachers and admins, each of their own school. The walk grants for a past
    # day (422 naming `day`, nothing made) and revokes or re-issues a grant that does not exist.
    ("POST", "/api/substitutes"): ADMINS_ONLY | dict.fromkeys(GRANTERS, 422),
    ("GET", "/api/substitutes"): ADMINS_ONLY | dict.fromkeys(GRANTERS, 200),
    # The substitute picker: each granter's own school's substitutes with an account.
    ("GET", "/api/substitute-accounts"): ADMINS_ONLY | dict.fromkeys(GRANTERS, 200),
    ("DELETE", "/api/substitutes/{id}"): ADMINS_ONLY | dict.fromkeys(GRANTERS, 404),
    ("POST", "/api/substitutes/{id}/code"): ADMINS_ONLY | dict.fromkeys(GRANTERS, 404),
    # The school's settings: security reads them (emergency mode), admins change them; each
    # their own school's. Places: admins add one to their own school; the walk changes Demo
    # High School's Restroom South, another school's to `other_admin` (404).
    ("GET", "/api/school"): ADMINS_ONLY | {"admin": 200, "other_admin": 200, "security": 200},
    ("PATCH", "/api/school"): ADMINS_ONLY | {"admin": 200, "other_admin": 200},
    ("POST", "/api/locations"): ADMINS_ONLY | {"admin": 201, "other_admin": 201},
    ("PATCH", "/api/locations/{id}"): ADMINS_ONLY | {"admin": 200, "other_admin": 404},
    # End all: Room 101's teacher and admins end its passes out (the r101 pass); another
    # school's caller doesn't know the room.
    ("POST", "/api/locations/{id}/end-all"): ADMINS_ONLY
    | {"teacher": 200, "admin": 200, "other_teacher": 404, "other_admin": 404}
    | {"other_student": 404},
    # Users: admins, each of their own school. The walk adds a teacher to the caller's school
    # and changes 1005's grade, another school's student to `other_admin` (404). Student
    # groups: whoever manages policies or encounter groups picks them.
    ("GET", "/api/users"): ADMINS_ONLY | {"admin": 200, "other_admin": 200},
    ("POST", "/api/users"): ADMINS_ONLY | {"admin": 201, "other_admin": 201},
    ("PATCH", "/api/users/{id}"): ADMINS_ONLY | {"admin": 200, "other_admin": 404},
    ("GET", "/api/student-groups"): ENCOUNTER_MANAGERS | {"other_admin": 200},
    # The student lookup: staff, each of their own school's students (a teacher their rooms').
    ("GET", "/api/students"): ADMINS_ONLY
    | {caller: 200 for caller in STAFF}
    | {"other_teacher": 200, "other_admin": 200},
    # Sections: admins, security and counselors read the school's, teachers and substitutes
    # their own (each school its own); the walk's section id is 1005's user id, no section
    # (404 to whoever may read sections). A student's day is 1005's (Room 101): school-wide
    # readers, Room 101's teacher; another room's teacher, a student or another school: 404.
    ("GET", "/api/sections"): ADMINS_ONLY
    | {caller: 200 for caller in SECTION_READERS}
    | {"other_teacher": 200, "other_admin": 200},
    ("GET", "/api/sections/{id}"): ADMINS_ONLY
    | {caller: 404 for caller in SECTION_READERS}
    | {"other_teacher": 404, "other_admin": 404},
    ("GET", "/api/students/me/schedule"): ADMINS_ONLY
    | {"student": 200, "student_pending": 200, "other_student": 200},
    ("GET", "/api/students/{id}/schedule"): ADMINS_ONLY
    | {caller: 404 for caller in SECTION_READERS}
    | {"admin": 200, "security": 200, "counselor": 200, "teacher": 200}
    | {caller: 404 for caller in ("student", "student_pending", "other_student")}
    | {"other_teacher": 404, "other_admin": 404},
    # The hall monitor's lookup of 1005's day: security and admins of Demo High School; another
    # school's admin: 404 (1005 is not theirs).
    ("GET", "/api/students/{id}/today"): ADMINS_ONLY
    | {"admin": 200, "security": 200, "other_admin": 404},
    # Where a student is now (their room, section, period): each student their own.
    ("GET", "/api/placement"): ADMINS_ONLY
    | {"student": 200, "student_pending": 200, "other_student": 200},
    # Single sign-on's settings, providers and attempt log: admins, each their own school's.
    # The walk sends no body to POST and PATCH (422 once the role passed) and deletes a
    # provider that is not theirs (404: another school's id says nothing).
    ("GET", "/api/sso/settings"): ADMINS_ONLY | {"admin": 200, "other_admin": 200},
    ("POST", "/api/sso/providers"): ADMINS_ONLY | {"admin": 422, "other_admin": 422},
    ("PATCH", "/api/sso/providers/{id}"): ADMINS_ONLY | {"admin": 422, "other_admin": 422},
    ("DELETE", "/api/sso/providers/{id}"): ADMINS_ONLY | {"admin": 404, "other_admin": 404},
    ("GET", "/api/sso/attempts"): ADMINS_ONLY | {"admin": 200, "other_admin": 200},
    # The door kiosk, and nobody else: the walk starts 1005's pass (Room 101, the kiosk's
    # door) to Restroom South, and ends 1003's (the r101 pass).
    # A pass carries the confirmation of a lookup just made (see `send`); leaving kiosk mode
    # with credentials that are no staff member's is refused (401), and the kiosk stays.
    ("POST", "/api/kiosk/lookup"): ADMINS_ONLY | {"kiosk": 200},
    ("POST", "/api/kiosk/passes"): ADMINS_ONLY | {"kiosk": 201},
    ("POST", "/api/kiosk/return"): ADMINS_ONLY | {"kiosk": 200},
    ("POST", "/api/kiosk/leave"): ADMINS_ONLY | {"kiosk": 401},
    # Emergencies (issue 7). None is on when a cell begins: admins and security start one in
    # their own school (undone after the cell); ending, reporting and marking find none (409
    # no_emergency) for those allowed to; a roster report is a student's, a mark staff's; the
    # record is admins' and the exports staff's, each of their own school (none yet: 404).
    ("POST", "/api/emergency"): ADMINS_ONLY | {"admin": 201, "security": 201, "other_admin": 201},
    ("DELETE", "/api/emergency"): ADMINS_ONLY | {"admin": 409, "other_admin": 409},
    ("POST", "/api/emergency/report"): ADMINS_ONLY
    | {"student": 409, "student_pending": 409, "other_student": 409},
    ("POST", "/api/emergency/roster/{id}/present"): ADMINS_ONLY
    | {caller: 409 for caller in (*STAFF, "other_teacher", "other_admin")},
    ("GET", "/api/emergencies"): ADMINS_ONLY | {"admin": 200, "other_admin": 200},
    ("GET", "/api/emergencies/{id}"): ADMINS_ONLY | {"admin": 404, "other_admin": 404},
    ("GET", "/api/emergencies/{id}/roster.csv"): ADMINS_ONLY
    | {caller: 404 for caller in (*STAFF, "other_teacher", "other_admin")},
    ("GET", "/api/emergencies/{id}/roster.html"): ADMINS_ONLY
    | {caller: 404 for caller in (*STAFF, "other_teacher", "other_admin")},
    # Switching schools: nobody of the walk has an account in another school of a district
    # (neither school is in one), so the second school is nobody's to switch to (404).
    # A door kiosk is locked (403 kiosk_locked): only staff credentials take it out.
    ("POST", "/api/session/switch"): {caller: 404 for caller in CALLERS} | {"kiosk": 403},
    ("DELETE", "/api/session"): {caller: 204 for caller in CALLERS} | {"kiosk": 403},
    # The district's endpoints: district administrators only (tests/test_districts.py); a
    # school's admin is refused before anything is looked up or read.
    **{key: {caller: 403 for caller in CALLERS} for key in DISTRICT_OPERATIONS},
}
# What the walk sends to the users admin API and the kiosk.
USER_BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/api/users"): {
        "login": "walk@school.example",
        "first_name": "Wally",
        "last_name": "Walker",
        "role": "teacher",
        "password": "walk-walk",
    },
    ("PATCH", "/api/users/{id}"): {"grade": 11},
    ("POST", "/api/kiosk/return"): {"student_number": "1003"},
}
# What the walk sends to the emergency endpoints.
EMERGENCY_BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/api/emergency"): {"kind": "drill"},
    ("POST", "/api/emergency/report"): {"status": "safe"},
}
# What the walk sends to the administration endpoints.
ADMIN_BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("PATCH", "/api/school"): {"hallway_max": 500},
    ("POST", "/api/locations"): {"name": "Walk Room", "kind": "other"},
    ("PATCH", "/api/locations/{id}"): {"default_minutes": 7},
}
# What the walk sends to the notification endpoints: a well-formed browser subscription.
WALK_ENDPOINT = "https://fcm.googleapis.com/fcm/send/walk"
WALK_KEYS = {
    "p256dh": "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1"
    "XbjhazAkj7I99e8QcYP7DkM",
    "auth": "tBHItJI5svbpez7KI4CCXg",
}
NOTIFY_BODIES: dict[str, dict[str, dict[str, Any]]] = {
    "/api/push/subscriptions": {
        "POST": {"endpoint": WALK_ENDPOINT, "expirationTime": None, "keys": WALK_KEYS},
        "DELETE": {"endpoint": WALK_ENDPOINT + "-nobody"},
    },
    "/api/me/notifications": {"PUT": {"muted": ["pass_update"]}},
    "/api/notifications/settings": {},
}
# A valid schedule the walk PUTs: a school's own, whoever sends it.
SCHEDULE_BODY = {
    "day_types": {"short": {"periods": [{"name": "Only", "start": "09:00", "end": "10:00"}]}},
    "weekdays": {"monday": "short"},
    "overrides": [{"date": "2025-03-05", "day_type": None}],
}
# The day types each school's schedule has, as GET /api/schedule shows them (the demo's seed;
# the second school has no schedule), and each school's timezone.
DAY_TYPES = {"demo": {"regular", "assembly"}, "second": set()}
TIMEZONES = {"demo": "America/Chicago", "second": "UTC"}
# The rows `world` gives each school, as GET /api/policies lists them: (scope, target).
POLICY_ROWS = {"demo": {("school", ""), ("student", "1005")}, "second": set()}

# Whose students each staff caller looks up: (school, home room) of the students listed.
DEMO_ROOMS = {("demo", "Room 101"), ("demo", "Room 102")}
STUDENT_ROOMS: dict[str, set[tuple[str, str]]] = {
    "teacher": {("demo", "Room 101")},
    "teacher_other": {("demo", "Room 102")},
    "substitute": {("demo", "Room 102")},
    "nurse": DEMO_ROOMS,
    "counselor": DEMO_ROOMS,
    "security": DEMO_ROOMS,
    "admin": DEMO_ROOMS,
    "other_teacher": {("second", "Room 201")},
    "other_admin": {("second", "Room 201")},
}

# Operations that answer the same status to every signed-in caller: (signed in, anonymous).
UNIFORM: dict[tuple[str, str], tuple[int, int]] = {
    ("GET", "/healthz"): (200, 200),
    ("GET", "/openapi.json"): (200, 200),
    ("POST", "/api/session"): (200, 401),  # the caller's own login; anonymous: a wrong one
    ("POST", "/api/session/code"): (401, 401),
    ("GET", "/api/me/substitute"): (
        200,
        401,
    ),  # the caller's own grants (none here)  # a code that is none (a handful: no limit)
    ("GET", "/api/me"): (200, 401),
    ("GET", "/api/me/schools"): (200, 401),  # the walk's schools are in no district: []
    ("GET", "/api/locations"): (200, 401),
    ("GET", "/api/passes"): (200, 401),  # its contents come from VISIBLE
    ("GET", "/api/schedule/today"): (200, 401),  # every screen shows the current period
    ("GET", "/api/push/key"): (200, 401),
    ("GET", "/api/emergency"): (200, 401),  # each caller's own view (tests/test_emergency.py)
    ("GET", "/static/roster.css"): (200, 200),  # the printable roster's stylesheet
    # Single sign-on's buttons; a provider named "{key}" (none such); a callback with no state
    # (302 to the app's /sign-in page, for anyone).
    ("GET", "/api/sso/providers"): (200, 200),
    ("GET", "/api/sso/{key}/start"): (404, 404),
    ("GET", "/api/sso/callback"): (302, 302),
}
PUBLIC = frozenset(
    {
        ("GET", "/healthz"),
        ("GET", "/openapi.json"),
        ("POST", "/api/session"),
        ("POST", "/api/session/code"),
        ("GET", "/static/roster.css"),
        ("GET", "/api/sso/providers"),
        ("GET", "/api/sso/{key}/start"),
        ("GET", "/api/sso/callback"),
    }
)

# What a pass request can write (tests/test_bad_input.py compares every table).
PASS_TABLES = ("passes", "pass_events", "idempotency_keys", "schools")
ENCOUNTER_TABLES = ("encounter_groups", "encounter_members", "encounter_log")
PLACE_TABLES = ("locations", "location_staff")
EMERGENCY_TABLES = ("emergencies", "emergency_roster", "emergency_reports")
WRITE_TABLES = (
    "users",
    *PASS_TABLES,
    *EMERGENCY_TABLES,
    "policies",
    "bell_schedules",
    "schedule_overrides",
    *ENCOUNTER_TABLES,
    *PLACE_TABLES,
)

LOCATIONS = {
    "demo": {
        "Room 101",
        "Room 102",
        "Restroom North",
        "Restroom South",
        "Nurse",
        "Counselor",
        "Library",
        "Main Office",
    },
    "second": {"Room 201", "Restroom"},
}


def test_the_matrix_has_exactly_one_row_per_operation() -> None:
    registered = [(op.method, op.path) for op in OPERATIONS]
    assert len(registered) == len(set(registered))
    matrix = {*UNIFORM, *PER_PASS, CREATE_KEY, *BY_ROLE}
    assert set(registered) == matrix, "add a row to the matrix for each new endpoint"
    tables: list[dict[str, Any]] = [t for t in PER_PASS.values() if t is not None]
    for table in (*tables, CREATE, VISIBLE, *BY_ROLE.values()):
        assert set(table) == set(CALLERS)
    assert {(op.method, op.path) for op in OPERATIONS if not op.authenticated} == PUBLIC


@dataclass(frozen=True)
class OtherSchool:
    """A second school of the same deployment, made through the ORM."""

    school_id: int
    classroom_id: int
    restroom_id: int
    teacher_id: int
    student_id: int
    admin_id: int


async def create_other_school() -> OtherSchool:
    """Create a second school: Room 201, a restroom, a teacher, a student and an admin."""
    password_hash = await CHEAP_PASSWORDS.hash(PASSWORD)
    school = await School.create(name="Second Middle School", slug="second", timezone="UTC")
    classroom = await Location.create(
        school=school, name="Room 201", kind=LocationKind.CLASSROOM, is_destination=False
    )
    restroom = await Location.create(
        school=school, name="Restroom", kind=LocationKind.RESTROOM, capacity=2
    )
    teacher = await User.create(
        school=school,
        role=Role.TEACHER,
        login="teacher@second.school",
        first_name="Wendy",
        last_name="Okonkwo",
        password_hash=password_hash,
    )
    await teacher.assigned_locations.add(classroom)
    student = await User.create(
        school=school,
        role=Role.STUDENT,
        login="2001",
        first_name="Zora",
        last_name="Quintero",
        home_location=classroom,
        password_hash=password_hash,
    )
    admin = await User.create(
        school=school,
        role=Role.ADMIN,
        login="admin@second.school",
        first_name="Otto",
        last_name="Lindqvist",
        password_hash=password_hash,
    )
    return OtherSchool(school.id, classroom.id, restroom.id, teacher.id, student.id, admin.id)


async def create_staff(login: str, role: Role, first: str, last: str, room: str) -> User:
    """Create a Demo High School staff member or device assigned to one room.

    The demo's own accounts (its door kiosks) are returned as they are, if the role matches.
    """
    school = await School.get(slug="demo")
    existing = await User.get_or_none(school=school, login=login)
    if existing is not None:
        assert existing.role is role, f"the demo's {login} is a {existing.role}"
        assert room in {place.name for place in await existing.assigned_locations}
        return existing
    user = await User.create(
        school=school,
        role=role,
        login=login,
        first_name=first,
        last_name=last,
        password_hash=await CHEAP_PASSWORDS.hash(PASSWORD),
    )
    await user.assigned_locations.add(await Location.get(school=school, name=room))
    return user


@dataclass(frozen=True)
class World:
    """The ids the matrix refers to by label."""

    passes: dict[str, int]  # PASSES label -> id
    user_ids: dict[str, int]  # CALLERS name -> id
    other: OtherSchool
    restroom_south: int
    student_1005: int
    students: dict[int, tuple[str, str]]  # id -> (full name, kiosk name), both schools
    encounter_group: int  # the demo's blocking group (1001 and 1002)
    school_of: dict[int, str] = field(default_factory=dict)  # every user id -> school slug

    def create_body(self, case: str) -> dict[str, int]:
        """Return the body of one of the CREATE_CASES."""
        return {
            "issue": {"destination_id": self.restroom_south, "student_id": self.student_1005},
            "request": {"destination_id": self.restroom_south},
            "cross_school": {
                "destination_id": self.other.restroom_id,
                "student_id": self.student_1005,
            },
        }[case]


def keep_clear_of_local_midnight() -> None:
    """Move the server's clock past a school's midnight when the walk would cross it.

    The walk delays a visit by a minute, and a delay must stay within the school-local day.
    """
    for zone in TIMEZONES.values():
        local = clock.utcnow().astimezone(ZoneInfo(zone))
        midnight = datetime.combine(local.date() + timedelta(days=1), time(), local.tzinfo)
        if midnight - local < timedelta(minutes=15):
            clock.advance(midnight - local + timedelta(minutes=1))


@pytest.fixture
async def world(demo: Demo) -> World:
    """Add a substitute, a kiosk and a second school to the demo, and open the PASSES."""
    keep_clear_of_local_midnight()
    await create_staff("sub@demo.school", Role.SUBSTITUTE, "Sam", "Keller", "Room 102")
    await create_staff("kiosk101@demo.school", Role.KIOSK, "Door", "Kiosk", "Room 101")
    other = await create_other_school()
    passes: dict[str, int] = {}
    for label, (login, destination, state) in PASSES.items():
        place = other.restroom_id if label == "other" else await location_id(destination)
        response = await demo.post(login, "/api/passes", {"destination_id": place})
        assert response.status_code == 201, response.text
        assert response.json()["state"] == state
        passes[label] = response.json()["id"]
    user_ids = {
        name: (await User.get(login=login, school__slug=slug)).id
        for name, (login, _, slug) in CALLERS.items()
    }
    demo_school = await School.get(slug="demo")
    # Loose enough never to hold a pass of the matrix (a kiosk's pass is the student's own).
    await Policy.create(school=demo_school, scope="school", target="", rules={"passes_per_day": 50})
    student_1005 = await user_id("1005")
    await Policy.create(
        school=demo_school, scope="student", target=str(student_1005), rules={"passes_per_day": 60}
    )
    return World(
        passes,
        user_ids,
        other,
        await location_id("Restroom South"),
        await user_id("1005"),
        await student_names(),
        (await EncounterGroup.get(name=ENCOUNTER_GROUP)).id,
        {row["id"]: row["school__slug"] for row in await User.all().values("id", "school__slug")},
    )


async def student_names() -> dict[int, tuple[str, str]]:
    """Return every student's full name and kiosk name ("First L.") by id, in every school."""
    rows = await User.filter(role=Role.STUDENT).values("id", "first_name", "last_name")
    return {
        row["id"]: (
            f"{row['first_name']} {row['last_name']}",
            f"{row['first_name']} {row['last_name'][:1]}.",
        )
        for row in rows
    }


def _names_pattern(names: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(rf"\b{re.escape(name)}(?!\w)" for name in names))


def student_leaks(text: str, own_id: int, students: dict[int, tuple[str, str]]) -> list[str]:
    """Return what a response to a student shows that invariant 5 forbids."""
    found = [word for word in (ENCOUNTER_GROUP.lower(), "encounter") if word in text.lower()]
    others = [name for sid, pair in students.items() if sid != own_id for name in pair]
    found += _names_pattern(others).findall(text)
    return found


def kiosk_leaks(response: httpx.Response, world: World) -> list[str]:
    """Return full student names in a kiosk's response, and pass names not "First L."."""
    found: list[str] = _names_pattern([full for full, _ in world.students.values()]).findall(
        response.text
    )
    is_json = response.headers.get("content-type", "").startswith("application/json")
    body = response.json() if response.content and is_json else None
    for item in body if isinstance(body, list) else [body]:
        if isinstance(item, dict) and isinstance(item.get("student"), dict):
            student = item["student"]
            if student["name"] != world.students[student["id"]][1]:
                found.append(student["name"])
    return found


def expected_status(op: Operation, caller: str, target: str | None) -> int:
    """Return the matrix's status for a caller calling an operation on a target."""
    key = (op.method, op.path)
    if caller == ANONYMOUS and key not in PUBLIC:
        return 401
    if key in BY_ROLE:
        return BY_ROLE[key][caller]
    if key in UNIFORM:
        signed_in, anonymous = UNIFORM[key]
        return anonymous if caller == ANONYMOUS else signed_in
    assert target is not None
    if key == CREATE_KEY:
        return CREATE[caller][CREATE_CASES.index(target)]
    table = PER_PASS[key]
    if table is None:
        return 200 if target in VISIBLE[caller] else 404
    return table[caller][list(PASSES).index(target)]


def expected_code(op: Operation, status: int, caller: str) -> ErrorCode:
    """Return the error code a refusal of the matrix must carry."""
    if status == 401:
        leaving_kiosk = (op.method, op.path) == ("POST", "/api/kiosk/leave")
        signing_in = (op.method, op.path) == ("POST", "/api/session") or (
            leaving_kiosk and caller != ANONYMOUS
        )
        if (op.method, op.path) == ("POST", "/api/session/code"):
            return ErrorCode.INVALID_CODE
        return ErrorCode.INVALID_CREDENTIALS if signing_in else ErrorCode.NOT_AUTHENTICATED
    if status == 403 and caller == "kiosk" and op.path.startswith("/api/session"):
        return ErrorCode.KIOSK_LOCKED
    if status == 409:
        if op.path.startswith("/api/emergency"):
            return ErrorCode.NO_EMERGENCY
        return (
            ErrorCode.ALREADY_OUT
            if (op.method, op.path) == CREATE_KEY
            else ErrorCode.INVALID_TRANSITION
        )
    return {403: ErrorCode.FORBIDDEN, 404: ErrorCode.NOT_FOUND, 422: ErrorCode.VALIDATION_ERROR}[
        status
    ]


def targets(op: Operation) -> tuple[str | None, ...]:
    """Return what an operation is called on: each prepared pass, each create body, or once."""
    if (op.method, op.path) in BY_ROLE:
        return (None,)
    if "{id}" in op.path:
        return tuple(PASSES)
    if (op.method, op.path) == CREATE_KEY:
        return CREATE_CASES
    return (None,)


async def restore_passes(saved: list[dict[str, Any]]) -> None:
    """Put every pass back as it was, and delete the passes created since."""
    kept = [row["id"] for row in saved]
    created = await Pass.exclude(id__in=kept).values_list("id", flat=True)
    if created:
        await PassEvent.filter(hall_pass_id__in=created).delete()
        await IdempotencyKey.filter(hall_pass_id__in=created).delete()
        await Pass.filter(id__in=created).delete()
    current = {row["id"]: row for row in await Pass.all().values()}
    for row in saved:
        if current[row["id"]] != row:
            await Pass.filter(id=row["id"]).update(**{k: v for k, v in row.items() if k != "id"})


async def restore_policies(saved: list[dict[str, Any]]) -> None:
    """Put the policy rows back as they were."""
    current = await Policy.all().values()
    if current == saved:
        return
    await Policy.all().delete()
    for row in saved:
        await Policy.create(**row)


async def restore_schedules(saved: tuple[list[dict[str, Any]], list[dict[str, Any]]]) -> None:
    """Put the bell schedules and their overrides back as they were."""
    rows, overrides = saved
    if (await BellSchedule.all().values(), await ScheduleOverride.all().values()) == saved:
        return
    await ScheduleOverride.all().delete()
    await BellSchedule.all().delete()
    for row in rows:
        await BellSchedule.create(**row)
    for override in overrides:
        await ScheduleOverride.create(**override)


async def restore_school_and_places(
    schools: list[dict[str, Any]], places: list[dict[str, Any]]
) -> None:
    """Put the schools' settings and the locations back as they were (the walk adds no staff)."""
    for row in schools:
        settings = ("name", "timezone", "hallway_max", "passes_enabled", "emergency_id")
        await School.filter(id=row["id"]).update(**{k: row[k] for k in settings})
    # An emergency a cell started (none is on when a cell begins): its roster and reports go too.
    await Emergency.exclude(
        id__in=[r["emergency_id"] for r in schools if r["emergency_id"]]
    ).delete()
    await Location.exclude(id__in=[row["id"] for row in places]).delete()
    current = {row["id"]: row for row in await Location.all().values()}
    for row in places:
        if current[row["id"]] != row:
            await Location.filter(id=row["id"]).update(
                **{k: v for k, v in row.items() if k not in ("id", "school_id")}
            )


async def restore_users(saved: list[dict[str, Any]]) -> None:
    """Delete the users created since, and put the others back as they were."""
    await User.exclude(id__in=[row["id"] for row in saved]).delete()
    current = {row["id"]: row for row in await User.all().values()}
    for row in saved:
        if current[row["id"]] != row:
            await User.filter(id=row["id"]).update(
                **{k: v for k, v in row.items() if k not in ("id", "school_id")}
            )


async def restore_encounters(saved: dbstate.Snapshot) -> None:
    """Put the encounter groups, their members and the log back as they were."""
    if await dbstate.snapshot(ENCOUNTER_TABLES) == saved:
        return
    await EncounterLog.all().delete()  # the walk's cells never log an encounter
    kept = [row["id"] for row in saved["encounter_groups"]]
    for group in await EncounterGroup.all():
        await group.members.clear()
    await EncounterGroup.exclude(id__in=kept).delete()
    for row in saved["encounter_groups"]:
        await EncounterGroup.filter(id=row["id"]).update(
            **{k: v for k, v in row.items() if k not in ("id", "mode", "school_id")}
        )
    for link in saved["encounter_members"]:
        group = await EncounterGroup.get(id=link["encounter_groups_id"])
        await group.members.add(await User.get(id=link["user_id"]))


@dataclass
class Walk:
    """The walk through the matrix: one cell is one caller calling one operation on one target."""

    demo: Demo
    world: World

    async def cell(self, op: Operation, caller: str, target: str | None) -> list[str]:
        """Call, and return every way the answer disagrees with the matrix or invariant 5."""
        name = f"{caller} {op.method} {op.path} [{target}]"
        writes = op.method != "GET"
        saved = await Pass.all().values() if writes else []
        saved_policies = await Policy.all().values() if writes else []
        saved_schedules = (
            (await BellSchedule.all().values(), await ScheduleOverride.all().values())
            if writes
            else ([], [])
        )
        before = await dbstate.snapshot(WRITE_TABLES) if writes else {}
        saved_encounters = await dbstate.snapshot(ENCOUNTER_TABLES) if writes else {}
        saved_schools = await School.all().values() if writes else []
        saved_places = await Location.all().values() if writes else []
        saved_users = await User.all().values() if writes else []
        response = await self.send(op, caller, target)
        problems = await self.check_status(op, caller, target, response)
        if caller != ANONYMOUS and CALLERS[caller][1] is Role.STUDENT:
            own = self.world.user_ids[caller]
            # The API's public description names its encounter endpoints (the same document
            # for everyone, anonymous too): only the group's name and other students count there.
            text = response.text
            if op.path == "/openapi.json":
                text = re.sub("encounter", "", text, flags=re.IGNORECASE)
            problems += [
                f"a student sees {leak!r}" for leak in student_leaks(text, own, self.world.students)
            ]
        if caller == "kiosk":
            problems += [f"the kiosk sees {leak!r}" for leak in kiosk_leaks(response, self.world)]
        # Every table the restores below write is in WRITE_TABLES: nothing changed, nothing to do.
        if writes and (after := await dbstate.snapshot(WRITE_TABLES)) != before:
            if response.status_code >= 400:
                problems.append(f"refused, yet changed {dbstate.changes(before, after)}")
            await restore_passes(saved)
            await restore_policies(saved_policies)
            await restore_schedules(saved_schedules)
            await restore_encounters(saved_encounters)
            await restore_school_and_places(saved_schools, saved_places)
            await restore_users(saved_users)
        logged_out = response.status_code == 204
        if (op.method, op.path) == ("DELETE", "/api/session") and logged_out:
            problems += await self.check_logged_out(caller)
        return [f"{name}: {problem}" for problem in problems]

    async def send(self, op: Operation, caller: str, target: str | None) -> httpx.Response:
        """Send the operation as the caller, on the target."""
        client = self.demo.client
        client.cookies.clear()  # only the Authorization header may authenticate
        headers = {} if caller == ANONYMOUS else await self.demo.auth(CALLERS[caller][0])
        path = op.path
        body: dict[str, Any] | None = None
        if op.path == "/api/schedule":
            body = SCHEDULE_BODY if op.method == "PUT" else None
        elif op.path.startswith("/api/substitutes"):
            path = path.replace("{id}", str(10**6))  # no such grant
            past = {"substitute": {"first_name": "A", "last_name": "B"}, "day": "2001-01-01"}
            body = (
                {**past, "location_id": self.world.restroom_south} if op.method == "POST" else None
            )
            if op.path.endswith("/code"):
                body = None
        elif op.path == "/api/session/code":
            body = {"code": "ZZZZZ-ZZZZZ"}
        elif op.path == "/api/session/switch":
            body = {"school_id": self.world.other.school_id}
        elif op.path.startswith("/api/encounters/"):
            path = path.replace("{id}", str(self.world.encounter_group))
            members = [self.world.user_ids["student"], self.world.user_ids["student_pending"]]
            bodies: dict[str, dict[str, Any]] = {
                "POST": {"name": "Walk", "mode": "alert", "member_ids": members},
                "PATCH": {"notes": "Walked", "expires_on": "2099-01-01"},
            }
            body = bodies.get(op.method)
        elif op.path == "/api/appointments":
            body = {
                "destination_id": self.world.restroom_south,
                "student_ids": [self.world.student_1005],
                "start_at": (clock.utcnow() + timedelta(minutes=30)).isoformat(),
            }
        elif op.path.startswith(("/api/users", "/api/kiosk/")):
            path = path.replace("{id}", str(self.world.student_1005))
            body = USER_BODIES.get((op.method, op.path))
            if op.path == "/api/kiosk/passes":
                body = {"student_number": "1005", "destination_id": self.world.restroom_south}
                looked_up = await client.post(
                    "/api/kiosk/lookup", headers=headers, json={"student_number": "1005"}
                )
                if looked_up.status_code == 200:
                    body["confirmation"] = looked_up.json()["confirmation"]
            elif op.path == "/api/kiosk/lookup":
                body = {"student_number": "1005"}
            elif op.path == "/api/kiosk/leave":
                body = {"email": "nobody@demo.school", "password": "not-demo"}
        elif op.path == "/api/locations/{id}/end-all":
            path = path.replace("{id}", str(await location_id("Room 101")))
            body = {"pass_ids": [self.world.passes["r101"]]}
        elif (op.method, op.path) in ADMIN_BODIES or op.path == "/api/school":
            path = path.replace("{id}", str(self.world.restroom_south))
            body = ADMIN_BODIES.get((op.method, op.path))
        elif op.path in NOTIFY_BODIES:
            body = NOTIFY_BODIES[op.path].get(op.method)
            if op.path == "/api/notifications/settings" and op.method == "PUT":
                body = {"flagged_student_ids": [self.world.student_1005]}
        elif op.path.startswith("/api/emergenc"):
            path = path.replace("{id}", str(self.world.student_1005))
            body = EMERGENCY_BODIES.get((op.method, op.path))
            if op.path.endswith("/present"):
                body = {"location_id": self.world.restroom_south}
        elif (op.method, op.path) in BY_ROLE:
            student = str(self.world.student_1005)
            path = path.replace("{scope}/{target}", f"student/{student}").replace("{id}", student)
            body = {"rules": {"passes_per_day": 40}} if op.method == "PUT" else None
        elif target in PASSES:
            path = path.replace("{id}", str(self.world.passes[target]))
            # One minute: a delay stays within the local day (the world keeps clear of midnight).
            body = {"minutes": 1} if op.path.endswith("/delay") else None
        elif target in CREATE_CASES:
            body = self.world.create_body(target)
        elif (op.method, op.path) == ("POST", "/api/session"):
            login = CALLERS[caller][0] if caller != ANONYMOUS else "nobody"
            body = {"login": login, "password": PASSWORD}
        return await client.request(op.method, path, headers=headers, json=body)

    async def check_status(
        self, op: Operation, caller: str, target: str | None, response: httpx.Response
    ) -> list[str]:
        """Return how the status, the error or the content disagrees with the matrix."""
        expected = expected_status(op, caller, target)
        if response.status_code != expected:
            return [f"{response.status_code}, expected {expected}: {response.text[:300]}"]
        if expected >= 400:
            try:
                assert_error(response, expected, expected_code(op, expected, caller))
            except AssertionError as exc:
                return [str(exc)]
            return []
        if caller == ANONYMOUS or expected == 204:
            return []
        if not response.headers.get("content-type", "").startswith("application/json"):
            return []  # a stylesheet
        body = response.json()
        _, role, slug = CALLERS[caller]
        key = (op.method, op.path)
        if key == ("GET", "/api/passes"):
            shown = {item["id"] for item in body}
            allowed = {self.world.passes[label] for label in VISIBLE[caller]}
            return [] if shown == allowed else [f"lists {sorted(shown)}, not {sorted(allowed)}"]
        if key in (("GET", "/api/me"), ("POST", "/api/session")):
            user = body.get("user", body)
            if (user["role"], user["school"]["slug"]) != (role, slug):
                return [f"is {user['role']} of {user['school']['slug']}"]
        if key == ("GET", "/api/me/schools") and body != []:
            return [f"may switch to {body}"]
        if key == ("GET", "/api/locations"):
            names = {item["name"] for item in body}
            if names != LOCATIONS[slug]:
                return [f"sees locations {sorted(names)}"]
            # Who covers which place is for admins only.
            shows_staff = any("staff_ids" in item for item in body)
            return (
                [] if shows_staff == (role is Role.ADMIN) else [f"staff_ids shown: {shows_staff}"]
            )
        if key == ("GET", "/api/users"):
            schools = {self.world.school_of[item["id"]] for item in body["users"]}
            if schools != {slug} or body["total"] != len(body["users"]):
                return [f"lists users of {sorted(schools)}, total {body['total']}"]
            return ["shows a password hash"] if "argon2" in json.dumps(body) else []
        if key == ("GET", "/api/students"):
            homes = {
                (self.world.school_of[item["id"]], item["home_location"]["name"]) for item in body
            }
            if homes != STUDENT_ROOMS[caller]:
                return [f"looks up students of {sorted(homes)}"]
            return []
        if key == ("POST", "/api/emergency"):
            started = await Emergency.get(id=body["emergency"]["id"])
            school = await School.get(id=started.school_id)
            return [] if school.slug == slug else [f"started an emergency of {school.slug}"]
        if key == ("GET", "/api/emergencies") and body != []:
            return [f"lists emergencies {body}"]
        if key == ("GET", "/api/school") and body["slug"] != slug:
            return [f"sees the settings of {body['slug']}"]
        if key == ("GET", "/api/policies"):
            rows = {(row["scope"], row["target"]) for row in body}
            expected_rows = {
                (scope, str(self.world.student_1005) if scope == "student" else target)
                for scope, target in POLICY_ROWS[slug]
            }
            return [] if rows == expected_rows else [f"sees policy rows {sorted(rows)}"]
        if key in (("GET", "/api/schedule"), ("PUT", "/api/schedule")):
            names = set(body["day_types"])
            wanted = {"short"} if op.method == "PUT" else DAY_TYPES[slug]
            if (body["timezone"], names) != (TIMEZONES[slug], wanted):
                return [f"sees the schedule of {body['timezone']} with {sorted(names)}"]
        if key == ("GET", "/api/schedule/today") and body["timezone"] != TIMEZONES[slug]:
            return [f"sees today in {body['timezone']}"]
        if key == ("GET", "/api/students/{id}/policy"):
            shown = body["student"]["id"]
            return [] if shown == self.world.student_1005 else [f"explains student {shown}"]
        if key == ("GET", "/api/encounters/groups"):
            names = {group["name"] for group in body}
            wanted = {ENCOUNTER_GROUP} if slug == "demo" else set()
            return [] if names == wanted else [f"sees groups {sorted(names)}"]
        if key == ("GET", "/api/passes/{id}/history"):
            return [] if body and body[0]["name"] == "pass.created" else [f"history {body}"]
        if target in PASSES and body["id"] != self.world.passes[target]:
            return [f"answers with pass {body['id']}"]
        return []

    async def check_logged_out(self, caller: str) -> list[str]:
        """Return a problem if the token of a caller who just logged out still works."""
        login = CALLERS[caller][0]
        stale = await self.demo.get(login, "/api/me")
        del self.demo.tokens[login]  # sign in afresh for the next cell
        return [] if stale.status_code == 401 else ["the token still works after logout"]


# Half a minute alone on PostgreSQL (every write is undone after its cell): room for a busy machine.
@pytest.mark.timeout(300)
async def test_every_caller_gets_the_matrix_status_on_every_endpoint(
    demo: Demo, world: World
) -> None:
    walk = Walk(demo, world)
    problems: list[str] = []
    for op in OPERATIONS:
        for caller in (ANONYMOUS, *CALLERS):
            for target in targets(op):
                problems += await walk.cell(op, caller, target)
    assert not problems, "\n".join(problems)


async def test_an_encounter_denial_never_tells_the_student_who_or_why(demo: Demo) -> None:
    await create_staff("kiosk101@demo.school", Role.KIOSK, "Door", "Kiosk", "Room 101")
    library = await location_id("Library")
    to_student: dict[str, list[httpx.Response]] = {"1001": [], "1002": []}
    # Either member of the group asking while the other is out waits, as for full hallways
    # (or for the approval a place needs, as ever).
    for out, asking in (("1002", "1001"), ("1001", "1002")):
        trip = await demo.request_pass(out, "Restroom North")
        assert trip.status_code == 201, trip.text
        for destination, state in (("Restroom South", "waiting"), ("Nurse", "pending")):
            held = await demo.request_pass(asking, destination)
            assert held.status_code == 201, held.text
            assert held.json()["state"] == state
            cancelled = await demo.post(asking, f"/api/passes/{held.json()['id']}/cancel")
            to_student[asking] += [held, cancelled]
        to_student[out] += [trip, await demo.post(out, f"/api/passes/{trip.json()['id']}/end")]
    # The kiosk at the door is a student's screen too: the same line, no group.
    again = await demo.request_pass("1001", "Restroom North")
    assert again.status_code == 201, again.text
    for_1002 = {"destination_id": library, "student_id": await user_id("1002")}
    at_door = await demo.post("kiosk101@demo.school", "/api/passes", for_1002)
    assert at_door.status_code == 201, at_door.text
    assert at_door.json()["state"] == "waiting"
    assert ENCOUNTER_GROUP not in at_door.text
    assert "Martinez" not in at_door.text  # 1001 is Ava Martinez
    await demo.post("teacher1@demo.school", f"/api/passes/{at_door.json()['id']}/cancel")
    # Staff are told a rule holds the student; only those who may see groups, which one.
    staff = await demo.post("teacher1@demo.school", "/api/passes", for_1002)
    assert_error(staff, 409, ErrorCode.BLOCKED)
    assert ENCOUNTER_GROUP not in staff.text
    admin = await demo.post("admin@demo.school", "/api/passes", for_1002)
    assert_error(admin, 409, ErrorCode.BLOCKED)
    assert ENCOUNTER_GROUP in admin.text
    # A pending pass is checked again on approval, and its student still hears nothing.
    await demo.post("1001", f"/api/passes/{again.json()['id']}/end")
    pending = await demo.request_pass("1002", "Nurse")
    assert pending.status_code == 201, pending.text
    assert pending.json()["state"] == "pending"
    assert (await demo.request_pass("1001", "Library")).status_code == 201
    held = await demo.post("teacher1@demo.school", f"/api/passes/{pending.json()['id']}/approve")
    assert_error(held, 409, ErrorCode.BLOCKED)
    listed = await demo.get("1002", "/api/passes")
    assert {p["student"]["id"] for p in listed.json()} == {await user_id("1002")}
    to_student["1002"] += [pending, listed]
    for path in (f"/api/passes/{pending.json()['id']}", "/api/me", "/api/locations"):
        to_student["1002"].append(await demo.get("1002", path))
    to_student["1002"].append(await demo.post("1002", f"/api/passes/{pending.json()['id']}/cancel"))
    names = await student_names()
    for login, responses in to_student.items():
        own = await user_id(login)
        for response in responses:
            assert response.status_code < 500, response.text
            assert student_leaks(response.text, own, names) == [], response.text
