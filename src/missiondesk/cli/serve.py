"""`missiondesk serve`: the web interface and the HTTP API, with uvicorn."""

import errno
import json
import os
import socket
from typing import Annotated

import typer

from missiondesk.cli.context import DbOption, open_db
from missiondesk.cli.output import say
from missiondesk.errors import BadInput
from missiondesk.notifications.policy import DeliveryPolicy
from missiondesk.store.database import ENV_VAR


def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port.")] = 8000,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            max=64,
            help="Worker processes. More than one wants PostgreSQL (docs/deploy.md): they "
            "share its planner runs, sessions and scheduled work.",
        ),
    ] = 1,
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
    tick_every: Annotated[
        float,
        typer.Option(
            "--tick-every",
            min=0.0,
            help="Seconds between the clock's passes when the village clock is real "
            "(0: never; a story clock moves only by hand).",
        ),
    ] = 30.0,
    db: DbOption = None,
) -> None:
    """Serve the pages and the API (`GET /health` answers without an account), and
    deliver notifications in the background."""
    import uvicorn

    from missiondesk.web import create_app

    listener = listen(host, port)  # before anything is printed: a taken port is exit 2
    database = open_db(db)  # opened (and migrated) once here, before any worker starts
    delivery = {
        "every": notify_every,
        "timeout": notify_timeout,
        "retry": notify_retry,
        "tick": tick_every,
    }
    if workers == 1:
        say(f"Mission Desk on http://{host}:{port}/ (Ctrl-C stops it)")
        app = create_app(
            database,
            deliver_every=notify_every,
            delivery_policy=DeliveryPolicy(timeout=notify_timeout, first_delay=notify_retry),
            tick_every=tick_every,
        )
        config = uvicorn.Config(app, host=host, port=port, log_level="info", proxy_headers=True)
        uvicorn.Server(config).run(sockets=[listener])
        return
    # uvicorn's supervisor binds the port itself for its workers: the probe has shown it
    # is free, so hand it over. Each worker builds its own app on the same database.
    listener.close()
    os.environ[ENV_VAR] = database.url
    os.environ["MISSIONDESK_DELIVERY"] = json.dumps(delivery)  # read by app_from_environment
    database.dispose()
    say(f"Mission Desk on http://{host}:{port}/ with {workers} workers (Ctrl-C stops it)")
    uvicorn.run(
        "missiondesk.web.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        # A worker imports the whole product before it answers; on a busy small machine
        # that takes longer than uvicorn's default 5 s, and it would restart them forever.
        timeout_worker_healthcheck=60,
    )


def listen(host: str, port: int) -> socket.socket:
    """A socket bound to host:port, or bad input saying why it cannot be."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as unknown:
        raise BadInput(f"cannot listen on {host}: {unknown.strerror}", field="host") from None
    listener = socket.socket(family, kind, proto)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind(address)
    except OSError as refused:
        listener.close()
        if refused.errno == errno.EADDRINUSE:
            reason = "the port is already in use (is another server running there?)"
        else:
            reason = refused.strerror or str(refused)
        raise BadInput(f"cannot listen on {host}:{port}: {reason}", field="port") from None
    listener.set_inheritable(True)
    return listener


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
