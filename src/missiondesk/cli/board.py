"""`missiondesk board` and `missiondesk roster`: what is open, and who can go."""

from __future__ import annotations

from typing import Any

import typer
from rich.table import Table

from missiondesk.cli.context import DbOption, JsonOption, open_db
from missiondesk.cli.output import console, emit_json, styled
from missiondesk.services import village as village_service


def board(db: DbOption = None, json: JsonOption = False) -> None:
    """The missions, by status then priority: id, title, rank, effective rank (an override
    shown beside the judged rank), status."""
    rows = village_service.board(open_db(db))
    if json:
        emit_json(rows)
        return
    table = Table(title="Mission board")
    # Ids are what people type next: never cut; the title wraps instead. Short headers
    # leave the title room at 80 columns; the volunteers column only when someone offered.
    offers = any(r.volunteers for r in rows)
    table.add_column("mission", no_wrap=True, min_width=max((len(r.id) for r in rows), default=7))
    table.add_column("title", ratio=1)
    for column in ("rank", "judged", "eff.", "P", "status"):
        table.add_column(column, no_wrap=True)
    if offers:
        table.add_column("volunteers")
    overruled = []
    for r in rows:
        effective = styled(r.effective_rank or "-")
        if r.effective_rank and r.effective_rank != r.rank:
            effective = styled((r.effective_rank, "bold red"))
        if r.override is not None:
            effective.append_text(styled(("*", "yellow")))
            overruled.append(r)
        title = f"{r.title} ({r.note})" if r.note else r.title
        judged = r.judged_rank or "-"
        cells: list[Any] = [r.id, title, r.rank, judged, effective, str(r.priority), r.status]
        table.add_row(*cells, *([", ".join(r.volunteers)] if offers else []))
    console.print(table)
    for r in overruled:
        assert r.override is not None
        o = r.override
        console.print(
            styled(
                ("* ", "yellow"),
                f"{r.id}: rank overruled to {o.rank} by {o.by} (judged {r.judged_rank or '-'}): ",
                o.reason,
            )
        )


def roster(db: DbOption = None, json: JsonOption = False) -> None:
    """The shinobi: id, name, rank, status, when they are back (from injury or rest, or
    due back from the mission they are on or committed to), missions done by rank, ryo
    earned, and the promotion their record meets."""
    rows = village_service.roster(open_db(db))
    if json:
        emit_json(rows)
        return
    table = Table(title="Roster")
    table.add_column("shinobi", no_wrap=True, min_width=max((len(r.id) for r in rows), default=7))
    for column in ("name", "rank", "status", "back", "done", "ryo", "ready for"):
        table.add_column(column)
    for r in rows:
        table.add_row(
            r.id,
            r.name,
            r.rank,
            f"{r.status} ({r.mission})" if r.mission else r.status,
            _back(r),
            " ".join(f"{rank}{n}" for rank, n in r.missions_done.items() if n),
            str(r.ryo) if r.ryo else "",
            r.promotion.to if r.promotion else "",
        )
    console.print(table)


def _back(r: village_service.RosterRow) -> str:
    if r.due_back is not None:
        return r.due_back.isoformat(sep=" ", timespec="minutes")
    return r.available_from.isoformat() if r.available_from else ""


def register(app: typer.Typer) -> None:
    app.command("board")(board)
    app.command("roster")(roster)
