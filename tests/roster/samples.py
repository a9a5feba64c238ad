"""Roster files as a school district's SIS writes them: OneRoster 1.1 and 1.2, and the flat CSV.

`oneroster()` builds a district (a district org, three schools, hundreds of people, classes
with periods and rooms, two terms, enrollments) as tables a test may change before writing;
`write_zip`, `write_folder` and `zip_bytes` write them with the quirks real exports have on
demand (a BOM, CRLF, Windows-1252 bytes in a file). `district()` writes a big zip fast, for the
benchmarks (bench/). Everything is deterministic: names come from seeded random choices.
"""

from __future__ import annotations

import csv
import io
import random
import zipfile
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path

FIRST_NAMES = (
    "Olivia", "Liam", "Emma", "Noah", "Amelia", "Mateo", "Sophia", "Elijah", "Isabella", "Lucas",
    "Mia", "Levi", "Ava", "Ezra", "Harper", "Asher", "Luna", "Leo", "Camila", "Kai", "Aaliyah",
    "Santiago", "Zoe", "Jayden", "Priya", "Arjun", "Mei", "Hiroshi", "Fatima", "Omar", "Chloé",
    "José", "Zoë", "Björn", "Siobhan", "Nkechi", "Thanh", "Anh", "Yusuf", "Ingrid", "Malia",
    "Diego", "Ximena", "Rohan", "Aisha", "Mason", "Grace", "Ethan", "Nora", "Wyatt",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Pérez", "Thompson", "White", "Harris", "Sánchez",
    "Clark", "Ramírez", "Lewis", "Robinson", "Walker", "Young", "Nguyen", "Kim", "Patel",
    "O'Brien", "Núñez", "Okafor", "Yamamoto", "Kowalski", "Müller", "Haddad", "Singh", "Chen",
    "Van der Berg", "Mac Giolla", "Tran", "Ali", "Svensson", "Rossi",
)  # fmt: skip
SUBJECTS = (
    ("Algebra I", "ALG1", "Mathematics"),
    ("Geometry", "GEO", "Mathematics"),
    ("Biology", "BIO", "Science"),
    ("Chemistry", "CHEM", "Science"),
    ("English 9", "ENG9", "English"),
    ("English 10", "ENG10", "English"),
    ("World History", "WHIS", "Social Studies"),
    ("Spanish I", "SPA1", "World Languages"),
    ("Art Studio", "ART", "Fine Arts"),
    ("Physical Education", "PE", "Physical Education"),
)
SCHOOLS = (
    ("Lincoln High School", "LHS"),
    ("Riverside Middle School", "RMS"),
    ("Oak Grove Elementary", "OGE"),
)
SCHOOL_GRADES = (("09", "10", "11", "12"), ("06", "07", "08"), ("KG", "01", "02", "03", "04"))
DISTRICT_ID = "org-district"
TERMS = (
    ("term-year", "2025-2026", "schoolYear", "2025-08-18", "2026-05-29", ""),
    ("term-fall", "Fall 2025", "semester", "2025-08-18", "2025-12-19", "term-year"),
    ("term-spring", "Spring 2026", "semester", "2026-01-05", "2026-05-29", "term-year"),
)
PERIODS = ("1", "2", "3", "4", "5", "6", "7")

HEADERS: dict[str, dict[str, tuple[str, ...]]] = {
    "1.1": {
        "orgs.csv": (
            "sourcedId", "status", "dateLastModified", "name", "type", "identifier",
            "parentSourcedId",
        ),
        "academicSessions.csv": (
            "sourcedId", "status", "dateLastModified", "title", "type", "startDate", "endDate",
            "parentSourcedId", "schoolYear",
        ),
        "courses.csv": (
            "sourcedId", "status", "dateLastModified", "schoolYearSourcedId", "title",
            "courseCode", "grades", "orgSourcedId", "subjects", "subjectCodes",
        ),
        "classes.csv": (
            "sourcedId", "status", "dateLastModified", "title", "grades", "courseSourcedId",
            "classCode", "classType", "location", "schoolSourcedId", "termSourcedIds",
            "subjects", "subjectCodes", "periods",
        ),
        "users.csv": (
            "sourcedId", "status", "dateLastModified", "enabledUser", "orgSourcedIds", "role",
            "username", "userIds", "givenName", "familyName", "middleName", "identifier",
            "email", "sms", "phone", "agentSourcedIds", "grades", "password",
        ),
        "enrollments.csv": (
            "sourcedId", "status", "dateLastModified", "classSourcedId", "schoolSourcedId",
            "userSourcedId", "role", "primary", "beginDate", "endDate",
        ),
        "demographics.csv": (
            "sourcedId", "status", "dateLastModified", "birthDate", "sex",
            "americanIndianOrAlaskaNative", "asian", "blackOrAfricanAmerican",
            "nativeHawaiianOrOtherPacificIslander", "white", "demographicRaceTwoOrMoreRaces",
            "hispanicOrLatinoEthnicity", "countryOfBirthCode", "stateOfBirthAbbreviation",
            "cityOfBirth", "publicSchoolResidenceStatus",
        ),
    },
}  # fmt: skip
HEADERS["1.0"] = HEADERS["1.1"]
HEADERS["1.2"] = {
    **HEADERS["1.1"],
    "users.csv": (
        "sourcedId", "status", "dateLastModified", "enabledUser", "username", "userIds",
        "givenName", "familyName", "middleName", "identifier", "email", "sms", "phone",
        "agentSourcedIds", "grades", "password", "userMasterIdentifier", "resourceSourcedIds",
        "preferredGivenName", "preferredMiddleName", "preferredFamilyName",
        "primaryOrgSourcedId", "pronouns",
    ),
    "roles.csv": (
        "sourcedId", "status", "dateLastModified", "userSourcedId", "roleType", "role",
        "beginDate", "endDate", "orgSourcedId", "userProfileSourcedId",
    ),
}  # fmt: skip
FLAT_COLUMNS = (
    "student_number", "first_name", "last_name", "grade", "email", "section", "period", "room",
    "teacher_email", "day_type", "teacher_first_name", "teacher_last_name", "homeroom",
)  # fmt: skip


@dataclass
class Table:
    """One CSV file: its header and its rows by column (a missing key writes an empty cell)."""

    header: list[str]
    rows: list[dict[str, str]] = field(default_factory=list)

    def add(self, **cells: str) -> dict[str, str]:
        """Append a row and return it."""
        self.rows.append(dict(cells))
        return self.rows[-1]

    def drop(self, column: str) -> None:
        """Remove a column from the header (its cells are no longer written)."""
        self.header.remove(column)

    def find(self, **cells: str) -> dict[str, str]:
        """Return the first row holding these values."""
        return next(r for r in self.rows if all(r.get(k) == v for k, v in cells.items()))

    def line_of(self, row: dict[str, str]) -> int:
        """Return the line a row is written on (the header is line 1; no multi-line cells)."""
        return self.rows.index(row) + 2


# A file set: each file's table by its name ("users.csv").
Files = dict[str, Table]


@dataclass(frozen=True)
class Person:
    """Someone the builder made: their sourcedId and what a test looks them up by."""

    source_id: str
    role: str
    first_name: str
    last_name: str
    school_id: str


class _Names:
    def __init__(self, rng: random.Random, commas: bool) -> None:
        self.rng = rng
        self.commas = commas
        self.count = 0
        self.logins: set[str] = set()

    def person(self) -> tuple[str, str]:
        self.count += 1
        first = self.rng.choice(FIRST_NAMES)
        last = self.rng.choice(LAST_NAMES)
        if self.commas and self.count % 17 == 0:
            last += ", Jr."  # a comma inside a name: the writer must quote it
        return first, last

    def login(self, first: str, last: str, domain: str) -> str:
        base = "".join(c for c in f"{first[0]}{last}".lower() if c.isascii() and c.isalnum())
        login, n = f"{base}@{domain}", 1
        while login in self.logins:
            n += 1
            login = f"{base}{n}@{domain}"
        self.logins.add(login)
        return login


def oneroster(
    version: str = "1.1",
    *,
    seed: int = 15,
    students_per_school: int = 80,
    sections_per_school: int = 10,
    commas: bool = False,
    delta: bool = False,
    tobedeleted: int = 0,
) -> Files:
    """Build a district's OneRoster file set (3 schools, ~330 people, 30 classes, 2 terms).

    `commas` gives some people a family name with a comma ("Lee, Jr."); `delta` sends every
    file as a delta (status and dateLastModified filled in); `tobedeleted` marks that many
    students (every fifth, from the first) and their enrollments `tobedeleted`.
    """
    rng = random.Random(seed)
    names = _Names(rng, commas)
    headers = HEADERS[version]
    files: Files = {name: Table(list(header)) for name, header in headers.items()}
    status = "active" if delta else ""
    modified = "2025-09-02T07:30:00Z" if delta else ""
    common = {"status": status, "dateLastModified": modified}
    manifest = files["manifest.csv"] = Table(["propertyName", "value"])
    manifest.add(propertyName="manifest.version", value="1.0")
    manifest.add(propertyName="oneroster.version", value=version)
    for name in sorted(headers):
        key = name.removesuffix(".csv")
        mode = ("delta" if delta else "bulk") if key != "demographics" else "bulk"
        manifest.add(propertyName=f"file.{key}", value=mode)
    for key in ("lineItems", "results", "categories", "resources", "classResources"):
        manifest.add(propertyName=f"file.{key}", value="absent")
    manifest.add(propertyName="source.systemName", value="Aspen SIS")
    manifest.add(propertyName="source.systemCode", value="district-15")

    orgs = files["orgs.csv"]
    orgs.add(
        sourcedId=DISTRICT_ID, name="Maple Valley Unified", type="district", identifier="MVU",
        **common,
    )  # fmt: skip
    for sourced_id, title, kind, starts, ends, parent in TERMS:
        files["academicSessions.csv"].add(
            sourcedId=sourced_id, title=title, type=kind, startDate=starts, endDate=ends,
            parentSourcedId=parent, schoolYear="2026", **common,
        )  # fmt: skip
    everyone: list[Person] = []
    user_rows: list[tuple[Person, dict[str, str]]] = []

    def user(role: str, school: str, grades: str = "", number: str = "") -> Person:
        first, last = names.person()
        sourced_id = f"usr-{role[:3]}-{len(everyone) + 1:04d}"
        login = names.login(first, last, "mvu.k12.us")
        row = {
            **common, "sourcedId": sourced_id, "enabledUser": "true",
            # A district's administrators belong to the district and their school.
            "orgSourcedIds": f"{DISTRICT_ID},{school}" if role == "administrator" else school,
            "role": role, "username": login.split("@")[0] if role == "student" else login,
            "givenName": first, "familyName": last, "identifier": number,
            "email": login if role != "guardian" else f"{first}.{len(everyone)}@mail.example",
            "grades": grades, "password": "",
        }  # fmt: skip
        person = Person(sourced_id, role, first, last, school)
        everyone.append(person)
        user_rows.append((person, row))
        return person

    number = 100000
    for index, (school_name, code) in enumerate(SCHOOLS):
        school_id = f"org-{code.lower()}"
        orgs.add(
            sourcedId=school_id, name=school_name, type="school", identifier=code,
            parentSourcedId=DISTRICT_ID, **common,
        )  # fmt: skip
        grades = SCHOOL_GRADES[index]
        teachers = [user("teacher", school_id) for _ in range(sections_per_school)]
        user("administrator", school_id)
        aide = user("aide", school_id)
        proctor = user("proctor", school_id)
        students = []
        for n in range(students_per_school):
            number += 1
            grade = grades[n % len(grades)]
            students.append(user("student", school_id, grade, str(number)))
        for student in students[: students_per_school // 4]:
            user("guardian", school_id)
            user_rows[-1][1]["agentSourcedIds"] = student.source_id
        for n in range(sections_per_school):
            title, short, subject = SUBJECTS[n % len(SUBJECTS)]
            course_id = f"crs-{code.lower()}-{short.lower()}"
            if n < len(SUBJECTS):
                files["courses.csv"].add(
                    sourcedId=course_id, title=title, courseCode=short, orgSourcedId=school_id,
                    schoolYearSourcedId="term-year", subjects=subject, **common,
                )  # fmt: skip
            homeroom = n == sections_per_school - 1
            # A lab meets for a double period: "3,4", quoted by the writer.
            periods = "HR" if homeroom else PERIODS[n % 7] if short != "CHEM" else "3,4"
            class_id = f"cls-{code.lower()}-{n + 1:03d}"
            term = "term-fall" if n % 3 else "term-fall,term-spring"
            files["classes.csv"].add(
                sourcedId=class_id, title=f"Homeroom {100 + n}" if homeroom else title,
                courseSourcedId=course_id, classCode=f"{short}-{n + 1:02d}",
                classType="homeroom" if homeroom else "scheduled",
                location="Gym" if short == "PE" else f"Room {100 * (index + 1) + n}",
                schoolSourcedId=school_id, termSourcedIds=term, subjects=subject,
                periods=periods, grades=",".join(grades), **common,
            )  # fmt: skip
            enrolled = [(teachers[n], "teacher", "true")]
            if n == 0:
                enrolled += [(aide, "aide", "false"), (proctor, "proctor", "false")]
            picked = students if homeroom else rng.sample(students, k=len(students) // 3)
            enrolled += [(s, "student", "false") for s in picked]
            for person, role, primary in enrolled:
                files["enrollments.csv"].add(
                    sourcedId=f"enr-{class_id}-{person.source_id}", classSourcedId=class_id,
                    schoolSourcedId=school_id, userSourcedId=person.source_id, role=role,
                    primary=primary, beginDate="2025-08-18", **common,
                )  # fmt: skip
    users = files["users.csv"]
    for person, row in user_rows:
        if version == "1.2":
            row = {k: v for k, v in row.items() if k not in ("role", "orgSourcedIds")}
            row["primaryOrgSourcedId"] = person.school_id
            files["roles.csv"].add(
                sourcedId=f"rol-{person.source_id}", userSourcedId=person.source_id,
                roleType="primary", role=person.role, orgSourcedId=person.school_id, **common,
            )  # fmt: skip
        users.add(**row)
        if person.role == "student":
            files["demographics.csv"].add(
                sourcedId=person.source_id, birthDate="2011-04-02", sex="female", **common
            )
    gone = {r["sourcedId"] for r in people(files, "student")[: 5 * tobedeleted : 5]}
    for row in users.rows + files["enrollments.csv"].rows:
        if row.get("sourcedId") in gone or row.get("userSourcedId") in gone:
            row["status"] = "tobedeleted"
    return files


def people(files: Files, role: str) -> list[dict[str, str]]:
    """Return the users.csv rows of one OneRoster role (1.1: its `role`; 1.2: roles.csv)."""
    if "roles.csv" in files:
        ids = {r["userSourcedId"] for r in files["roles.csv"].rows if r["role"] == role}
        return [r for r in files["users.csv"].rows if r["sourcedId"] in ids]
    return [r for r in files["users.csv"].rows if r.get("role") == role]


def csv_bytes(
    table: Table, *, bom: bool = False, crlf: bool = False, encoding: str = "utf-8"
) -> bytes:
    """Return a table as a CSV file's bytes (quoted only where needed, as SIS exports do)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n" if crlf else "\n")
    writer.writerow(table.header)
    writer.writerows([row.get(column, "") for column in table.header] for row in table.rows)
    data = out.getvalue().encode(encoding)
    return b"\xef\xbb\xbf" + data if bom else data


def _encoded(
    files: Files, bom: bool, crlf: bool, windows_1252: Collection[str]
) -> Iterable[tuple[str, bytes]]:
    for name, table in files.items():
        encoding = "cp1252" if name in windows_1252 else "utf-8"
        yield name, csv_bytes(table, bom=bom, crlf=crlf, encoding=encoding)


def zip_bytes(
    files: Files,
    *,
    bom: bool = False,
    crlf: bool = False,
    windows_1252: Collection[str] = (),
    folder: str = "",
    extra: dict[str, bytes] | None = None,
) -> bytes:
    """Return a zip of the file set (in `folder` inside it, if given); `extra`: raw entries."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in _encoded(files, bom, crlf, windows_1252):
            archive.writestr(f"{folder}/{name}" if folder else name, data)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


def write_zip(files: Files, path: Path, **quirks: object) -> Path:
    """Write the file set as a zip at `path` (quirks as `zip_bytes` takes them)."""
    path.write_bytes(zip_bytes(files, **quirks))  # type: ignore[arg-type]
    return path


def write_folder(
    files: Files,
    folder: Path,
    *,
    bom: bool = False,
    crlf: bool = False,
    windows_1252: Collection[str] = (),
) -> Path:
    """Write the file set as CSV files in a folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in _encoded(files, bom, crlf, windows_1252):
        (folder / name).write_bytes(data)
    return folder


def flat(*, seed: int = 15, students: int = 60, sections: int = 8) -> Table:
    """Build a flat CSV: students in sections (a teacher and room each), one row per meeting.

    The last section is a homeroom (no period); the lab meets on "A" and "B" day types.
    """
    rng = random.Random(seed)
    names = _Names(rng, commas=False)
    table = Table(list(FLAT_COLUMNS))
    teachers = []
    for _ in range(sections):
        first, last = names.person()
        teachers.append((first, last, names.login(first, last, "lincoln.example.org")))
    roster = []
    for n in range(students):
        first, last = names.person()
        number = str(2001 + n)
        email = names.login(first, last, "students.lincoln.example.org") if n % 5 else ""
        roster.append((number, first, last, str(9 + n % 4), email))
    for index, (first_t, last_t, teacher) in enumerate(teachers):
        short = SUBJECTS[index % len(SUBJECTS)][1]
        homeroom = index == sections - 1
        section = f"Homeroom {index + 1}" if homeroom else f"{short}-{index + 1:02d}"
        room = f"Room {201 + index}"
        members = roster if homeroom else rng.sample(roster, k=students // 3)
        for number, first, last, grade, email in members:
            meetings = [("", "")] if homeroom else [(str(index % 7 + 1), "")]
            if short == "CHEM":
                meetings = [(str(index % 7 + 1), "A"), (str(index % 7 + 2), "B")]
            for period, day_type in meetings:
                table.add(
                    student_number=number, first_name=first, last_name=last, grade=grade,
                    email=email, section=section, period=period, room=room,
                    teacher_email=teacher, day_type=day_type,
                    teacher_first_name=first_t if index % 2 else "",
                    teacher_last_name=last_t if index % 2 else "",
                    homeroom="true" if homeroom else "",
                )  # fmt: skip
    return table


def district(
    path: Path,
    users: int = 20_000,
    sections: int = 1_000,
    enrollments: int = 100_000,
    seed: int = 15,
    *,
    version: str = "1.1",
) -> Path:
    """Write a big district's OneRoster zip at `path`, fast (for benchmarks).

    One teacher per section, a few administrators and aides, the rest students; each section
    has its teacher, and students fill the remaining enrollments one period at a time.
    """
    rng = random.Random(seed)
    schools = [(f"org-sch-{n + 1}", f"{name}") for n, (name, _) in enumerate(SCHOOLS)]
    admins = max(1, users // 1000)
    teachers = sections
    students = users - teachers - admins
    if students <= 0 or enrollments < sections:
        raise ValueError("too few users or enrollments for that many sections")
    headers = HEADERS[version]
    out: dict[str, io.StringIO] = {}
    writers = {}
    for name in (*headers, "manifest.csv"):
        out[name] = io.StringIO()
        writers[name] = csv.writer(out[name], lineterminator="\n")
    writers["manifest.csv"].writerows(
        [
            ("propertyName", "value"),
            ("manifest.version", "1.0"),
            ("oneroster.version", version),
            *((f"file.{n.removesuffix('.csv')}", "bulk") for n in headers),
        ]
    )
    for name, header in headers.items():
        writers[name].writerow(header)

    def write(file: str, /, **cells: str) -> None:
        writers[file].writerow([cells.get(column, "") for column in headers[file]])

    write("orgs.csv", sourcedId=DISTRICT_ID, name="Maple Valley Unified", type="district")
    for school_id, name in schools:
        write(
            "orgs.csv", sourcedId=school_id, name=name, type="school", parentSourcedId=DISTRICT_ID
        )
    for sourced_id, title, kind, starts, ends, parent in TERMS:
        write(
            "academicSessions.csv", sourcedId=sourced_id, title=title, type=kind,
            startDate=starts, endDate=ends, parentSourcedId=parent, schoolYear="2026",
        )  # fmt: skip
    for index, (title, short, subject) in enumerate(SUBJECTS):
        for school_id, _ in schools:
            write(
                "courses.csv", sourcedId=f"crs-{school_id}-{index}", title=title,
                courseCode=short, orgSourcedId=school_id, subjects=subject,
            )  # fmt: skip

    def person(sourced_id: str, role: str, school_id: str, grade: str, number: str) -> None:
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        login = f"{sourced_id}@mvu.k12.us"
        cells = {
            "sourcedId": sourced_id, "enabledUser": "true", "username": login,
            "givenName": first, "familyName": last, "identifier": number, "email": login,
            "grades": grade,
        }  # fmt: skip
        if version == "1.2":
            write(
                "roles.csv", sourcedId=f"rol-{sourced_id}", userSourcedId=sourced_id,
                roleType="primary", role=role, orgSourcedId=school_id,
            )  # fmt: skip
        else:
            cells.update(role=role, orgSourcedIds=school_id)
        write("users.csv", **cells)

    school_of = [schools[n % len(schools)][0] for n in range(max(students, sections))]
    for n in range(admins):
        person(f"adm-{n + 1:05d}", "administrator", school_of[n], "", "")
    for n in range(teachers):
        person(f"tch-{n + 1:05d}", "teacher", school_of[n], "", "")
    for n in range(students):
        grade = f"{9 + n % 4:02d}"
        person(f"stu-{n + 1:06d}", "student", school_of[n], grade, str(300000 + n))
    per_school: dict[str, list[str]] = {school_id: [] for school_id, _ in schools}
    for n in range(sections):
        school_id = school_of[n]
        class_id = f"cls-{n + 1:05d}"
        per_school[school_id].append(class_id)
        title, short, subject = SUBJECTS[n % len(SUBJECTS)]
        write(
            "classes.csv", sourcedId=class_id, title=title, courseSourcedId=
            f"crs-{school_id}-{n % len(SUBJECTS)}", classCode=f"{short}-{n + 1:04d}",
            classType="scheduled", location=f"Room {100 + n % 400}", schoolSourcedId=school_id,
            termSourcedIds="term-fall,term-spring", subjects=subject,
            periods=PERIODS[n % len(PERIODS)],
        )  # fmt: skip
        write(
            "enrollments.csv", sourcedId=f"enr-{class_id}-t", classSourcedId=class_id,
            schoolSourcedId=school_id, userSourcedId=f"tch-{n + 1:05d}", role="teacher",
            primary="true", beginDate="2025-08-18",
        )  # fmt: skip
    for k in range(enrollments - sections):
        n, slot = k % students, k // students
        school_id = school_of[n]
        classes = per_school[school_id]
        step = max(1, len(classes) // (enrollments // students + 2))
        class_id = classes[(n // len(schools) + slot * step) % len(classes)]
        write(
            "enrollments.csv", sourcedId=f"enr-{class_id}-{n + 1}-{slot}",
            classSourcedId=class_id, schoolSourcedId=school_id,
            userSourcedId=f"stu-{n + 1:06d}", role="student", primary="false",
        )  # fmt: skip
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, text in out.items():
            archive.writestr(name, text.getvalue())
    return path
