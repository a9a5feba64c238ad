"""A school's notification settings, kept in `schools.settings["notifications"]`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from server.contract.categories import Category
from server.models import School
from server.notify.routing import SchoolSettings

KEY = "notifications"


@dataclass(frozen=True, slots=True)
class Webhook:
    """A URL of the school's messaging system and the secret its requests are signed with."""

    url: str
    secret: str


@dataclass(frozen=True, slots=True)
class Stored:
    """The settings as stored: routing's part and the webhooks."""

    email_categories: tuple[Category, ...] = ()
    flagged_student_ids: tuple[int, ...] = ()
    webhooks: tuple[Webhook, ...] = ()

    def as_json(self) -> dict[str, Any]:
        """Return the JSON kept in the school row (secrets included)."""
        return {
            "email_categories": [str(c) for c in self.email_categories],
            "flagged_student_ids": list(self.flagged_student_ids),
            "webhooks": [{"url": w.url, "secret": w.secret} for w in self.webhooks],
        }


def stored(school: School) -> Stored:
    """Return the school's notification settings (none kept: nothing extra is sent)."""
    raw = school.settings.get(KEY)
    if not isinstance(raw, dict):
        return Stored()
    known = set(Category)
    return Stored(
        email_categories=tuple(Category(c) for c in raw.get("email_categories", ()) if c in known),
        flagged_student_ids=tuple(int(i) for i in raw.get("flagged_student_ids", ())),
        webhooks=tuple(Webhook(str(w["url"]), str(w["secret"])) for w in raw.get("webhooks", ())),
    )


def for_routing(school: School, settings: Stored) -> SchoolSettings:
    """Return what routing needs: the school's zone, flagged students, emailed categories."""
    return SchoolSettings(
        zone=ZoneInfo(school.timezone),
        flagged_student_ids=frozenset(settings.flagged_student_ids),
        email_categories=frozenset(settings.email_categories),
    )


def webhook_allowed(url: str, hosts: Sequence[str]) -> bool:
    """Tell whether a webhook URL's host is one the server may POST to (any, when none named)."""
    host = urlsplit(url).hostname
    return host is not None and (not hosts or host.lower() in hosts)
