"""`missiondesk board` and `missiondesk roster`: what is open, and who can go."""

from typing import TYPE_CHECKING, Any

import typer

from missiondesk.cli.context import DbOption, JsonOption, open_db
from missiondesk.cli.output import console, emit_json, id_column, styled

if TYPE_CHECKING:
    from missiondesk.services.village import RosterRow


def board(db: DbOption = None, json: JsonOption = False) -> None:
    """The missions, by status then priority: id, title, rank, effective rank (an override
    shown beside the judged rank), status."""
    from missiondesk.services import village as village_service

    rows = village_service.board(open_db(db))
    if json:
        emit_json(rows)
        return
    from rich.table import Table  # only for people: JSON needs none of Rich

    table = Table(title="Mission board")
    # Ids are what people type next: never cut; the title wraps instead. Short headers
    # leave the title room at 80 columns; the volunteers column only when someone offered.
    offers = any(r.volunteers for r in rows)
    id_column(table, "mission", (r.id for r in rows))
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
    """The shinobi: id, name and rank; status, with the mission they are on (or committed
    to) and when they are due back, or the day the injured or resting are back; their
    record: missions done by rank, ryo earned, and the promotion their record meets."""
    from missiondesk.services import village as village_service

    rows = village_service.roster(open_db(db))
    if json:
        emit_json(rows)
        return
    from rich.table import Table  # only for people: JSON needs none of Rich

    # Four columns of short lines, so that a row reads at 80 columns.
    table = Table(title="Roster")
    id_column(table, "shinobi", (r.id for r in rows))
    table.add_column("name, rank")
    table.add_column("status")
    table.add_column("record")
    for r in rows:
        table.add_row(r.id, f"{r.name}\n{r.rank}", _whereabouts(r), _record(r))
    console.print(table)


def _whereabouts(r: "RosterRow") -> str:
    lines = [r.status]
    if r.mission:
        lines.append(r.mission if r.mission_status != "approved" else f"for {r.mission}")
    if r.due_back is not None:
        lines += ["due back", r.due_back.isoformat(sep=" ", timespec="minutes")]
    elif r.available_from is not None:
        lines.append(f"back {r.available_from.isoformat()}")
    return "\n".join(lines)


def _record(r: "RosterRow") -> str:
    done = " ".join(f"{rank}{n}" for rank, n in r.missions_done.items() if n)
    lines = [done or "no missions"]
    if r.ryo:
        lines.append(f"{r.ryo:,} ryo")
    if r.promotion is not None:
        lines.append(f"ready for {r.promotion.to}")
    return "\n".join(lines)


def register(app: typer.Typer) -> None:
    app.command("board")(board)
    app.command("roster")(roster)
