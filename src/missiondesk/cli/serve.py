"""`missiondesk serve`: the web interface and the HTTP API, with uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from missiondesk.cli.context import DbOption, open_db
from missiondesk.cli.output import console


def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port.")] = 8000,
    db: DbOption = None,
) -> None:
    """Serve the pages and the API (`GET /health` answers without an account)."""
    import uvicorn

    from missiondesk.web import create_app

    app = create_app(open_db(db))
    console.print(f"Mission Desk on http://{host}:{port}/ (Ctrl-C stops it)")
    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=True)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
