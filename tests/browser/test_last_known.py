"""The last known state kept on the device: saved within a second of a change, even under a
steady stream of events (a throttle, not a debounce), and at most once a second."""

from __future__ import annotations

import time
from typing import Any

from playwright.sync_api import Page

from tests.browser.api import ask
from tests.browser.conftest import CHROMEBOOK, LiveServer, OpenContext, sign_in

KEY = "hallpass.lastKnown"
# Counts the app's writes of its last known state (set up before the app's own scripts run).
COUNT_SAVES = f"""
const setItem = Storage.prototype.setItem;
window.__saves = 0;
Storage.prototype.setItem = function (key, value) {{
  if (key === "{KEY}") window.__saves += 1;
  return setItem.call(this, key, value);
}};
"""


def saved_pass_ids(page: Page) -> set[int]:
    """Return the ids of the passes in the saved state (none before the first save)."""
    saved: dict[str, Any] | None = page.evaluate(f"JSON.parse(localStorage.getItem('{KEY}'))")
    return {int(p["id"]) for p in saved["passes"]} if saved else set()


def saves(page: Page) -> int:
    """Return how many times the app has written its last known state."""
    count: int = page.evaluate("window.__saves")
    return count


def test_a_steady_stream_of_events_is_saved_once_a_second(
    server: LiveServer, new_context: OpenContext
) -> None:
    page = new_context(CHROMEBOOK).new_page()
    page.add_init_script(COUNT_SAVES)
    page.clock.install()  # the page's timers run on a clock the test holds (flowing until paused)
    sign_in(page, server.url, "teacher1@demo.school")
    deadline = time.monotonic() + 10
    while saves(page) == 0:  # the snapshot is saved a second after it arrives
        assert time.monotonic() < deadline, "the first snapshot was never saved"
        time.sleep(0.1)
    # Python's clock takes seconds where the page's Date.now() is in milliseconds.
    page.clock.pause_at(page.evaluate("Date.now()") / 1000 + 1)
    before = saves(page)

    # A request from a student of Room 101 every 400 ms: each is an event on the teacher's feed.
    asked: list[int] = []
    saved_while_streaming: list[set[int]] = []
    for student in ("1001", "1002", "1003", "1004", "1005"):
        asked.append(int(ask(server, student, "Nurse")["id"]))
        page.locator(f"[data-pass-id='{asked[-1]}']").first.wait_for()
        page.clock.run_for(400)
        saved_while_streaming.append(saved_pass_ids(page))

    # Within a second of the first event (at 1.2 s, three events in), the state is saved, though
    # events never stopped for a second; and in the stream's two seconds, once or twice.
    assert set(asked[:3]) <= saved_while_streaming[2]
    assert 1 <= saves(page) - before <= 2
    # A second after the last event, the last event is saved too.
    page.clock.run_for(1000)
    assert set(asked) <= saved_pass_ids(page)
