"""`missiondesk plan`: squads for the whole board, under every standing order."""

from typing import TYPE_CHECKING, Annotated

import typer

from missiondesk.cli.context import DbOption, JsonOption, open_db
from missiondesk.cli.lifecycle import AtOption, acting
from missiondesk.cli.output import actor, console, emit_json, errors, styled
from missiondesk.domain.words import plural
from missiondesk.errors import BadInput

if TYPE_CHECKING:
    from missiondesk.domain.ranks import MissionRank
    from missiondesk.domain.village import RankOverride
    from missiondesk.planning.plan import Plan, PlannedSquad
    from missiondesk.planning.search import ProgressEvent


def _pins(values: list[str]) -> list[tuple[str, str]]:
    """SHINOBI=MISSION pairs; the service refuses a shinobi pinned twice."""
    pins: list[tuple[str, str]] = []
    for value in values:
        shinobi, sep, mission = value.partition("=")
        if not sep or not shinobi or not mission:
            raise BadInput(f"--pin {value!r}: write SHINOBI=MISSION", field="pins")
        pins.append((shinobi, mission))
    return pins


def _forbids(values: list[str]) -> list[tuple[str, str | None]]:
    out: list[tuple[str, str | None]] = []
    for value in values:
        shinobi, sep, mission = value.partition("=")
        if not shinobi or (sep and not mission):
            raise BadInput(f"--forbid {value!r}: write SHINOBI or SHINOBI=MISSION", field="forbids")
        out.append((shinobi, mission or None))
    return out


def plan(
    time_limit: Annotated[
        float, typer.Option("--time-limit", help="Seconds the solver may search.")
    ] = 10.0,
    pin: Annotated[
        list[str] | None,
        typer.Option(
            "--pin", help="SHINOBI=MISSION: put this shinobi on this mission (repeatable)."
        ),
    ] = None,
    forbid: Annotated[
        list[str] | None,
        typer.Option(
            "--forbid",
            help="SHINOBI or SHINOBI=MISSION: keep them off every mission, or off one "
            "(repeatable).",
        ),
    ] = None,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Solver threads.")] = 2,
    at: AtOption = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Plan the board: every mission assessed and not yet approved gets a squad that obeys
    every standing order, most total priority first, then the best quality. Staffed
    missions become `planned`; replanning keeps what it can of the previous plan.

    objective is the total priority staffed; bound is the solver's proven upper bound.
    """
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from missiondesk.services import planning as planning_service

    with acting(db, at, json) as (database, when):
        pins, forbids = _pins(pin or []), _forbids(forbid or [])
        with Progress(
            TextColumn("[bold]planning[/]"),
            BarColumn(),
            TextColumn("{task.fields[status]}"),
            TimeElapsedColumn(),
            console=errors,
            transient=True,
            disable=json or not errors.is_terminal,  # a pipe gets no bar, not a blank line
        ) as bar:
            task = bar.add_task("plan", total=time_limit, status="greedy start")

            def show(event: "ProgressEvent") -> None:
                quality = f", quality {event.quality}" if event.quality is not None else ""
                bar.update(
                    task,
                    completed=min(event.seconds, time_limit),
                    status=f"{event.phase}: priority {event.objective} "
                    f"of at most {event.bound}{quality}",
                )

            result = planning_service.plan(
                database,
                actor=actor(),
                time_limit=time_limit,
                pins=pins,
                forbids=forbids,
                progress=show,
                workers=workers,
                at=when,
            )
        if json:
            emit_json(result)
            return
        print_plan(result)


def _overruled(override: "RankOverride | None", judged: "MissionRank | None") -> str:
    if override is None:
        return ""
    return f", overruled by {override.by}; judged {judged or '-'}"


def print_plan(result: "Plan") -> None:
    proven = "proven best" if result.objective >= result.bound else f"bound {result.bound}"
    console.print(
        styled(
            ("Plan", "bold"),
            f" ({result.status}): priority staffed {result.objective} ({proven}); "
            f"{plural(len(result.squads), 'squad')}, {len(result.unstaffed)} unstaffed, "
            f"{plural(result.moved, 'previous assignment')} moved",
        )
    )
    for squad in result.squads:
        console.print(
            styled(
                "\n",
                (squad.mission, "bold green"),
                f" (rank {squad.effective_rank}"
                f"{_overruled(squad.override, squad.judged_rank)}), led by {squad.leader}"
                + _span(squad),
            )
        )
        for m in squad.members:
            roles = f" [{', '.join(m.roles)}]" if m.roles else ""
            console.print(f"  {m.shinobi}{roles}: {'; '.join(m.reasons)}", markup=False)
        for reason in squad.reasons:
            console.print(f"    - {reason}", markup=False)
    for missing in result.unstaffed:
        console.print(
            styled(
                "\n",
                (missing.mission, "bold red"),
                f" (rank {missing.effective_rank}"
                f"{_overruled(missing.override, missing.judged_rank)}) unstaffed",
            )
        )
        for reason in missing.reasons:
            console.print(f"    - {reason}", markup=False)
    if result.bench:
        console.print(styled("\n", ("Bench", "bold"), f" ({len(result.bench)} idle)"))
        for idle in result.bench:
            console.print(f"  {idle.shinobi}: {idle.reason}", markup=False)


def _span(squad: "PlannedSquad") -> str:
    if squad.departs is None or squad.returns is None:
        return ""
    return f"; departs {squad.departs:%Y-%m-%d %H:%M}, returns {squad.returns:%Y-%m-%d %H:%M}"


def check(
    mission: Annotated[str, typer.Argument(help="The mission's id.", show_default=False)],
    squad: Annotated[
        str,
        typer.Option("--squad", help="LEADER,MEMBER,...: the squad to check.", show_default=False),
    ],
    declared: Annotated[
        bool, typer.Option("--declared", help="Judge at the declared rank, not the effective one.")
    ] = False,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Check a squad you have in mind against every standing order (exit 0 either way;
    the verdict is in the output)."""
    from missiondesk.domain.village import Squad
    from missiondesk.services import planning as planning_service

    ids = [s.strip() for s in squad.split(",") if s.strip()]
    if not ids or len(set(ids)) != len(ids):
        raise BadInput("--squad: name a leader and members, each once", field="squad")
    result = planning_service.check_squad(
        open_db(db), mission, Squad(leader=ids[0], members=ids[1:]), at_declared_rank=declared
    )
    if json:
        emit_json(result)
        return
    if not result.violations:
        console.print(f"{mission} at rank {result.rank}: the squad obeys every order")
    else:
        console.print(
            styled(
                (
                    f"{mission} at rank {result.rank}: "
                    f"{plural(len(result.violations), 'order')} broken",
                    "bold red",
                )
            )
        )
        for v in result.violations:
            console.print(f"  - {v.message} ({v.order})", markup=False)


def register(app: typer.Typer) -> None:
    app.command("plan")(plan)
    app.command("check")(check)
