"""The local OpenID Provider the single sign-on tests run against behaves as a real one."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.oidc.fixtures import OidcProvider

REDIRECT = "http://127.0.0.1:8000/api/sso/callback"


def _authorize(
    provider: OidcProvider, http: httpx.Client, **extra: str
) -> tuple[httpx.Response, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    params = {
        "client_id": "hallpass",
        "response_type": "code",
        "scope": "openid email profile",
        "redirect_uri": REDIRECT,
        "state": "s1",
        "nonce": "n1",
        "code_challenge": challenge.decode(),
        "code_challenge_method": "S256",
        **extra,
    }
    return http.get(f"{provider.issuer}/auth", params=params), verifier


def _follow_to_callback(http: httpx.Client, response: httpx.Response) -> dict[str, list[str]]:
    while response.is_redirect:
        location = response.headers["location"]
        if location.startswith(REDIRECT):
            return parse_qs(urlsplit(location).query)
        response = http.get(httpx.URL(str(response.url)).join(location))
    raise AssertionError(f"no redirect to the client: {response.status_code} {response.text[:300]}")


def test_the_login_form_signs_an_account_in_and_its_id_token_carries_email_and_nonce(
    oidc_provider: OidcProvider,
) -> None:
    oidc_provider.add_client("hallpass", "secret", [REDIRECT])
    oidc_provider.add_account("s-1", "Ada@Example.org", sourcedId="SRC-1", password="pw")
    with httpx.Client(follow_redirects=False) as http:
        response, verifier = _authorize(oidc_provider, http)
        form = http.get(httpx.URL(str(response.url)).join(response.headers["location"]))
        assert 'name="login"' in form.text
        action = form.text.split('action="')[1].split('"')[0]
        posted = http.post(
            httpx.URL(str(form.url)).join(action),
            data={"login": "ada@example.org", "password": "pw"},
        )
        query = _follow_to_callback(http, posted)
        assert query["state"] == ["s1"]
        tokens = http.post(
            f"{oidc_provider.issuer}/token",
            data={
                "grant_type": "authorization_code",
                "code": query["code"][0],
                "redirect_uri": REDIRECT,
                "code_verifier": verifier,
            },
            auth=("hallpass", "secret"),
        ).json()
    payload = tokens["id_token"].split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert claims["email"] == "Ada@Example.org"
    assert claims["email_verified"] is True
    assert claims["sourcedId"] == "SRC-1"
    assert claims["nonce"] == "n1"
    assert claims["aud"] == "hallpass"


def test_an_authorization_without_pkce_is_refused(oidc_provider: OidcProvider) -> None:
    oidc_provider.add_client("hallpass", "secret", [REDIRECT])
    with httpx.Client(follow_redirects=False) as http:
        response = http.get(
            f"{oidc_provider.issuer}/auth",
            params={
                "client_id": "hallpass",
                "response_type": "code",
                "scope": "openid",
                "redirect_uri": REDIRECT,
                "state": "s1",
            },
        )
        query = _follow_to_callback(http, response)
    assert query["error"] == ["invalid_request"]


def test_cancel_on_the_form_returns_access_denied(oidc_provider: OidcProvider) -> None:
    oidc_provider.add_client("hallpass", "secret", [REDIRECT])
    with httpx.Client(follow_redirects=False) as http:
        response, _ = _authorize(oidc_provider, http)
        form = http.get(httpx.URL(str(response.url)).join(response.headers["location"]))
        action = form.text.split('action="')[2].split('"')[0]
        query = _follow_to_callback(http, http.post(httpx.URL(str(form.url)).join(action)))
    assert query["error"] == ["access_denied"]
    assert query["state"] == ["s1"]


def test_a_login_hint_naming_an_account_signs_in_without_the_form(
    oidc_provider: OidcProvider,
) -> None:
    oidc_provider.add_client("hallpass", "secret", [REDIRECT])
    oidc_provider.add_account("t-1", "teacher@example.org")
    with httpx.Client(follow_redirects=False) as http:
        response, _ = _authorize(oidc_provider, http, login_hint="teacher@example.org")
        query = _follow_to_callback(http, response)
    assert "code" in query
