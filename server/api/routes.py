"""Every HTTP operation, registered explicitly in one list (and described for OpenAPI)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.api import encounters, locations, overrides, passes, policies, schedules, session
from server.api.schemas import (
    EncounterGroupIn,
    EncounterGroupOut,
    EncounterGroupPatch,
    EncounterLogOut,
    Health,
    LocationOut,
    LoginRequest,
    PassCreate,
    PassOut,
    PolicyExplanationOut,
    PolicyOut,
    PolicyPut,
    ScheduleIn,
    ScheduleOut,
    SessionOut,
    StaffOverrideOut,
    TodayOut,
    UserOut,
)
from server.api.spec import Operation
from server.errors import ErrorCode as E


async def healthz(request: Request) -> Response:
    """GET /healthz: the process is up."""
    return JSONResponse({"status": "ok"})


async def openapi(request: Request) -> Response:
    """GET /openapi.json: the OpenAPI document."""
    return JSONResponse(request.app.state.openapi)


PASS_STATE_QUERY = {
    "name": "state",
    "in": "query",
    "required": False,
    "description": "Comma-separated states, e.g. `active,pending`.",
    "schema": {"type": "string"},
}
LIMIT_QUERY = {
    "name": "limit",
    "in": "query",
    "required": False,
    "schema": {"type": "integer", "minimum": 1, "maximum": passes.MAX_LIST, "default": 100},
}
VERB_ERRORS = (E.NOT_FOUND, E.FORBIDDEN, E.INVALID_TRANSITION)
DESTINATION_QUERY = {
    "name": "destination_id",
    "in": "query",
    "required": False,
    "description": "Explain for passes to this destination (its overrides and exemption).",
    "schema": {"type": "integer", "minimum": 1},
}
POLICY_PATH: dict[str, dict[str, Any]] = {
    "scope": {"type": "string", "enum": ["grade", "group", "destination", "student"]},
    "target": {
        "type": "string",
        "description": "A grade (0-99), a group name, a destination's id or a student's id.",
    },
}
POLICY_PARAMS = ("scope", "target")
SINCE_QUERY = {
    "name": "since",
    "in": "query",
    "required": False,
    "description": "Only encounters at or after this time (ISO 8601 with an offset).",
    "schema": {"type": "string", "format": "date-time"},
}
GROUP_QUERY = {
    "name": "group",
    "in": "query",
    "required": False,
    "description": "Only this encounter group's.",
    "schema": {"type": "integer", "minimum": 1},
}

OPERATIONS: list[Operation] = [
    Operation(
        "GET",
        "/healthz",
        healthz,
        "Health check",
        "healthz",
        "meta",
        response=Health,
        authenticated=False,
    ),
    Operation(
        "GET",
        "/openapi.json",
        openapi,
        "This OpenAPI document",
        "openapi",
        "meta",
        authenticated=False,
    ),
    Operation(
        "POST",
        "/api/session",
        session.login,
        "Sign in",
        "login",
        "session",
        request=LoginRequest,
        response=SessionOut,
        authenticated=False,
        errors=(E.INVALID_CREDENTIALS, E.SCHOOL_REQUIRED, E.RATE_LIMITED, E.ORIGIN_NOT_ALLOWED),
    ),
    Operation(
        "DELETE", "/api/session", session.logout, "Sign out", "logout", "session", status=204
    ),
    Operation(
        "GET", "/api/me", session.me, "The signed-in user", "me", "session", response=UserOut
    ),
    Operation(
        "GET",
        "/api/locations",
        locations.list_locations,
        "Locations of the school",
        "listLocations",
        "locations",
        response=LocationOut,
        response_list=True,
    ),
    Operation(
        "POST",
        "/api/passes",
        passes.create,
        "Request, issue or schedule a pass",
        "createPass",
        "passes",
        request=PassCreate,
        response=PassOut,
        status=201,
        errors=(
            E.NOT_FOUND,
            E.FORBIDDEN,
            E.ALREADY_OUT,
            E.BLOCKED,
            E.PASSES_DISABLED,
            E.IDEMPOTENCY_CONFLICT,
            E.NOT_A_DESTINATION,
            E.NO_HOME_ROOM,
            E.LIMIT_REACHED,
            E.COOLDOWN,
            E.NO_FLY_TIME,
            E.CAPACITY_FULL,
            E.VALIDATION_ERROR,
        ),
    ),
    Operation(
        "GET",
        "/api/passes",
        passes.list_passes,
        "Passes the caller may see",
        "listPasses",
        "passes",
        response=PassOut,
        response_list=True,
        errors=(E.VALIDATION_ERROR,),
        query=(PASS_STATE_QUERY, LIMIT_QUERY),
    ),
    Operation(
        "GET",
        "/api/passes/{id}",
        passes.read,
        "One pass",
        "getPass",
        "passes",
        response=PassOut,
        errors=(E.NOT_FOUND,),
        path_params=("id",),
    ),
    *[
        Operation(
            "POST",
            f"/api/passes/{{id}}/{verb}",
            passes.verb_handler(verb),
            f"{verb.capitalize()} a pass",
            f"{verb}Pass",
            "passes",
            response=PassOut,
            errors=VERB_ERRORS + ((E.BLOCKED,) if verb == "approve" else ()),
            path_params=("id",),
        )
        for verb in ("approve", "deny", "cancel", "arrive", "end")
    ],
    Operation(
        "POST",
        "/api/passes/{id}/take",
        passes.verb_handler("take"),
        "Take the place offered to a waiting pass (the fair line): it starts",
        "takePass",
        "passes",
        response=PassOut,
        errors=(
            *VERB_ERRORS,
            E.NOT_YOUR_TURN,
            E.OFFER_EXPIRED,
            E.BLOCKED,
            E.PASSES_DISABLED,
            E.CAPACITY_FULL,
        ),
        path_params=("id",),
    ),
    Operation(
        "GET",
        "/api/policies",
        policies.list_all,
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
        policies.put_school,
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
        policies.delete_school,
        "Delete the whole school's policy (admins)",
        "deleteSchoolPolicy",
        "policies",
        status=204,
        errors=(E.FORBIDDEN, E.NOT_FOUND),
    ),
    Operation(
        "PUT",
        "/api/policies/{scope}/{target}",
        policies.put_scoped,
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
        policies.delete_scoped,
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
        policies.explain_student,
        "A student's effective limits, counts and next possible pass (staff)",
        "explainStudentPolicy",
        "policies",
        response=PolicyExplanationOut,
        errors=(E.FORBIDDEN, E.NOT_FOUND, E.VALIDATION_ERROR),
        query=(DESTINATION_QUERY,),
        path_params=("id",),
    ),
    Operation(
        "GET",
        "/api/schedule",
        schedules.read,
        "The school's whole bell schedule (admins)",
        "getSchedule",
        "schedule",
        response=ScheduleOut,
        errors=(E.FORBIDDEN,),
    ),
    Operation(
        "PUT",
        "/api/schedule",
        schedules.replace,
        "Replace the bell schedule: day types, weekdays, date overrides (admins)",
        "putSchedule",
        "schedule",
        request=ScheduleIn,
        response=ScheduleOut,
        errors=(E.FORBIDDEN,),
    ),
    Operation(
        "GET",
        "/api/schedule/today",
        schedules.read_today,
        "Today's day type and periods, the current one marked",
        "getScheduleToday",
        "schedule",
        response=TodayOut,
    ),
    # Encounter groups: admins and security only (DESIGN.md invariant 5).
    Operation(
        "GET",
        "/api/encounters/groups",
        encounters.list_all,
        "The school's encounter groups (admins, security)",
        "listEncounterGroups",
        "encounters",
        response=EncounterGroupOut,
        response_list=True,
        errors=(E.FORBIDDEN,),
    ),
    Operation(
        "POST",
        "/api/encounters/groups",
        encounters.create,
        "Create an encounter group (admins, security)",
        "createEncounterGroup",
        "encounters",
        request=EncounterGroupIn,
        response=EncounterGroupOut,
        status=201,
        errors=(E.FORBIDDEN,),
    ),
    Operation(
        "GET",
        "/api/encounters/groups/{id}",
        encounters.read,
        "One encounter group (admins, security)",
        "getEncounterGroup",
        "encounters",
        response=EncounterGroupOut,
        errors=(E.FORBIDDEN, E.NOT_FOUND),
        path_params=("id",),
    ),
    Operation(
        "PATCH",
        "/api/encounters/groups/{id}",
        encounters.update,
        "Change an encounter group's name, mode, members, last day or notes (admins, security)",
        "updateEncounterGroup",
        "encounters",
        request=EncounterGroupPatch,
        response=EncounterGroupOut,
        errors=(E.FORBIDDEN, E.NOT_FOUND),
        path_params=("id",),
    ),
    Operation(
        "DELETE",
        "/api/encounters/groups/{id}",
        encounters.delete,
        "Deactivate an encounter group; its log stays (admins, security)",
        "deleteEncounterGroup",
        "encounters",
        status=204,
        errors=(E.FORBIDDEN, E.NOT_FOUND),
        path_params=("id",),
    ),
    Operation(
        "GET",
        "/api/encounters/log",
        encounters.log,
        "Encounters prevented (block) or reported (alert), newest first (admins, security)",
        "listEncounterLog",
        "encounters",
        response=EncounterLogOut,
        response_list=True,
        errors=(E.FORBIDDEN, E.VALIDATION_ERROR),
        query=(SINCE_QUERY, GROUP_QUERY),
    ),
    Operation(
        "GET",
        "/api/overrides",
        overrides.list_all,
        "Passes staff sent out past a student's limits or ahead of a line, and why (admins)",
        "listOverrides",
        "overrides",
        response=StaffOverrideOut,
        response_list=True,
        errors=(E.FORBIDDEN, E.VALIDATION_ERROR),
        query=({**SINCE_QUERY, "description": "Only passes asked for at or after this time."},),
    ),
]
