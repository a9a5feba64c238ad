"""Schemathesis over every operation, as an admin and as a student: no 5xx, answers as documented.

Each role gets its own `hallpass serve` on a fresh SQLite demo school (what one role changes,
say the admin resetting passwords, never reaches the other's run). Every operation of the
served /openapi.json gets data that fits its schema and data that does not; every answer must
not be a 5xx, and must have a documented status, content type and (for JSON) schema.

EXAMPLES per operation and kind of data keeps the file to about a minute on two cores; the long
run is `HALLPASS_FUZZ_EXAMPLES=300 pytest tests/test_schemathesis.py -s` (README, Testing), which
prints how many requests it sent and what it found. Derandomized: a run is the same every time.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.core.result import Err
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.servers import start, stop

EXAMPLES = int(os.environ.get("HALLPASS_FUZZ_EXAMPLES", "4"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
ADMIN = "admin@demo.school"
STUDENT = "1006"  # Room 101, in no encounter group
PASSWORD = "demo"


@dataclass
class Run:
    """One role's server, its token, and what the run has seen."""

    url: str
    login: str
    token: str
    user_id: int
    seen: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)

    def sign_in(self) -> str:
        """Start another session of the role and return its token."""
        response = httpx.post(
            f"{self.url}/api/session", json={"login": self.login, "password": PASSWORD}
        )
        if response.status_code == 401 and self.login == ADMIN:
            # The run may have reset the admin's own login or password (their session stays).
            restore = {"login": ADMIN, "password": PASSWORD}
            fixed = httpx.patch(
                f"{self.url}/api/users/{self.user_id}", json=restore, headers=self.bearer()
            )
            assert fixed.status_code == 200, fixed.text
            return self.sign_in()
        assert response.status_code == 200, response.text
        return str(response.json()["token"])

    def bearer(self, token: str | None = None) -> dict[str, str]:
        """Return the Authorization header of the run's token (or of the one given)."""
        return {"Authorization": f"Bearer {token or self.token}"}

    def headers_for(self, case: Case[Any]) -> dict[str, str]:
        """Return the case's credentials: signing out spends a session of its own."""
        if (case.method, case.path) == ("DELETE", "/api/session"):
            return self.bearer(self.sign_in())
        return self.bearer()


def serve(tmp: Path, login: str) -> Iterator[Run]:
    """Start a server on a fresh demo school and sign the role in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALLPASS_")}
    env["HALLPASS_DATA_DIR"] = str(tmp)
    # Webhooks the fuzzer saves are delivered by the server's worker: only to this machine.
    env["HALLPASS_WEBHOOK_HOSTS"] = "127.0.0.1"
    process, url = start(env, tmp / "server.log")
    try:
        session = httpx.post(f"{url}/api/session", json={"login": login, "password": PASSWORD})
        assert session.status_code == 200, session.text
        body = session.json()
        yield Run(url, login, body["token"], body["user"]["id"])
    finally:
        stop(process)


@pytest.fixture(params=[ADMIN, STUDENT], ids=["admin", "student"])
def run(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Run]:
    """Serve a fresh demo school and sign in as the role."""
    yield from serve(tmp_path, str(request.param))


def fuzz(run: Run, schema: schemathesis.BaseSchema, mode: GenerationMode) -> None:
    """Send EXAMPLES cases of the mode to every operation, recording each failed check."""
    session = requests.Session()
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            raise result.err()  # the served document fails to describe an operation
        operation = result.ok()

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def send(case: Case[Any]) -> None:
            headers = run.headers_for(case)
            response = case.call(base_url=run.url, headers=headers, session=session)
            run.seen["requests"] += 1
            run.seen["5xx"] += response.status_code >= 500
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except (Failure, FailureGroup) as exc:
                run.seen["violations"] += 1
                run.failures.append(f"{case.method} {case.formatted_path} ({mode}): {exc}")

        with suppress(Unsatisfiable):  # nothing to make invalid: no parameters, no body
            send()


def test_every_operation_answers_as_documented_and_never_5xx(run: Run) -> None:
    schema = schemathesis.openapi.from_url(f"{run.url}/openapi.json")
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        fuzz(run, schema, mode)
    seen = run.seen
    counts = f"{seen['requests']} requests, {seen['5xx']} 5xx, {seen['violations']} failed checks"
    print(f"\n{run.login}: {counts}")
    assert seen["requests"] >= EXAMPLES * len(list(schema.get_all_operations()))
    assert not run.failures, counts + "\n" + "\n\n".join(run.failures)
