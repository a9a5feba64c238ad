"""The school's settings and its places (docs/adr/0005-school-policy.md)."""

from __future__ import annotations

from functools import cache
from typing import Annotated
from zoneinfo import available_timezones

from pydantic import (
    AfterValidator,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    field_validator,
)

from server.contract.common import NO_NUL, Id, Out, Strict
from server.enums import Approval, LocationKind
from server.rules.timetable import Fallback

OUTSIDE_PERIODS_HELP = (
    "Where a student is (the room their pass leaves, the teachers who answer for it) outside "
    "the periods of their sections: `homeroom` (their homeroom section's room, else their home "
    "room), or `previous_period` (in passing time and in a period without a class of theirs, "
    "such as lunch, the section of the bell that just ended; else their homeroom)."
)


class LocationOut(Out):
    """A place in the school, with how busy it is now."""

    id: int
    name: str
    kind: LocationKind
    capacity: int | None
    approval: Approval
    default_minutes: int
    is_destination: bool
    geometry: dict[str, object]
    max_out: int | None = Field(
        default=None, description="Most students out of this room at once; null: no maximum."
    )
    active: bool = Field(default=True, description="False once archived (admins list those).")
    checks_in: bool = Field(
        default=True,
        description="Someone checks arrivals in here (a classroom's teacher, assigned staff or a "
        "door kiosk); false: a pass there never records `arrived_at` (e.g. a restroom).",
    )
    staff_ids: list[int] | None = Field(
        default=None, description="Admins only: the staff and devices assigned to this place."
    )
    out: int = Field(description="Students on an active pass to this place now.")
    waiting: int = Field(description="Students in line for this place.")


# --- Administration: the school's settings and its places (docs/adr/0005-school-policy.md) ---

MAX_HALLWAY = 10_000
MAX_CAPACITY = 10_000
MAX_PASS_MINUTES = 240
MAX_STAFF = 100
MAX_PLAN = 100_000  # floor-plan units; the demo's plan is 1000 x 600
SchoolName = Annotated[
    str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True, pattern=NO_NUL)
]
PlaceName = Annotated[
    str, StringConstraints(min_length=1, max_length=120, strip_whitespace=True, pattern=NO_NUL)
]
HallwayMax = Annotated[StrictInt, Field(ge=1, le=MAX_HALLWAY)]
Capacity = Annotated[StrictInt, Field(ge=1, le=MAX_CAPACITY)]
PassMinutes = Annotated[StrictInt, Field(ge=1, le=MAX_PASS_MINUTES)]
Coordinate = Annotated[StrictInt | float, Field(ge=0, le=MAX_PLAN, allow_inf_nan=False)]
Extent = Annotated[StrictInt | float, Field(gt=0, le=MAX_PLAN, allow_inf_nan=False)]
FloorName = Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=NO_NUL)]


# Files of a system's zoneinfo directory that are not zones of their own: the machine's
# local zone would make the school's days depend on where the server runs.
NOT_ZONES = frozenset({"localtime", "posixrules", "Factory"})


@cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones()) - NOT_ZONES


def _iana_zone(name: str) -> str:
    # Only names of the tz database: ZoneInfo alone would also take file paths and "localtime".
    if name not in _zones():
        raise ValueError("not an IANA time zone name, such as America/Chicago")
    return name


ZoneName = Annotated[str, StringConstraints(max_length=64), AfterValidator(_iana_zone)]


def _not_null(value: object) -> object:
    """Refuse an explicit null for a setting that can't be empty (absent means "unchanged")."""
    if value is None:
        raise ValueError("can't be null")
    return value


PASSWORD_SIGN_IN_HELP = (
    "False: students sign in only with the school's accounts (single sign-on); a password "
    "sign-in by a student is refused with `password_sign_in_off`. Staff keep their password."
)


class SchoolPatch(Strict):
    """The school's settings to change; absent ones stay as they are."""

    name: SchoolName | None = None
    timezone: ZoneName | None = Field(
        default=None,
        description="An IANA zone. Days, weeks, bells and no-fly times are read in it from the "
        "next decision on; passes already out keep their due times.",
    )
    hallway_max: HallwayMax | None = Field(
        default=None,
        description="Most students out of class at once in the school; null: no maximum.",
    )
    passes_enabled: StrictBool | None = Field(
        default=None,
        description="False switches passes off: new requests get `passes_disabled` and the line "
        "is not offered places; true lets the line be offered free places again.",
    )

    outside_periods: Fallback | None = Field(default=None, description=OUTSIDE_PERIODS_HELP)
    password_sign_in_students: StrictBool | None = Field(
        default=None, description=PASSWORD_SIGN_IN_HELP
    )

    _required = field_validator(
        "name",
        "timezone",
        "passes_enabled",
        "outside_periods",
        "password_sign_in_students",
        mode="before",
    )(_not_null)


class SchoolSettingsOut(Out):
    """The school's settings, as admins and security see them."""

    id: int
    name: str
    slug: str
    timezone: str
    hallway_max: int | None
    passes_enabled: bool
    outside_periods: Fallback = Field(default=Fallback.HOMEROOM, description=OUTSIDE_PERIODS_HELP)
    out: int = Field(description="Students out of class now (active passes).")
    password_sign_in_students: bool = Field(default=True, description=PASSWORD_SIGN_IN_HELP)


class Geometry(Strict):
    """A place's rectangle on the floor plan, in plan units (the demo's plan is 1000 x 600)."""

    x: Coordinate
    y: Coordinate
    width: Extent
    height: Extent
    floor: FloorName | None = None


class LocationCreate(Strict):
    """A new place of the school."""

    name: PlaceName = Field(description="Unique in the school (case does not count).")
    kind: LocationKind
    capacity: Capacity | None = Field(
        default=None, description="Students there at once on passes; null: unlimited."
    )
    approval: Approval = Field(
        default=Approval.NONE,
        description="`none`: self-start; `origin_teacher`: the teacher approves; "
        "`destination_staff`: the place's staff accept.",
    )
    default_minutes: PassMinutes = Field(default=5, description="The time a pass there gets.")
    max_out: Capacity | None = Field(
        default=None, description="Most students out of this room at once; null: no maximum."
    )
    is_destination: StrictBool = True
    geometry: Geometry | None = Field(default=None, description="Null: not on the floor plan.")
    staff_ids: list[Id] = Field(
        default_factory=list,
        max_length=MAX_STAFF,
        description="Staff (or a door kiosk) of the school assigned to the place.",
    )


class LocationPatch(Strict):
    """The fields of a place to change; absent ones stay as they are."""

    name: PlaceName | None = None
    kind: LocationKind | None = None
    capacity: Capacity | None = Field(
        default=None,
        description="Lowering it below the students there now sends nobody back: the line waits.",
    )
    approval: Approval | None = None
    default_minutes: PassMinutes | None = None
    max_out: Capacity | None = None
    is_destination: StrictBool | None = None
    geometry: Geometry | None = None
    active: StrictBool | None = Field(
        default=None,
        description="False archives the place: no new passes go there; open passes keep working.",
    )
    staff_ids: list[Id] | None = Field(
        default=None, max_length=MAX_STAFF, description="Replaces the whole assignment."
    )

    _required = field_validator(
        "name",
        "kind",
        "approval",
        "default_minutes",
        "is_destination",
        "active",
        "staff_ids",
        mode="before",
    )(_not_null)
