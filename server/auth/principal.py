"""The signed-in caller, loaded once per request or socket, as authorisation needs them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from server.clock import utcnow
from server.enums import CLASSROOM_STAFF, EnrollmentRole, Role
from server.models import Enrollment, Location, SubstituteGrant, User
from server.rules.permissions import Actor


@dataclass(frozen=True, slots=True)
class LiveGrant:
    """A substitute grant in force now: the rooms and sections it gives its substitute."""

    id: int
    absent_teacher_id: int | None
    location_ids: frozenset[int]
    section_ids: frozenset[int]


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller: their user row and the pure Actor the rules decide on."""

    user: User
    actor: Actor
    # The substitute grants in force for the caller (their rooms and sections are in the
    # actor's): what they do under one is logged as the substitute's, for that grant.
    grants: tuple[LiveGrant, ...] = ()

    def grant_for(self, section_id: int | None, *location_ids: int) -> int | None:
        """Return the id of the grant under which the caller acts on a pass of this section
        and these places, or None when they act on their own account."""
        if not self.grants:
            return None
        for grant in self.grants:
            if section_id is not None and section_id in grant.section_ids:
                return grant.id
        if section_id is not None and section_id in self.actor.section_ids:
            return None  # a section the caller teaches themselves
        for grant in self.grants:
            if any(location in grant.location_ids for location in location_ids):
                return grant.id
        return None

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


async def live_grants(user: User, now: datetime) -> tuple[LiveGrant, ...]:
    """Return the substitute grants in force for a user at `now`, with what each covers: its
    room, and the absent teacher's rooms, sections (active teacher enrollments) and their rooms.

    Three indexed queries for a substitute at work, one (finding none) for any other teacher.
    """
    if user.role not in CLASSROOM_STAFF:
        return ()
    rows = await SubstituteGrant.filter(
        substitute_id=user.id,
        school_id=user.school_id,
        ends_at__gt=now,
        starts_at__lte=now,
        revoked_at__isnull=True,
    ).order_by("id")
    if not rows:
        return ()
    absent = {row.absent_teacher_id for row in rows if row.absent_teacher_id is not None}
    sections: dict[int, list[tuple[int, int | None]]] = {}
    if absent:
        taught = await Enrollment.filter(
            school_id=user.school_id,
            user_id__in=sorted(absent),
            role=EnrollmentRole.TEACHER,
            active=True,
        ).values("user_id", "section_id", "section__location_id")
        for found in taught:
            sections.setdefault(int(found["user_id"]), []).append(
                (int(found["section_id"]), found["section__location_id"])
            )
    # The absent teacher's own rooms too: in a school without sections, their room is their class.
    assigned: dict[int, set[int]] = {}
    if absent:
        staffed = await User.filter(id__in=sorted(absent)).values("id", "assigned_locations__id")
        for found in staffed:
            if found["assigned_locations__id"] is not None:
                assigned.setdefault(int(found["id"]), set()).add(
                    int(found["assigned_locations__id"])
                )
    grants = []
    for row in rows:
        covered = sections.get(row.absent_teacher_id or 0, [])
        rooms = {room for _, room in covered if room is not None}
        rooms |= assigned.get(row.absent_teacher_id or 0, set())
        if row.location_id is not None:
            rooms.add(row.location_id)
        grants.append(
            LiveGrant(
                id=row.id,
                absent_teacher_id=row.absent_teacher_id,
                location_ids=frozenset(rooms),
                section_ids=frozenset(section for section, _ in covered),
            )
        )
    return tuple(grants)


async def principal_for(user: User) -> Principal:
    """Build the caller's principal, with the locations assigned to them and the sections
    they teach, and what their substitute grants in force add to both."""
    location_ids: frozenset[int] = frozenset()
    if user.role is not Role.STUDENT:
        assigned = await Location.filter(staff__id=user.id).only("id")
        location_ids = frozenset(location.id for location in assigned)
    section_ids = await taught_by(user)
    grants = await live_grants(user, utcnow())
    for grant in grants:
        location_ids |= grant.location_ids
        section_ids |= grant.section_ids
    actor = Actor(
        user_id=user.id,
        school_id=user.school_id,
        role=Role(user.role),
        location_ids=location_ids,
        home_location_id=user.home_location_id,
        section_ids=section_ids,
    )
    return Principal(user=user, actor=actor, grants=grants)
