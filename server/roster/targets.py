"""Which school each org of a roster file goes to: the CLI's rules and the admin screen's."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tortoise.backends.base.client import BaseDBAsyncClient

from server.errors import ErrorCode, HallpassError
from server.models import District, School
from server.roster.records import Roster, SchoolRecord, Where

MAX_SLUG = 64


@dataclass(frozen=True, slots=True)
class Target:
    """One org of the file and the school it is imported into.

    `school` None: the import creates the school (the CLI, for an org no school knows).
    `bind`: the import sets the school's `source_id` to the org's.
    """

    org: SchoolRecord
    school: School | None
    bind: bool = False


def _orgs(roster: Roster) -> list[SchoolRecord]:
    return sorted((o for o in roster.schools.values() if not o.deleted), key=lambda o: o.source_id)


def _listed(orgs: list[SchoolRecord]) -> str:
    return ", ".join(f'"{o.source_id}" ({o.name})' for o in orgs) or "none"


def org_required(roster: Roster, message: str) -> HallpassError:
    """Return the 422 that lists the file's school orgs, to choose one from (`org`)."""
    orgs = _orgs(roster)
    return HallpassError(
        ErrorCode.ORG_REQUIRED,
        f"{message} The file's schools: {_listed(orgs)}.",
        details={"orgs": [{"source_id": o.source_id, "name": o.name} for o in orgs]},
    )


async def _bindable(school: School, org: SchoolRecord) -> None:
    other = await School.filter(source_id=org.source_id).exclude(id=school.id).first()
    if other is not None:
        raise HallpassError(
            ErrorCode.ORG_REQUIRED,
            f'The org "{org.source_id}" is already the roster of {other.name}.',
        )


async def for_school(roster: Roster, school: School, org_id: str | None) -> Target:
    """Choose the org imported into one school (the admin's own, or `--school`).

    The org named, else the org whose sourcedId is the school's, else the file's only org
    (which the school is then bound to); otherwise a 422 that lists them.
    """
    if not roster.schools:
        # The flat CSV names no school: it is this school's, whatever the school's sourcedId.
        return Target(SchoolRecord("", school.name, Where(roster.format, 0)), school)
    orgs = {o.source_id: o for o in _orgs(roster)}
    if org_id is not None:
        org = orgs.get(org_id)
        if org is None:
            raise org_required(roster, f'The file has no school org "{org_id}".')
        if school.source_id not in (None, org.source_id):
            raise org_required(
                roster, f'{school.name} imports the org "{school.source_id}", not "{org_id}".'
            )
    elif school.source_id is not None:
        org = orgs.get(school.source_id)
        if org is None:
            raise org_required(
                roster, f'The file has no org "{school.source_id}" ({school.name}\'s).'
            )
    elif len(orgs) == 1:
        org = next(iter(orgs.values()))
    else:
        raise org_required(roster, "Choose the org to import into this school.")
    bind = school.source_id != org.source_id
    if bind:
        await _bindable(school, org)
    return Target(org, school, bind)


async def for_cli(roster: Roster, slug: str | None, org_id: str | None) -> list[Target]:
    """Choose the targets of `hallpass roster import`: `--school SLUG`, or every org."""
    if slug is not None:
        school = await School.get_or_none(slug=slug)
        if school is None:
            raise HallpassError(ErrorCode.NOT_FOUND, f'No school with the slug "{slug}".')
        if org_id is None and school.source_id is None and len(_orgs(roster)) > 1:
            raise org_required(roster, "The file has several schools: choose one with --org.")
        return [await for_school(roster, school, org_id)]
    if org_id is not None:
        raise HallpassError(ErrorCode.VALIDATION_ERROR, "--org needs --school.")
    if not roster.schools:
        raise HallpassError(
            ErrorCode.ORG_REQUIRED, "The file names no school: choose one with --school SLUG."
        )
    known = {s.source_id: s for s in await School.filter(source_id__not_isnull=True)}
    return [Target(org, known.get(org.source_id)) for org in _orgs(roster)]


@dataclass(frozen=True, slots=True)
class DistrictTarget:
    """The district a district's bulk file is imported into.

    `district` None: the import creates it, with `slug` and the org's name; `bind`: the import
    sets its `source_id` to the org's.
    """

    org: SchoolRecord
    slug: str
    district: District | None
    bind: bool = False


async def for_district(roster: Roster, slug: str) -> tuple[DistrictTarget, list[Target]]:
    """Choose the targets of `hallpass roster import --district SLUG`: the file's district
    org names the district (created if new), each school org a school of it (created if new).
    """
    orgs = sorted(
        (o for o in roster.districts.values() if not o.deleted), key=lambda o: o.source_id
    )
    if len(orgs) != 1:
        found = ", ".join(f'"{o.source_id}" ({o.name})' for o in orgs) or "none"
        raise HallpassError(
            ErrorCode.ORG_REQUIRED,
            f"A district's file names one org of type district; this one has {found}.",
        )
    org = orgs[0]
    district = await District.get_or_none(slug=slug)
    owner = await District.get_or_none(source_id=org.source_id)
    if owner is not None and (district is None or owner.id != district.id):
        raise HallpassError(
            ErrorCode.ORG_REQUIRED,
            f'The org "{org.source_id}" is already the roster of the district {owner.slug}.',
        )
    if district is not None and district.source_id not in (None, org.source_id):
        raise HallpassError(
            ErrorCode.ORG_REQUIRED,
            f'{district.name} imports the district org "{district.source_id}", '
            f'not "{org.source_id}".',
        )
    known = {s.source_id: s for s in await School.filter(source_id__not_isnull=True)}
    targets = []
    for school_org in _orgs(roster):
        school = known.get(school_org.source_id)
        if school is not None and school.district_id not in (
            None,
            None if district is None else district.id,
        ):
            raise HallpassError(
                ErrorCode.ORG_REQUIRED,
                f'{school.name} (the org "{school_org.source_id}") belongs to another district.',
            )
        targets.append(Target(school_org, school))
    bind = district is None or district.source_id is None
    return DistrictTarget(org, slug, district, bind), targets


def slugify(name: str) -> str:
    """Return a school's slug from its name: lower case words joined by hyphens."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")
    return slug[:MAX_SLUG].strip("-") or "school"


async def create_school(
    conn: BaseDBAsyncClient, org: SchoolRecord, district_id: int | None = None
) -> School:
    """Create the school of an org no school knows, with a unique slug from its name."""
    base = slugify(org.name)
    rows = await School.filter(slug__startswith=base).using_db(conn).values_list("slug")
    taken = {str(row[0]) for row in rows}
    slug, n = base, 1
    while slug in taken:
        n += 1
        suffix = f"-{n}"
        slug = base[: MAX_SLUG - len(suffix)] + suffix
    return await School.create(
        using_db=conn, name=org.name, slug=slug, source_id=org.source_id, district_id=district_id
    )
