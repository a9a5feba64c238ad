"""Notification endpoints: Web Push devices (DESIGN.md section 4), mutes, school settings, log."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.api.context import caller, context
from server.api.requests import read_json
from server.contract.notifications import (
    MutesIn,
    NotifySettingsIn,
    PushEndpointIn,
    PushSubscriptionIn,
)
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
