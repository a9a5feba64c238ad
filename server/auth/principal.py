"""The signed-in caller, loaded once per request or socket, as authorisation needs them."""

from __future__ import annotations

from dataclasses import dataclass

from server.enums import CLASSROOM_STAFF, EnrollmentRole, Role
from server.models import Enrollment, Location, User
from server.rules.permissions import Actor


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller: their user row and the pure Actor the rules decide on."""

    user: User
    actor: Actor

    @property
    def is_student(self) -> bool:
        """Say whether the caller is a student."""
        return self.actor.role is Role.STUDENT


async def taught_by(user: User) -> frozenset[int]:
    """Return the sections a user teaches (active teacher enrollments): one indexed query."""
    if user.role not in CLASSROOM_STAFF:
        return frozenset()  # only classroom staff act on passes by their sections
    rows = await Enrollment.filter(
        school_id=user.school_id, user_id=user.id, role=EnrollmentRole.TEACHER, active=True
    ).values("section_id")
    return frozenset(int(row["section_id"]) for row in rows)


async def principal_for(user: User) -> Principal:
    """Build the caller's principal, with the locations assigned to them and the sections
    they teach."""
    location_ids: frozenset[int] = frozenset()
    if user.role is not Role.STUDENT:
        assigned = await Location.filter(staff__id=user.id).only("id")
        location_ids = frozenset(location.id for location in assigned)
    actor = Actor(
        user_id=user.id,
        school_id=user.school_id,
        role=Role(user.role),
        location_ids=location_ids,
        home_location_id=user.home_location_id,
        section_ids=await taught_by(user),
    )
    return Principal(user=user, actor=actor)
