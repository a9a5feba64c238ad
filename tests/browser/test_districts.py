"""A district in the browser: its administrator's screen (the schools, a new school, a school's
report) and a teacher with accounts in two linked schools switching between them.

The district is made the way an IT lead makes one, with `hallpass district ...` on the server's
database; everything else goes through the app. Screenshots (a Chromebook's 1366x768) go to
`$HALLPASS_SCREENSHOTS` when set (to look at them), else to the test's temporary folder.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.api import api, ask
from tests.browser.conftest import CHROMEBOOK, LiveServer, OpenContext, sign_in
from tests.servers import hallpass_command

TEACHER = "teacher1@demo.school"  # Marcus Reyes, Room 101 of Demo High School
IT_LEAD = "it.lead@mvu.k12.us"
DISTRICT = "Maple Valley Unified"


def hallpass(server: LiveServer, *args: str) -> str:
    """Run `hallpass ARGS` on the live server's database; return what it printed."""
    env = {**os.environ, "HALLPASS_DATA_DIR": str(server.data_dir)}
    env.pop("HALLPASS_DATABASE_URL", None)
    done = subprocess.run(
        [*hallpass_command(), *args], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def district_admin_password(server: LiveServer) -> str:
    """Make Demo High School's district and its administrator; return their one-time password."""
    hallpass(server, "district", "create", "--name", DISTRICT, "--slug", "mvu", "--school", "demo")
    printed = hallpass(
        server,
        "district",
        "admin",
        "--district",
        "mvu",
        "--email",
        IT_LEAD,
        "--first",
        "Dana",
        "--last",
        "Cole",
    )
    found = re.search(r"one-time password (\S+)", printed)
    assert found, printed
    return found[1]


def bearer(server: LiveServer, login: str, password: str) -> dict[str, str]:
    """Sign in through the API; return the Authorization header."""
    answer = httpx.post(
        server.url + "/api/session", json={"login": login, "password": password}, timeout=30
    )
    answer.raise_for_status()
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def call(server: LiveServer, headers: dict[str, str], method: str, path: str, body: Any) -> Any:
    """Call the API with a header from `bearer`; return the JSON answer."""
    answer = httpx.request(method, server.url + path, headers=headers, json=body, timeout=30)
    answer.raise_for_status()
    return answer.json()


def screenshot(page: Page, tmp_path: Path, name: str) -> Path:
    """Save a screenshot of the whole page where a person can look at it."""
    folder = Path(os.environ.get("HALLPASS_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def test_a_district_admin_sees_the_schools_creates_one_and_opens_a_report(
    server: LiveServer, new_context: OpenContext, district_admin_password: str, tmp_path: Path
) -> None:
    ask(server, "1003", "Restroom North")  # a pass today, for the report to count
    page = new_context(CHROMEBOOK).new_page()
    page.goto(server.url + "/")
    page.get_by_label("Student number or e-mail").fill(IT_LEAD)
    page.get_by_label("Password").fill(district_admin_password)
    page.get_by_role("button", name="Sign in").click()

    expect(page.locator(".topbar__name")).to_have_text("Dana Cole · District admin")
    schools = page.get_by_role("region", name=f"{DISTRICT}: schools")
    expect(schools.get_by_role("button", name=re.compile("^Demo High School"))).to_be_visible()
    expect(page.get_by_text("Choose a school to see its settings and report.")).to_be_visible()

    new = page.get_by_role("form", name="New school")
    new.get_by_label("Name", exact=True).fill("Riverside Middle School")
    new.get_by_label("Short name (slug)").fill("riverside")
    new.get_by_label("Time zone").fill("America/Chicago")
    new.get_by_role("button", name="Create school").click()
    riverside = schools.get_by_role("button", name=re.compile("^Riverside Middle School"))
    expect(riverside).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("heading", name="Riverside Middle School", level=2)).to_be_visible()
    expect(new.get_by_label("Name", exact=True)).to_have_value("")

    # A school is opened with the keyboard too: its report counts today's pass, names nobody.
    demo = schools.get_by_role("button", name=re.compile("^Demo High School"))
    demo.focus()
    page.keyboard.press("Enter")
    expect(demo).to_have_attribute("aria-pressed", "true")
    report = page.get_by_role("region", name="Report")
    today = report.get_by_role("row", name=re.compile("^Today"))
    expect(today.get_by_role("cell").first).to_have_text(re.compile(r"^[1-9]\d*$"))
    expect(report).to_contain_text("Restroom North")
    expect(report).not_to_contain_text("1003")
    settings = page.get_by_role("region", name="Demo High School")
    expect(settings).to_contain_text("America/Chicago")
    screenshot(page, tmp_path, "district-screen")


def test_a_teacher_of_two_linked_schools_switches_to_the_other_from_the_header(
    server: LiveServer, new_context: OpenContext, district_admin_password: str, tmp_path: Path
) -> None:
    lead = bearer(server, IT_LEAD, district_admin_password)
    oak = call(
        server,
        lead,
        "POST",
        "/api/district/schools",
        {"name": "Oak Grove Elementary", "slug": "oak-grove", "timezone": "America/Chicago"},
    )
    person = {"first_name": "Ada", "last_name": "Park", "email": "ada.park@oakgrove.k12.us"}
    admin = call(server, lead, "POST", f"/api/district/schools/{oak['id']}/admins", person)
    oak_admin = bearer(server, admin["login"], admin["password"])
    reyes = {"first_name": "Marcus", "last_name": "Reyes", "role": "teacher", "password": "demo"}
    call(server, oak_admin, "POST", "/api/users", {**reyes, "login": "mreyes@oakgrove.k12.us"})
    hallpass(
        server,
        "district",
        "link",
        "--district",
        "mvu",
        f"{TEACHER}@demo",
        "mreyes@oakgrove.k12.us@oak-grove",
    )
    assert api(server, TEACHER, "GET", "/api/me")["school"]["name"] == "Demo High School"

    page = new_context(CHROMEBOOK).new_page()
    sign_in(page, server.url, TEACHER)
    expect(page.locator(".topbar__school")).to_have_text("Demo High School")
    switcher = page.get_by_label("Switch school")
    expect(switcher).to_be_visible()
    switcher.focus()
    expect(switcher).to_be_focused()
    screenshot(page, tmp_path, "school-switcher")
    switcher.select_option(label="Oak Grove Elementary (teacher)")
    expect(page.locator(".topbar__school")).to_have_text("Oak Grove Elementary")
    page.locator("[data-status=live]").wait_for()
    expect(page.locator(".topbar__name")).to_have_text("Marcus Reyes · Teacher")
    # Nothing of the first school stays on screen: Oak Grove has no students yet.
    expect(page.get_by_role("heading", name="Your room")).to_be_visible()
    expect(page.get_by_role("region", name=re.compile("^Class"))).to_contain_text("No students")
    expect(page.get_by_text("Sophia Nguyen")).to_have_count(0)  # a Demo High School student
    assert page.request.get(server.url + "/api/students?limit=200").json() == []
    # And back: the menu now offers the first school.
    back = page.get_by_label("Switch school")
    expect(back.locator("option", has_text="Demo High School (teacher)")).to_have_count(1)
    screenshot(page, tmp_path, "school-switched")
