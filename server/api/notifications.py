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
from server.notify import preferences, subscriptions
from server.notify.vapid import vapid_key


async def push_key(request: Request) -> Response:
    """GET /api/push/key: the VAPID public key to subscribe with."""
    await caller(request)
    key = await vapid_key()
    return JSONResponse({"public_key": key.public_key})


async def subscribe(request: Request) -> Response:
    """POST /api/push/subscriptions: register the caller's device."""
    principal = await caller(request)
    body = await read_json(request, PushSubscriptionIn)
    created = await subscriptions.subscribe(
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
    await subscriptions.unsubscribe(principal, body.endpoint)
    return Response(status_code=204)


async def read_mutes(request: Request) -> Response:
    """GET /api/me/notifications: the caller's muted categories."""
    return JSONResponse(await preferences.read_mutes(await caller(request)))


async def write_mutes(request: Request) -> Response:
    """PUT /api/me/notifications: replace the caller's muted categories."""
    principal = await caller(request)
    body = await read_json(request, MutesIn)
    return JSONResponse(await preferences.write_mutes(principal, body.muted))


async def read_settings(request: Request) -> Response:
    """GET /api/notifications/settings: the school's settings (admins)."""
    return JSONResponse(await preferences.read_settings(await caller(request)))


async def write_settings(request: Request) -> Response:
    """PUT /api/notifications/settings: replace the school's settings (admins)."""
    principal = await caller(request)
    preferences.require_admin(principal)  # before the body: a 403 reads nothing
    body = await read_json(request, NotifySettingsIn)
    hosts = context(request).settings.webhook_hosts
    return JSONResponse(await preferences.write_settings(principal, body.model_dump(), hosts))


async def deliveries(request: Request) -> Response:
    """GET /api/notifications/deliveries: the latest deliveries and attempts (admins)."""
    return JSONResponse(await preferences.delivery_log(await caller(request)))
