"""Bodies of the notification endpoints: Web Push subscriptions, mutes, school settings, log."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictInt, StringConstraints

from server.contract.categories import Category
from server.contract.common import NO_NUL, Id, Out, Strict

MAX_WEBHOOKS = 5
MAX_FLAGGED = 500
Base64Url = Annotated[
    str, StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_-]+=*$")
]
Url = Annotated[str, StringConstraints(min_length=1, max_length=1024, pattern=NO_NUL)]


class PushKeyOut(Out):
    """The VAPID public key browsers subscribe with (`applicationServerKey`)."""

    public_key: str = Field(description="The uncompressed P-256 point, base64url.")


class PushKeysIn(Strict):
    """The subscription's keys, as `PushSubscription.toJSON()` writes them."""

    p256dh: Base64Url
    auth: Base64Url


class PushSubscriptionIn(Strict):
    """A browser's `PushSubscription.toJSON()`."""

    endpoint: Url = Field(description="The push service URL of this device (https).")
    expirationTime: StrictInt | None = None
    keys: PushKeysIn


class PushEndpointIn(Strict):
    """The device to unsubscribe."""

    endpoint: Url


class PushSubscriptionOut(Out):
    """A registered device."""

    endpoint: str
    created_at: str | None


class CategoryOut(Out):
    """A notification category, and whether it can be muted."""

    name: Category
    safety: bool = Field(description="Safety categories are always delivered.")


class MutesOut(Out):
    """The caller's muted categories, and the categories their role can be told."""

    muted: list[Category]
    categories: list[CategoryOut]


class MutesIn(Strict):
    """The categories the caller does not want to hear (replaces the whole list)."""

    muted: list[Category] = Field(max_length=len(Category))


class WebhookIn(Strict):
    """A URL of the school's messaging system, and the secret its requests are signed with."""

    url: Url = Field(description="http(s) URL that receives a POST per event with notices.")
    secret: str = Field(min_length=16, max_length=200, pattern=NO_NUL)


class WebhookOut(Out):
    """A webhook (its secret is never read back)."""

    url: str


class NotifySettingsIn(Strict):
    """The school's notification settings (replaces them whole)."""

    email_categories: list[Category] = Field(
        default_factory=list, max_length=len(Category), description="Also emailed to staff."
    )
    flagged_student_ids: list[Id] = Field(
        default_factory=list,
        max_length=MAX_FLAGGED,
        description="Students whose every pass out and back security is told of.",
    )
    webhooks: list[WebhookIn] = Field(default_factory=list, max_length=MAX_WEBHOOKS)


class NotifySettingsOut(Out):
    """The school's notification settings."""

    email_categories: list[Category]
    flagged_student_ids: list[int]
    webhooks: list[WebhookOut]


class AttemptOut(Out):
    """One try at sending."""

    at: str | None
    status: int | None = Field(description="The peer's HTTP or SMTP status; null: no answer.")
    error: str
    reduced: bool = Field(description="The smaller payload was sent (after a 413).")
    duration_ms: int


class DeliveryOut(Out):
    """One message on one channel, and every attempt at it."""

    id: int
    channel: Literal["push", "inapp", "email", "webhook"]
    category: Category
    urgency: Literal["normal", "high"]
    state: Literal["pending", "sent", "failed", "gone"]
    recipient_id: int | None
    pass_id: int | None
    event_seq: int | None
    created_at: str | None
    sent_at: str | None
    attempts: list[AttemptOut]
