"""The closed set of error codes, their HTTP statuses, and the typed exception that carries them.

Every error on the wire is `{"error": {"code": ..., "message": ...}}`; server/api/errors.py maps
these exceptions (and Starlette's own) to that shape in one place.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    """Every error code the API can answer with."""

    # 400: the request itself is wrong
    MALFORMED_JSON = "malformed_json"
    VALIDATION_ERROR = "validation_error"
    SCHOOL_REQUIRED = "school_required"
    # 401 / 403: who you are, and what you may do
    NOT_AUTHENTICATED = "not_authenticated"
    INVALID_CREDENTIALS = "invalid_credentials"
    # A substitute's sign-in code: no such code (or one re-issued since); and, said only once
    # the code matched, one whose grant was revoked, whose day is over, or not yet begun.
    INVALID_CODE = "invalid_code"
    CODE_REVOKED = "code_revoked"
    CODE_EXPIRED = "code_expired"
    CODE_NOT_YET_VALID = "code_not_yet_valid"
    FORBIDDEN = "forbidden"
    # A door kiosk's session: signing out or switching school needs staff credentials
    KIOSK_LOCKED = "kiosk_locked"
    CSRF_FAILED = "csrf_failed"
    ORIGIN_NOT_ALLOWED = "origin_not_allowed"
    # 404 / 405 / 413 / 415 / 429
    NOT_FOUND = "not_found"
    SCHOOL_NOT_FOUND = "school_not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    RATE_LIMITED = "rate_limited"
    # 409: the school's state does not allow it now
    INVALID_TRANSITION = "invalid_transition"
    ALREADY_OUT = "already_out"
    CAPACITY_FULL = "capacity_full"
    BLOCKED = "blocked"
    PASSES_DISABLED = "passes_disabled"
    LIMIT_REACHED = "limit_reached"
    COOLDOWN = "cooldown"
    NO_FLY_TIME = "no_fly_time"
    NOT_A_DESTINATION = "not_a_destination"
    NO_HOME_ROOM = "no_home_room"
    IDEMPOTENCY_CONFLICT = "idempotency_conflict"
    NOT_YOUR_TURN = "not_your_turn"
    OFFER_EXPIRED = "offer_expired"
    # A kiosk pass without a valid "Are you Abigail L.?" confirmation (missing, expired, forged)
    CONFIRMATION_INVALID = "confirmation_invalid"
    # 409: the users admin API
    LOGIN_TAKEN = "login_taken"
    STUDENT_NUMBER_TAKEN = "student_number_taken"
    SELF_LOCKOUT = "self_lockout"
    EMERGENCY_ACTIVE = "emergency_active"
    NO_EMERGENCY = "no_emergency"
    NOT_ON_ROSTER = "not_on_roster"
    # 409: a district's new school with a slug another school has
    SLUG_TAKEN = "slug_taken"
    # 409: a roster import applied with `expect_plan` after the school (or the file) changed
    PLAN_CHANGED = "plan_changed"
    # 422: a roster file with problems (file, line, column each), or several orgs to choose from
    ROSTER_INVALID = "roster_invalid"
    ORG_REQUIRED = "org_required"
    # 422: a safety notification category can't be muted
    NOT_MUTABLE = "not_mutable"
    # Single sign-on (docs/sso.md): never an HTTP status on the wire, but the `problem` of the
    # app's /sign-in page the callback redirects to (server/contract/sso.py::SSO_PROBLEMS).
    SSO_UNKNOWN_ACCOUNT = "sso_unknown_account"
    SSO_ACCOUNT_DISABLED = "sso_account_disabled"
    SSO_WRONG_DOMAIN = "sso_wrong_domain"
    SSO_INVALID_TOKEN = "sso_invalid_token"
    SSO_STATE_INVALID = "sso_state_invalid"
    SSO_PROVIDER_UNAVAILABLE = "sso_provider_unavailable"
    SSO_CANCELLED = "sso_cancelled"
    SSO_EMAIL_UNVERIFIED = "sso_email_unverified"
    # 403: a student of a school that signs its students in with its accounts only
    PASSWORD_SIGN_IN_OFF = "password_sign_in_off"
    # A substitute grant that was revoked or whose day is over: no new code for it.
    GRANT_CLOSED = "grant_closed"
    # "End all": the room's passes out changed since the teacher looked (nothing ended).
    PASSES_CHANGED = "passes_changed"
    # A new code for a grant whose substitute signs in with their own account.
    NO_CODE = "no_code"
    # 500
    INTERNAL_ERROR = "internal_error"
    # 503: the database has no room for the change (a full disk); nothing was stored
    STORAGE_FULL = "storage_full"


STATUS: dict[ErrorCode, int] = {
    ErrorCode.MALFORMED_JSON: 400,
    ErrorCode.VALIDATION_ERROR: 422,
    ErrorCode.SCHOOL_REQUIRED: 400,
    ErrorCode.NOT_AUTHENTICATED: 401,
    ErrorCode.INVALID_CREDENTIALS: 401,
    ErrorCode.INVALID_CODE: 401,
    ErrorCode.CODE_REVOKED: 401,
    ErrorCode.CODE_EXPIRED: 401,
    ErrorCode.CODE_NOT_YET_VALID: 401,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.KIOSK_LOCKED: 403,
    ErrorCode.CSRF_FAILED: 403,
    ErrorCode.ORIGIN_NOT_ALLOWED: 403,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.SCHOOL_NOT_FOUND: 404,
    ErrorCode.METHOD_NOT_ALLOWED: 405,
    ErrorCode.PAYLOAD_TOO_LARGE: 413,
    ErrorCode.UNSUPPORTED_MEDIA_TYPE: 415,
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.INVALID_TRANSITION: 409,
    ErrorCode.ALREADY_OUT: 409,
    ErrorCode.CAPACITY_FULL: 409,
    ErrorCode.BLOCKED: 409,
    ErrorCode.PASSES_DISABLED: 409,
    ErrorCode.LIMIT_REACHED: 409,
    ErrorCode.COOLDOWN: 409,
    ErrorCode.NO_FLY_TIME: 409,
    ErrorCode.NOT_A_DESTINATION: 422,
    ErrorCode.NO_HOME_ROOM: 409,
    ErrorCode.IDEMPOTENCY_CONFLICT: 409,
    ErrorCode.NOT_YOUR_TURN: 409,
    ErrorCode.OFFER_EXPIRED: 409,
    ErrorCode.CONFIRMATION_INVALID: 409,
    ErrorCode.LOGIN_TAKEN: 409,
    ErrorCode.STUDENT_NUMBER_TAKEN: 409,
    ErrorCode.SELF_LOCKOUT: 409,
    ErrorCode.EMERGENCY_ACTIVE: 409,
    ErrorCode.NO_EMERGENCY: 409,
    ErrorCode.NOT_ON_ROSTER: 409,
    ErrorCode.SLUG_TAKEN: 409,
    ErrorCode.PLAN_CHANGED: 409,
    ErrorCode.ROSTER_INVALID: 422,
    ErrorCode.ORG_REQUIRED: 422,
    ErrorCode.NOT_MUTABLE: 422,
    ErrorCode.SSO_UNKNOWN_ACCOUNT: 403,
    ErrorCode.SSO_ACCOUNT_DISABLED: 403,
    ErrorCode.SSO_WRONG_DOMAIN: 403,
    ErrorCode.SSO_INVALID_TOKEN: 401,
    ErrorCode.SSO_STATE_INVALID: 400,
    ErrorCode.SSO_PROVIDER_UNAVAILABLE: 424,
    ErrorCode.SSO_CANCELLED: 401,
    ErrorCode.SSO_EMAIL_UNVERIFIED: 403,
    ErrorCode.PASSWORD_SIGN_IN_OFF: 403,
    ErrorCode.GRANT_CLOSED: 409,
    ErrorCode.PASSES_CHANGED: 409,
    ErrorCode.NO_CODE: 409,
    ErrorCode.INTERNAL_ERROR: 500,
    ErrorCode.STORAGE_FULL: 503,
}


class HallpassError(Exception):
    """An error with a code from the closed set and a message fit to show the caller."""

    def __init__(
        self,
        code: ErrorCode,
        message: str,
        *,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details
        self.headers = headers

    @property
    def status(self) -> int:
        """Return the HTTP status for this error's code."""
        return STATUS[self.code]

    def body(self) -> dict[str, Any]:
        """Return the JSON body of the one error shape."""
        error: dict[str, Any] = {"code": str(self.code), "message": self.message}
        if self.details:
            error["details"] = self.details
        return {"error": error}


def not_found(what: str = "resource") -> HallpassError:
    """Return the 404 used for unknown ids and for ids of another school alike."""
    return HallpassError(ErrorCode.NOT_FOUND, f"No such {what}.")


def forbidden(message: str = "Your role does not allow this.") -> HallpassError:
    """Return the 403 for a role that may not act."""
    return HallpassError(ErrorCode.FORBIDDEN, message)
