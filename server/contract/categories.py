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
    TURN = "turn"  # the student's turn in line has come: a place is held for a few seconds
    REMINDER = "reminder"  # a scheduled visit starts soon (the student and their teacher)
    ROOM_OVERDUE = "room_overdue"  # a student out of the teacher's room is past due
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


# Not safety, but worth waking a phone for: a place held for the student lapses within
# seconds, and a student who misses it goes to the back of the line.
_URGENT: frozenset[Category] = SAFETY | {Category.TURN}


def urgency_of(category: Category) -> Urgency:
    """Return how urgently a category must reach its device."""
    return Urgency.HIGH if category in _URGENT else Urgency.NORMAL


# What each role can be told (GET /api/me/notifications lists these). A student's list names
# no staff category: not even the word for an encounter reaches a student (invariant 5).
_STAFF = (Category.EMERGENCY,)
FOR_ROLE: dict[Role, tuple[Category, ...]] = {
    Role.STUDENT: (Category.PASS_UPDATE, Category.TURN, Category.REMINDER),
    Role.TEACHER: (Category.ROOM_REQUEST, Category.ROOM_OVERDUE, Category.REMINDER, *_STAFF),
    Role.SUBSTITUTE: (Category.ROOM_REQUEST, Category.ROOM_OVERDUE, Category.REMINDER, *_STAFF),
    Role.NURSE: (Category.NURSE, *_STAFF),
    Role.COUNSELOR: (Category.COUNSELOR_REQUEST, *_STAFF),
    Role.SECURITY: (Category.OVERDUE, Category.ENCOUNTER, Category.FLAGGED_STUDENT, *_STAFF),
    Role.ADMIN: tuple(Category),
    Role.KIOSK: (),
}
