"""Notification endpoints: Web Push devices (DESIGN.md section 4), mutes, school settings, log."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.api.context import caller, context
from server.api.requests import read_json
from server.api.spec import Operation
from server.contract.notifications import (
    DeliveryOut,
    MutesIn,
    MutesOut,
    NotifySettingsIn,
    NotifySettingsOut,
    PushEndpointIn,
    PushKeyOut,
    PushSubscriptionIn,
    PushSubscriptionOut,
)
from server.errors import ErrorCode as E
from server.notify.vapid import vapid_key
from server.services import notifications, push


async def push_key(request: Request) -> Response:
    """GET /api/push/key: the VAPID public key to subscribe with."""
    await caller(request)
    key = await vapid_key()
    return JSONResponse({"public_key": key.public_key})


async def subscribe(request: Request) -> Response:
    """POST /api/push/subscriptions: register the caller's device."""
    principal = await caller(request)
    body = await read_json(request, PushSubscriptionIn)
    created = await push.subscribe(
        principal,
        body.endpoint,
        body.keys.p256dh,
        body.keys.auth,
        context(request).settings.push_hosts,
    )
    return JSONResponse(created, status_code=201)


async def unsubscribe(request: Request) -> Response:
    """DELETE /api/push/subscriptions: remove one of the caller's devices."""
    principal = await caller(request)
    body = await read_json(request, PushEndpointIn)
    await push.unsubscribe(principal, body.endpoint)
    return Response(status_code=204)


async def read_mutes(request: Request) -> Response:
    """GET /api/me/notifications: the caller's muted categories."""
    return JSONResponse(await notifications.read_mutes(await caller(request)))


async def write_mutes(request: Request) -> Response:
    """PUT /api/me/notifications: replace the caller's muted categories."""
    principal = await caller(request)
    body = await read_json(request, MutesIn)
    return JSONResponse(await notifications.write_mutes(principal, body.muted))


async def read_settings(request: Request) -> Response:
    """GET /api/notifications/settings: the school's settings (admins)."""
    return JSONResponse(await notifications.read_settings(await caller(request)))


async def write_settings(request: Request) -> Response:
    """PUT /api/notifications/settings: replace the school's settings (admins)."""
    principal = await caller(request)
    notifications.require_admin(principal)  # before the body: a 403 reads nothing
    body = await read_json(request, NotifySettingsIn)
    hosts = context(request).settings.webhook_hosts
    return JSONResponse(await notifications.write_settings(principal, body.model_dump(), hosts))


async def deliveries(request: Request) -> Response:
    """GET /api/notifications/deliveries: the latest deliveries and attempts (admins)."""
    return JSONResponse(await notifications.delivery_log(await caller(request)))


# Notifications (docs/adr/0006-notifications.md). Web Push as DESIGN.md section 4 says.
OPERATIONS = [
    Operation(
        "GET",
        "/api/push/key",
        push_key,
        "The VAPID public key browsers subscribe with",
        "getPushKey",
        "notifications",
        response=PushKeyOut,
    ),
    Operation(
        "POST",
        "/api/push/subscriptions",
        subscribe,
        "Register the caller's device for Web Push (the browser's PushSubscription.toJSON())",
        "createPushSubscription",
        "notifications",
        request=PushSubscriptionIn,
        response=PushSubscriptionOut,
        status=201,
        errors=(E.FORBIDDEN,),
    ),
    Operation(
        "DELETE",
        "/api/push/subscriptions",
        unsubscribe,
        "Remove one of the caller's devices",
        "deletePushSubscription",
        "notifications",
        request=PushEndpointIn,
        status=204,
        errors=(E.FORBIDDEN, E.NOT_FOUND),
    ),
    Operation(
        "GET",
        "/api/me/notifications",
        read_mutes,
        "The caller's muted notification categories",
        "getMyNotifications",
        "notifications",
        response=MutesOut,
        errors=(E.FORBIDDEN,),
    ),
    Operation(
        "PUT",
        "/api/me/notifications",
        write_mutes,
        "Replace the caller's muted categories (safety ones can't be muted)",
        "putMyNotifications",
        "notifications",
        request=MutesIn,
        response=MutesOut,
        errors=(E.FORBIDDEN, E.NOT_MUTABLE),
    ),
    Operation(
        "GET",
        "/api/notifications/settings",
        read_settings,
        "The school's notification settings (admins)",
        "getNotificationSettings",
        "notifications",
        response=NotifySettingsOut,
        errors=(E.FORBIDDEN,),
    ),
    Operation(
        "PUT",
        "/api/notifications/settings",
        write_settings,
        "Replace the school's notification settings: emailed categories, flagged students, "
        "webhooks (admins)",
        "putNotificationSettings",
        "notifications",
        request=NotifySettingsIn,
        response=NotifySettingsOut,
        errors=(E.FORBIDDEN,),
    ),
    Operation(
        "GET",
        "/api/notifications/deliveries",
        deliveries,
        "The latest notification deliveries and every attempt, newest first (admins)",
        "listNotificationDeliveries",
        "notifications",
        response=DeliveryOut,
        response_list=True,
        errors=(E.FORBIDDEN,),
    ),
]
