"""An outage as the log tells it: one line when it starts and one when it ends.

A dependency that fails (a full disk, Redis restarting) fails every request and every retry
while it is down: a line or a traceback per failure buried the one fact an operator needs, that
it went down and when it came back, under hundreds of lines. An `Outage` logs the first failure
and the first success after it, and counts what happened in between.
"""

from __future__ import annotations

import logging
import time


class Outage:
    """One dependency's health in the log: a WARNING when it is lost, an INFO when it is back."""

    def __init__(self, log: logging.Logger, lost: str, back: str, *, settle: float = 0.0) -> None:
        """`lost` is logged with the first failure's reason (one %s), `back` as it is.

        With `settle`, a success ends the outage only that many seconds after the last
        failure: for a dependency that fails some calls and not others while it is down.
        """
        self.log = log
        self.lost_message = lost
        self.back_message = back
        self.settle = settle
        self.failures = 0
        self._since: float | None = None
        self._last_failure = 0.0

    @property
    def active(self) -> bool:
        """Say whether the dependency is down as far as this process has seen."""
        return self._since is not None

    def lost(self, reason: object) -> bool:
        """Count a failure, logging it only when it starts an outage; say whether it did."""
        self.failures += 1
        self._last_failure = time.monotonic()
        if self._since is not None:
            return False
        self._since = self._last_failure
        self.log.warning(self.lost_message, reason)
        return True

    def back(self) -> bool:
        """End the outage, if there is one, logging it once; say whether there was one."""
        now = time.monotonic()
        if self._since is None or now - self._last_failure < self.settle:
            return False
        took = now - self._since
        self.log.info(
            "%s (after %d failure%s over %.1f s)",
            self.back_message,
            self.failures,
            "" if self.failures == 1 else "s",
            took,
        )
        self._since = None
        self.failures = 0
        return True
