"""Signing in through the local OpenID Provider, as a browser would: every redirect followed."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from starlette.applications import Starlette

from server.models import Session, SignInAttempt, User
from tests.conftest import Demo
from tests.oidc.fixtures import OidcProvider

# The app answers here in process; https, so that its Secure cookies come back as a browser's.
SITE = "https://127.0.0.1:8000"
REDIRECT_URI = f"{SITE}/api/sso/callback"
ADMIN = "admin@demo.school"
CLIENT_ID = "hallpass-demo"
CLIENT_SECRET = "a-client-secret-of-the-demo-school"


@asynccontextmanager
async def browser(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """A client with a cookie jar that reaches the app in process and the provider on its port."""
    async with httpx.AsyncClient(
        base_url=SITE,
        mounts={SITE: httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))},
        follow_redirects=False,
    ) as http:
        yield http


async def add_provider(
    demo: Demo, oidc_provider: OidcProvider, key: str = "demo-google", **fields: Any
) -> dict[str, Any]:
    """Register Hallpass at the provider and the provider at the demo school (admin API)."""
    oidc_provider.add_client(CLIENT_ID, CLIENT_SECRET, [REDIRECT_URI])
    body = {
        "key": key,
        "kind": "google",
        "label": "Google",
        "issuer": oidc_provider.issuer,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        **fields,
    }
    response = await demo.post(ADMIN, "/api/sso/providers", body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def through_provider(
    http: httpx.AsyncClient, response: httpx.Response, login: str | None, *, cancel: bool = False
) -> httpx.Response:
    """Follow the provider's redirects, fill in its login form (or press Cancel), and return
    the app's answer to the callback."""
    for _ in range(12):
        if response.is_redirect:
            url = response.url.join(response.headers["location"])
            response = await http.get(url)
            if url.path == "/api/sso/callback" and url.port == 8000:
                return response
        elif response.status_code == 200 and "<form" in response.text:
            sign_in, abort = re.findall(r'action="([^"]+)"', response.text)
            if cancel:
                response = await http.post(response.url.join(abort))
            else:
                response = await http.post(
                    response.url.join(sign_in), data={"login": login or "", "password": ""}
                )
        else:
            raise AssertionError(f"unexpected {response.status_code}: {response.text[:300]}")
    raise AssertionError("too many redirects")


async def start(
    http: httpx.AsyncClient,
    key: str = "demo-google",
    school: str | None = "demo",
    return_to: str | None = "/passes/",
) -> httpx.Response:
    """GET /api/sso/{key}/start: the redirect to the provider."""
    params = {k: v for k, v in (("school", school), ("return_to", return_to)) if v is not None}
    return await http.get(f"/api/sso/{key}/start", params=params)


async def sign_in(
    http: httpx.AsyncClient,
    login: str | None,
    *,
    key: str = "demo-google",
    school: str | None = "demo",
    return_to: str | None = "/passes/",
    cancel: bool = False,
) -> httpx.Response:
    """Sign in end to end; return the app's final redirect (to return_to, or /sign-in)."""
    started = await start(http, key, school, return_to)
    assert started.status_code == 302, started.text
    return await through_provider(http, started, login, cancel=cancel)


def problem_of(response: httpx.Response) -> dict[str, list[str]]:
    """Return the query of a redirect to the app's /sign-in page."""
    assert response.status_code == 302, response.text
    location = urlsplit(response.headers["location"])
    assert location.path == "/sign-in", response.headers["location"]
    assert not location.netloc
    return parse_qs(location.query)


async def counts() -> tuple[int, int]:
    """Return how many users and sessions exist (a failure must add neither)."""
    return await User.all().count(), await Session.all().count()


async def last_attempt() -> SignInAttempt:
    """Return the newest sign-in attempt."""
    attempt = await SignInAttempt.all().order_by("-id").first()
    assert attempt is not None
    return attempt
