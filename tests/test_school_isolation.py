"""Every query stays in one school: the walk of every operation with an id, against another
school's ids.

School B ("Bravo Academy") gets data of every kind: places, users, a section and its
enrollments, an encounter group, policy rows, a bell schedule, a pass, an emergency (ended)
and one in force with its roster, notification settings and a roster import. Then, for EVERY
operation of `server.api.routes.OPERATIONS` with a path parameter (generated: an endpoint
added later is walked too, and fails here until `B_IDS` says which of B's ids it takes), an
admin and a teacher of Demo High School (school A) call it with B's ids. The answer must be the
answer to an id that does not exist, status and code alike: 404 for the admin (whose role may
do all of them but the district's), 404 or the role's 403 for the teacher, never 200. List
operations with id query parameters are called with B's ids and must show none of B's data.
Nothing of either school changes. (tests/test_authorization.py walks every role of one school
against a fixed set of passes; this walks every id of the other school.)
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from server.api.routes import OPERATIONS
from server.api.spec import Operation
from server.enums import EnrollmentRole, ImportStatus, LocationKind, Role
from server.models import Enrollment, Location, RosterImport, School, Section, User
from tests import dbstate
from tests.conftest import CHEAP_PASSWORDS, Demo, location_id
from tests.test_authorization import SCHEDULE_BODY, keep_clear_of_local_midnight

# Every name of B holds this word, so a leak of B's data into a list is found by it alone.
MARK = "Bravo"
MISSING = 2**31 - 1  # a valid id that names nothing
A_ADMIN = "admin@demo.school"
A_TEACHER = "teacher1@demo.school"
B_ADMIN = "admin@bravo.school"
B_STUDENT = "9001"
# What is compared before and after the walk: nothing of either school may change.
TABLES = (
    "schools", "users", "locations", "location_staff", "sections", "enrollments", "passes",
    "pass_events", "policies", "bell_schedules", "encounter_groups", "encounter_members",
    "emergencies", "emergency_roster", "emergency_reports", "roster_imports", "sso_providers",
    "substitute_grants", "sessions",
)  # fmt: skip


@dataclass(frozen=True)
class Bravo:
    """School B's ids, by kind."""

    school: int
    location: int
    student: int
    section: int
    group: int
    passes: int
    emergency: int  # an ended one: its record and exports
    provider: int  # a single sign-on provider of B's
    grant: int  # a substitute's grant in B


# Which of B's ids each path takes: an operation added with an id must be named here.
B_IDS: dict[str, Callable[[Bravo], dict[str, str]]] = {
    "/api/locations/{id}": lambda b: {"id": str(b.location)},
    "/api/users/{id}": lambda b: {"id": str(b.student)},
    "/api/sections/{id}": lambda b: {"id": str(b.section)},
    "/api/students/{id}/schedule": lambda b: {"id": str(b.student)},
    "/api/students/{id}/policy": lambda b: {"id": str(b.student)},
    "/api/students/{id}/today": lambda b: {"id": str(b.student)},
    "/api/passes/{id}": lambda b: {"id": str(b.passes)},
    "/api/policies/{scope}/{target}": lambda b: {"scope": "student", "target": str(b.student)},
    "/api/encounters/groups/{id}": lambda b: {"id": str(b.group)},
    "/api/emergency/roster/{id}/present": lambda b: {"id": str(b.student)},
    "/api/emergencies/{id}": lambda b: {"id": str(b.emergency)},
    "/api/district/schools/{id}": lambda b: {"id": str(b.school)},
    "/api/sso/providers/{id}": lambda b: {"id": str(b.provider)},
    "/api/substitutes/{id}": lambda b: {"id": str(b.grant)},
}
# Which of B's ids an id query parameter takes, by its name.
QUERY_IDS: dict[str, Callable[[Bravo], int]] = {
    "location_id": lambda b: b.location,
    "destination_id": lambda b: b.location,
    "before": lambda b: b.passes,  # a cursor: the passes before B's pass, none of them B's
    "group": lambda b: b.group,
}
# Valid bodies, so that what answers is the id's lookup, not the body's validation.
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("PATCH", "/api/locations/{id}"): {"default_minutes": 7},
    ("PATCH", "/api/users/{id}"): {"grade": 11},
    ("POST", "/api/passes/{id}/delay"): {"minutes": 1},
    ("PUT", "/api/policies/{scope}/{target}"): {"rules": {"passes_per_day": 40}},
    ("PATCH", "/api/encounters/groups/{id}"): {"notes": "Walked"},
    ("PATCH", "/api/sso/providers/{id}"): {"label": "Walked"},
    ("POST", "/api/district/schools/{id}/admins"): {
        "email": "walk@bravo.example",
        "first_name": "Walk",
        "last_name": "Er",
    },
}


def ids_of(path: str, bravo: Bravo) -> dict[str, str]:
    """Return B's ids for a path's parameters (the longest registered prefix names them)."""
    known = [p for p in B_IDS if path == p or path.startswith(p + "/")]
    assert known, f"{path}: no id of school B to try: add it to B_IDS"
    return B_IDS[max(known, key=len)](bravo)


def fill(path: str, values: dict[str, str]) -> str:
    """Put the values into a path's {parameters}."""
    return re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], path)


async def make_user(school: School, login: str, role: Role, last: str, **more: Any) -> User:
    """Create one of B's accounts (password `demo`)."""
    return await User.create(
        school=school,
        role=role,
        login=login,
        first_name="Zed",
        last_name=last,
        password_hash=await CHEAP_PASSWORDS.hash("demo"),
        **more,
    )


@pytest.fixture
async def bravo(demo: Demo) -> Bravo:
    """Build school B with data of every kind (through its admin's API where there is one)."""
    keep_clear_of_local_midnight()
    school = await School.create(name=f"{MARK} Academy", slug="bravo", timezone="UTC")
    room = await Location.create(
        school=school, name=f"{MARK} Room", kind=LocationKind.CLASSROOM, is_destination=False
    )
    restroom = await Location.create(
        school=school, name=f"{MARK} Restroom", kind=LocationKind.RESTROOM, capacity=2
    )
    await make_user(school, B_ADMIN, Role.ADMIN, f"{MARK}admin")
    teacher = await make_user(school, "teacher@bravo.school", Role.TEACHER, f"{MARK}teacher")
    await teacher.assigned_locations.add(room)
    student = await make_user(
        school, B_STUDENT, Role.STUDENT, f"{MARK}student", student_number="9001", home_location=room
    )
    other = await make_user(
        school, "9002", Role.STUDENT, f"{MARK}second", student_number="9002", home_location=room
    )
    section = await Section.create(school=school, title=f"{MARK} Algebra", location=room)
    for user, role in ((teacher, EnrollmentRole.TEACHER), (student, EnrollmentRole.STUDENT)):
        await Enrollment.create(school=school, section=section, user=user, role=role)
    await RosterImport.create(
        school=school, status=ImportStatus.APPLIED, format="csv", source=f"{MARK}.csv"
    )

    async def as_admin(method: str, path: str, body: object) -> dict[str, Any]:
        response = await demo.client.request(
            method, path, headers=await demo.auth(B_ADMIN), json=body
        )
        assert response.status_code < 300, response.text
        return response.json() if response.content else {}

    group = await as_admin(
        "POST",
        "/api/encounters/groups",
        {"name": f"{MARK} group", "mode": "alert", "member_ids": [student.id, other.id]},
    )
    await as_admin("PUT", "/api/policies/school", {"rules": {"passes_per_day": 9}})
    await as_admin("PUT", f"/api/policies/student/{student.id}", {"rules": {"passes_per_day": 8}})
    await as_admin("PUT", "/api/schedule", SCHEDULE_BODY)
    await as_admin("PUT", "/api/notifications/settings", {"flagged_student_ids": [student.id]})
    trip = await demo.post(B_STUDENT, "/api/passes", {"destination_id": restroom.id})
    assert trip.status_code == 201, trip.text
    ended = await as_admin("POST", "/api/emergency", {"kind": "drill"})
    await as_admin("DELETE", "/api/emergency", None)
    await as_admin("POST", "/api/emergency", {"kind": "drill"})  # in force, with its roster
    provider = await as_admin(
        "POST",
        "/api/sso/providers",
        {
            "key": "bravo-google",
            "kind": "google",
            "label": f"{MARK} Google",
            "issuer": "https://accounts.google.com",
            "client_id": "bravo-client",
        },
    )
    grant = await as_admin(
        "POST",
        "/api/substitutes",
        {"substitute": {"first_name": "Sub", "last_name": MARK}, "location_id": room.id},
    )
    return Bravo(
        school.id,
        restroom.id,
        student.id,
        section.id,
        int(group["id"]),
        int(trip.json()["id"]),
        int(ended["emergency"]["id"]),
        int(provider["id"]),
        int(grant["id"]),
    )


def answer(response: httpx.Response) -> tuple[int, str | None]:
    """Return a response's status and error code."""
    if response.status_code >= 400 and "json" in response.headers.get("content-type", ""):
        return response.status_code, response.json()["error"]["code"]
    return response.status_code, None


async def send(demo: Demo, login: str, op: Operation, path: str) -> httpx.Response:
    """Call an operation as a user of school A."""
    body = BODIES.get((op.method, op.path))
    if op.path.endswith("/present"):  # marked present at one of A's own places
        body = {"location_id": await location_id("Restroom South")}
    headers = await demo.auth(login)
    return await demo.client.request(op.method, path, headers=headers, json=body)


def with_ids() -> list[Operation]:
    """Every operation with a path parameter that a signed-in user calls: generated, so none is
    forgotten. (The only public one, a single sign-on start, takes a provider's key that every
    sign-in page shows: it names no data.)"""
    return [op for op in OPERATIONS if op.path_params and op.authenticated]


def test_the_walk_has_an_id_of_school_b_for_every_operation_with_one() -> None:
    assert len(with_ids()) >= 20
    missing = [op.path for op in with_ids() if not any(op.path.startswith(p) for p in B_IDS)]
    assert not missing, f"add B_IDS for {missing}"


@pytest.mark.timeout(300)
async def test_every_operation_answers_another_schools_ids_as_ids_that_do_not_exist(
    demo: Demo, bravo: Bravo
) -> None:
    # The roster's marks need an emergency in force in A too, or every id is a 409.
    started = await demo.post(A_ADMIN, "/api/emergency", {"kind": "drill"})
    assert started.status_code == 201, started.text
    for login in (A_ADMIN, A_TEACHER):
        await demo.token(login)
    before = await dbstate.snapshot(TABLES)
    problems: list[str] = []
    for op in with_ids():
        b_values = ids_of(op.path, bravo)
        missing_values = {k: (v if k == "scope" else str(MISSING)) for k, v in b_values.items()}
        for login in (A_ADMIN, A_TEACHER):
            b_answer = answer(await send(demo, login, op, fill(op.path, b_values)))
            none_answer = answer(await send(demo, login, op, fill(op.path, missing_values)))
            name = f"{login} {op.method} {op.path}"
            district_only = op.path.startswith("/api/district/")
            wanted = {(403, "forbidden")} if district_only else {(404, "not_found")}
            if login == A_TEACHER:
                wanted |= {(403, "forbidden")}  # what a teacher may not do at all
            if b_answer != none_answer:
                problems.append(f"{name}: B's id {b_answer}, no such id {none_answer}")
            elif b_answer not in wanted:
                problems.append(f"{name}: {b_answer}, expected one of {sorted(wanted)}")
    assert not problems, "\n".join(problems)
    assert await dbstate.snapshot(TABLES) == before


async def test_lists_filtered_by_another_schools_ids_show_none_of_its_data(
    demo: Demo, bravo: Bravo
) -> None:
    problems: list[str] = []
    for op in OPERATIONS:
        if op.query is None or op.method != "GET":
            continue
        names = [n for n in op.query.model_fields if n.endswith("_id") or n in QUERY_IDS]
        for name in names:
            assert name in QUERY_IDS, f"{op.path}?{name}: no id of school B to try"
            params = {name: str(QUERY_IDS[name](bravo))}
            b_values = ids_of(op.path, bravo) if op.path_params else {}
            if op.path_params:  # school A's own student, so that the list is A's
                b_values = {"id": str((await User.get(login="1005")).id)}
            path = fill(op.path, b_values)
            for login in (A_ADMIN, A_TEACHER):
                response = await demo.client.get(
                    path, params=params, headers=await demo.auth(login)
                )
                if response.status_code >= 500 or (
                    response.status_code < 300 and MARK in response.text
                ):
                    problems.append(f"{login} {path}?{name}: {response.text[:200]}")
    assert not problems, "\n".join(problems)
    # The walk reached places of A too: a list of A's answers with A's data.
    library = await location_id("Library")
    ok = await demo.client.get(
        "/api/students", params={"location_id": library}, headers=await demo.auth(A_ADMIN)
    )
    assert ok.status_code in (200, 404), ok.text
