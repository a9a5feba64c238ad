"""What to do after one delivery attempt: done, retry when, shrink, or give up. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from enum import StrEnum


class Next(StrEnum):
    """The delivery's next step."""

    SENT = "sent"
    RETRY = "retry"  # again at `at`
    SHRINK = "shrink"  # again at once, with the smaller payload
    GONE = "gone"  # the push subscription is no more: delete it
    FAILED = "failed"  # give up


@dataclass(frozen=True, slots=True)
class Policy:
    """Retry timing: exponential backoff from `base`, capped, for at most `max_attempts`."""

    base: timedelta = timedelta(seconds=5)
    cap: timedelta = timedelta(minutes=10)
    max_attempts: int = 8
    # A Retry-After longer than this is read as this: a notice hours late is worthless.
    longest_wait: timedelta = timedelta(hours=1)

    def backoff(self, attempts: int) -> timedelta:
        """Return the wait after the `attempts`-th failed try: base, 2x base, ... up to cap."""
        wait: timedelta = self.base * 2 ** max(0, attempts - 1)
        return min(self.cap, wait)


@dataclass(frozen=True, slots=True)
class Step:
    """The decision: what next, and when."""

    next: Next
    at: datetime | None = None


def retry_after(value: str | None, now: datetime) -> timedelta | None:
    """Read a Retry-After header: seconds or an HTTP date (RFC 9110 section 10.2.3)."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return timedelta(seconds=int(value))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(timedelta(0), when - now)


def after_http(
    status: int | None,
    *,
    attempts: int,
    reduced: bool,
    now: datetime,
    policy: Policy,
    retry_after_header: str | None = None,
    push: bool = True,
) -> Step:
    """Decide after an HTTP attempt (push service or webhook); `status` None: no answer.

    `attempts` counts this one.
    """
    if status is not None and 200 <= status < 300:
        return Step(Next.SENT)
    if push and status in (404, 410):
        return Step(Next.GONE)  # RFC 8030 section 7.3: the subscription expired
    if status == 413 and push and not reduced:
        return Step(Next.SHRINK, now)
    if attempts >= policy.max_attempts:
        return Step(Next.FAILED)
    if status == 429:
        wait = retry_after(retry_after_header, now)
        if wait is None:
            wait = policy.backoff(attempts)
        return Step(Next.RETRY, now + min(wait, policy.longest_wait))
    if status is None or status >= 500:
        return Step(Next.RETRY, now + policy.backoff(attempts))
    return Step(Next.FAILED)  # any other 4xx: the request is wrong, and will stay wrong


def after_smtp(code: int | None, *, attempts: int, now: datetime, policy: Policy) -> Step:
    """Decide after an SMTP attempt: 2xx sent, 5xx refused for good, else retry."""
    if code is not None and 200 <= code < 300:
        return Step(Next.SENT)
    if code is not None and code >= 500:
        return Step(Next.FAILED)
    if attempts >= policy.max_attempts:
        return Step(Next.FAILED)
    return Step(Next.RETRY, now + policy.backoff(attempts))
