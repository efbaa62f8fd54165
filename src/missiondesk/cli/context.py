"""The database a command works on: `--db`, MISSIONDESK_DATABASE_URL, or the default file."""

from __future__ import annotations

from typing import Annotated

import typer

from missiondesk.store.database import Database, resolve_url

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="SQLite path or URL, or a postgresql:// URL (default: MISSIONDESK_DATABASE_URL, "
        "else a file in your data folder).",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON value on stdout.")]

_root_db: dict[str, str | None] = {"db": None}


def remember_root_db(db: str | None) -> None:
    _root_db["db"] = db


def open_db(db: str | None) -> Database:
    """The database named on this command, else on `missiondesk --db`, else the default."""
    return Database(resolve_url(db or _root_db["db"]))
