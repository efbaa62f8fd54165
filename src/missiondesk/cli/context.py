"""The database a command works on: `--db`, MISSIONDESK_DATABASE_URL, or the default file."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from missiondesk.errors import BadInput
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

OPTION_FOR_FIELD = {
    "at": "--at",
    "by": "--by",
    "forbids": "--forbid",
    "pins": "--pin",
    "replace": "--replace",
    "squad": "--squad",
    "time_limit": "--time-limit",
}
"""How the command line spells the fields the services name in their errors."""

_root_db: dict[str, str | None] = {"db": None}


def remember_root_db(db: str | None) -> None:
    _root_db["db"] = db


def root_db() -> str | None:
    """The database given to `missiondesk --db` before the command, if any."""
    return _root_db["db"]


def open_db(db: str | None) -> Database:
    """The database named on this command, else on `missiondesk --db`, else the default.

    A database that cannot be opened (not a database file, an unknown kind of URL, a
    server that does not answer) is bad input: the message says which and why.
    """
    url = resolve_url(db or _root_db["db"])
    try:
        return Database(url)
    except (SQLAlchemyError, ImportError, OSError) as unusable:
        shown = make_url(url).render_as_string(hide_password=True)
        reason = str(unusable).splitlines()[0] if str(unusable) else type(unusable).__name__
        raise BadInput(f"cannot open the database {shown}: {reason}", field="db") from None
