"""`missiondesk assess` and `missiondesk model`: judged risk, simulation, and calibration."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from missiondesk.cli.context import DbOption, JsonOption, open_db
from missiondesk.cli.output import actor, console, emit_json, id_column, styled
from missiondesk.domain.words import plural
from missiondesk.errors import BadInput

if TYPE_CHECKING:
    from missiondesk.domain.assessment import Assessment
    from missiondesk.risk.engagement import EngagementCalibration
    from missiondesk.risk.fitting import Calibration, ReliabilityBin
    from missiondesk.risk.simulation import SimulationResult

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
    override: Annotated[
        str | None,
        typer.Option(
            "--override",
            help="RANK: overrule the judged rank (D, C, B, A, S); needs --reason.",
            show_default=False,
        ),
    ] = None,
    reason: Annotated[
        str | None,
        typer.Option("--reason", help="Why the rank is overruled.", show_default=False),
    ] = None,
    clear_override: Annotated[
        bool, typer.Option("--clear-override", help="Remove the override: the judged rank holds.")
    ] = False,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Judge how dangerous a mission really is: threats likely met, the effective rank,
    the evidence behind it, and the briefing for the squad. With --override, the game
    master's rank replaces the judged one (logged with who and why) until --clear-override."""
    # The services (and the simulator behind them) load when a command runs, so that
    # `--help` and the reading commands start at once.
    from missiondesk.services import assessment as assessment_service
    from missiondesk.services import overrides as override_service

    database = open_db(db)
    if override is not None or clear_override or reason is not None:
        if not mission:
            raise BadInput("name the MISSION whose rank to overrule", field="mission")
        if all_ or squad:
            raise BadInput("--override and --clear-override take one MISSION, no --all or --squad")
        if clear_override:
            if override is not None or reason is not None:
                raise BadInput("--clear-override takes no --override or --reason", field="override")
            assessment = override_service.clear_override(database, mission, actor=actor())
        elif override is None:
            raise BadInput("--reason goes with --override RANK", field="rank")
        else:
            assessment = override_service.set_override(
                database, mission, rank=override, reason=reason, actor=actor()
            )
        if json:
            emit_json(assessment)
        else:
            _print_assessment(assessment)
        return
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


def _print_board(assessments: "list[Assessment]") -> None:
    from rich.table import Table

    table = Table(title="Board assessed")
    id_column(table, "mission", (a.mission for a in assessments))
    for column in ("declared", "judged", "effective", "understated"):
        table.add_column(column)
    tops = [
        f"{a.threats[0].threat} ({a.threats[0].probability:.0%})" if a.threats else ""
        for a in assessments
    ]
    id_column(table, "most likely threat", tops)
    for a, top in zip(assessments, tops, strict=True):
        flag = styled(("yes", "bold red")) if a.understated else "no"
        effective = f"{a.effective_rank} (overruled)" if a.override else a.effective_rank
        table.add_row(a.mission, a.declared_rank, a.judged_rank or "", effective, flag, top)
    console.print(table)


def _print_assessment(a: "Assessment") -> None:
    from rich.table import Table

    judged = a.judged_rank or a.effective_rank
    verdict = (
        (f"understated: declared {a.declared_rank}, judged {judged}", "bold red")
        if a.understated
        else f"rank {judged} (declared {a.declared_rank})"
    )
    console.print(styled((a.mission, "bold"), ": ", verdict))
    if a.override is not None:
        o = a.override
        console.print(
            styled(
                (f"overruled to {o.rank}", "bold yellow"),
                f" by {o.by} at {o.at:%Y-%m-%d %H:%M}: {o.reason}",
            )
        )
    if a.threats:
        table = Table(title="Threats")
        id_column(table, "threat", (t.threat for t in a.threats))
        table.add_column("probability", justify="right")
        for t in a.threats:
            table.add_row(t.threat, f"{t.probability:.0%}")
        console.print(table)
    for f in a.factors:
        console.print(f"  [{f.contribution:+.4f}] {f.text}", markup=False)
    for note in a.notes:
        console.print(f"  note: {note}", markup=False)
    if a.briefing:
        console.print(styled(("Briefing", "bold")))
        for b in a.briefing:
            console.print(f"  {b.threat} / {b.ability}: {b.advice}", markup=False)


def _print_simulation(s: "SimulationResult") -> None:
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
    from missiondesk.services import assessment as assessment_service

    params = assessment_service.fit(open_db(db), actor=actor())
    if json:
        emit_json(params)
    else:
        console.print(f"fitted from {plural(params.reports, 'report')}:")
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
    """Calibration on history: the fight model on the newest reports held out (Brier score,
    reliability table), and beside it the engagement probabilities against the encounters
    in reports, recomputed as of each departure, with the scales fitted from them."""
    from missiondesk.risk.fitting import plot_reliability
    from missiondesk.services import assessment as assessment_service

    database = open_db(db)
    result = assessment_service.calibrate(database, holdout_fraction=holdout)
    engagement = assessment_service.calibrate_engagement(database)
    if plot is not None:
        plot_reliability(result, plot, engagement)
    warnings = [engagement.warning] if engagement.warning else []
    payload: dict[str, Any] = result.model_dump(mode="json")
    payload["engagement"] = engagement.model_dump(mode="json")
    payload["warnings"] = warnings
    if plot is not None:
        payload["plot"] = str(plot)
    if json:
        emit_json(payload)
        return
    _print_report(result, engagement)
    if plot is not None:
        console.print(f"wrote {plot}")


def _print_report(fight: "Calibration", engagement: "EngagementCalibration") -> None:
    from rich.table import Table

    if engagement.warning:
        console.print(styled(("warning:", "bold yellow"), f" {engagement.warning}"))
    brier = "n/a" if fight.brier is None else f"{fight.brier:.4f}"
    if fight.brier_interval:
        brier += f" (90% {fight.brier_interval[0]:.4f}-{fight.brier_interval[1]:.4f})"
    injury = "" if fight.injury_brier is None else f", injury Brier {fight.injury_brier:.4f}"
    console.print(
        styled(
            ("Fight model", "bold"),
            f": fitted on {plural(fight.fitted_on, 'report')}, evaluated on "
            f"{fight.evaluated_on}; success Brier {brier}{injury}",
        )
    )
    _print_bins("success", fight.reliability)
    e_brier = "n/a" if engagement.brier is None else f"{engagement.brier:.4f}"
    console.print(
        styled(
            ("Engagement", "bold"),
            f": {plural(engagement.reports, 'report')}, {engagement.pairs} mission-threat "
            f"pairs, {engagement.met} met; Brier {e_brier}",
        )
    )
    _print_bins("threat met", engagement.reliability)
    if engagement.fit is not None:
        table = Table(title="Engagement scales fitted from the reports")
        for column in ("setting", "village", "fitted"):
            table.add_column(column)
        for name, value in engagement.fit.settings.items():
            table.add_row(name, f"{value:g}", f"{engagement.fit.fitted[name]:g}")
        console.print(table)
        console.print(
            f"effect: log loss {engagement.fit.log_loss} -> {engagement.fit.fitted_log_loss}, "
            f"Brier {engagement.brier} -> {engagement.fitted_brier} (on the same reports; "
            "set the fitted values under settings.risk to adopt them)"
        )


def _print_bins(label: str, bins: "list[ReliabilityBin]") -> None:
    from rich.table import Table

    if not bins:
        return
    table = Table(title=f"Reliability: {label}")
    for column in ("predicted", "count", "mean predicted", "observed"):
        table.add_column(column, justify="right")
    for b in bins:
        table.add_row(
            f"{b.lower:.1f}-{b.upper:.1f}", str(b.count), f"{b.predicted:.3f}", f"{b.observed:.3f}"
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command("assess")(assess)
    app.add_typer(model_app, name="model")
