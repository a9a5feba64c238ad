"""Device cookies: someone else's failures never keep a login's owner out of their own device.

Every test is real HTTP through the app. The owner and the attacker share one address (a
school's NAT), so nothing but the device cookie tells them apart. The limits' clock is moved
by hand (`limits_clock`); the device cookie's age by the server's clock.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from http.cookies import Morsel, SimpleCookie

import httpx
import pytest
from starlette.applications import Starlette

from server import clock
from server.auth import devices
from server.auth.ratelimit import LOGIN_FREE_FAILURES, LOGIN_MAX_HOLD_SECONDS
from tests.conftest import FakeClock
from tests.test_auth import from_address

NAT = "203.0.113.7"  # the whole school, owner and attacker alike
TEACHER = "teacher1@demo.school"


def set_cookies(response: httpx.Response) -> dict[str, Morsel[str]]:
    """Return the cookies a response sets, with their attributes."""
    jar: SimpleCookie = SimpleCookie()
    for header in response.headers.get_list("set-cookie"):
        jar.load(header)
    return dict(jar)


async def sign_in(
    client: httpx.AsyncClient, login: str, password: str = "demo", device: str | None = None
) -> httpx.Response:
    """POST /api/session, presenting a device cookie when given one."""
    headers = {} if device is None else {"Cookie": f"{devices.COOKIE_NAME}={device}"}
    return await client.post(
        "/api/session", json={"login": login, "password": password}, headers=headers
    )


async def device_cookie(client: httpx.AsyncClient, login: str, device: str | None = None) -> str:
    """Sign in with the right password and return the device cookie the server sets."""
    response = await sign_in(client, login, device=device)
    assert response.status_code == 200, response.text
    return set_cookies(response)[devices.COOKIE_NAME].value


async def hold(client: httpx.AsyncClient, login: str) -> None:
    """Fail on a login until it is held for clients without a device cookie."""
    for _ in range(LOGIN_FREE_FAILURES):
        assert (await sign_in(client, login, "guess")).status_code == 401
    assert (await sign_in(client, login)).status_code == 429


async def test_the_owners_device_signs_in_every_time_while_an_attacker_holds_the_login(
    app: Starlette, limits_clock: FakeClock
) -> None:
    async with (
        await from_address(app, NAT) as owner,
        await from_address(app, NAT) as attacker,
    ):
        cookie = await device_cookie(owner, TEACHER)  # signed in on their laptop yesterday
        for _ in range(LOGIN_FREE_FAILURES):
            assert (await sign_in(attacker, TEACHER, "guess")).status_code == 401
        holds = []
        for _ in range(8):  # past the longest hold, three times over
            held = await sign_in(attacker, TEACHER)  # even the right password, without cookie
            assert held.status_code == 429
            holds.append(int(held.headers["retry-after"]))
            signed_in = await sign_in(owner, TEACHER, device=cookie)
            assert signed_in.status_code == 200, signed_in.text
            cookie = set_cookies(signed_in)[devices.COOKIE_NAME].value
            # The owner's sign-in does not lift the hold for everyone else.
            assert (await sign_in(attacker, TEACHER)).status_code == 429
            limits_clock.now += holds[-1]  # the hold ends; the attacker fails again at once
            assert (await sign_in(attacker, TEACHER, "guess")).status_code == 401
        assert holds == [15, 30, 60, 120, 240, 300, 300, LOGIN_MAX_HOLD_SECONDS]


def forged(cookie: str) -> str:
    """A well-formed entry for the right login, signed with another key."""
    return devices.renewed(None, TEACHER, "not-the-servers-secret", clock.utcnow())


def tampered(cookie: str) -> str:
    """The real entry, one character of its MAC changed."""
    nonce, issued, mac = cookie.split(".")
    return f"{nonce}.{issued}.{mac[:-1]}{'A' if mac[-1] != 'A' else 'B'}"


def backdated(cookie: str) -> str:
    """The real entry with its issue time moved back (so it would seem fresher or older)."""
    nonce, issued, mac = cookie.split(".")
    return f"{nonce}.{int(issued) - 1}.{mac}"


def expired(cookie: str) -> str:
    """The real entry, presented a year and a day after it was issued."""
    clock.advance(devices.LIFETIME + timedelta(days=1))
    return cookie


@pytest.mark.parametrize("spoil", [forged, tampered, backdated, expired])
async def test_a_spoiled_device_cookie_gives_no_way_past_the_hold(
    app: Starlette, spoil: Callable[[str], str]
) -> None:
    async with (
        await from_address(app, NAT) as owner,
        await from_address(app, NAT) as attacker,
    ):
        cookie = await device_cookie(owner, TEACHER)
        await hold(attacker, TEACHER)
        refused = await sign_in(attacker, TEACHER, device=spoil(cookie))
        assert refused.status_code == 429
        assert refused.json()["error"]["code"] == "rate_limited"


async def test_a_device_cookie_for_another_login_gives_no_way_past_its_hold(
    app: Starlette,
) -> None:
    async with await from_address(app, NAT) as student:
        own = await device_cookie(student, "1003")  # a real cookie, for their own login
        await hold(student, TEACHER)
        assert (await sign_in(student, TEACHER, device=own)).status_code == 429
        assert (await sign_in(student, "1003", device=own)).status_code == 200


async def test_failures_with_a_device_cookie_hold_that_device_with_the_same_backoff(
    app: Starlette, limits_clock: FakeClock
) -> None:
    """A stolen laptop can't guess forever, and its failures don't hold anyone else."""
    async with (
        await from_address(app, NAT) as thief,
        await from_address(app, NAT) as elsewhere,
    ):
        cookie = await device_cookie(thief, TEACHER)
        for _ in range(LOGIN_FREE_FAILURES):
            assert (await sign_in(thief, TEACHER, "guess", device=cookie)).status_code == 401
        held = await sign_in(thief, TEACHER, device=cookie)
        assert held.status_code == 429
        assert held.headers["retry-after"] == "15"
        assert (await sign_in(elsewhere, TEACHER)).status_code == 200  # the login: not held
        waits = []
        for _ in range(6):  # failing as fast as the holds allow: each one twice the last
            limits_clock.now += int(held.headers["retry-after"])
            guess = await sign_in(thief, TEACHER, "guess", device=cookie)
            assert guess.status_code == 401
            held = await sign_in(thief, TEACHER, device=cookie)
            assert held.status_code == 429
            waits.append(int(held.headers["retry-after"]))
        assert waits == [30, 60, 120, 240, 300, 300]


async def test_the_device_cookie_is_httponly_secure_strict_scoped_to_sign_in_and_kept_a_year(
    client: httpx.AsyncClient,
) -> None:
    signed_in = await sign_in(client, TEACHER)
    cookie = set_cookies(signed_in)[devices.COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["secure"] is True
    assert cookie["samesite"].lower() == "strict"
    assert cookie["path"] == "/api/session"
    assert cookie["max-age"] == str(365 * 24 * 3600)
    # A nonce, a time and a MAC: neither the login nor the password.
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}\.[0-9]+\.[A-Za-z0-9_-]{22}", cookie.value)
    token = signed_in.json()["token"]
    out = await client.delete("/api/session", headers={"Authorization": f"Bearer {token}"})
    assert devices.COOKIE_NAME not in set_cookies(out)  # signing out keeps the device trusted


async def test_a_shared_chromebook_keeps_an_entry_for_each_of_its_newest_logins(
    app: Starlette,
) -> None:
    students = [str(1001 + n) for n in range(devices.MAX_ENTRIES + 1)]
    async with (
        await from_address(app, NAT) as chromebook,
        await from_address(app, NAT) as attacker,
    ):
        cookie: str | None = None
        for student in students:  # one class after another on the same cart Chromebook
            cookie = await device_cookie(chromebook, student, device=cookie)
        for student in (students[0], students[1], students[-1]):
            await hold(attacker, student)
        assert (await sign_in(chromebook, students[-1], device=cookie)).status_code == 200
        assert (await sign_in(chromebook, students[1], device=cookie)).status_code == 200
        # The oldest entry fell off: that student is an untrusted client here again.
        assert (await sign_in(chromebook, students[0], device=cookie)).status_code == 429
