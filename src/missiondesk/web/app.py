"""The web application: the HTTP API, the pages, their static assets and `GET /health`.

`create_app(db)` builds one app on one database; `missiondesk serve` runs it with uvicorn.
Nothing answers without an account except /health, the login page and /static.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

import missiondesk
from missiondesk.notifications.deliver import BackgroundDelivery, DeliveryPolicy
from missiondesk.services.accounts import Account
from missiondesk.store.database import Database, resolve_url
from missiondesk.web import api, edits, errors, pages
from missiondesk.web.auth import ApiAllowed
from missiondesk.web.gate import RequestGate
from missiondesk.web.jobs import PlanRuns
from missiondesk.web.policy import Permission
from missiondesk.web.scheduled import ClockTicker
from missiondesk.web.schemas import Health, describe_local_times, health

HERE = Path(__file__).parent

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def create_app(
    db: Database,
    *,
    max_plan_seconds: float = 60.0,
    deliver_every: float | None = None,
    delivery_policy: DeliveryPolicy | None = None,
    tick_every: float | None = None,
) -> FastAPI:
    """The whole web interface on `db`. `max_plan_seconds` caps how long one request may
    keep the planner busy, whatever time limit it asks for. With `deliver_every`, the
    outbox is delivered in the background every that many seconds while the app runs."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        courier = ticker = None
        if deliver_every is not None and deliver_every > 0:
            courier = BackgroundDelivery(db, every=deliver_every, policy=delivery_policy)
            courier.start()
        if tick_every is not None and tick_every > 0:
            ticker = ClockTicker(db, every=tick_every)  # real mode only; one worker ticks
            ticker.start()
        try:
            yield
        finally:
            for job in (courier, ticker):
                if job is not None:
                    job.stop()

    app = FastAPI(
        lifespan=lifespan,
        title="Mission Desk",
        version=getattr(missiondesk, "__version__", "0.1.0"),
        description="The mission office of a shinobi village, over HTTP. Every route but "
        "/health needs `Authorization: Bearer TOKEN`; docs/web.md lists what each role may do.",
        docs_url=None,  # the interactive docs load scripts from a CDN; the schema is enough
        redoc_url=None,
        openapi_url=None,  # served below, behind an account like everything else
    )
    app.state.db = db
    app.state.max_plan_seconds = max_plan_seconds
    app.state.plan_runs = PlanRuns(db)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.filters["when"] = pages.when
    templates.env.filters["urlpart"] = pages.urlpart
    templates.env.globals.update(edits.VOCABULARY)
    app.state.templates = templates

    errors.install(app)
    app.add_middleware(RequestGate, db=db)  # inside the security headers, so its answers get them
    app.middleware("http")(_security_headers)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @app.get("/health", tags=["health"], summary="Is the server up (no account needed)")
    def get_health() -> Health:
        return health()

    @app.get("/api/openapi.json", include_in_schema=False)
    def openapi(_: Annotated[Account, Depends(ApiAllowed(Permission.READ))]) -> dict[str, Any]:
        return app.openapi()

    app.include_router(api.router)
    app.include_router(edits.api_router)
    app.include_router(edits.page_router)  # before the pages: /missions/new is not a mission
    app.include_router(pages.router)
    plain_openapi = app.openapi

    def openapi_with_local_times() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = describe_local_times(plain_openapi())
        return app.openapi_schema

    app.openapi = openapi_with_local_times  # type: ignore[method-assign]
    return app


def app_from_environment() -> FastAPI:
    """The app for one worker of `missiondesk serve --workers N`: the database is named by
    MISSIONDESK_DATABASE_URL and the delivery settings by MISSIONDESK_DELIVERY (serve sets
    both; it has migrated the database). Every worker runs the deliverer; the lease makes
    one of them deliver at a time (notifications/deliver.py)."""
    delivery = json.loads(os.environ.get("MISSIONDESK_DELIVERY") or "{}")
    return create_app(
        Database(resolve_url(None)),
        deliver_every=float(delivery.get("every", 0.0)),
        tick_every=float(delivery.get("tick", 0.0)),
        delivery_policy=DeliveryPolicy(
            timeout=float(delivery.get("timeout", DeliveryPolicy.timeout)),
            first_delay=float(delivery.get("retry", DeliveryPolicy.first_delay)),
        ),
    )


async def _security_headers(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    if request.method not in ("GET", "HEAD"):
        request.app.state.overdue_banner = None  # the overdue banner may be out of date
    response = await call_next(request)
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.url.path.startswith("/api/") or request.cookies:
        response.headers.setdefault("Cache-Control", "no-store")
    return response
