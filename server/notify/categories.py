"""Notification categories, the safety ones nobody can mute, and the channels."""

from __future__ import annotations

from enum import StrEnum

from server.enums import Role


class Category(StrEnum):
    """What a notification is about; users mute by category."""

    ROOM_REQUEST = "room_request"  # a student of the teacher's room asks for a pass
    NURSE = "nurse"  # a student is sent to, or leaves for, the nurse
    COUNSELOR_REQUEST = "counselor_request"  # a student asks to see the counselor
    PASS_UPDATE = "pass_update"  # the student's own pass: approved, denied
    TURN = "turn"  # the student's turn in line has come
    OVERDUE = "overdue"
    ENCOUNTER = "encounter"
    FLAGGED_STUDENT = "flagged_student"
    EMERGENCY = "emergency"


# Told whatever the user prefers: a missed one can hurt someone.
SAFETY: frozenset[Category] = frozenset(
    {Category.OVERDUE, Category.ENCOUNTER, Category.FLAGGED_STUDENT, Category.EMERGENCY}
)


class Channel(StrEnum):
    """How a delivery travels."""

    PUSH = "push"
    EMAIL = "email"
    WEBHOOK = "webhook"
    # A toast on the recipient's open screens (/ws `notification` frame), through the hub.
    INAPP = "inapp"


class Urgency(StrEnum):
    """RFC 8030 urgency: `high` wakes a sleeping phone at once."""

    NORMAL = "normal"
    HIGH = "high"


def urgency_of(category: Category) -> Urgency:
    """Return how urgently a category must reach its device."""
    return Urgency.HIGH if category in SAFETY else Urgency.NORMAL


# What each role can be told (GET /api/me/notifications lists these). A student's list names
# no staff category: not even the word for an encounter reaches a student (invariant 5).
_STAFF = (Category.EMERGENCY,)
FOR_ROLE: dict[Role, tuple[Category, ...]] = {
    Role.STUDENT: (Category.PASS_UPDATE, Category.TURN),
    Role.TEACHER: (Category.ROOM_REQUEST, *_STAFF),
    Role.SUBSTITUTE: (Category.ROOM_REQUEST, *_STAFF),
    Role.NURSE: (Category.NURSE, *_STAFF),
    Role.COUNSELOR: (Category.COUNSELOR_REQUEST, *_STAFF),
    Role.SECURITY: (Category.OVERDUE, Category.ENCOUNTER, Category.FLAGGED_STUDENT, *_STAFF),
    Role.ADMIN: tuple(Category),
    Role.KIOSK: (),
}
