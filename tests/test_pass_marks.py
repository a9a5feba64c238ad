"""What a hall monitor checks on a student's phone: the live-mark seed and the check code.

The seed is one per school per school-local day; the check code one per pass, the same for
the student and staff. Both are HMACs of the server's secret and must never reveal it.
"""

from __future__ import annotations

import re
from datetime import date

import httpx

from server.auth.pass_marks import CHECK_LETTERS, check_code, check_key, live_mark_seed
from server.enums import Role
from server.models import School, User
from tests.conftest import CHEAP_PASSWORDS, TEST_SECRET, Demo
from tests.test_overtime import go_out
from tests.test_policies import TEACHER, at_local, local

CODE = re.compile(f"^[{CHECK_LETTERS}]{{3}}$")


async def live_mark(demo: Demo, login: str) -> str:
    """Return the live-mark seed of the user's school, as GET /api/me gives it."""
    response = await demo.get(login, "/api/me")
    assert response.status_code == 200, response.text
    seed = response.json()["school"]["live_mark"]
    assert isinstance(seed, str)
    return seed


async def test_the_live_mark_is_the_same_all_day_and_new_the_next_school_day(demo: Demo) -> None:
    # Chicago: 00:05 and 23:55 are one school day, though 23:55 is the next day in UTC.
    at_local(demo, local(4, 0, 5))
    morning = await live_mark(demo, "1003")
    at_local(demo, local(4, 23, 55))
    assert await live_mark(demo, "1003") == morning
    assert await live_mark(demo, TEACHER) == morning  # the monitor's panel draws the same mark
    at_local(demo, local(5, 0, 5))
    assert await live_mark(demo, "1003") != morning
    assert re.fullmatch("[0-9a-f]{16}", morning)


async def test_each_school_has_its_own_live_mark(demo: Demo, client: httpx.AsyncClient) -> None:
    at_local(demo, local(4, 10))
    other = await School.create(name="Bravo Academy", slug="bravo", timezone="America/Chicago")
    await User.create(
        school=other,
        role=Role.STUDENT,
        login="b1",
        first_name="Zed",
        last_name="Bravo",
        password_hash=await CHEAP_PASSWORDS.hash("demo"),
    )
    assert await live_mark(demo, "b1") != await live_mark(demo, "1003")


def test_the_seed_depends_on_the_secret_and_never_contains_it() -> None:
    day = date(2025, 3, 4)
    seed = live_mark_seed(TEST_SECRET, 1, day)
    assert seed == live_mark_seed(TEST_SECRET, 1, day)
    assert seed != live_mark_seed("another-secret", 1, day)
    assert seed != live_mark_seed(TEST_SECRET, 2, day)
    assert TEST_SECRET.encode().hex() not in seed
    assert TEST_SECRET not in seed
    # Not the key check codes are made with either: one purpose's values say nothing of another's.
    assert not check_key(TEST_SECRET).hex().startswith(seed)


async def test_the_check_code_is_the_same_for_the_student_and_staff(demo: Demo) -> None:
    at_local(demo, local(4, 10))
    first = await go_out(demo, "1003")
    second = await go_out(demo, "1004")
    mine = (await demo.get("1003", f"/api/passes/{first}")).json()["check_code"]
    assert CODE.match(mine), mine
    assert (await demo.get(TEACHER, f"/api/passes/{first}")).json()["check_code"] == mine
    listed = (await demo.get(TEACHER, "/api/passes?state=active")).json()
    assert {p["id"]: p["check_code"] for p in listed}[first] == mine
    # Made from the pass id with the server's secret: not from the id alone.
    assert mine == check_code(check_key(TEST_SECRET), first)
    assert mine != check_code(check_key("another-secret"), first)
    other = (await demo.get("1004", f"/api/passes/{second}")).json()["check_code"]
    assert CODE.match(other), other
    # Ending keeps the code: the card and the history say the same three letters.
    ended = (await demo.post("1003", f"/api/passes/{first}/end")).json()
    assert ended["check_code"] == mine


def test_check_codes_spread_over_the_letters() -> None:
    key = check_key(TEST_SECRET)
    codes = {check_code(key, pass_id) for pass_id in range(1, 501)}
    # 23**3 = 12,167 codes: 500 passes in a day share few (a counter would share none, but
    # would be guessable from the id).
    assert len(codes) > 480
    assert all(CODE.match(code) for code in codes)


async def test_signing_in_sets_a_readable_hint_and_signing_out_clears_it(
    client: httpx.AsyncClient,
) -> None:
    signed_in = await client.post("/api/session", json={"login": "1003", "password": "demo"})
    assert signed_in.status_code == 200
    cookies = signed_in.headers.get_list("set-cookie")
    hint = next(c for c in cookies if c.startswith("hallpass_signed_in="))
    session = next(c for c in cookies if c.startswith("hallpass_session="))
    assert hint.startswith("hallpass_signed_in=1;")
    assert "httponly" not in hint.lower()  # the page reads it
    assert "httponly" in session.lower()  # the session itself never is
    assert "samesite=strict" in hint.lower()
    token = signed_in.json()["token"]
    signed_out = await client.delete("/api/session", headers={"Authorization": f"Bearer {token}"})
    assert signed_out.status_code == 204
    cleared = [c for c in signed_out.headers.get_list("set-cookie") if "hallpass_signed_in=" in c]
    assert cleared
    assert all("max-age=0" in c.lower() for c in cleared)


async def test_a_verb_refused_by_state_says_the_state_so_a_replay_can_tell_it_is_done(
    demo: Demo,
) -> None:
    at_local(demo, local(4, 10))
    pass_id = await go_out(demo, "1003")
    # The teacher ended it while the student's "I'm back" waited offline.
    assert (await demo.post(TEACHER, f"/api/passes/{pass_id}/end")).status_code == 200
    again = await demo.post("1003", f"/api/passes/{pass_id}/end")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "invalid_transition"
    assert again.json()["error"]["details"] == {"state": "ended", "arrived": False}
