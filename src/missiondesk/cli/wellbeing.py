"""`missiondesk wellbeing`: who needs support or limits, and why; `wellbeing clear`."""

from typing import Annotated

import typer

from missiondesk.cli.context import DbOption, JsonOption, open_db
from missiondesk.cli.output import console, emit_json, styled
from missiondesk.domain.words import plural

wellbeing_app = typer.Typer(
    help="The watch over people: injury burden, workload, rest, and the shield pattern.",
    invoke_without_command=True,
)


@wellbeing_app.callback()
def wellbeing(
    ctx: typer.Context,
    all_: Annotated[bool, typer.Option("--all", help="Also list people with no flag.")] = False,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Flags per shinobi with their evidence (which missions) and a suggested response.

    --json prints everyone: [{shinobi, burden, workload, days_since_rest, flags: [...]}].
    """
    from missiondesk.services import wellbeing as wellbeing_service

    if ctx.invoked_subcommand is not None:
        return
    people = wellbeing_service.wellbeing(open_db(db), flagged_only=not (all_ or json))
    if json:
        emit_json(people)
        return
    if not people:
        console.print("nobody is flagged")
    for person in people:
        console.print(
            styled(
                (person.shinobi, "bold"),
                f"  burden {person.burden:.1f}, {plural(person.workload, 'recent mission')}, "
                f"{plural(person.days_since_rest, 'day')} since rest",
            )
        )
        for flag in person.flags:
            until = f" until {flag.until}" if flag.until else " until cleared"
            console.print(styled("  ", (flag.kind, "red"), f" since {flag.since}{until}"))
            console.print(f"    evidence: {flag.evidence.text}", markup=False)
            console.print(f"    response: {flag.response}", markup=False)


@wellbeing_app.command("clear")
def clear(
    shinobi: Annotated[str, typer.Argument(help="The shinobi's id.", show_default=False)],
    kind: Annotated[
        str, typer.Option("--flag", help="Which flag: shield, burden, workload, no-rest.")
    ] = "shield",
    by: Annotated[str, typer.Option("--by", help="Who clears it (recorded).")] = "",
    db: DbOption = None,
) -> None:
    """Clear a wellbeing flag by hand, on the village's today; recorded with who did it."""
    from missiondesk.services import wellbeing as wellbeing_service

    wellbeing_service.clear(open_db(db), shinobi, kind, by=by)
    console.print(f"cleared {kind} for {shinobi} (by {by})")


def register(app: typer.Typer) -> None:
    app.add_typer(wellbeing_app, name="wellbeing")
