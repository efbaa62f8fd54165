"""`clock`, `clock advance`, `clock set` and `tick`: the village's time (SPEC section 8)."""

from typing import Annotated

import typer

from missiondesk.cli.context import DbOption, JsonOption, open_db
from missiondesk.cli.lifecycle import parse_time
from missiondesk.cli.output import actor, console, emit_json
from missiondesk.errors import BadInput

clock_app = typer.Typer(
    name="clock",
    help="The village clock: what time it is, and moving it (story mode). Moving it records "
    "what happened on the way, in order: missed check-ins, recoveries, windows that closed.",
    invoke_without_command=True,
    no_args_is_help=False,
)


@clock_app.callback()
def show(ctx: typer.Context, db: DbOption = None, json: JsonOption = False) -> None:
    """What time it is in the village, and whether the clock is `story` or `real`."""
    if ctx.invoked_subcommand is not None:
        return
    from missiondesk.services.clock import read_clock

    clock = read_clock(open_db(db))
    if json:
        emit_json(clock)
    else:
        console.print(f"{clock.now:%Y-%m-%d %H:%M} ({clock.mode} clock)")


@clock_app.command("advance")
def advance(
    duration: Annotated[
        str, typer.Argument(help="How long: 90m, 6h, 2d, 1w (or 1d12h).", show_default=False)
    ],
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Move the story clock forward, recording what happens on the way."""
    from missiondesk.operations.scheduled import parse_duration
    from missiondesk.services import clock

    try:
        by = parse_duration(duration)
    except ValueError as bad:
        raise BadInput(f"duration: {bad}", field="duration") from None
    _show(clock.advance(open_db(db), by, actor=actor()), json)


@clock_app.command("set")
def set_(
    time: Annotated[
        str, typer.Argument(help="The new time, ISO 8601 (2026-11-30T08:00).", show_default=False)
    ],
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Move the story clock to TIME (never backwards), recording what happens on the way."""
    from missiondesk.services import clock

    to = parse_time(time, "time")
    assert to is not None
    _show(clock.set_clock(open_db(db), to, actor=actor()), json)


def tick(db: DbOption = None, json: JsonOption = False) -> None:
    """One pass of the clock, for cron: record what fell due (a real clock also catches up
    with the machine's)."""
    from missiondesk.services import clock

    _show(clock.tick(open_db(db), actor=actor()), json)


def _show(moved: object, json: bool) -> None:
    from missiondesk.services.clock import ClockMoved

    assert isinstance(moved, ClockMoved)
    if json:
        emit_json(moved)
        return
    console.print(f"the clock is {moved.now:%Y-%m-%d %H:%M} (was {moved.before:%Y-%m-%d %H:%M})")
    for r in moved.recorded:
        console.print(f"  {r.at:%Y-%m-%d %H:%M}  {r.kind}  {r.subject}")
    if not moved.recorded:
        console.print("  nothing fell due")


def register(app: typer.Typer) -> None:
    app.add_typer(clock_app)
    app.command("tick")(tick)
