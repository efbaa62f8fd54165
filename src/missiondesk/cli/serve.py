"""`missiondesk serve`: the web interface and the HTTP API, with uvicorn."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from missiondesk.cli.context import DbOption, open_db
from missiondesk.cli.output import console
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
    db: DbOption = None,
) -> None:
    """Serve the pages and the API (`GET /health` answers without an account)."""
    import uvicorn

    from missiondesk.web import create_app

    database = open_db(db)  # opened (and migrated) once here, before any worker starts
    console.print(f"Mission Desk on http://{host}:{port}/ (Ctrl-C stops it)")
    if workers == 1:
        uvicorn.run(create_app(database), host=host, port=port, proxy_headers=True)
        return
    # Each worker process builds its own app on the same database, found by URL.
    os.environ[ENV_VAR] = database.url
    database.dispose()
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


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
