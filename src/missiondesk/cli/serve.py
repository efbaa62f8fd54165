"""`missiondesk serve`: the web interface and the HTTP API, with uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from missiondesk.cli.context import DbOption, open_db
from missiondesk.cli.output import console
from missiondesk.notifications.deliver import DeliveryPolicy


def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port.")] = 8000,
    notify_every: Annotated[
        float,
        typer.Option(
            "--notify-every",
            min=0.0,
            help="Seconds between notification delivery passes (0: do not deliver here).",
        ),
    ] = 2.0,
    notify_timeout: Annotated[
        float,
        typer.Option("--notify-timeout", min=0.1, help="Seconds a receiver has to answer."),
    ] = DeliveryPolicy.timeout,
    notify_retry: Annotated[
        float,
        typer.Option(
            "--notify-retry",
            min=0.0,
            help="Seconds before the first retry of a failed delivery (doubling after).",
        ),
    ] = DeliveryPolicy.first_delay,
    db: DbOption = None,
) -> None:
    """Serve the pages and the API (`GET /health` answers without an account), and
    deliver notifications in the background."""
    import uvicorn

    from missiondesk.web import create_app

    policy = DeliveryPolicy(timeout=notify_timeout, first_delay=notify_retry)
    app = create_app(open_db(db), deliver_every=notify_every, delivery_policy=policy)
    console.print(f"Mission Desk on http://{host}:{port}/ (Ctrl-C stops it)")
    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=True)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
