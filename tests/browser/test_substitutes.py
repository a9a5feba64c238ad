"""A substitute for the day, end to end: the teacher grants their room and classes on their
screen, the substitute signs in with the code on a Chromebook and approves a student's request,
and the pass's history names them as the substitute.

A module of its own: it makes today a school day whose one period runs all day (the browser's
server keeps real time), which other modules must not see.
"""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.browser.api import api, ask, pass_of
from tests.browser.conftest import CHROMEBOOK, LiveServer, OpenContext, sign_in

ADMIN = "admin@demo.school"
TEACHER = "teacher1@demo.school"  # Marcus Reyes, Room 101


def make_today_a_school_day_all_day(server: LiveServer) -> None:
    """Add a day type whose one period runs 00:00-23:59 and make today follow it."""
    today = api(server, ADMIN, "GET", "/api/schedule/today")["date"]
    schedule: dict[str, Any] = api(server, ADMIN, "GET", "/api/schedule")
    all_day = {"periods": [{"name": "All day", "start": "00:00", "end": "23:59"}]}
    overrides = [o for o in schedule["overrides"] if o["date"] != today]
    body = {
        "day_types": {**schedule["day_types"], "allday": all_day},
        "weekdays": schedule["weekdays"],
        "overrides": [*overrides, {"date": today, "day_type": "allday", "note": "test"}],
    }
    api(server, ADMIN, "PUT", "/api/schedule", body)


def test_a_teacher_grants_a_substitute_who_signs_in_with_the_code_and_approves(
    server: LiveServer, new_context: OpenContext
) -> None:
    make_today_a_school_day_all_day(server)
    teacher = new_context(CHROMEBOOK).new_page()
    sign_in(teacher, server.url, TEACHER)
    panel = teacher.get_by_role("region", name="Substitute")
    panel.get_by_label("Substitute's first name").fill("Jordan")
    panel.get_by_label("Substitute's last name").fill("Rivera")
    panel.get_by_role("button", name="Grant access").click()
    code_box = panel.get_by_role("status", name="Substitute code")
    expect(code_box).to_contain_text("Jordan Rivera")
    code = code_box.locator("output").inner_text()
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5}", code), code
    expect(panel.get_by_role("list", name="Substitute grants")).to_contain_text("Jordan Rivera")

    asked = ask(server, "1003", "Nurse")  # Room 101: the origin teacher approves
    assert asked["state"] == "pending"

    substitute = new_context(CHROMEBOOK).new_page()
    substitute.goto(server.url + "/")
    substitute.get_by_role("button", name="I have a substitute code").click()
    substitute.get_by_label("Substitute code").fill(code.lower())
    substitute.get_by_role("button", name="Sign in with code").click()
    substitute.locator("[data-status=live]").wait_for()
    expect(substitute.get_by_text("Substitute for Marcus Reyes · until")).to_be_visible()
    expect(substitute.get_by_role("heading", name="Room 101", exact=True)).to_be_visible()
    requests = substitute.get_by_role("region", name=re.compile(r"^Requests"))
    expect(requests).to_contain_text(asked["student"]["name"])
    requests.get_by_role("button", name="Approve").click()
    expect(requests).to_contain_text("No requests.")
    assert pass_of(server, asked["id"])["state"] == "active"

    history = api(server, TEACHER, "GET", f"/api/passes/{asked['id']}/history")
    assert history[1]["summary"] == "Approved by J. Rivera (substitute for M. Reyes)"

    # The teacher's board shows the pass out, and its History names the substitute.
    out = teacher.get_by_role("region", name=re.compile(r"^Out of class"))
    row = out.locator(f"[data-pass-id='{asked['id']}']")
    disclosure = row.get_by_text("History", exact=False)
    expect(row.get_by_role("list", name=re.compile("History of"))).to_have_count(0)
    disclosure.click()
    entries = row.get_by_role("list", name=f"History of {asked['student']['name']}'s pass")
    expect(entries).to_contain_text("Approved by J. Rivera (substitute for M. Reyes)")
    expect(entries.get_by_role("listitem")).to_have_count(len(history))


def test_a_teacher_picks_a_substitute_with_an_account_who_gets_no_code(
    server: LiveServer, new_context: OpenContext
) -> None:
    make_today_a_school_day_all_day(server)
    okafor = {"first_name": "Dana", "last_name": "Okafor", "role": "substitute"}
    api(
        server,
        ADMIN,
        "POST",
        "/api/users",
        {
            **okafor,
            "login": "okafor@demo.school",
            "password": "demo",
            "email": "okafor@demo.school",
        },
    )
    teacher = new_context(CHROMEBOOK).new_page()
    sign_in(teacher, server.url, TEACHER)
    panel = teacher.get_by_role("region", name="Substitute")
    picker = panel.get_by_label("Substitute with an account")
    picker.select_option(label="Dana Okafor (okafor@demo.school)")
    expect(panel.get_by_label("Substitute's first name")).to_have_count(0)
    panel.get_by_role("button", name="Grant access").click()
    expect(panel.get_by_role("list", name="Substitute grants")).to_contain_text("Dana Okafor")
    expect(panel.get_by_role("status", name="Substitute code")).to_have_count(0)
    grants = api(server, TEACHER, "GET", "/api/substitutes")
    made = [g for g in grants if g["substitute"]["name"] == "Dana Okafor"]
    assert [(g["uses_code"], g["substitute_login"]) for g in made] == [
        (False, "okafor@demo.school")
    ]
