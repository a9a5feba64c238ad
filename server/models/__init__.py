"""The database models: one module per concept, re-exported here for Tortoise."""

from server.enums import (
    Approval,
    EmergencyKind,
    EncounterMode,
    EndedBy,
    EnrollmentRole,
    ImportStatus,
    LocationKind,
    PassKind,
    PassState,
    ReportStatus,
    Role,
    SessionVia,
    SsoKind,
)
from server.models.district import District
from server.models.emergency import Emergency, EmergencyReport, RosterEntry
from server.models.encounter import EncounterGroup, EncounterLog
from server.models.idempotency import IdempotencyKey
from server.models.location import Location
from server.models.notification import (
    Delivery,
    DeliveryAttempt,
    NotificationMute,
    PushSubscription,
    VapidKey,
)
from server.models.pass_ import Pass
from server.models.pass_event import PassEvent
from server.models.policy import Policy
from server.models.roster_import import RosterImport
from server.models.schedule import BellSchedule, ScheduleOverride
from server.models.school import School
from server.models.section import Enrollment, Section
from server.models.session import Session
from server.models.sso import SignInAttempt, SsoProvider, SsoRequest
from server.models.substitute import SubstituteGrant
from server.models.user import User

__all__ = [
    "Approval",
    "BellSchedule",
    "Delivery",
    "DeliveryAttempt",
    "District",
    "Emergency",
    "EmergencyKind",
    "EmergencyReport",
    "EncounterGroup",
    "EncounterLog",
    "EncounterMode",
    "EndedBy",
    "Enrollment",
    "EnrollmentRole",
    "IdempotencyKey",
    "ImportStatus",
    "Location",
    "LocationKind",
    "NotificationMute",
    "Pass",
    "PassEvent",
    "PassKind",
    "PassState",
    "Policy",
    "PushSubscription",
    "ReportStatus",
    "Role",
    "RosterEntry",
    "RosterImport",
    "ScheduleOverride",
    "School",
    "Section",
    "Session",
    "SessionVia",
    "SignInAttempt",
    "SsoKind",
    "SsoProvider",
    "SsoRequest",
    "SubstituteGrant",
    "User",
    "VapidKey",
]
