"""Take the README's screenshots: every screen of the app at phone and Chromebook sizes.

Run after `npm --prefix pwa run build`:

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--only admin-roster]

It starts `hallpass serve` on a fresh demo school, sets a scene through the API (students out,
one in line, one overdue, requests waiting), and photographs each screen in Debian's Chromium.
It takes about two minutes, most of it waiting for a pass to become overdue for real.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Browser, FilePayload, Page, ViewportSize, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser.conftest import CHROMEBOOK, CHROMIUM, CHROMIUM_ARGS, PHONE  # noqa: E402
from tests.roster import samples  # noqa: E402
from tests.servers import start, stop  # noqa: E402

SIZES: dict[str, ViewportSize] = {"phone": PHONE, "chromebook": CHROMEBOOK}


class Api:
    """A signed-in API client for one demo account."""

    def __init__(self, url: str, login: str) -> None:
        self.http = httpx.Client(base_url=url, timeout=10)
        answer = self.http.post("/api/session", json={"login": login, "password": "demo"})
        answer.raise_for_status()
        self.http.headers["Authorization"] = f"Bearer {answer.json()['token']}"

    def place(self, name: str) -> dict[str, Any]:
        """Return a location by name."""
        places: list[dict[str, Any]] = self.http.get("/api/locations").json()
        return next(p for p in places if p["name"] == name)

    def post(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """POST and return the JSON answer, failing loudly on an error."""
        answer = self.http.post(path, json=body or {})
        answer.raise_for_status()
        result: dict[str, Any] = answer.json()
        return result

    def patch(self, path: str, body: dict[str, Any]) -> None:
        """PATCH, failing loudly on an error."""
        self.http.patch(path, json=body).raise_for_status()

    def put(self, path: str, body: dict[str, Any]) -> None:
        """PUT, failing loudly on an error."""
        self.http.put(path, json=body).raise_for_status()

    def student(self, login: str) -> int:
        """Return a student's user id by login."""
        hits: list[dict[str, Any]] = self.http.get("/api/students", params={"q": login}).json()
        return int(next(h for h in hits if h["login"] == login)["id"])


def set_scene(url: str) -> None:
    """Put the demo school in a busy moment of a school day."""
    admin = Api(url, "admin@demo.school")
    office = admin.place("Main Office")
    # A one-minute pass that nobody ends: overdue by the time the screens are taken.
    admin.patch(f"/api/locations/{office['id']}", {"default_minutes": 1})
    Api(url, "1018").post("/api/passes", {"destination_id": office["id"]})
    admin.patch(f"/api/locations/{office['id']}", {"default_minutes": office["default_minutes"]})

    north = admin.place("Restroom North")
    for login in ("1004", "1005", "1006"):  # two out, the third in line
        Api(url, login).post("/api/passes", {"destination_id": north["id"]})
    library = admin.place("Library")
    Api(url, "1003").post("/api/passes", {"destination_id": library["id"]})
    nurse = admin.place("Nurse")
    Api(url, "1008").post("/api/passes", {"destination_id": nurse["id"]})
    arrived = Api(url, "1019").post("/api/passes", {"destination_id": nurse["id"]})
    teacher2 = Api(url, "teacher2@demo.school")
    teacher2.post(f"/api/passes/{arrived['id']}/approve")
    Api(url, "nurse@demo.school").post(f"/api/passes/{arrived['id']}/arrive")
    counselor = admin.place("Counselor")
    Api(url, "1017").post("/api/passes", {"destination_id": counselor["id"]})
    done = Api(url, "1010")
    back = done.post("/api/passes", {"destination_id": library["id"]})  # one pass, back already
    done.post(f"/api/passes/{back['id']}/end")
    set_policies(admin)


def set_policies(admin: Api) -> None:
    """Overrides for the Policies tab, none of which holds a pass another screen shows."""
    admin.put("/api/policies/school", {"rules": {"passes_per_day": 6, "passes_per_week": 20}})
    admin.put("/api/policies/grade/9", {"rules": {"passes_per_day": 4}})
    for login in ("1025", "1026"):
        admin.patch(f"/api/users/{admin.student(login)}", {"groups": ["Study skills"]})
    admin.put("/api/policies/group/Study%20skills", {"rules": {"cooldown_minutes": 15}})
    nurse = admin.place("Nurse")
    admin.put(f"/api/policies/destination/{nurse['id']}", {"rules": {"exempt": True}})
    admin.put(f"/api/policies/student/{admin.student('1020')}", {"rules": {"accommodation": True}})


def explain_a_student(page: Page) -> None:
    """Ask the Policies tab why one student can or can't go."""
    why = page.get_by_role("region", name="Why?")
    why.get_by_label("Find a student").fill("1025")
    why.get_by_role("list", name="Matching students").get_by_role("button").first.click()
    why.get_by_role("button", name="Explain").click()
    why.get_by_text("Counted passes").wait_for()


def district_zip(*, broken: bool = False) -> bytes:
    """A small district's OneRoster export (three schools); `broken`: with three bad cells."""
    files = samples.oneroster(students_per_school=24, sections_per_school=6)
    for row in files["classes.csv"].rows:
        if row.get("periods") == "HR":
            row["periods"] = ""  # the demo's bells have no homeroom period
    # The terms run around today, whenever the shots are taken, so today's classes meet.
    today = date.today()
    for term in files["academicSessions.csv"].rows:
        term["startDate"] = (today - timedelta(days=100)).isoformat()
        term["endDate"] = (today + timedelta(days=100)).isoformat()
    if broken:
        files["classes.csv"].rows[2]["classType"] = "lecture"
        files["users.csv"].rows[5]["enabledUser"] = "maybe"
        files["enrollments.csv"].rows[4]["role"] = "principal"
    return samples.zip_bytes(files)


def upload_roster(page: Page, data: bytes, org: str | None) -> None:
    """Preview a roster file in the Roster tab (choosing the school's org when asked)."""
    file: FilePayload = {
        "name": "district-2026-03.zip",
        "mimeType": "application/zip",
        "buffer": data,
    }
    page.get_by_label("Roster file").set_input_files(file)
    page.get_by_role("button", name="Preview changes").click()
    if org is not None:
        page.get_by_label("Which school of the file is this one?").select_option(org)
        page.get_by_role("button", name="Preview changes").click()
    page.locator(".roster-result h3").wait_for()


def import_roster(url: str) -> None:
    """Make today a regular school day and import Lincoln High's part of the district file."""
    admin = Api(url, "admin@demo.school")
    today = admin.http.get("/api/schedule/today").json()["date"]
    schedule = admin.http.get("/api/schedule").json()
    overrides = [*schedule["overrides"], {"date": today, "day_type": "regular", "note": ""}]
    admin.put(
        "/api/schedule",
        {
            "day_types": schedule["day_types"],
            "weekdays": schedule["weekdays"],
            "overrides": overrides,
        },
    )
    query = {"org": "org-lhs", "filename": "district-2026-03.zip"}
    headers = {"Content-Type": "application/zip"}
    body = district_zip()
    preview = admin.http.post(
        "/api/roster/imports", params={**query, "dry_run": "true"}, content=body, headers=headers
    )
    preview.raise_for_status()
    applied = admin.http.post(
        "/api/roster/imports",
        params={**query, "expect_plan": preview.json()["plan"]},
        content=body,
        headers=headers,
    )
    applied.raise_for_status()


def sections_and_a_day(page: Page) -> None:
    """Sections meeting in period 2, one's roster, and one of its students' day."""
    page.get_by_label("Period", exact=True).select_option("Period 2")
    page.locator(".sections button").first.click()
    first = page.locator(".roster-of tbody th").first.inner_text()
    page.get_by_label("Find a student").fill(first)
    page.get_by_role("list", name="Matching students").get_by_role("button").first.click()
    page.locator(".student-day").wait_for()


@dataclass
class Shot:
    """One screen: who is signed in, where they go, what to do there first."""

    name: str
    login: str | None
    path: str = "/"
    before: Callable[[Page], None] = field(default=lambda page: None)
    # A part of a long page the Chromebook's one screen shows (the phone's shows it all).
    scroll_to: str = ""


SHOTS = [
    Shot("sign-in", None),
    Shot("student-out", "1003"),
    Shot("student-in-line", "1006"),
    Shot(
        "student-choosing", "1010", before=lambda p: p.get_by_role("button", name="Library").click()
    ),
    Shot("teacher", "teacher1@demo.school"),
    Shot("nurse", "nurse@demo.school"),
    Shot("counselor", "counselor@demo.school"),
    Shot("monitor", "monitor@demo.school"),
    Shot("admin-hallway", "admin@demo.school"),
    Shot("admin-places", "admin@demo.school", "/admin/places"),
    Shot("admin-school", "admin@demo.school", "/admin/school"),
    Shot("admin-policies", "admin@demo.school", "/admin/policies", before=explain_a_student),
    Shot("admin-schedule", "admin@demo.school", "/admin/schedule"),
    Shot("admin-encounters", "admin@demo.school", "/admin/encounters"),
    Shot("admin-users", "admin@demo.school", "/admin/users"),
    Shot("kiosk", "kiosk101@demo.school"),
]
# The Roster tab: a district file's preview, then (once a file is applied) a bad file's errors,
# and the sections of a period with a roster and a student's day.
ROSTER_PREVIEW = Shot(
    "admin-roster-preview",
    "admin@demo.school",
    "/admin/roster",
    before=lambda page: upload_roster(page, district_zip(), "org-lhs"),
)
ROSTER_SHOTS = [
    Shot(
        "admin-roster-errors",
        "admin@demo.school",
        "/admin/roster",
        before=lambda page: upload_roster(page, district_zip(broken=True), None),
    ),
    Shot(
        "admin-roster-sections",
        "admin@demo.school",
        "/admin/roster",
        before=sections_and_a_day,
        scroll_to="#sections-title",
    ),
]
# Taken after a lockdown starts (start_lockdown), every screen being the emergency screen.
EMERGENCY_SHOTS = [
    Shot("emergency-staff", "teacher1@demo.school"),
    Shot("emergency-student", "1003"),
]


def start_lockdown(url: str) -> None:
    """Start a lockdown as the hall monitor; one student on the roster says they are safe."""
    Api(url, "monitor@demo.school").post("/api/emergency", {"kind": "lockdown"})
    room = Api(url, "admin@demo.school").place("Room 102")
    Api(url, "1004").post("/api/emergency/report", {"status": "safe", "location_id": room["id"]})


def photograph(browser: Browser, url: str, shot: Shot, out: Path) -> None:
    """Sign in as the shot's user and save the screen at each size."""
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(url + "/")
    if shot.login is not None:
        page.get_by_label("Student number or e-mail").fill(shot.login)
        page.get_by_label("Password").fill("demo")
        page.get_by_role("button", name="Sign in").click()
        page.locator("[data-status=live]").wait_for()
        if shot.path != "/":
            page.goto(url + shot.path)
            page.locator("[data-status=live]").wait_for()
        page.locator(".loading").wait_for(state="detached")
        shot.before(page)
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        page.wait_for_timeout(300)
        page.evaluate("window.scrollTo(0, 0)")
        if shot.scroll_to and size != "phone":
            page.locator(shot.scroll_to).evaluate("element => element.scrollIntoView()")
            page.evaluate("window.scrollBy(0, -80)")  # clear of the sticky header
        page.screenshot(path=str(out / f"{shot.name}-{size}.png"), full_page=size == "phone")
    context.close()


def main() -> None:
    """Start a server, set the scene, and photograph every screen."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--only", default="", help="only the shots whose names start so")
    args = parser.parse_args()
    wanted = [s for s in SHOTS if s.name.startswith(args.only)]
    args.out.mkdir(parents=True, exist_ok=True)
    data_dir = Path(tempfile.mkdtemp(prefix="hallpass-shots-"))
    env = {**os.environ, "HALLPASS_DATA_DIR": str(data_dir)}
    env.pop("HALLPASS_DATABASE_URL", None)
    env.pop("HALLPASS_REDIS_URL", None)
    process, url = start(env, data_dir / "server.log")
    try:
        set_scene(url)
        if wanted:
            time.sleep(65)  # the one-minute pass goes overdue, for real
        with sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            for shot in wanted:
                photograph(browser, url, shot, args.out)
                print(f"{shot.name}: done")
            if ROSTER_PREVIEW.name.startswith(args.only):
                photograph(browser, url, ROSTER_PREVIEW, args.out)
            import_roster(url)
            for shot in ROSTER_SHOTS:
                if shot.name.startswith(args.only):
                    photograph(browser, url, shot, args.out)
                    print(f"{shot.name}: done")
            start_lockdown(url)
            for shot in [s for s in EMERGENCY_SHOTS if s.name.startswith(args.only)]:
                photograph(browser, url, shot, args.out)
                print(f"{shot.name}: done")
            browser.close()
    finally:
        stop(process)
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
