"""What follows one attempt, table-driven: sent, retried when, shrunk, gone, or given up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from server.notify.retry import Next, Policy, Step, after_http, after_smtp, retry_after

NOW = datetime(2025, 3, 4, 15, 0, tzinfo=UTC)
POLICY = Policy(base=timedelta(seconds=5), cap=timedelta(seconds=60), max_attempts=5)
S = timedelta(seconds=1)

# (status, attempts so far incl. this one, reduced payload?, Retry-After, push?) -> step
HTTP: list[tuple[int | None, int, bool, str | None, bool, Step]] = [
    (201, 1, False, None, True, Step(Next.SENT)),
    (204, 1, False, None, False, Step(Next.SENT)),  # a webhook's 204
    # The push service forgot the subscription: delete it, never retry.
    (404, 1, False, None, True, Step(Next.GONE)),
    (410, 3, False, None, True, Step(Next.GONE)),
    # A webhook's 404 is a misconfigured URL, not a dead device: final, nothing deleted.
    (404, 1, False, None, False, Step(Next.FAILED)),
    # Too large: once more at once, smaller; too large even then: give up.
    (413, 1, False, None, True, Step(Next.SHRINK, NOW)),
    (413, 2, True, None, True, Step(Next.FAILED)),
    # Too many requests: as long as Retry-After says (seconds, or an HTTP date)...
    (429, 1, False, "120", True, Step(Next.RETRY, NOW + 120 * S)),
    (429, 1, False, "Tue, 04 Mar 2025 15:02:00 GMT", True, Step(Next.RETRY, NOW + 120 * S)),
    # ...at most an hour, and the backoff when it says nothing readable.
    (429, 1, False, "86400", True, Step(Next.RETRY, NOW + 3600 * S)),
    (429, 2, False, "soon", True, Step(Next.RETRY, NOW + 10 * S)),
    # Down or silent: 5 s, 10 s, 20 s, 40 s, capped at 60 s; the fifth failure is the last.
    (500, 1, False, None, True, Step(Next.RETRY, NOW + 5 * S)),
    (503, 2, False, None, True, Step(Next.RETRY, NOW + 10 * S)),
    (None, 3, False, None, True, Step(Next.RETRY, NOW + 20 * S)),
    (502, 4, False, None, False, Step(Next.RETRY, NOW + 40 * S)),
    (500, 5, False, None, True, Step(Next.FAILED)),
    (429, 5, False, "1", True, Step(Next.FAILED)),
    # Any other client error will stay one.
    (400, 1, False, None, True, Step(Next.FAILED)),
    (401, 1, False, None, False, Step(Next.FAILED)),
]


@pytest.mark.parametrize(("status", "attempts", "reduced", "header", "push", "step"), HTTP)
def test_after_an_http_attempt(
    status: int | None, attempts: int, reduced: bool, header: str | None, push: bool, step: Step
) -> None:
    decided = after_http(
        status,
        attempts=attempts,
        reduced=reduced,
        now=NOW,
        policy=POLICY,
        retry_after_header=header,
        push=push,
    )
    assert decided == step


def test_the_backoff_is_capped() -> None:
    assert [POLICY.backoff(n).total_seconds() for n in range(1, 7)] == [5, 10, 20, 40, 60, 60]


@pytest.mark.parametrize(
    ("code", "attempts", "step"),
    [
        (250, 1, Step(Next.SENT)),
        (451, 1, Step(Next.RETRY, NOW + 5 * S)),  # try again later
        (None, 2, Step(Next.RETRY, NOW + 10 * S)),  # no server answered
        (550, 1, Step(Next.FAILED)),  # no such mailbox: for good
        (421, 5, Step(Next.FAILED)),  # out of tries
    ],
)
def test_after_an_smtp_attempt(code: int | None, attempts: int, step: Step) -> None:
    assert after_smtp(code, attempts=attempts, now=NOW, policy=POLICY) == step


def test_a_retry_after_date_in_the_past_means_now() -> None:
    assert retry_after("Mon, 03 Mar 2025 15:00:00 GMT", NOW) == timedelta(0)
    assert retry_after(None, NOW) is None
