"""`hallpass district create | add-school | admin | link | list` and
`hallpass roster import PATH --district SLUG` (docs/districts.md)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from server.auth.passwords import Passwords
from server.enums import Role
from server.models import District, RosterImport, School, User
from tests.roster.samples import DISTRICT_ID, oneroster, write_zip
from tests.test_roster_cli import cli, query

__all__ = ["cli"]

Cli = Callable[..., tuple[int, str, str]]


def add_school(tmp_path: Path, slug: str, name: str) -> None:
    """Create a school in the CLI's database (as another deployment's tool would)."""

    async def create() -> None:
        await School.create(name=name, slug=slug)

    query(tmp_path, create)


async def district_count() -> int:
    """Return how many districts there are."""
    return await District.all().count()


def districts_of(tmp_path: Path) -> dict[str, str | None]:
    """Return each school's district slug by school slug."""

    async def read() -> dict[str, str | None]:
        rows = await School.all().values("slug", "district__slug")
        return {row["slug"]: row["district__slug"] for row in rows}

    return query(tmp_path, read)


def test_a_district_is_created_with_the_schools_named(cli: Cli, tmp_path: Path) -> None:
    status, out, err = cli(
        "district", "create", "--name", "North", "--slug", "north", "--school", "demo"
    )
    assert (status, err) == (0, "")
    assert "created district North (north): demo" in out
    assert districts_of(tmp_path) == {"demo": "north"}
    again, _, err = cli("district", "create", "--name", "North", "--slug", "north")
    assert again == 1
    assert 'A district with the slug "north" exists.' in err


def test_a_district_with_an_unknown_school_is_not_created(cli: Cli, tmp_path: Path) -> None:
    status, out, err = cli("district", "create", "--name", "N", "--slug", "n", "--school", "nope")
    assert (status, out) == (1, "")
    assert err == 'hallpass: No school with the slug "nope".\n'
    assert query(tmp_path, district_count) == 0


def test_a_school_is_added_and_another_districts_school_is_refused(
    cli: Cli, tmp_path: Path
) -> None:
    add_school(tmp_path, "west", "West Middle School")
    assert cli("district", "create", "--name", "North", "--slug", "north")[0] == 0
    assert (
        cli("district", "create", "--name", "South", "--slug", "south", "--school", "west")[0] == 0
    )
    status, out, _ = cli("district", "add-school", "--district", "north", "--school", "demo")
    assert status == 0
    assert "Demo High School (demo) joined North" in out
    refused, _, err = cli("district", "add-school", "--district", "north", "--school", "west")
    assert refused == 1
    assert "West Middle School (west) belongs to another district." in err
    assert districts_of(tmp_path) == {"demo": "north", "west": "south"}


def test_a_district_admin_is_made_and_told_how_to_sign_in(cli: Cli, tmp_path: Path) -> None:
    assert (
        cli("district", "create", "--name", "North", "--slug", "north", "--school", "demo")[0] == 0
    )
    status, out, err = cli(
        "district", "admin", "--district", "north", "--email", "Chief@North.example",
        "--first", "Dana", "--last", "Cole",
    )  # fmt: skip
    assert (status, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "hallpass: Dana Cole is an administrator of North"
    assert "sign in with login chief@north.example, school demo" in lines[1]
    password = lines[1].rsplit(" ", 1)[1]

    async def read() -> tuple[Role, bool]:
        user = await User.get(login="chief@north.example")
        return user.role, await Passwords().verify(user.password_hash, password)

    assert query(tmp_path, read) == (Role.DISTRICT_ADMIN, True)


def test_a_district_without_a_school_has_no_admin_yet(cli: Cli, tmp_path: Path) -> None:
    assert cli("district", "create", "--name", "North", "--slug", "north")[0] == 0
    status, _, err = cli(
        "district", "admin", "--district", "north", "--email", "c@n.example",
        "--first", "C", "--last", "N",
    )  # fmt: skip
    assert status == 1
    assert "North has no school yet: add one first." in err
    unknown, _, err = cli(
        "district", "admin", "--district", "nope", "--email", "c@n.example",
        "--first", "C", "--last", "N",
    )  # fmt: skip
    assert (unknown, err) == (1, 'hallpass: No district with the slug "nope".\n')


def test_one_persons_accounts_are_linked_across_schools(cli: Cli, tmp_path: Path) -> None:
    add_school(tmp_path, "west", "West Middle School")

    async def west_teacher() -> None:
        demo_teacher = await User.get(login="teacher1@demo.school")
        await User.create(
            school=await School.get(slug="west"), role=Role.TEACHER, login="frizzle",
            first_name="V", last_name="Frizzle", password_hash=demo_teacher.password_hash,
        )  # fmt: skip

    query(tmp_path, west_teacher)
    create = ("district", "create", "--name", "North", "--slug", "north")
    assert cli(*create, "--school", "demo", "--school", "west")[0] == 0
    status, out, err = cli(
        "district", "link", "--district", "north", "teacher1@demo.school@demo", "FRIZZLE@west"
    )
    assert (status, err) == (0, "")
    assert out.startswith("hallpass: linked teacher1@demo.school@demo, frizzle@west as one person")

    async def keys() -> list[str | None]:
        rows = User.filter(login__in=["teacher1@demo.school", "frizzle"])
        return [user.person_key for user in await rows]

    linked = query(tmp_path, keys)
    assert len(linked) == 2
    assert linked[0] is not None
    assert linked[0] == linked[1]


def test_a_link_refuses_unknown_accounts_and_schools_of_other_districts(
    cli: Cli, tmp_path: Path
) -> None:
    add_school(tmp_path, "west", "West Middle School")
    assert (
        cli("district", "create", "--name", "North", "--slug", "north", "--school", "demo")[0] == 0
    )
    link = ("district", "link", "--district", "north")
    cases = {
        ("nobody@demo", "teacher2@demo.school@demo"): 'No account "nobody" in Demo High School.',
        ("teacher1@demo.school@demo", "x@west"): 'No school "west" in North.',
        ("teacher1@demo.school@demo",): "Name at least two accounts",
        ("teacher1@demo.school@demo", "teacher2@demo.school@demo"): "one account per school",
        ("no-at-sign", "x@demo"): '"no-at-sign" is not LOGIN@SCHOOL-SLUG.',
    }
    for accounts, message in cases.items():
        status, _, err = cli(*link, *accounts)
        assert status == 1, accounts
        assert message in err, err

    async def keys() -> int:
        return await User.filter(person_key__not_isnull=True).count()

    assert query(tmp_path, keys) == 0


def test_the_districts_are_listed_with_their_schools(cli: Cli) -> None:
    assert cli("district", "list")[1] == "hallpass: no district\n"
    assert (
        cli("district", "create", "--name", "North", "--slug", "north", "--school", "demo")[0] == 0
    )
    assert cli("district", "list")[1] == "north: North\n  demo: Demo High School\n"


# -- A district's roster -------------------------------------------------------------------


def test_a_districts_file_creates_its_schools_and_links_a_teacher_of_two(
    cli: Cli, tmp_path: Path
) -> None:
    files = oneroster()
    users = files["users.csv"]
    teacher = users.find(role="teacher", orgSourcedIds="org-lhs")
    teacher["orgSourcedIds"] = "org-lhs,org-rms"  # teaches at the high and the middle school
    path = write_zip(files, tmp_path / "district.zip")
    status, out, err = cli("roster", "import", str(path), "--district", "mvu")
    assert (status, err) == (0, "")
    assert "district mvu: Maple Valley Unified (new district)" in out

    async def read() -> tuple[str | None, dict[str, str | None], list[tuple[int, str | None]]]:
        district = await District.get(slug="mvu")
        schools = await School.filter(district=district).values("slug", "source_id")
        accounts = await User.filter(source_id=teacher["sourcedId"]).values_list(
            "school_id", "person_key"
        )
        return (
            district.source_id,
            {row["source_id"]: row["slug"] for row in schools},
            sorted((int(a), b) for a, b in accounts),
        )

    source_id, schools, accounts = query(tmp_path, read)
    assert source_id == DISTRICT_ID
    assert set(schools) == {"org-lhs", "org-rms", "org-oge"}
    assert len(accounts) == 2
    assert accounts[0][1] is not None
    assert accounts[0][1] == accounts[1][1]
    # Importing again is a sync: nothing changes, the same district and key.
    again, out, _ = cli("roster", "import", str(path), "--district", "mvu")
    assert again == 0
    assert "(new district)" not in out
    assert " 0 created, 0 updated, 0 disabled" in out
    assert query(tmp_path, read)[2] == accounts


def test_a_districts_file_that_is_another_districts_is_refused_whole(
    cli: Cli, tmp_path: Path
) -> None:
    path = write_zip(oneroster(), tmp_path / "district.zip")
    assert cli("roster", "import", str(path), "--district", "mvu")[0] == 0
    assert cli("district", "create", "--name", "Other", "--slug", "other")[0] == 0

    async def counts() -> tuple[int, int, int]:
        return (
            await School.all().count(),
            await User.all().count(),
            await RosterImport.all().count(),
        )

    before = query(tmp_path, counts)
    status, out, err = cli("roster", "import", str(path), "--district", "other")
    assert (status, out) == (1, "")
    assert 'The org "org-district" is already the roster of the district mvu.' in err
    assert query(tmp_path, counts) == before
    mixed, _, err = cli("roster", "import", str(path), "--district", "mvu", "--school", "demo")
    assert mixed == 2
    assert "no --school or --org" in err


def test_a_file_without_a_district_org_is_not_a_districts(cli: Cli, tmp_path: Path) -> None:
    files = oneroster()
    files["orgs.csv"].rows = [r for r in files["orgs.csv"].rows if r["type"] != "district"]
    for row in files["orgs.csv"].rows:
        row["parentSourcedId"] = ""
    for row in files["users.csv"].rows:
        row["orgSourcedIds"] = row["orgSourcedIds"].replace(f"{DISTRICT_ID},", "")
    path = write_zip(files, tmp_path / "schools.zip")
    status, _, err = cli("roster", "import", str(path), "--district", "mvu")
    assert status == 1
    assert "names one org of type district; this one has none" in err
    assert query(tmp_path, district_count) == 0
