"""Policy endpoints: admins list, set and delete rows; staff ask why a student can't go.

A row is named in the URL: `/api/policies/school` for the whole school, and
`/api/policies/{scope}/{target}` for the others, where the target is a grade (`grade/10`), a
group name (`group/IEP`, URL-encoded), a destination's location id or a student's user id.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.api.context import caller
from server.api.params import QueryId, QueryModel, positive_id, read_query
from server.api.requests import read_json
from server.api.spec import Operation
from server.contract.policies import PolicyExplanationOut, PolicyOut, PolicyPut
from server.enums import PolicyScope
from server.errors import ErrorCode, HallpassError, not_found
from server.errors import ErrorCode as E
from server.services.policies import (
    PolicyKey,
    delete_policy,
    explain,
    list_policies,
    put_policy,
    require_admin,
    require_staff,
)

MAX_GRADE = 99
MAX_GROUP = 120  # policies.target's length
SCHOOL_KEY = PolicyKey(PolicyScope.SCHOOL, "")


def bad_target(message: str) -> HallpassError:
    """Return the 422 for a target that can't name anything of its scope."""
    return HallpassError(
        ErrorCode.VALIDATION_ERROR,
        f"Invalid target: {message}.",
        details={"fields": [{"field": "target", "message": message}]},
    )


def scoped_key(request: Request) -> PolicyKey:
    """Parse `{scope}/{target}`: 404 for an unknown scope or id, 422 for a malformed grade."""
    raw_scope: str = request.path_params["scope"]
    target: str = request.path_params["target"]
    if raw_scope not in {s.value for s in PolicyScope} or raw_scope == PolicyScope.SCHOOL:
        raise not_found("policy scope")  # the school's row is /api/policies/school
    scope = PolicyScope(raw_scope)
    if scope is PolicyScope.GRADE:
        if not (target.isascii() and target.isdigit() and len(target) <= 2):
            raise bad_target(f"a grade is a whole number from 0 to {MAX_GRADE}")
        return PolicyKey(scope, str(int(target)))
    if scope is PolicyScope.GROUP:
        if len(target) > MAX_GROUP or "\x00" in target or not target.strip():
            raise bad_target(f"a group name has 1 to {MAX_GROUP} characters")
        return PolicyKey(scope, target)
    number = positive_id(target)
    if number is None:
        raise not_found(str(scope))
    return PolicyKey(scope, str(number))


async def _rules(request: Request) -> dict[str, object]:
    body = await read_json(request, PolicyPut)
    # Only what was sent: an absent setting inherits, an explicit null lifts a limit.
    return body.rules.model_dump(exclude_unset=True)


async def list_all(request: Request) -> Response:
    """GET /api/policies: every policy row of the caller's school (admins only)."""
    return JSONResponse(await list_policies(await caller(request)))


async def put_school(request: Request) -> Response:
    """PUT /api/policies/school: set the whole school's settings."""
    principal = await caller(request)
    require_admin(principal)
    return JSONResponse(await put_policy(principal, SCHOOL_KEY, await _rules(request)))


async def put_scoped(request: Request) -> Response:
    """PUT /api/policies/{scope}/{target}: set a grade's, group's, destination's or student's."""
    principal = await caller(request)
    require_admin(principal)  # before the path: a 403 tells nothing about what exists
    key = scoped_key(request)
    return JSONResponse(await put_policy(principal, key, await _rules(request)))


async def delete_school(request: Request) -> Response:
    """DELETE /api/policies/school: drop the school's row (no limits school-wide)."""
    await delete_policy(await caller(request), SCHOOL_KEY)
    return Response(status_code=204)


async def delete_scoped(request: Request) -> Response:
    """DELETE /api/policies/{scope}/{target}: drop an override."""
    principal = await caller(request)
    require_admin(principal)
    await delete_policy(principal, scoped_key(request))
    return Response(status_code=204)


class ExplainQuery(QueryModel):
    """GET /api/students/{id}/policy's query: explain for one destination."""

    destination_id: QueryId | None = Field(
        None, description="Explain for passes to this destination (its overrides and exemption)."
    )


async def explain_student(request: Request) -> Response:
    """GET /api/students/{id}/policy: a student's effective limits, counts and next chance."""
    principal = await caller(request)
    require_staff(principal)
    student_id = positive_id(request.path_params["id"])
    destination_id = read_query(request, ExplainQuery).destination_id
    if student_id is None:
        raise not_found("student")
    return JSONResponse(await explain(principal, student_id, destination_id))


POLICY_PATH: dict[str, dict[str, Any]] = {
    "scope": {"type": "string", "enum": ["grade", "group", "destination", "student"]},
    "target": {
        "type": "string",
        "description": "A grade (0-99), a group name, a destination's id or a student's id.",
    },
}
POLICY_PARAMS = ("scope", "target")
OPERATIONS = [
    Operation(
        "GET",
        "/api/policies",
        list_all,
        "Every policy row of the school (admins)",
        "listPolicies",
        "policies",
        response=PolicyOut,
        response_list=True,
        errors=(E.FORBIDDEN,),
    ),
    Operation(
        "PUT",
        "/api/policies/school",
        put_school,
        "Set the whole school's policy (admins)",
        "putSchoolPolicy",
        "policies",
        request=PolicyPut,
        response=PolicyOut,
        errors=(E.FORBIDDEN,),
    ),
    Operation(
        "DELETE",
        "/api/policies/school",
        delete_school,
        "Delete the whole school's policy (admins)",
        "deleteSchoolPolicy",
        "policies",
        status=204,
        errors=(E.FORBIDDEN, E.NOT_FOUND),
    ),
    Operation(
        "PUT",
        "/api/policies/{scope}/{target}",
        put_scoped,
        "Set a grade's, group's, destination's or student's policy (admins)",
        "putPolicy",
        "policies",
        request=PolicyPut,
        response=PolicyOut,
        errors=(E.FORBIDDEN, E.NOT_FOUND),
        path_params=POLICY_PARAMS,
        path_schemas=POLICY_PATH,
    ),
    Operation(
        "DELETE",
        "/api/policies/{scope}/{target}",
        delete_scoped,
        "Delete a grade's, group's, destination's or student's policy (admins)",
        "deletePolicy",
        "policies",
        status=204,
        errors=(E.FORBIDDEN, E.NOT_FOUND, E.VALIDATION_ERROR),
        path_params=POLICY_PARAMS,
        path_schemas=POLICY_PATH,
    ),
    Operation(
        "GET",
        "/api/students/{id}/policy",
        explain_student,
        "A student's effective limits, counts and next possible pass (staff)",
        "explainStudentPolicy",
        "policies",
        response=PolicyExplanationOut,
        errors=(E.FORBIDDEN, E.NOT_FOUND, E.VALIDATION_ERROR),
        query=ExplainQuery,
        path_params=("id",),
    ),
]
