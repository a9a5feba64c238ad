"""The Starlette application: routes, error handlers, middleware, database lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import version

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, WebSocketRoute

from server import db
from server.api.context import AppContext, UsingRuntime
from server.api.deferred import AfterResponse
from server.api.errors import EXCEPTION_HANDLERS
from server.api.headers import SecurityHeaders
from server.api.pwa import AppMount
from server.api.recovery import StorageRecovery
from server.api.routes import OPERATIONS
from server.api.spec import build_openapi, path_routes
from server.auth.pass_marks import check_key
from server.config import Settings
from server.hub.broker import BrokerError, BrokerNotice, create_broker
from server.hub.http import endpoint as hub_endpoint
from server.hub.hub import Hub
from server.notify import worker as notify_worker
from server.runtime import Runtime, using
from server.services import scheduler


def inapp_publisher(hub: Hub) -> notify_worker.Announce:
    """Return how the delivery worker publishes an in-app notification: through the hub's
    broker, which carries it to the recipient's sockets in every process.

    Wired here, not imported by the worker: notify is a layer below the hub (docs/architecture.md).
    """

    async def publish(school_id: int, user_id: int, category: str, frame: str) -> None:
        try:
            await hub.notify(BrokerNotice(school_id, user_id, category, frame))
        except BrokerError as exc:  # Redis lost: the worker retries the row
            raise notify_worker.Unpublished(f"{exc.__class__.__name__}: {exc}") from exc

    return publish


def create_app(
    settings: Settings, *, manage_database: bool = True, runtime: Runtime | None = None
) -> Starlette:
    """Build the app; with manage_database it opens the ORM and runs the scheduler itself.

    The app owns `runtime` (a new one when None: production passwords, the limits in
    settings' Redis): its after-commit hooks, emergency listeners, passwords and limiters are
    no other app's, even in the same process (server/runtime.py).
    """
    if runtime is None:
        runtime = Runtime.for_redis(settings.redis_url)
    # The app owns its runtime: its passes' check codes come from this deployment's secret.
    runtime.check_key = check_key(settings.secret_key)
    hub = Hub(create_broker(settings.redis_url), runtime)
    ctx = AppContext(settings=settings, runtime=runtime)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # The scheduler, the delivery worker and the hub's tasks start in here, and so run in
        # the app's runtime too (a task keeps the context it was started in).
        try:
            with using(runtime):
                async with serving(app):
                    yield
        finally:
            await ctx.close()

    @asynccontextmanager
    async def serving(app: Starlette) -> AsyncIterator[None]:
        if not manage_database:
            await hub.start()
            try:
                yield
            finally:
                await hub.stop()
            return
        await db.connect(settings)
        try:
            await hub.start()
            try:
                async with (
                    scheduler.running(),
                    notify_worker.running(
                        settings, inapp=inapp_publisher(hub), on_commit=runtime.after_commit.add
                    ),
                ):
                    yield
            finally:
                await hub.stop()
        finally:
            await db.disconnect()

    routes: list[BaseRoute] = list(path_routes(OPERATIONS))
    routes.append(WebSocketRoute("/ws", hub_endpoint, name="ws"))
    # Last: the app's files and pages, for every path the API does not own.
    routes.append(AppMount(settings.pwa_dir))
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(UsingRuntime, runtime=runtime),  # first: `later` jobs run in it too
            Middleware(AfterResponse),
            Middleware(SecurityHeaders),
            Middleware(StorageRecovery),
        ],
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=lifespan,
    )
    app.state.hallpass = ctx
    app.state.hub = hub
    # The /ws endpoint reads its allowed origins here (server/hub does not import server/api).
    app.state.settings = settings
    app.state.openapi = build_openapi(OPERATIONS, version("hallpass"))
    return app
