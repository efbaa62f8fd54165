"""`volunteer`, `ledger`, `promotions`: the village as its players see it (SPEC section 13)."""

from typing import Annotated

import typer

from missiondesk.cli.context import DbOption, JsonOption, open_db
from missiondesk.cli.output import actor, console, emit_json, id_column
from missiondesk.domain.ranks import MissionRank


def volunteer(
    mission: Annotated[str, typer.Argument(help="The mission's id.", show_default=False)],
    as_: Annotated[
        str,
        typer.Option("--as", help="The shinobi who volunteers.", show_default=False),
    ],
    withdraw: Annotated[
        bool, typer.Option("--withdraw", help="Withdraw the offer instead.")
    ] = False,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """A shinobi volunteers for a mission (or withdraws), until its squad is approved."""
    from missiondesk.services import players as player_service

    result = player_service.volunteer(open_db(db), mission, as_, withdraw=withdraw, actor=actor())
    if json:
        emit_json(result)
        return
    verb = "withdrew from" if withdraw else "volunteered for"
    others = ", ".join(result.volunteers) or "none"
    console.print(f"{as_} {verb} {mission}; volunteers now: {others}")


def ledger(
    shinobi: Annotated[
        str | None, typer.Argument(help="One shinobi's id (default: everyone).")
    ] = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Ryo earned from rewards, missions by rank and successes, per shinobi."""
    from rich.table import Table

    from missiondesk.services import players as player_service

    rows = player_service.ledger(open_db(db), shinobi)
    if json:
        emit_json(rows)
        return
    table = Table(title="Ledger")
    id_column(table, "shinobi", (r.shinobi for r in rows))
    for column in ("ryo", *(r.value for r in MissionRank), "successes"):
        table.add_column(column)
    for r in rows:
        table.add_row(
            r.shinobi,
            str(r.ryo),
            *(str(r.missions[k.value]) for k in MissionRank),
            str(r.successes),
        )
    console.print(table)


def promotions(db: DbOption = None, json: JsonOption = False) -> None:
    """Who meets a promotion rule of the village file, with the missions that count."""
    from rich.table import Table

    from missiondesk.services import players as player_service

    rows = player_service.promotions(open_db(db))
    if json:
        emit_json(rows)
        return
    if not rows:
        console.print("nobody meets a promotion rule yet")
        return
    table = Table(title="Ready for promotion")
    id_column(table, "shinobi", (r.shinobi for r in rows))
    for column in ("from", "to", "missions", "successes", "missions that count"):
        table.add_column(column)
    for r in rows:
        table.add_row(
            r.shinobi,
            r.rank,
            r.to,
            ", ".join(f"{k}: {n}" for k, n in r.missions.items()),
            str(r.successes),
            ", ".join(f"{e.mission} ({e.rank}, {e.outcome})" for e in r.evidence),
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command("volunteer")(volunteer)
    app.command("ledger")(ledger)
    app.command("promotions")(promotions)
