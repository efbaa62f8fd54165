"""`rescue`: send the proposed rescue for an overdue squad, approved and dispatched at once."""

from typing import Annotated

import typer

from missiondesk.cli.context import DbOption, JsonOption
from missiondesk.cli.lifecycle import AtOption, MissionArgument, acting, recall_command
from missiondesk.cli.output import actor, console, emit_json
from missiondesk.errors import BadInput, Conflict


def rescue(
    mission: MissionArgument,
    at: AtOption = None,
    pin: Annotated[
        list[str] | None,
        typer.Option(
            "--pin", help="A shinobi who must go (repeat for several).", show_default=False
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Send a squad that breaks standing orders anyway.")
    ] = False,
    reason: Annotated[
        str | None,
        typer.Option(
            "--reason",
            help="Why it is forced (logged with the orders it breaks).",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Send the rescue `overdue` proposes for MISSION: a new mission rescue-MISSION, its
    squad committed and on its way, check-ins due, all in one transaction."""
    from missiondesk.services import rescue as rescue_service

    if force and not (reason or "").strip():
        raise BadInput("--force needs --reason TEXT (the reason is logged)", field="reason")
    with acting(db, at, json) as (database, when):
        try:
            sent = rescue_service.rescue(
                database,
                mission,
                actor=actor(),
                at=when,
                pins=list(pin or []),
                force=force,
                reason=reason,
            )
        except Conflict as refused:
            how = []
            if isinstance(refused, rescue_service.RescueRefused):
                held = dict.fromkeys(r.mission for r in refused.recall)
                how += [recall_command(m) for m in held]
            if refused.field == "force":
                how.append(f"missiondesk rescue {mission} --force --reason TEXT")
            if how:
                raise Conflict(f"{refused} ({'; '.join(how)})", field=refused.field) from None
            raise
        if json:
            emit_json(sent)
            return
        console.print(
            f"{sent.mission} left at {sent.departs:%Y-%m-%d %H:%M} for the squad of "
            f"{sent.rescue_of}, led by {sent.leader}",
            markup=False,
        )
        for m in sent.members:
            roles = f" [{', '.join(m.roles)}]" if m.roles else ""
            console.print(f"  {m.shinobi}{roles}", markup=False)
        for c in sent.checkins:
            console.print(f"  check in at {c.place} by {c.due:%Y-%m-%d %H:%M}", markup=False)
        if sent.forced:
            console.print(f"  forced ({sent.reason}); it breaks:", markup=False)
            for broken in sent.breaks:
                console.print(f"    - {broken.order}: {broken.text}", markup=False)
        for b in sent.briefing:
            console.print(f"  brief: {b.threat} / {b.ability}: {b.advice}", markup=False)


def register(app: typer.Typer) -> None:
    app.command("rescue")(rescue)
