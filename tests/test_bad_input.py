"""Bad input gets its documented 4xx and changes nothing (DESIGN.md section 4).

Each row of CASES, (intent, request, expected error), sends one bad request to a school with
passes in every state, and compares a snapshot of every table (tests/dbstate.py; sessions aside,
since signing in writes one) before and after.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from dataclasses import asdict, dataclass
from typing import Any

import pytest

from server.api.requests import MAX_BODY_BYTES
from server.api.routes import OPERATIONS
from server.api.spec import Operation
from server.errors import ErrorCode
from server.models import EncounterGroup
from tests import dbstate
from tests.conftest import Demo, location_id, user_id
from tests.test_authorization import create_other_school
from tests.test_error_shape import assert_error, district_admin_of_demo

ADMIN = "admin@demo.school"
TEACHER = "teacher1@demo.school"  # Room 101
STUDENT = "1006"  # Room 101, no pass yet
OTHER_ADMIN = "admin@second.school"
MEGABYTE = 1024 * 1024


@dataclass(frozen=True)
class Ids:
    """The ids the rows refer to: a pass in each state a verb can act on, and another school."""

    active: int  # 1003 to Restroom North
    arrived: int  # 1016 to the Library, checked in
    pending: int  # 1005 to the Nurse, awaiting approval
    ended: int  # 1004, back from the Library
    denied: int  # 1017, refused the Nurse
    student: int  # 1006, Room 101, no pass
    library: int
    room_102: int
    teacher_2: int
    other_pass: int  # the second school's
    other_restroom: int
    other_student: int
    group: int  # the demo's encounter group


@dataclass(frozen=True)
class Ref:
    """A field of Ids inside a body, optionally disguised: Ref("library", str) sends "7" for 7."""

    name: str
    disguise: Callable[[int], object] = int


def resolve(value: object, ids: Ids) -> object:
    """Return the body with every Ref replaced by its (disguised) id."""
    if isinstance(value, Ref):
        return value.disguise(getattr(ids, value.name))
    if isinstance(value, dict):
        return {key: resolve(item, ids) for key, item in value.items()}
    if isinstance(value, list):
        return [resolve(item, ids) for item in value]
    return value


LIBRARY = Ref("library")
PUPIL = Ref("student")  # a Demo High School student
NOT_FOUND = ErrorCode.NOT_FOUND
INVALID = ErrorCode.VALIDATION_ERROR
MALFORMED = ErrorCode.MALFORMED_JSON
MEDIA = ErrorCode.UNSUPPORTED_MEDIA_TYPE
TOO_LARGE = ErrorCode.PAYLOAD_TOO_LARGE
WRONG_LOGIN = ErrorCode.INVALID_CREDENTIALS
NO_BODY = object()
Content = bytes | Callable[[], AsyncIterator[bytes]]


@dataclass(frozen=True)
class Case:
    """One bad request and the error it must get."""

    caller: str | None  # a login, or None for no token
    method: str
    path: str  # may name Ids fields: /api/passes/{active}/end
    status: int
    code: ErrorCode
    json: object = NO_BODY  # may hold Refs
    content: Content | None = None
    content_type: str | None = None
    headers: tuple[tuple[str, str], ...] = ()


def create(
    body: object,
    caller: str = STUDENT,
    status: int = 422,
    code: ErrorCode = INVALID,
    headers: tuple[tuple[str, str], ...] = (),
) -> Case:
    """Return a POST /api/passes case."""
    return Case(caller, "POST", "/api/passes", status, code, json=body, headers=headers)


def login(body: object, status: int = 422, code: ErrorCode = INVALID) -> Case:
    """Return a POST /api/session case (no token)."""
    return Case(None, "POST", "/api/session", status, code, json=body)


def raw(
    path: str,
    content: Content,
    status: int,
    code: ErrorCode,
    content_type: str = "application/json",
) -> Case:
    """Return a POST case with a raw body (as the student; signing in needs no token)."""
    caller = None if path == "/api/session" else STUDENT
    return Case(caller, "POST", path, status, code, content=content, content_type=content_type)


def get(path: str, status: int = 422, code: ErrorCode = INVALID) -> Case:
    """Return a GET case, as the admin."""
    return Case(ADMIN, "GET", path, status, code)


def verb(
    path: str,
    caller: str = ADMIN,
    status: int = 409,
    code: ErrorCode = ErrorCode.INVALID_TRANSITION,
) -> Case:
    """Return a POST case without a body: the lifecycle verbs."""
    return Case(caller, "POST", path, status, code)


def policy(path: str, body: object = NO_BODY, status: int = 422, code: ErrorCode = INVALID) -> Case:
    """Return a policy case as the admin: a PUT with a body, else a DELETE."""
    method = "DELETE" if body is NO_BODY else "PUT"
    return Case(ADMIN, method, path, status, code, json=body)


def schedule(body: object, status: int = 422, code: ErrorCode = INVALID) -> Case:
    """Return a PUT /api/schedule case as the admin."""
    return Case(ADMIN, "PUT", "/api/schedule", status, code, json=body)


def group(body: object, method: str = "POST", status: int = 422, code: ErrorCode = INVALID) -> Case:
    """Return an encounter group case as the admin: a POST, or a PATCH of the demo's group."""
    path = "/api/encounters/groups" + ("/{group}" if method == "PATCH" else "")
    return Case(ADMIN, method, path, status, code, json=body)


def day(*spans: tuple[str, str, str]) -> dict[str, object]:
    """Return a day type's body from (name, start, end) triples."""
    return {"periods": [{"name": n, "start": s, "end": e} for n, s, e in spans]}


REGULAR = day(("1", "08:00", "08:50"), ("2", "08:55", "09:45"))


def _padded(size: int) -> bytes:
    """Return a JSON object with an unknown field, exactly `size` bytes long."""
    head = b'{"destination_id": 1, "pad": "'
    return head + b"x" * (size - len(head) - 2) + b'"}'


async def _chunks_over_the_limit() -> AsyncIterator[bytes]:
    for _ in range(MAX_BODY_BYTES // 1024 + 1):
        yield b" " * 1024  # whitespace is valid JSON padding: only the size is wrong
    yield b"{}"


# fmt: off
CASES: list[tuple[str, Case]] = [
    # Unknown ids: 404, never a 500 or an empty 200.
    ("read an unknown pass", get("/api/passes/999999", 404, NOT_FOUND)),
    ("end an unknown pass", verb("/api/passes/999999/end", status=404, code=NOT_FOUND)),
    ("request to an unknown place", create({"destination_id": 999_999}, status=404,
                                           code=NOT_FOUND)),
    ("issue for an unknown student", create({"destination_id": LIBRARY, "student_id": 999_999},
                                            TEACHER, 404, NOT_FOUND)),
    ("issue for a teacher, as if a student",
     create({"destination_id": LIBRARY, "student_id": Ref("teacher_2")}, ADMIN, 404, NOT_FOUND)),
    # Ids of another school: exactly as unknown as ids that never existed.
    ("read another school's pass", get("/api/passes/{other_pass}", 404, NOT_FOUND)),
    ("end another school's pass", verb("/api/passes/{other_pass}/end", status=404,
                                       code=NOT_FOUND)),
    ("another school's admin ends ours", verb("/api/passes/{active}/end", OTHER_ADMIN, 404,
                                              NOT_FOUND)),
    ("request to another school's place", create({"destination_id": Ref("other_restroom")},
                                                 status=404, code=NOT_FOUND)),
    ("issue for another school's student",
     create({"destination_id": LIBRARY, "student_id": Ref("other_student")}, ADMIN, 404,
            NOT_FOUND)),
    # Path ids that are not positive 32-bit integers: 404, like any unknown id.
    ("path id: letters", get("/api/passes/abc", 404, NOT_FOUND)),
    ("path id: negative", get("/api/passes/-1", 404, NOT_FOUND)),
    ("path id: zero", get("/api/passes/0", 404, NOT_FOUND)),
    ("path id: decimal", get("/api/passes/1.5", 404, NOT_FOUND)),
    ("path id: exponent", get("/api/passes/1e3", 404, NOT_FOUND)),
    ("path id: over 32 bits", get("/api/passes/2147483648", 404, NOT_FOUND)),
    ("path id: 40 digits", get("/api/passes/" + "9" * 40, 404, NOT_FOUND)),
    # Python's int() refuses over 4,300 digits: it must never get to try.
    ("path id: 5,000 digits", get("/api/passes/" + "9" * 5000, 404, NOT_FOUND)),
    ("path id: superscript two", get("/api/passes/%C2%B2", 404, NOT_FOUND)),  # isdigit() says yes
    ("path id: arabic-indic one", get("/api/passes/%D9%A1", 404, NOT_FOUND)),  # int() says 1
    ("path id: of a verb", verb("/api/passes/abc/end", status=404, code=NOT_FOUND)),
    # Wrong types: strict, never coerced ("5" is not 5, true is not 1).
    ("id as a string", create({"destination_id": Ref("library", str)})),
    ("id as a whole float", create({"destination_id": Ref("library", float)})),
    ("id as a float", create({"destination_id": Ref("library", lambda v: v + 0.5)})),
    ("id as a boolean", create({"destination_id": True})),
    ("id as null", create({"destination_id": None})),
    ("id as an array", create({"destination_id": [LIBRARY]})),
    ("id as an object", create({"destination_id": {"id": LIBRARY}})),
    ("id zero", create({"destination_id": 0})),
    ("id negative", create({"destination_id": Ref("library", lambda v: -v)})),
    ("id over 32 bits", create({"destination_id": 2**31})),
    ("id of 31 digits", create({"destination_id": 10**30})),
    ("student_id as a string", create({"destination_id": LIBRARY,
                                       "student_id": Ref("student", str)}, TEACHER)),
    ("student_id as a boolean", create({"destination_id": LIBRARY, "student_id": True},
                                       TEACHER)),
    ("start_at not a time", create({"destination_id": LIBRARY, "student_id": Ref("student"),
                                    "start_at": "tomorrow"}, TEACHER)),
    ("start_at as a number", create({"destination_id": LIBRARY, "student_id": Ref("student"),
                                     "start_at": 1_900_000_000}, TEACHER)),
    ("start_at without a zone", create({"destination_id": LIBRARY, "student_id": Ref("student"),
                                        "start_at": "2030-01-01T10:00:00"}, TEACHER)),
    ("start_at a century ahead", create({"destination_id": LIBRARY, "student_id": Ref("student"),
                                         "start_at": "2100-01-01T10:00:00Z"}, TEACHER)),
    ("idempotency key too short", create({"destination_id": LIBRARY, "idempotency_key": "short"})),
    ("idempotency key with spaces", create({"destination_id": LIBRARY,
                                            "idempotency_key": "has spaces in it"})),
    ("idempotency header too short", create({"destination_id": LIBRARY},
                                            headers=(("Idempotency-Key", "short"),))),
    # Valid JSON that is not an object.
    ("body an array", create([LIBRARY])),
    ("body a string", create("destination")),
    ("body null", raw("/api/passes", b"null", 422, INVALID)),
    ("body a bare id", create(LIBRARY)),
    # Missing fields.
    ("no destination", create({})),
    ("empty body", raw("/api/passes", b"", 422, INVALID)),  # never read as {}
    ("staff issue without student_id", create({"destination_id": LIBRARY}, TEACHER)),
    ("login without password", login({"login": "1003"})),
    ("password without login", login({"password": "demo"})),
    # Unknown extra fields: refused, never ignored (a client can't set what it may not).
    ("extra field state", create({"destination_id": LIBRARY, "state": "active"})),
    ("extra field origin_id", create({"destination_id": LIBRARY, "origin_id": Ref("room_102")})),
    ("login with extra field role", login({"login": "1003", "password": "demo", "role": "admin"})),
    # Sign-in fields of the wrong type or size, and wrong credentials.
    ("login as a number", login({"login": 1003, "password": "demo"})),
    ("password null", login({"login": "1003", "password": None})),
    ("login empty", login({"login": "", "password": "demo"})),
    ("login only spaces", login({"login": "   ", "password": "demo"})),
    ("password of 201 chars", login({"login": "1003", "password": "x" * 201})),
    ("login of 121 chars", login({"login": "1" * 121, "password": "demo"})),
    ("login with a NUL", login({"login": "10\x0003", "password": "demo"})),  # was a 500 on PG
    ("school with a NUL", login({"login": "1003", "password": "demo", "school": "de\x00mo"})),
    ("unknown login", login({"login": "nobody", "password": "demo"}, 401, WRONG_LOGIN)),
    ("wrong password", login({"login": "1003", "password": "wrong"}, 401, WRONG_LOGIN)),
    ("unknown school", login({"login": "1003", "password": "demo", "school": "nowhere"}, 401,
                             WRONG_LOGIN)),
    # 1 MB strings, and bodies over 64 KiB: 413 before anything is parsed.
    ("login of 1 MB", login({"login": "a" * MEGABYTE, "password": "demo"}, 413, TOO_LARGE)),
    ("password of 1 MB", login({"login": "1003", "password": "a" * MEGABYTE}, 413, TOO_LARGE)),
    ("a field of 1 MB", create({"destination_id": LIBRARY, "idempotency_key": "k" * MEGABYTE},
                               status=413, code=TOO_LARGE)),
    ("body of 1 MB", raw("/api/passes", b"a" * MEGABYTE, 413, TOO_LARGE)),
    ("login body a 1 MB string", raw("/api/session", b'"' + b"a" * MEGABYTE + b'"', 413,
                                     TOO_LARGE)),
    ("body 1 byte over 64 KiB", raw("/api/passes", _padded(MAX_BODY_BYTES + 1), 413, TOO_LARGE)),
    ("body of 64 KiB is read", raw("/api/passes", _padded(MAX_BODY_BYTES), 422, INVALID)),
    ("chunked, no length, > 64 KiB", raw("/api/passes", _chunks_over_the_limit, 413, TOO_LARGE)),
    # Malformed JSON.
    ("truncated JSON", raw("/api/passes", b"{", 400, MALFORMED)),
    ("single quotes", raw("/api/passes", b"{'destination_id': 1}", 400, MALFORMED)),
    ("trailing comma", raw("/api/passes", b'{"destination_id": 1,}', 400, MALFORMED)),
    ("two JSON values", raw("/api/passes", b'{"destination_id": 1} {}', 400, MALFORMED)),
    ("not UTF-8", raw("/api/passes", b"\xff\xfe{}", 400, MALFORMED)),
    ("truncated login", raw("/api/session", b'{"login": "1003", "password": ', 400, MALFORMED)),
    # Not JSON: 415, whatever the body says.
    ("JSON as text/plain", raw("/api/passes", b'{"destination_id": 1}', 415, MEDIA,
                               "text/plain")),
    ("a form", raw("/api/passes", b"destination_id=1", 415, MEDIA,
                   "application/x-www-form-urlencoded")),
    ("multipart", raw("/api/passes", b"--x\r\n\r\n--x--", 415, MEDIA,
                      "multipart/form-data; boundary=x")),
    ("XML", raw("/api/passes", b"<destination_id>1</destination_id>", 415, MEDIA,
                "application/xml")),
    ("login as text/plain", raw("/api/session", b'{"login": "1003", "password": "demo"}', 415,
                                MEDIA, "text/plain")),
    # Transitions the state does not allow: 409 invalid_transition.
    ("end an ended pass", verb("/api/passes/{ended}/end")),
    ("end a pending pass", verb("/api/passes/{pending}/end")),
    ("end a denied pass", verb("/api/passes/{denied}/end")),
    ("a student ends their ended pass", verb("/api/passes/{ended}/end", "1004")),
    ("approve an active pass", verb("/api/passes/{active}/approve")),
    ("approve an ended pass", verb("/api/passes/{ended}/approve")),
    ("deny an active pass", verb("/api/passes/{active}/deny")),
    ("deny a denied pass", verb("/api/passes/{denied}/deny")),
    ("cancel an active pass", verb("/api/passes/{active}/cancel")),
    ("cancel an ended pass", verb("/api/passes/{ended}/cancel")),
    ("arrive twice", verb("/api/passes/{arrived}/arrive")),
    ("arrive before leaving", verb("/api/passes/{pending}/arrive")),
    # Policy rows: the rule names and values are checked, and the target must be this school's.
    ("policy: unknown rule", policy("/api/policies/school", {"rules": {"passes_per_hour": 1}})),
    ("policy: negative limit", policy("/api/policies/school", {"rules": {"passes_per_day": -1}})),
    ("policy: limit as a string", policy("/api/policies/school",
                                         {"rules": {"passes_per_day": "4"}})),
    ("policy: limit as a boolean", policy("/api/policies/school",
                                          {"rules": {"passes_per_day": True}})),
    ("policy: cooldown over a day", policy("/api/policies/school",
                                           {"rules": {"cooldown_minutes": 1441}})),
    ("policy: the school exempt", policy("/api/policies/school", {"rules": {"exempt": True}})),
    ("policy: rules not an object", policy("/api/policies/school", {"rules": [1]})),
    ("policy: no rules", policy("/api/policies/school", {})),
    ("policy: grade not a number", policy("/api/policies/grade/ninth", {"rules": {}})),
    ("policy: unknown scope", policy("/api/policies/house/red", {"rules": {}}, 404, NOT_FOUND)),
    ("policy: unknown student", policy("/api/policies/student/999999", {"rules": {}}, 404,
                                       NOT_FOUND)),
    ("policy: another school's student", policy("/api/policies/student/{other_student}",
                                                {"rules": {}}, 404, NOT_FOUND)),
    ("policy: a teacher as the student", policy("/api/policies/student/{teacher_2}",
                                                {"rules": {}}, 404, NOT_FOUND)),
    ("policy: another school's place", policy("/api/policies/destination/{other_restroom}",
                                              {"rules": {"exempt": True}}, 404, NOT_FOUND)),
    ("policy: a classroom as destination", policy("/api/policies/destination/{room_102}",
                                                  {"rules": {"exempt": True}}, 404, NOT_FOUND)),
    ("policy: delete a row that isn't there", policy("/api/policies/school", status=404,
                                                     code=NOT_FOUND)),
    ("explain another school's student", get("/api/students/{other_student}/policy", 404,
                                             NOT_FOUND)),
    ("explain for an unknown place", get("/api/students/{student}/policy?destination_id=999999",
                                         404, NOT_FOUND)),
    ("explain for a place id as a word", get("/api/students/{student}/policy?destination_id=x")),
    ("policy: no-fly over two hours", policy("/api/policies/school",
                                             {"rules": {"no_fly_after_start_minutes": 121}})),
    ("policy: no-fly negative", policy("/api/policies/school",
                                       {"rules": {"no_fly_before_end_minutes": -5}})),
    ("policy: no-fly as a string", policy("/api/policies/school",
                                          {"rules": {"no_fly_before_end_minutes": "5"}})),
    ("policy: closed periods not a list", policy("/api/policies/school",
                                                 {"rules": {"no_pass_periods": "Lunch"}})),
    ("policy: a closed period not a name", policy("/api/policies/school",
                                                  {"rules": {"no_pass_periods": [1]}})),
    ("policy: a closed period with a NUL", policy("/api/policies/school",
                                                  {"rules": {"no_pass_periods": ["Lu\x00nch"]}})),
    # The bell schedule: shapes by type, then order, overlaps and references by meaning.
    ("schedule: an end before its start", schedule({"day_types": {
        "regular": day(("1", "09:00", "08:00"))}})),
    ("schedule: overlapping periods", schedule({"day_types": {
        "regular": day(("1", "08:00", "08:50"), ("2", "08:30", "09:20"))}})),
    ("schedule: periods out of order", schedule({"day_types": {
        "regular": day(("2", "09:00", "09:50"), ("1", "08:00", "08:50"))}})),
    ("schedule: a period name twice", schedule({"day_types": {
        "regular": day(("1", "08:00", "08:50"), ("1", "09:00", "09:50"))}})),
    ("schedule: a time without its leading zero", schedule({"day_types": {
        "regular": day(("1", "8:00", "08:50"))}})),
    ("schedule: 24:00", schedule({"day_types": {"regular": day(("1", "23:00", "24:00"))}})),
    ("schedule: a time with seconds", schedule({"day_types": {
        "regular": day(("1", "08:00:00", "08:50"))}})),
    ("schedule: a time as a number", schedule({"day_types": {
        "regular": {"periods": [{"name": "1", "start": 800, "end": "08:50"}]}}})),
    ("schedule: a day type without periods", schedule({"day_types": {"regular": {"periods": []}}})),
    ("schedule: 25 periods", schedule({"day_types": {"regular": day(
        *((str(i), f"{i:02d}:00", f"{i:02d}:30") for i in range(24)), ("x", "23:40", "23:50"))}})),
    ("schedule: a day type named in capitals", schedule({"day_types": {"Regular": REGULAR}})),
    ("schedule: a weekend default", schedule({"day_types": {"regular": REGULAR},
                                              "weekdays": {"sunday": "regular"}})),
    ("schedule: a weekday of an unknown day type", schedule({"day_types": {"regular": REGULAR},
                                                            "weekdays": {"monday": "late"}})),
    ("schedule: an impossible date", schedule({"day_types": {"regular": REGULAR}, "overrides": [
        {"date": "2025-02-30", "day_type": None}]})),
    ("schedule: a date in another format", schedule({"day_types": {"regular": REGULAR},
                                                    "overrides": [
        {"date": "03/05/2025", "day_type": None}]})),
    ("schedule: an override of an unknown day type", schedule({
        "day_types": {"regular": REGULAR},
        "overrides": [{"date": "2025-03-05", "day_type": "assembly"}]})),
    ("schedule: a date twice", schedule({"day_types": {"regular": REGULAR}, "overrides": [
        {"date": "2025-03-05", "day_type": None}, {"date": "2025-03-05", "day_type": None}]})),
    ("schedule: no day types", schedule({"weekdays": {}})),
    ("schedule: an extra field", schedule({"day_types": {"regular": REGULAR}, "bells": []})),
    ("schedule: as a teacher", Case(TEACHER, "PUT", "/api/schedule", 403, ErrorCode.FORBIDDEN,
                                    json={"day_types": {"regular": REGULAR}})),
    ("schedule: read as a student", Case(STUDENT, "GET", "/api/schedule", 403,
                                         ErrorCode.FORBIDDEN)),
    # Encounter groups: members are students of the caller's school, named when they aren't.
    ("group: no name", group({"member_ids": [PUPIL, 1]})),
    ("group: a blank name", group({"name": " ", "member_ids": [PUPIL, 1]})),
    ("group: an unknown mode", group({"name": "G", "mode": "never",
                                      "member_ids": [PUPIL, 1]})),
    ("group: one member", group({"name": "G", "member_ids": [PUPIL]})),
    ("group: a teacher as a member", group({"name": "G",
                                            "member_ids": [PUPIL, Ref("teacher_2")]})),
    ("group: another school's student", group({"name": "G",
                                               "member_ids": [PUPIL, Ref("other_student")]})),
    ("group: an unknown student", group({"name": "G", "member_ids": [PUPIL, 999999]})),
    ("group: a student twice", group({"name": "G", "member_ids": [PUPIL, PUPIL]})),
    ("group: a member id as a string", group({"name": "G",
                                              "member_ids": [PUPIL, Ref("student", str)]})),
    ("group: an impossible last day", group({"name": "G", "expires_on": "2025-13-01",
                                             "member_ids": [PUPIL, 1]})),
    ("group: a last day in words", group({"name": "G", "expires_on": "next week",
                                          "member_ids": [PUPIL, 1]})),
    ("group: notes with a NUL", group({"name": "G", "notes": "a\x00b",
                                       "member_ids": [PUPIL, 1]})),
    ("group: an extra field", group({"name": "G", "reason": "x",
                                     "member_ids": [PUPIL, 1]})),
    ("group: a null name", group({"name": None}, "PATCH")),
    ("group: null members", group({"member_ids": None}, "PATCH")),
    ("group: members of another school", group({"member_ids": [PUPIL,
                                                               Ref("other_student")]}, "PATCH")),
    ("group: an unknown group", Case(ADMIN, "PATCH", "/api/encounters/groups/999999", 404,
                                     NOT_FOUND, json={"notes": "x"})),
    ("group: a group id in words", Case(ADMIN, "DELETE", "/api/encounters/groups/first", 404,
                                        NOT_FOUND)),
    ("group: another school's admin", Case(OTHER_ADMIN, "GET", "/api/encounters/groups/{group}",
                                           404, NOT_FOUND)),
    ("group: listed by a student", Case(STUDENT, "GET", "/api/encounters/groups", 403,
                                        ErrorCode.FORBIDDEN)),
    ("group: created by a teacher", Case(TEACHER, "POST", "/api/encounters/groups", 403,
                                         ErrorCode.FORBIDDEN, json={"name": "G"})),
    ("encounter log: since without an offset", get("/api/encounters/log?since=2025-03-04T08:00")),
    ("encounter log: since in words", get("/api/encounters/log?since=yesterday")),
    ("encounter log: group in words", get("/api/encounters/log?group=first")),
    ("encounter log: group zero", get("/api/encounters/log?group=0")),
    ("encounter log: read by a teacher", Case(TEACHER, "GET", "/api/encounters/log", 403,
                                              ErrorCode.FORBIDDEN)),
    # Query values: named in a 422, never ignored or guessed.
    ("state unknown", get("/api/passes?state=flying")),
    ("state, one of two unknown", get("/api/passes?state=active,bogus")),
    ("state in capitals", get("/api/passes?state=ACTIVE")),
    ("state only commas", get("/api/passes?state=,,")),
    ("limit zero", get("/api/passes?limit=0")),
    ("limit over 500", get("/api/passes?limit=501")),
    ("limit negative", get("/api/passes?limit=-1")),
    ("limit a word", get("/api/passes?limit=ten")),
    ("limit decimal", get("/api/passes?limit=1.5")),
    ("limit exponent", get("/api/passes?limit=1e2")),
    ("limit empty", get("/api/passes?limit=")),
    ("limit superscript two", get("/api/passes?limit=%C2%B2")),  # was a 500
    ("limit of 40 digits", get("/api/passes?limit=" + "9" * 40)),
    ("before zero", get("/api/passes?before=0")),
    ("before a word", get("/api/passes?before=last")),
    ("before negative", get("/api/passes?before=-5")),
    ("before of 40 digits", get("/api/passes?before=" + "9" * 40)),
]
# fmt: on


@pytest.fixture
async def ids(demo: Demo) -> Ids:
    """Open a pass in each state in Demo High School, and one in a second school."""
    other = await create_other_school()

    async def open_pass(login: str, place: str) -> int:
        response = await demo.request_pass(login, place)
        assert response.status_code == 201, response.text
        return int(response.json()["id"])

    active = await open_pass("1003", "Restroom North")
    arrived = await open_pass("1016", "Library")
    pending = await open_pass("1005", "Nurse")
    ended = await open_pass("1004", "Library")
    denied = await open_pass("1017", "Nurse")
    for login, path in (
        (ADMIN, f"/api/passes/{arrived}/arrive"),
        ("1004", f"/api/passes/{ended}/end"),
        ("teacher2@demo.school", f"/api/passes/{denied}/deny"),
    ):
        assert (await demo.post(login, path)).status_code == 200
    other_pass = await demo.post("2001", "/api/passes", {"destination_id": other.restroom_id})
    assert other_pass.status_code == 201, other_pass.text
    return Ids(
        active,
        arrived,
        pending,
        ended,
        denied,
        await user_id(STUDENT),
        await location_id("Library"),
        await location_id("Room 102"),
        await user_id("teacher2@demo.school"),
        other_pass.json()["id"],
        other.restroom_id,
        other.student_id,
        (await EncounterGroup.get(name="Demo separation")).id,
    )


async def test_bad_input_gets_its_4xx_and_changes_nothing(demo: Demo, ids: Ids) -> None:
    # One walk through the table per backend: a fresh database per row would cost 200 set-ups.
    failures: list[str] = []
    for intent, case in CASES:
        headers = dict(case.headers)
        if case.caller is not None:
            headers.update(await demo.auth(case.caller))
        if case.content_type is not None:
            headers["Content-Type"] = case.content_type
        content = case.content() if callable(case.content) else case.content
        before = await dbstate.snapshot()
        response = await demo.client.request(
            case.method,
            case.path.format(**asdict(ids)),
            headers=headers,
            content=content,
            json=None if case.json is NO_BODY else resolve(case.json, ids),
        )
        try:
            assert_error(response, case.status, case.code)
        except AssertionError as exc:
            failures.append(f"{intent}: {exc}")
        changed = dbstate.changes(before, await dbstate.snapshot())
        if changed:
            failures.append(f"{intent}: changed {changed}")
    assert not failures, "\n".join(failures)


def _body_required(document: dict[str, object], op: Operation) -> bool:
    """Say whether the OpenAPI document makes the operation's request body required."""
    paths = document["paths"]
    assert isinstance(paths, dict)
    return bool(paths[op.path][op.method.lower()].get("requestBody", {}).get("required"))


async def test_a_missing_body_is_422_wherever_the_contract_requires_one(demo: Demo) -> None:
    # An empty PUT or PATCH once read as `{}`: "replace the settings with nothing" (#13.5).
    document = (await demo.client.get("/openapi.json")).json()
    takes_body = [op for op in OPERATIONS if _body_required(document, op)]
    assert {op.operation_id for op in takes_body} == {
        op.operation_id for op in OPERATIONS if op.request is not None or op.raw_request
    }
    school_admin = await demo.auth(ADMIN)
    # The district's endpoints refuse anyone but a district administrator before the body.
    district_admin = await demo.auth(await district_admin_of_demo())
    failures: list[str] = []
    for op in takes_body:
        admin = district_admin if op.path.startswith("/api/district") else school_admin
        # A policy row any school may have (grade 9); id 1 exists in every demo table.
        path = op.path.replace("{id}", "1").replace("{scope}", "grade").replace("{target}", "9")
        for content_type in (None, "application/json"):
            headers = admin if content_type is None else {**admin, "Content-Type": content_type}
            before = await dbstate.snapshot()
            response = await demo.client.request(op.method, path, headers=headers)
            try:
                assert_error(response, 422, INVALID)
                assert response.json()["error"]["details"]["fields"][0]["field"] == "body"
            except (AssertionError, KeyError) as exc:
                failures.append(f"{op.method} {path} ({content_type}): {exc}")
            changed = dbstate.changes(before, await dbstate.snapshot())
            if changed:
                failures.append(f"{op.method} {path} ({content_type}): changed {changed}")
    assert not failures, "\n".join(failures)


# Each parses as an aware time; the UTC time of the first two lies outside what datetime holds.
OUT_OF_RANGE = (
    "0001-01-01T00:00:00+23:59",
    "9999-12-31T23:59:59-23:59",
    "1999-12-31T23:59:59Z",
    "2100-01-01T00:00:00Z",
)


def _is_time(schema: dict[str, Any]) -> bool:
    options = schema.get("anyOf", [schema])
    return any(option.get("format") == "date-time" for option in options)


def time_inputs(document: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """Return (method, path, "body" or "query", name) for every date-time an operation takes."""
    schemas = document["components"]["schemas"]
    found = []
    for path, item in document["paths"].items():
        for method, op in item.items():
            for param in op.get("parameters", []):
                if param["in"] == "query" and _is_time(param["schema"]):
                    found.append((method.upper(), path, "query", param["name"]))
            body = op.get("requestBody", {}).get("content", {}).get("application/json")
            if body is None:
                continue
            schema = schemas[body["schema"]["$ref"].rsplit("/", 1)[1]]
            times = [n for n, p in schema.get("properties", {}).items() if _is_time(p)]
            found.extend((method.upper(), path, "body", name) for name in times)
            # Every date-time the body holds is a top-level field: no nested one is missed.
            assert json.dumps(schema).count('"date-time"') == len(times), (path, schema)
    return found


async def test_times_out_of_range_are_422_naming_the_field(demo: Demo) -> None:
    # They were a 500 OverflowError wherever the time was converted to UTC (#13.6).
    document = (await demo.client.get("/openapi.json")).json()
    inputs = time_inputs(document)
    assert {(path, name) for _, path, _, name in inputs} >= {
        ("/api/passes", "start_at"),
        ("/api/appointments", "start_at"),
        ("/api/passes/{id}/delay", "until"),
        ("/api/encounters/log", "since"),
        ("/api/overrides", "since"),
    }
    admin = await demo.auth(ADMIN)
    failures: list[str] = []
    for method, template, where, name in inputs:
        path = template.replace("{id}", "1")
        for value in OUT_OF_RANGE:
            before = await dbstate.snapshot()
            if where == "query":
                response = await demo.client.request(
                    method, path, params={name: value}, headers=admin
                )
            else:
                response = await demo.client.request(
                    method, path, json={name: value}, headers=admin
                )
            try:
                assert_error(response, 422, INVALID)
                named = [f["field"] for f in response.json()["error"]["details"]["fields"]]
                assert name in named, named
            except (AssertionError, KeyError, ValueError) as exc:
                failures.append(f"{method} {path} {name}={value}: {exc}")
            changed = dbstate.changes(before, await dbstate.snapshot())
            if changed:
                failures.append(f"{method} {path} {name}={value}: changed {changed}")
    assert not failures, "\n".join(failures)
