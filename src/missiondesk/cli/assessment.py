"""`missiondesk assess` and `missiondesk model`: judged risk, simulation, and calibration."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from missiondesk.cli.context import DbOption, JsonOption, open_db
from missiondesk.cli.output import actor, console, emit_json, styled
from missiondesk.domain.assessment import Assessment
from missiondesk.errors import BadInput
from missiondesk.risk.fitting import plot_reliability
from missiondesk.risk.simulation import SimulationResult
from missiondesk.services import assessment as assessment_service

model_app = typer.Typer(help="The engagement simulator's model: fit it, check its calibration.")


def assess(
    mission: Annotated[
        str | None, typer.Argument(help="The mission's id.", show_default=False)
    ] = None,
    all_: Annotated[
        bool, typer.Option("--all", help="Assess the whole board; intake missions become assessed.")
    ] = False,
    squad: Annotated[
        str | None,
        typer.Option(
            "--squad",
            help="LEADER,MEMBER,...: also simulate this squad on the mission.",
            show_default=False,
        ),
    ] = None,
    trials: Annotated[int, typer.Option("--trials", min=1, help="Simulation trials.")] = 20_000,
    seed: Annotated[int, typer.Option("--seed", help="Simulation seed.")] = 0,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Judge how dangerous a mission really is: threats likely met, the effective rank,
    the evidence behind it, and the briefing for the squad."""
    database = open_db(db)
    if all_:
        if mission or squad:
            raise BadInput("--all assesses the whole board; give no MISSION or --squad with it")
        assessments = assessment_service.assess_all(database, actor=actor())
        if json:
            emit_json(assessments)
        else:
            _print_board(assessments)
        return
    if not mission:
        raise BadInput("name a MISSION to assess, or use --all", field="mission")
    if squad:
        ids = [s.strip() for s in squad.split(",") if s.strip()]
        if not ids:
            raise BadInput("--squad: name at least a leader", field="squad")
        assessment, simulation = assessment_service.simulate(
            database, mission, ids, trials=trials, seed=seed
        )
        if json:
            emit_json({**assessment.model_dump(mode="json"), "simulation": simulation})
        else:
            _print_assessment(assessment)
            _print_simulation(simulation)
        return
    assessment = assessment_service.assess(database, mission)
    if json:
        emit_json(assessment)
    else:
        _print_assessment(assessment)


def _print_board(assessments: list[Assessment]) -> None:
    table = Table(title="Board assessed")
    for column in ("mission", "declared", "effective", "understated", "most likely threat"):
        table.add_column(column)
    for a in assessments:
        top = f"{a.threats[0].threat} ({a.threats[0].probability:.0%})" if a.threats else ""
        flag = styled(("yes", "bold red")) if a.understated else "no"
        table.add_row(a.mission, a.declared_rank, a.effective_rank, flag, top)
    console.print(table)


def _print_assessment(a: Assessment) -> None:
    verdict = (
        (f"understated: declared {a.declared_rank}, judged {a.effective_rank}", "bold red")
        if a.understated
        else f"rank {a.effective_rank} (declared {a.declared_rank})"
    )
    console.print(styled((a.mission, "bold"), ": ", verdict))
    if a.threats:
        table = Table(title="Threats")
        table.add_column("threat")
        table.add_column("probability", justify="right")
        for t in a.threats:
            table.add_row(t.threat, f"{t.probability:.0%}")
        console.print(table)
    for f in a.factors:
        console.print(f"  [{f.contribution:+.2f}] {f.text}", markup=False)
    if a.briefing:
        console.print(styled(("Briefing", "bold")))
        for b in a.briefing:
            console.print(f"  {b.threat} / {b.ability}: {b.advice}", markup=False)


def _print_simulation(s: SimulationResult) -> None:
    medic = "with a medic" if s.has_medic else "no medic"
    console.print(
        styled(
            ("Simulation", "bold"),
            f" ({s.trials} trials, seed {s.seed}, {medic}): "
            f"success {s.success_probability:.0%}, a threat turns up in {s.engagement:.0%}",
        )
    )
    for m in s.members:
        console.print(f"  {m.shinobi}: serious or worse {m.serious_or_worse:.1%}")


@model_app.command("fit")
def model_fit(db: DbOption = None, json: JsonOption = False) -> None:
    """Fit the simulator's parameters from the village's after-action reports."""
    params = assessment_service.fit(open_db(db), actor=actor())
    if json:
        emit_json(params)
    else:
        console.print(f"fitted from {params.reports} reports:")
        for key, value in params.model_dump().items():
            console.print(f"  {key}: {value}")


@model_app.command("report")
def model_report(
    plot: Annotated[
        Path | None, typer.Option("--plot", help="Write a PNG reliability plot here.")
    ] = None,
    holdout: Annotated[
        float, typer.Option("--holdout", min=0.05, max=0.95, help="Newest share held out.")
    ] = 0.3,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Calibration on held-out (the newest) history: Brier score and a reliability table."""
    result = assessment_service.calibrate(open_db(db), holdout_fraction=holdout)
    if plot is not None:
        plot_reliability(result, plot)
    if json:
        payload: dict[str, Any] = result.model_dump(mode="json")
        if plot is not None:
            payload["plot"] = str(plot)
        emit_json(payload)
        return
    console.print_json(data=result.model_dump(mode="json"))
    if plot is not None:
        console.print(f"wrote {plot}")


def register(app: typer.Typer) -> None:
    app.command("assess")(assess)
    app.add_typer(model_app, name="model")
