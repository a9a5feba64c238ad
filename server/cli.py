"""The `hallpass` command line: serve, migrate, demo, roster import, sso, district (DESIGN.md
section 4)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from enum import Enum
from pathlib import Path
from typing import Any

from server import db
from server.config import DEFAULT_PORT, Settings, from_env
from server.preflight import DatabaseFile, StartupError, check_sqlite, sqlite_path


class Seed(Enum):
    """When a command creates Demo High School."""

    NEVER = "never"  # `hallpass migrate`
    IF_NEW = "if new"  # `hallpass serve`: only in a database this start created
    IF_NO_SCHOOL = "if no school"  # `hallpass demo`: in any database without a school


class Seeded(Enum):
    """What became of the demo school."""

    CREATED = "created"
    SCHOOL_EXISTS = "a school exists"
    NOT_NEW = "not new"  # no school, but the database existed: left alone (`serve`)
    NOT_ASKED = "not asked"


def check_storage(settings: Settings) -> DatabaseFile | None:
    """Check the SQLite file before anything opens it (None: PostgreSQL or in memory)."""
    path = sqlite_path(settings.database_url) if settings.is_sqlite else None
    return None if path is None else check_sqlite(path)


def describe(settings: Settings) -> str:
    """Name the database for a message, without its password."""
    path = sqlite_path(settings.database_url) if settings.is_sqlite else None
    if path is not None:
        return str(path)
    return "the PostgreSQL database" if not settings.is_sqlite else "the in-memory database"


async def _migrate_and_seed(settings: Settings, *, seed: Seed) -> Seeded:
    from server.auth.pass_marks import check_key
    from server.demo import ensure_demo
    from server.models import School
    from server.runtime import Runtime, using

    found = check_storage(settings)
    if seed is Seed.IF_NEW and found is DatabaseFile.EMPTY:
        # A file that exists but holds nothing was most likely emptied by accident (a failed
        # copy, a full disk): seeding it would publish the demo password over a real school.
        raise StartupError(
            f"{describe(settings)} is empty (0 bytes) but exists, so the demo school is not "
            "created in it: restore a backup, delete the file to start a new database, or run "
            "`hallpass demo` to create the demo school in it"
        )
    async with db.setup_lock(settings):
        if found is None:
            new = settings.is_sqlite or await db.is_new(settings)  # in memory: always new
        else:
            new = found is DatabaseFile.NEW
        await db.migrate(settings)
        if seed is Seed.NEVER:
            return Seeded.NOT_ASKED
        await db.connect(settings)
        try:
            if seed is Seed.IF_NO_SCHOOL or new:
                # Outside any app: the demo's password is hashed by a runtime of its own.
                with using(Runtime(check_key=check_key(settings.secret_key))):
                    created = await ensure_demo(timetable=settings.demo_timetable)
                return Seeded.CREATED if created else Seeded.SCHOOL_EXISTS
            return Seeded.SCHOOL_EXISTS if await School.exists() else Seeded.NOT_NEW
        finally:
            await db.disconnect()


def prepare(settings: Settings, *, seed: Seed) -> Seeded:
    """Check, migrate and maybe seed the database; exit in one line when it can't be used."""
    try:
        return asyncio.run(_migrate_and_seed(settings, seed=seed))
    except StartupError as exc:
        print(f"hallpass: {exc}", file=sys.stderr)
        sys.exit(1)


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """Return how uvicorn serves Hallpass (shared by `serve` and the tests' live server)."""
    return {
        # uvicorn's sans-I/O protocol, plus a way for the hub to write a frame without a task
        # switch (server/hub/protocol.py). Deflate roughly doubles memory per socket; client
        # frames are tiny (a hello), so a frame over 64 KiB is refused before anything reads it.
        "ws": "server.hub.protocol:HubWebSocketProtocol",
        "ws_per_message_deflate": False,
        "ws_max_size": 65536,
        # Protocol pings find dead connections (a closed laptop lid) within 40 s.
        "ws_ping_interval": 20.0,
        "ws_ping_timeout": 20.0,
        "proxy_headers": bool(settings.trusted_proxies),
        "forwarded_allow_ips": settings.trusted_proxies or None,
    }


def serve(args: argparse.Namespace, settings: Settings) -> int:
    """Check and migrate the database, seed the demo school in a new one, and serve."""
    import uvicorn

    if args.workers > 1 and settings.is_sqlite:
        print(
            "hallpass: several workers need PostgreSQL (set HALLPASS_DATABASE_URL); "
            "SQLite serves one process.",
            file=sys.stderr,
        )
        return 2
    seeded = prepare(settings, seed=Seed.IF_NEW)
    if seeded is Seeded.CREATED:
        print("hallpass: created Demo High School (password 'demo' for every account)")
    elif seeded is Seeded.NOT_NEW:
        print(
            f"hallpass: {describe(settings)} existed before this start and has no school; "
            "the demo school is only created in a new database (`hallpass demo` adds it)"
        )
    print(f"hallpass: serving http://{args.host}:{args.port}")
    uvicorn.run(
        "server.asgi:app",
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="info",
        **uvicorn_options(settings),
    )
    return 0


async def _roster_import(settings: Settings, args: argparse.Namespace) -> int:
    from server.errors import HallpassError
    from server.roster.imports import reject, run_import
    from server.roster.read import read_path
    from server.roster.report import problem_line, summary
    from server.roster.targets import DistrictTarget, for_cli, for_district

    if args.district is not None and (args.school is not None or args.org is not None):
        print(
            "hallpass: --district imports every school of the file: no --school or --org",
            file=sys.stderr,
        )
        return 2
    # Reading checks the whole file before the database is opened: seconds for a district.
    roster = await asyncio.to_thread(read_path, args.path)
    await db.connect(settings)
    try:
        district: DistrictTarget | None = None
        try:
            if args.district is not None:
                district, targets = await for_district(roster, args.district)
            else:
                targets = await for_cli(roster, args.school, args.org)
        except HallpassError as exc:
            if not roster.problems:
                print(f"hallpass: {exc.message}", file=sys.stderr)
                return 1
            targets = []
        source = args.path.name
        if roster.problems:
            known = [t.school.id for t in targets if t.school is not None]
            outcome = await reject(roster, known, source, None, roster.problems)
        else:
            outcome = await run_import(
                roster, targets, dry_run=args.dry_run, source=source, district=district
            )
        if outcome.problems:
            for problem in outcome.problems:
                print(problem_line(problem), file=sys.stderr)
            total = max(outcome.problem_count, len(outcome.problems))
            print(f"hallpass: {total} problem(s); nothing was imported", file=sys.stderr)
            return 1
        names = [t.school.name if t.school else f"{t.org.name} (new school)" for t in targets]
        if district is not None:
            new = " (new district)" if district.district is None else ""
            print(f"district {district.slug}: {district.org.name}{new}")
        for line in summary(outcome, names, dry_run=args.dry_run):
            print(line)
        return 0
    finally:
        await db.disconnect()


def roster_import(args: argparse.Namespace, settings: Settings) -> int:
    """Import a roster file (migrating first); 0 when applied or previewed, 1 when refused."""
    prepare(settings, seed=Seed.NEVER)
    return asyncio.run(_roster_import(settings, args))


KIND_LABELS = {"google": "Google", "microsoft": "Microsoft", "classlink": "ClassLink"}


async def _sso(settings: Settings, args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from server.contract.sso import ProviderCreate
    from server.errors import HallpassError
    from server.services.sso_admin import add_provider, list_providers

    await db.connect(settings)
    try:
        if args.sso_command == "list":
            for line in await list_providers():
                print(line)
            return 0
        try:
            body = ProviderCreate.model_validate(
                {
                    "key": args.key or f"{args.school or args.district}-{args.kind}",
                    "kind": args.kind,
                    "label": args.label or KIND_LABELS.get(args.kind, "Your school account"),
                    "issuer": args.issuer,
                    "client_id": args.client_id,
                    "client_secret_env": args.client_secret_env,
                    "allowed_domains": args.domain or [],
                    "match_claim": args.match_claim,
                    "sourced_id_claim": args.sourced_id_claim,
                    "scope": "district" if args.district else "school",
                },
                strict=False,
            )
            line = await add_provider(body, school=args.school, district=args.district)
        except ValidationError as exc:
            for error in exc.errors():
                where = ".".join(str(part) for part in error["loc"])
                print(f"hallpass: {where}: {error['msg']}", file=sys.stderr)
            return 1
        except HallpassError as exc:
            print(f"hallpass: {exc.message} {exc.details or ''}".rstrip(), file=sys.stderr)
            return 1
        print(line)
        return 0
    finally:
        await db.disconnect()


async def _district(settings: Settings, args: argparse.Namespace) -> int:
    from server.runtime import Runtime, using
    from server.services import districts

    await db.connect(settings)
    try:
        with using(Runtime()):  # the one-time password is hashed by a runtime of its own
            for line in await _district_command(args):
                print(line)
        return 0
    except districts.DistrictError as exc:
        print(f"hallpass: {exc}", file=sys.stderr)
        return 1
    finally:
        await db.disconnect()


def sso(args: argparse.Namespace, settings: Settings) -> int:
    """Add or list single sign-on providers (migrating first); 0 when done, 1 when refused."""
    prepare(settings, seed=Seed.NEVER)
    return asyncio.run(_sso(settings, args))


async def _district_command(args: argparse.Namespace) -> list[str]:
    """Do one `hallpass district` command; return the lines it prints."""
    from server.services import districts

    command = args.district_command
    if command == "create":
        district = await districts.create_district(args.name, args.slug, args.school)
        joined = ", ".join(args.school) or "no school yet"
        return [f"hallpass: created district {district.name} ({district.slug}): {joined}"]
    if command == "list":
        found = await districts.list_districts()
        if not found:
            return ["hallpass: no district"]
        lines = []
        for item in found:
            lines.append(f"{item['slug']}: {item['name']}")
            lines += [f"  {s['slug']}: {s['name']}" for s in item["schools"]]
        return lines
    district = await districts.district_by_slug(args.district)
    if command == "add-school":
        schools = await districts.add_schools(district, args.school)
        return [f"hallpass: {s.name} ({s.slug}) joined {district.name}" for s in schools]
    if command == "admin":
        user, school, password = await districts.add_district_admin(
            district, args.email, args.first, args.last, args.school
        )
        return [
            f"hallpass: {user.display_name} is an administrator of {district.name}",
            f"  sign in with login {user.login}, school {school.slug}, "
            f"one-time password {password}",
            "  (shown once: they should set their own in the app)",
        ]
    refs = [districts.AccountRef.parse(text) for text in args.account]
    key = await districts.link_accounts(district, refs)
    names = ", ".join(f"{r.login}@{r.school_slug}" for r in refs)
    return [f"hallpass: linked {names} as one person ({key})"]


def district(args: argparse.Namespace, settings: Settings) -> int:
    """Run a `hallpass district` command (migrating first); 0 when done, 1 when refused."""
    prepare(settings, seed=Seed.NEVER)
    return asyncio.run(_district(settings, args))


def _district_parser(commands: Any) -> None:
    parser = commands.add_parser("district", help="districts: several schools, one deployment")
    sub = parser.add_subparsers(dest="district_command", required=True)
    create = sub.add_parser("create", help="create a district; the schools named join it")
    create.add_argument("--name", required=True)
    create.add_argument("--slug", required=True)
    create.add_argument("--school", metavar="SLUG", action="append", default=[])
    add = sub.add_parser("add-school", help="existing schools join a district")
    add.add_argument("--district", metavar="SLUG", required=True)
    add.add_argument("--school", metavar="SLUG", action="append", required=True)
    admin = sub.add_parser("admin", help="make a district administrator; prints how to sign in")
    admin.add_argument("--district", metavar="SLUG", required=True)
    admin.add_argument("--email", required=True)
    admin.add_argument("--first", required=True)
    admin.add_argument("--last", required=True)
    admin.add_argument(
        "--school", metavar="SLUG", help="the school their account is in (default: the first)"
    )
    link = sub.add_parser(
        "link", help="link one person's accounts in several schools (they can switch)"
    )
    link.add_argument("--district", metavar="SLUG", required=True)
    link.add_argument("account", nargs="+", metavar="LOGIN@SCHOOL-SLUG")
    sub.add_parser("list", help="list the districts and their schools")


def main(argv: list[str] | None = None) -> None:
    """Run the `hallpass` command."""
    parser = argparse.ArgumentParser(prog="hallpass", description="Digital hall passes.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve_parser = commands.add_parser("serve", help="run the server (migrates first)")
    serve_parser.add_argument("--host", default="127.0.0.1")
    serve_parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    serve_parser.add_argument("--workers", type=int, default=1)
    commands.add_parser("migrate", help="bring the database schema up to date")
    commands.add_parser("demo", help="create Demo High School if the database has no school")
    roster_parser = commands.add_parser("roster", help="roster files from the SIS")
    roster_commands = roster_parser.add_subparsers(dest="roster_command", required=True)
    import_parser = roster_commands.add_parser(
        "import",
        help="import a OneRoster zip or folder, or a flat CSV (all or nothing)",
        description="Import every school org of the file into the school with its sourcedId "
        "(creating schools for new ones), or with --school the file's one org into that "
        "school. Problems are printed as file:line: column: message, and nothing is written.",
    )
    import_parser.add_argument("path", type=Path, help="a .zip, a folder, or a flat .csv")
    import_parser.add_argument(
        "--dry-run", action="store_true", help="print what would change; write nothing"
    )
    import_parser.add_argument("--school", metavar="SLUG", help="import into this school")
    import_parser.add_argument(
        "--org", metavar="SOURCEDID", help="with --school: the file's org to import"
    )
    sso_parser = commands.add_parser("sso", help="single sign-on providers (docs/sso.md)")
    sso_commands = sso_parser.add_subparsers(dest="sso_command", required=True)
    sso_commands.add_parser("list", help="list every provider (never a secret)")
    add_parser = sso_commands.add_parser(
        "add",
        help="add an OpenID Provider to a school or a district",
        description="The client secret is read from the environment variable named by "
        "--client-secret-env when someone signs in; it is never stored by this command.",
    )
    owner = add_parser.add_mutually_exclusive_group(required=True)
    owner.add_argument("--school", metavar="SLUG", help="the school that signs in with it")
    owner.add_argument("--district", metavar="SLUG", help="or the district (all its schools)")
    add_parser.add_argument(
        "--kind", choices=["google", "microsoft", "classlink", "oidc"], default="oidc"
    )
    add_parser.add_argument("--issuer", required=True, metavar="URL")
    add_parser.add_argument("--client-id", required=True, metavar="ID")
    add_parser.add_argument("--client-secret-env", required=True, metavar="NAME")
    add_parser.add_argument(
        "--domain", action="append", metavar="DOMAIN", help="an allowed e-mail domain (repeat)"
    )
    add_parser.add_argument("--key", help="its name in URLs (default: SLUG-KIND)")
    add_parser.add_argument("--label", help="the button's text")
    add_parser.add_argument("--match-claim", choices=["email", "sourced_id"], default="email")
    add_parser.add_argument("--sourced-id-claim", metavar="CLAIM")
    import_parser.add_argument(
        "--district",
        metavar="SLUG",
        help="a district's bulk file: create its schools from orgs.csv, link its people",
    )
    _district_parser(commands)
    args = parser.parse_args(argv)
    try:
        settings = from_env()
    except OSError as exc:  # the secret key could not be kept in the data folder
        print(
            f"hallpass: can't keep the secret key at {exc.filename} ({exc.strerror})",
            file=sys.stderr,
        )
        sys.exit(1)
    if args.command == "serve":
        sys.exit(serve(args, settings))
    if args.command == "roster":
        sys.exit(roster_import(args, settings))
    if args.command == "sso":
        sys.exit(sso(args, settings))
    if args.command == "district":
        sys.exit(district(args, settings))
    if args.command == "migrate":
        prepare(settings, seed=Seed.NEVER)
        print("hallpass: database is up to date")
        return
    created = prepare(settings, seed=Seed.IF_NO_SCHOOL) is Seeded.CREATED
    print("hallpass: created Demo High School" if created else "hallpass: a school exists already")
