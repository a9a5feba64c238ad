"""What a notification carries to a device: what it needs to show and open, nothing more."""

from __future__ import annotations

from typing import Any

from server.notify.routing import Notice

# The full payload's keys (a test pins them: nothing else may leak onto a lock screen).
KEYS = ("title", "body", "category", "pass_id", "url", "tag")
# After a 413 the push service gets only these: the app fetches the rest when opened.
SMALL_KEYS = ("title", "pass_id", "url", "tag")


def notice_payload(notice: Notice) -> dict[str, Any]:
    """Return the JSON a push (or an email) of one notice carries."""
    return {
        "title": notice.title,
        "body": notice.body,
        "category": str(notice.category),
        "pass_id": notice.pass_id,
        "url": notice.url or (f"/passes/{notice.pass_id}" if notice.pass_id else "/"),
        # The service worker's notification tag: a newer notice of a pass replaces the older.
        "tag": notice.topic,
    }


def smaller(payload: dict[str, Any]) -> dict[str, Any]:
    """Return the payload cut to what a notification can't do without."""
    return {key: payload.get(key) for key in SMALL_KEYS}
