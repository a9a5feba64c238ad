"""What a notification carries to a device: what it needs to show and open, nothing more.

The two models are the push payload's contract, exported to shared/push-payload.schema.json by
server.notify.export (the service worker's types are generated from it).
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from pydantic import BaseModel, ConfigDict, Field

from server.contract.categories import Category
from server.notify.routing import Notice

# The fields both payloads share, described once.
Title = Annotated[str, Field(description="The notification's title.")]
PassId = Annotated[int | None, Field(description="The pass it is about; null when none.")]
Url = Annotated[str, Field(description="Where the app opens when the notification is tapped.")]
Tag = Annotated[str, Field(description="A newer notification with this tag replaces the older.")]


class PushPayload(BaseModel):
    """The JSON a push (or an email) of one notice carries."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: Title
    body: str = Field(description="The notification's text.")
    category: Category = Field(description="Safety categories stay on screen until acted on.")
    pass_id: PassId
    url: Url
    tag: Tag


class SmallPushPayload(BaseModel):
    """The payload after the push service refused the full one (413): the app fetches the rest."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: Title
    pass_id: PassId
    url: Url
    tag: Tag


# The full payload's keys (a test pins them: nothing else may leak onto a lock screen).
KEYS: Final = tuple(PushPayload.model_fields)
# After a 413 the push service gets only these: the app fetches the rest when opened.
SMALL_KEYS: Final = tuple(SmallPushPayload.model_fields)


def notice_payload(notice: Notice) -> dict[str, Any]:
    """Return the JSON a push (or an email) of one notice carries."""
    return PushPayload(
        title=notice.title,
        body=notice.body,
        category=notice.category,
        pass_id=notice.pass_id,
        url=notice.url or (f"/passes/{notice.pass_id}" if notice.pass_id else "/"),
        # The service worker's notification tag: a newer notice of a pass replaces the older.
        tag=notice.topic,
    ).model_dump(mode="json")


def smaller(payload: dict[str, Any]) -> dict[str, Any]:
    """Return the payload cut to what a notification can't do without."""
    return {key: payload.get(key) for key in SMALL_KEYS}
