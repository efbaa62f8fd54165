"""`missiondesk board` and `missiondesk roster`: what is open, and who can go."""

from __future__ import annotations

from typing import Any

import typer
from rich.table import Table

from missiondesk.cli.context import DbOption, JsonOption, open_db
from missiondesk.cli.output import console, emit_json, styled
from missiondesk.services import village as village_service


def board(db: DbOption = None, json: JsonOption = False) -> None:
    """The missions, by status then priority: id, title, rank, effective rank, status."""
    rows = village_service.board(open_db(db))
    if json:
        emit_json(rows)
        return
    table = Table(title="Mission board")
    # The volunteers column only when someone volunteered: titles keep their width.
    offers = any(r.volunteers for r in rows)
    columns = ("mission", "title", "rank", "effective", "priority", "status")
    for column in (*columns, "volunteers") if offers else columns:
        table.add_column(column)
    for r in rows:
        effective = styled(r.effective_rank or "-")
        if r.effective_rank and r.effective_rank != r.rank:
            effective = styled((r.effective_rank, "bold red"))
        cells: list[Any] = [r.id, r.title, r.rank, effective, str(r.priority), r.status]
        table.add_row(*cells, *([", ".join(r.volunteers)] if offers else []))
    console.print(table)


def roster(db: DbOption = None, json: JsonOption = False) -> None:
    """The shinobi: id, name, rank, status, and the day the injured or resting are back."""
    rows = village_service.roster(open_db(db))
    if json:
        emit_json(rows)
        return
    table = Table(title="Roster")
    for column in ("shinobi", "name", "rank", "status", "available from"):
        table.add_column(column)
    for r in rows:
        back = r.available_from.isoformat() if r.available_from else ""
        table.add_row(r.id, r.name, r.rank, r.status, back)
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command("board")(board)
    app.command("roster")(roster)
