"""Work a request leaves for after its answer is sent, so it can't change how long the answer takes.

The log row and security's notice of an encounter a group prevented are written this way: a
student's answer must take as long as the ordinary answer it imitates (DESIGN.md invariant 5),
and a write only one of the two paths does would show in the timing. The HTTP app collects the
jobs of each request (server/api/deferred.py) and runs them once the response is sent; outside a
request (the scheduler, a test calling a service) `later` runs the job at once.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

log = logging.getLogger("hallpass.deferred")

Job = Callable[[], Awaitable[None]]

_jobs: ContextVar[list[Job] | None] = ContextVar("hallpass_after_response", default=None)


async def later(job: Job) -> None:
    """Run `job` after the current request's response is sent, or now outside a request."""
    jobs = _jobs.get()
    if jobs is None:
        await run(job)
    else:
        jobs.append(job)


async def run(job: Job) -> None:
    """Run one job; a failure is logged (the answer it follows has been given already)."""
    try:
        await job()
    except Exception:
        log.exception("deferred job %r failed", job)


@contextmanager
def collecting() -> Iterator[list[Job]]:
    """Collect the jobs `later` is given inside the block (one request), to run after it."""
    jobs: list[Job] = []
    token = _jobs.set(jobs)
    try:
        yield jobs
    finally:
        _jobs.reset(token)
