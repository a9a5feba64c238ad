"""Demo High School (DESIGN.md section 4), created on an empty database: one command, one school."""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from server import runtime
from server.enums import Approval, EncounterMode, EnrollmentRole, LocationKind, Role
from server.models import (
    BellSchedule,
    EncounterGroup,
    Enrollment,
    Location,
    School,
    Section,
    User,
)

DEMO_SLUG = "demo"
DEMO_PASSWORD = "demo"

# Thirty students' names, chosen to look like a real roster.
STUDENT_NAMES = [
    ("Ava", "Martinez"),
    ("Liam", "Johnson"),
    ("Sophia", "Nguyen"),
    ("Noah", "Williams"),
    ("Mia", "Brown"),
    ("Ethan", "Garcia"),
    ("Isabella", "Davis"),
    ("Lucas", "Rodriguez"),
    ("Amelia", "Wilson"),
    ("Mason", "Anderson"),
    ("Harper", "Thomas"),
    ("Logan", "Taylor"),
    ("Evelyn", "Moore"),
    ("Elijah", "Jackson"),
    ("Abigail", "Lee"),
    ("James", "Harris"),
    ("Emily", "Clark"),
    ("Benjamin", "Lewis"),
    ("Ella", "Walker"),
    ("Henry", "Hall"),
    ("Avery", "Allen"),
    ("Jackson", "Young"),
    ("Scarlett", "King"),
    ("Sebastian", "Wright"),
    ("Grace", "Lopez"),
    ("Daniel", "Hill"),
    ("Chloe", "Scott"),
    ("Owen", "Green"),
    ("Layla", "Adams"),
    ("Wyatt", "Baker"),
]

# (name, kind, capacity, approval, minutes, is_destination, geometry on a 1000x600 plan)
LOCATIONS = [
    (
        "Room 101",
        LocationKind.CLASSROOM,
        None,
        Approval.NONE,
        5,
        False,
        {"x": 40, "y": 40, "width": 220, "height": 180},
    ),
    (
        "Room 102",
        LocationKind.CLASSROOM,
        None,
        Approval.NONE,
        5,
        False,
        {"x": 40, "y": 380, "width": 220, "height": 180},
    ),
    (
        "Restroom North",
        LocationKind.RESTROOM,
        2,
        Approval.NONE,
        5,
        True,
        {"x": 320, "y": 40, "width": 120, "height": 100},
    ),
    (
        "Restroom South",
        LocationKind.RESTROOM,
        2,
        Approval.NONE,
        5,
        True,
        {"x": 320, "y": 460, "width": 120, "height": 100},
    ),
    (
        "Nurse",
        LocationKind.NURSE,
        None,
        Approval.ORIGIN_TEACHER,
        15,
        True,
        {"x": 500, "y": 40, "width": 180, "height": 140},
    ),
    (
        "Counselor",
        LocationKind.COUNSELOR,
        1,
        Approval.DESTINATION_STAFF,
        20,
        True,
        {"x": 500, "y": 420, "width": 180, "height": 140},
    ),
    (
        "Library",
        LocationKind.LIBRARY,
        10,
        Approval.NONE,
        15,
        True,
        {"x": 740, "y": 40, "width": 220, "height": 260},
    ),
    (
        "Main Office",
        LocationKind.OFFICE,
        None,
        Approval.NONE,
        10,
        True,
        {"x": 740, "y": 360, "width": 220, "height": 200},
    ),
]

# The bell schedule: a regular day of seven 50-minute periods and lunch, and an assembly day
# that shortens them to make room for an assembly after period 3. No policy row sets a no-fly
# time, so the schedule alone holds no pass (tests run at any time of day).
REGULAR = [
    ("Period 1", "08:00", "08:50"),
    ("Period 2", "08:55", "09:45"),
    ("Period 3", "09:50", "10:40"),
    ("Period 4", "10:45", "11:35"),
    ("Lunch", "11:35", "12:05"),
    ("Period 5", "12:10", "13:00"),
    ("Period 6", "13:05", "13:55"),
    ("Period 7", "14:00", "14:50"),
]
ASSEMBLY = [
    ("Period 1", "08:00", "08:40"),
    ("Period 2", "08:45", "09:25"),
    ("Period 3", "09:30", "10:10"),
    ("Assembly", "10:15", "11:15"),
    ("Period 4", "11:20", "12:00"),
    ("Lunch", "12:00", "12:30"),
    ("Period 5", "12:35", "13:15"),
    ("Period 6", "13:20", "14:00"),
    ("Period 7", "14:05", "14:50"),
]


def periods_json(periods: list[tuple[str, str, str]]) -> list[dict[str, str]]:
    """Return a day type's periods as the schedule stores them."""
    return [{"name": name, "start": start, "end": end} for name, start, end in periods]


# (login, role, first, last, assigned location)
STAFF = [
    ("admin@demo.school", Role.ADMIN, "Dana", "Whitfield", None),
    ("teacher1@demo.school", Role.TEACHER, "Marcus", "Reyes", "Room 101"),
    ("teacher2@demo.school", Role.TEACHER, "Priya", "Shah", "Room 102"),
    ("nurse@demo.school", Role.NURSE, "Helen", "Okafor", "Nurse"),
    ("counselor@demo.school", Role.COUNSELOR, "Tom", "Becker", "Counselor"),
    ("monitor@demo.school", Role.SECURITY, "Rosa", "Delgado", None),
]

# The roles a SIS rosters (examples/oneroster-demo/ has them); the nurse, the counselor and
# security are accounts of this school alone.
ROSTERED = frozenset({Role.ADMIN, Role.TEACHER})

# Door kiosks: shared devices at each classroom's door (login, room). Created after the
# students, so the students' ids stay what docs/api.md's examples show.
KIOSKS = [
    ("kiosk101@demo.school", "Room 101"),
    ("kiosk102@demo.school", "Room 102"),
]


# The timetable (README, Demo accounts). Each teacher keeps their room (Marcus Reyes in Room
# 101, Priya Shah in Room 102) and most students keep theirs, as DESIGN.md section 4 publishes:
# 1001-1010 in Room 101 and 1016-1025 in Room 102 all day. For the electives of periods 2, 4
# and 6, students 1011-1015 go to Room 102 and 1026-1030 to Room 101, so their room and teacher
# change during the day. Rows: (period, title in Room 101, title in Room 102, electives?).
TIMETABLE = [
    ("Period 1", "English 9", "Biology", False),
    ("Period 2", "Spanish I", "Art", True),
    ("Period 3", "World History", "Algebra I", False),
    ("Period 4", "Music", "Computer Science", True),
    ("Period 5", "Geography", "Chemistry", False),
    ("Period 6", "Drama", "Robotics", True),
    ("Period 7", "Study Hall", "Study Hall", False),
]


def demo_rosters(students: list[User], electives: bool) -> tuple[list[User], list[User]]:
    """Return who is in Room 101 and who is in Room 102 in a period."""
    room_101, room_102 = students[:15], students[15:]
    if not electives:
        return room_101, room_102
    return room_101[:10] + room_102[10:], room_102[:10] + room_101[10:]


async def seed_timetable(
    conn: BaseDBAsyncClient,
    school: School,
    places: dict[str, Location],
    teachers: dict[str, User],
    students: list[User],
) -> None:
    """Give the demo school its sections: one per room and period, with their rosters."""
    for period, in_101, in_102, electives in TIMETABLE:
        number = period.split()[-1]
        roster_101, roster_102 = demo_rosters(students, electives)
        for title, room, teacher, roster in (
            (in_101, "Room 101", "teacher1@demo.school", roster_101),
            (in_102, "Room 102", "teacher2@demo.school", roster_102),
        ):
            code = f"P{number}-{room.split()[-1]}"
            section = await Section.create(
                using_db=conn,
                school=school,
                source_id=f"demo-{code}",
                title=title,
                code=code,
                location=places[room],
                meetings=[{"day_type": None, "period": period}],
            )
            rows = [
                Enrollment(
                    school=school,
                    section=section,
                    user=teachers[teacher],
                    role=EnrollmentRole.TEACHER,
                    primary=True,
                    source_id=f"demo-{code}-{teacher.split('@')[0]}",
                )
            ]
            rows += [
                Enrollment(
                    school=school,
                    section=section,
                    user=student,
                    role=EnrollmentRole.STUDENT,
                    source_id=f"demo-{code}-{student.login}",
                )
                for student in roster
            ]
            await Enrollment.bulk_create(rows, using_db=conn)


async def seed_demo(password: str = DEMO_PASSWORD, *, timetable: bool = True) -> School:
    """Create Demo High School: staff, 30 students, kiosks, places, an encounter group, bells.

    With `timetable`, also its sections (TIMETABLE): students change rooms every period.
    """
    logins = (
        [s[0] for s in STAFF]
        + [str(1001 + i) for i in range(len(STUDENT_NAMES))]
        + [login for login, _ in KIOSKS]
    )
    # One hash for every account: they share one published password, so separate salts would
    # hide nothing, and 38 Argon2 hashes were 3.5 s of a 5 s first start. A password an admin
    # sets later is hashed on its own.
    shared = await runtime.current().passwords.hash(password)
    by_login = dict.fromkeys(logins, shared)
    async with in_transaction() as conn:
        school = await School.create(
            using_db=conn,
            name="Demo High School",
            slug=DEMO_SLUG,
            timezone="America/Chicago",
            # With its timetable, the school and its sections carry the sourcedIds of
            # examples/oneroster-demo/, so importing that roster is a sync of this school
            # (README, Rosters); its people are matched by login and student number, as any
            # hand-made account is.
            source_id="demo-hs" if timetable else None,
        )
        places: dict[str, Location] = {}
        for name, kind, capacity, approval, minutes, is_destination, geometry in LOCATIONS:
            places[name] = await Location.create(
                using_db=conn,
                school=school,
                name=name,
                kind=kind,
                capacity=capacity,
                approval=approval,
                default_minutes=minutes,
                is_destination=is_destination,
                geometry=geometry,
            )
        staff: dict[str, User] = {}
        for login, role, first, last, place in STAFF:
            staff[login] = user = await User.create(
                using_db=conn,
                school=school,
                role=role,
                login=login,
                first_name=first,
                last_name=last,
                email=login,
                password_hash=by_login[login],
            )
            if place is not None:
                await user.assigned_locations.add(places[place], using_db=conn)
        students: list[User] = []
        for i, (first, last) in enumerate(STUDENT_NAMES):
            number = str(1001 + i)
            room = places["Room 101"] if i < 15 else places["Room 102"]
            students.append(
                await User.create(
                    using_db=conn,
                    school=school,
                    role=Role.STUDENT,
                    login=number,
                    student_number=number,
                    first_name=first,
                    last_name=last,
                    grade=9 + i % 4,
                    home_location=room,
                    password_hash=by_login[number],
                )
            )
        group = await EncounterGroup.create(
            using_db=conn,
            school=school,
            name="Demo separation",
            mode=EncounterMode.BLOCK,
            notes="Demo: students 1001 and 1002 are kept apart.",
        )
        await group.members.add(students[0], students[1], using_db=conn)
        for login, door in KIOSKS:
            kiosk = await User.create(
                using_db=conn,
                school=school,
                role=Role.KIOSK,
                login=login,
                first_name="Door",
                last_name=door,
                password_hash=by_login[login],
            )
            await kiosk.assigned_locations.add(places[door], using_db=conn)
        await BellSchedule.create(
            using_db=conn,
            school=school,
            day_types={"regular": periods_json(REGULAR), "assembly": periods_json(ASSEMBLY)},
            weekdays={
                day: "regular" for day in ("monday", "tuesday", "wednesday", "thursday", "friday")
            },
        )
        if timetable:
            await seed_timetable(conn, school, places, staff, students)
    return school


async def ensure_demo(*, timetable: bool = True) -> bool:
    """Seed the demo school when the database holds no school at all; say whether it did."""
    if await School.exists():
        return False
    await seed_demo(timetable=timetable)
    return True
