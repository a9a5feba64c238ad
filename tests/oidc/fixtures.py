"""The `oidc_provider` fixture: a real OpenID Provider on 127.0.0.1 (tests/oidc/provider.mjs).

It runs the certified npm package `oidc-provider` (pwa/package.json devDependencies, installed
by `npm --prefix pwa ci`) under node. Without node or the package the tests that use it skip,
saying why, except under CI=true, where they fail.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "provider.mjs"
NODE_MODULES = HERE.parent.parent / "pwa" / "node_modules"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
START_SECONDS = 20.0


def missing_reason() -> str | None:
    """Say why the local OpenID Provider can't run here, or None when it can."""
    if shutil.which("node") is None:
        return "node is not installed (the local OpenID Provider runs on it)"
    if not (NODE_MODULES / "oidc-provider" / "package.json").is_file():
        return "the npm package oidc-provider is not installed: run `npm --prefix pwa ci`"
    return None


class OidcProvider:
    """A running local OpenID Provider: its issuer, and the controls a test needs."""

    def __init__(self, process: subprocess.Popen[str], issuer: str) -> None:
        self.process = process
        self.issuer = issuer
        self.output: list[str] = []
        # Drain its output so a chatty provider never blocks on a full pipe.
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    def _drain(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)

    def _control(self, path: str, body: dict[str, Any]) -> None:
        response = httpx.post(f"{self.issuer}{path}", json=body, timeout=10)
        if response.status_code != 200:
            raise AssertionError(f"the test provider refused {path}: {response.text}")

    def add_client(
        self,
        client_id: str,
        client_secret: str,
        redirect_uris: list[str],
        **metadata: Any,
    ) -> None:
        """Register a confidential client (authorization code flow; PKCE is always required)."""
        body = {
            "client_id": client_id,
            "client_secret": client_secret,
            "redirect_uris": redirect_uris,
            **metadata,
        }
        self._control("/test/clients", body)

    def add_account(
        self,
        sub: str,
        email: str | None = None,
        *,
        email_verified: bool | None = True,
        password: str | None = None,
        **claims: Any,
    ) -> None:
        """Add an account that can sign in (by its e-mail or sub, and password if given)."""
        body: dict[str, Any] = {"sub": sub, **claims}
        if email is not None:
            body["email"] = email
        if email_verified is not None:
            body["email_verified"] = email_verified
        if password is not None:
            body["password"] = password
        self._control("/test/accounts", body)

    def issue_bad_id_tokens(
        self, claims: dict[str, Any] | None = None, *, shift: int = 0, other_key: bool = False
    ) -> None:
        """Make every later ID token re-signed with claims changed, times moved by `shift`
        seconds, or signed with a key the provider does not publish (a forged token)."""
        self._control(
            "/test/id-token",
            {"claims": claims or {}, "shift": shift, "key": "other" if other_key else "same"},
        )

    def issue_good_id_tokens(self) -> None:
        """Stop changing ID tokens."""
        self._control("/test/id-token", {})

    def stop(self) -> None:
        """Stop the provider (a provider that is down); idempotent."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        # The pipe ends with the process: read to its end, then close it.
        self._reader.join(timeout=10)
        if self.process.stdout is not None and not self.process.stdout.closed:
            self.process.stdout.close()


def start_provider(config: dict[str, Any] | None = None) -> OidcProvider:
    """Start a provider with the given clients and accounts, once its discovery answers."""
    process = subprocess.Popen(
        ["node", str(SCRIPT), json.dumps({"port": 0, **(config or {})})],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "OIDC_NODE_MODULES": str(NODE_MODULES)},
    )
    assert process.stdout is not None
    issuer = ""
    deadline = time.monotonic() + START_SECONDS
    lines: list[str] = []
    while not issuer:
        line = process.stdout.readline()
        if not line:
            process.wait()
            process.stdout.close()
            raise RuntimeError("the test OpenID Provider did not start:\n" + "".join(lines))
        lines.append(line)
        if line.startswith("{"):
            issuer = json.loads(line)["issuer"]
    provider = OidcProvider(process, issuer)
    while True:
        try:
            if httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=2).is_success:
                return provider
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            provider.stop()
            raise RuntimeError("the test OpenID Provider never served its discovery document")
        time.sleep(0.05)


@pytest.fixture
def oidc_provider() -> Iterator[OidcProvider]:
    """A real OpenID Provider on 127.0.0.1 for this test; stopped at its end."""
    reason = missing_reason()
    if reason is not None:
        if IN_CI:
            pytest.fail(f"CI=true needs the local OpenID Provider: {reason}")
        pytest.skip(reason)
    provider = start_provider()
    try:
        yield provider
    finally:
        provider.stop()
