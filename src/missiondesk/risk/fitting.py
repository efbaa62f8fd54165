"""Learn the simulator's parameters from the village's after-action reports, and say how well
calibrated they are on history they were not fitted on (docs/risk.md, "Fitting").

Each report is read with what it tells afterwards: who went (their ratings, from the roster),
which threats were met (its encounters: the strongest decides), the outcome and the injuries.
The success and injury curves are logistic regressions fitted by maximum likelihood
(Newton / IRLS); rates without an encounter, the severity mix and the medic's effect are
maximum-likelihood estimates with a light prior (add-half smoothing).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict

from missiondesk.domain.ranks import Outcome
from missiondesk.domain.village import HistoryEntry, Village
from missiondesk.risk.simulation import (
    DECIMALS,
    SEVERITIES,
    ModelParameters,
    is_medic,
    member_rating,
    shifted_severity,
    squad_strength,
)

if TYPE_CHECKING:
    from missiondesk.risk.engagement import EngagementCalibration

FloatArray = npt.NDArray[np.float64]

OUTCOME_SCORE: dict[Outcome, float | None] = {
    Outcome.SUCCESS: 1.0,
    Outcome.PARTIAL: 0.5,
    Outcome.FAILURE: 0.0,
    Outcome.ABORTED: None,  # says nothing about whether the squad could have done it
}
MIN_ROWS = 10
"""A curve is fitted only from at least this many observations; otherwise the prior stays."""


@dataclass(frozen=True)
class _Observation:
    """One history entry as the model sees it."""

    score: float | None  # OUTCOME_SCORE of the outcome
    strongest: int  # level of the strongest threat met, -1 when none was
    strength: float
    ratings: list[float]
    medic: bool
    severity: list[int]  # per member: worst severity level injured, -1 when unhurt


def _observe(
    village: Village, entries: Sequence[HistoryEntry], params: ModelParameters
) -> list[_Observation]:
    roster = {s.id: s for s in village.shinobi}
    threat_level = {t.id: t.rank.level for t in village.threats}
    observations = []
    for entry in entries:
        squad = entry.squad.everyone
        people = [roster.get(i) for i in squad]
        # Someone no longer on the roster counts as a genin without skills.
        ratings = [member_rating(p, params) if p else 0.0 for p in people]
        met = [threat_level[e.threat] for e in entry.report.encounters if e.threat in threat_level]
        worst: dict[str, int] = {}
        for injury in entry.report.injuries:
            worst[injury.shinobi] = max(worst.get(injury.shinobi, -1), injury.severity.level)
        observations.append(
            _Observation(
                score=OUTCOME_SCORE[entry.report.outcome],
                strongest=max(met, default=-1),
                strength=squad_strength(ratings),
                ratings=ratings,
                medic=any(p is not None and is_medic(p, village) for p in people),
                severity=[worst.get(i, -1) for i in squad],
            )
        )
    return observations


def _logit(p: float) -> float:
    return math.log(p / (1.0 - p))


def _smoothed_logit(hits: float, n: int) -> float:
    return _logit((hits + 0.5) / (n + 1.0))


def logistic_fit(x: FloatArray, y: FloatArray, ridge: float = 1e-4) -> FloatArray:
    """Maximum-likelihood logistic regression `y ~ sigmoid(x @ beta)` by Newton's method,
    with a tiny ridge so separable data still gives finite coefficients. `y` may be
    fractional (a partial success counts half)."""
    beta = np.zeros(x.shape[1])
    for _ in range(100):
        mu = 1.0 / (1.0 + np.exp(-(x @ beta)))
        gradient = x.T @ (y - mu) - ridge * beta
        hessian = (x * (mu * (1.0 - mu))[:, None]).T @ x + ridge * np.eye(x.shape[1])
        step = np.linalg.solve(hessian, gradient)
        beta = beta + step
        if float(np.max(np.abs(step))) < 1e-10:
            break
    return beta


def _non_negative_slopes(x: FloatArray, y: FloatArray) -> FloatArray:
    """Logistic fit whose coefficients after the intercept are >= 0: a slope the data
    would make negative (stronger squads doing worse) is fixed at 0 and the rest refitted."""
    free = list(range(x.shape[1]))
    while True:
        beta = np.zeros(x.shape[1])
        beta[free] = logistic_fit(x[:, free], y)
        negative = [j for j in free[1:] if beta[j] < 0]
        if not negative:
            return beta
        free.remove(negative[0])


def _fit(
    village: Village, entries: Sequence[HistoryEntry], prior: ModelParameters
) -> ModelParameters:
    obs = _observe(village, entries, prior)
    fitted: dict[str, object] = {"reports": len(obs)}

    quiet = [o for o in obs if o.strongest < 0 and o.score is not None]
    if quiet:
        fitted["quiet_success_logit"] = _smoothed_logit(
            sum(o.score or 0.0 for o in quiet), len(quiet)
        )
    fights = [o for o in obs if o.strongest >= 0 and o.score is not None]
    if len(fights) >= MIN_ROWS:
        gap = np.array([o.strongest - o.strength for o in fights])
        a, b = _non_negative_slopes(
            np.column_stack([np.ones_like(gap), -gap]), np.array([o.score for o in fights])
        )
        fitted["fight_logit"], fitted["fight_slope"] = float(a), float(b)

    quiet_members = [s for o in obs if o.strongest < 0 for s in o.severity]
    if quiet_members:
        hurt = sum(1 for s in quiet_members if s >= 0)
        fitted["quiet_injury_logit"] = _smoothed_logit(hurt, len(quiet_members))
    rows = [
        (1.0, o.strongest - o.strength, o.strongest - r, 1.0 if s >= 0 else 0.0)
        for o in obs
        if o.strongest >= 0
        for r, s in zip(o.ratings, o.severity, strict=True)
    ]
    if len(rows) >= MIN_ROWS:
        table = np.array(rows)
        c, slope, member = _non_negative_slopes(table[:, :3], table[:, 3])
        fitted |= {
            "injury_logit": float(c),
            "injury_slope": float(slope),
            "member_slope": float(member),
        }

    plain = np.zeros(len(SEVERITIES))
    cared = np.zeros(len(SEVERITIES))
    for o in obs:
        for s in o.severity:
            if s >= 0:
                (cared if o.medic else plain)[s] += 1
    if plain.sum() > 0:
        smoothed = (plain + 0.5) / (plain.sum() + 0.5 * len(SEVERITIES))
        fitted["severity"] = tuple(float(x) for x in smoothed / smoothed.sum())
    candidate = prior.model_copy(update=fitted)
    if cared.sum() > 0:
        fitted["medic_shift"] = _medic_shift(candidate, cared)
    return ModelParameters.model_validate(prior.model_dump() | fitted)


def _medic_shift(params: ModelParameters, counts: FloatArray) -> float:
    """The medic's effect by maximum likelihood on a grid of 0.001: the severities seen in
    squads with a medic, as the mixture of the plain and the one-level-milder mix."""
    grid = np.linspace(0.0, 1.0, 1001)
    plain = shifted_severity(params.model_copy(update={"medic_shift": 0.0}), medic=True)
    milder = shifted_severity(params.model_copy(update={"medic_shift": 1.0}), medic=True)
    mixture = (1.0 - grid)[:, None] * plain + grid[:, None] * milder
    with np.errstate(divide="ignore"):
        log_mix = np.where(counts > 0, np.log(mixture), 0.0)
    return float(grid[int(np.argmax(log_mix @ counts))])


def fit_model(village: Village, *, prior: ModelParameters | None = None) -> ModelParameters:
    """Parameters fitted from every report of the village's history; what the history cannot
    tell (too few fights, no injuries) keeps the `prior`'s value (default: the defaults)."""
    return _fit(village, village.history, prior or ModelParameters())


class ReliabilityBin(BaseModel):
    model_config = ConfigDict(frozen=True)
    lower: float
    upper: float
    count: int
    predicted: float  # mean predicted probability in the bin
    observed: float  # mean observed outcome in the bin


class Calibration(BaseModel):
    """How the model fitted on the older reports predicts the newer ones. It conditions on
    the threats each report says were met: it checks the fight and injury model, not the
    assessment's engagement probabilities."""

    model_config = ConfigDict(frozen=True)
    fitted_on: int
    evaluated_on: int
    parameters: ModelParameters
    brier: float | None  # success (partial counts half); None with nothing to evaluate
    brier_interval: tuple[float, float] | None  # 90% bootstrap interval
    reliability: list[ReliabilityBin]
    injury_brier: float | None  # per member: injured or not
    injury_reliability: list[ReliabilityBin]


def reliability_bins(
    predicted: FloatArray, observed: FloatArray, count: int = 10
) -> list[ReliabilityBin]:
    """Ten equal bins of the predicted probability: count, mean predicted, mean observed;
    empty bins are left out."""
    index = np.minimum((predicted * count).astype(int), count - 1)
    bins = []
    for b in range(count):
        mask = index == b
        if mask.any():
            bins.append(
                ReliabilityBin(
                    lower=b / count,
                    upper=(b + 1) / count,
                    count=int(mask.sum()),
                    predicted=round(float(predicted[mask].mean()), DECIMALS),
                    observed=round(float(observed[mask].mean()), DECIMALS),
                )
            )
    return bins


def _sigmoid(x: FloatArray) -> FloatArray:
    return np.asarray(1.0 / (1.0 + np.exp(-x)))


def calibration(village: Village, holdout_fraction: float = 0.3, seed: int = 0) -> Calibration:
    """Fit on the oldest reports (by departure), evaluate on the newest `holdout_fraction`:
    Brier scores, reliability tables of ten equal bins, and a bootstrap interval of the
    success Brier score (1,000 resamples drawn with `seed`)."""
    if not 0.0 < holdout_fraction < 1.0:
        raise ValueError("holdout_fraction must be between 0 and 1")
    entries = sorted(village.history, key=lambda e: e.departed)
    held = min(len(entries), math.ceil(len(entries) * holdout_fraction))
    older, newer = entries[: len(entries) - held], entries[len(entries) - held :]
    params = _fit(village, older, ModelParameters())
    obs = _observe(village, newer, params)

    scored = [o for o in obs if o.score is not None]
    predicted = np.array(
        [
            params.quiet_success_logit
            if o.strongest < 0
            else params.fight_logit - params.fight_slope * (o.strongest - o.strength)
            for o in scored
        ]
    )
    predicted = _sigmoid(predicted)
    observed = np.array([o.score for o in scored], dtype=np.float64)
    brier = interval = None
    if len(scored):
        errors = (predicted - observed) ** 2
        brier = round(float(errors.mean()), DECIMALS)
        resamples = np.random.default_rng(seed).integers(0, len(errors), (1000, len(errors)))
        low, high = np.quantile(errors[resamples].mean(axis=1), [0.05, 0.95])
        interval = (round(float(low), DECIMALS), round(float(high), DECIMALS))

    injury_z = np.array(
        [
            params.quiet_injury_logit
            if o.strongest < 0
            else params.injury_logit
            + params.injury_slope * (o.strongest - o.strength)
            + params.member_slope * (o.strongest - r)
            for o in obs
            for r in o.ratings
        ]
    )
    injury_predicted = _sigmoid(injury_z)
    injured = np.array([1.0 if s >= 0 else 0.0 for o in obs for s in o.severity])
    injury_brier = (
        round(float(((injury_predicted - injured) ** 2).mean()), DECIMALS) if len(injured) else None
    )
    return Calibration(
        fitted_on=len(older),
        evaluated_on=len(newer),
        parameters=params,
        brier=brier,
        brier_interval=interval,
        reliability=reliability_bins(predicted, observed),
        injury_brier=injury_brier,
        injury_reliability=reliability_bins(injury_predicted, injured),
    )


def plot_reliability(
    calibration: Calibration,
    path: str | Path,
    engagement: EngagementCalibration | None = None,
) -> Path:
    """A PNG reliability diagram (predicted vs observed, each bin's count beside its point)
    at `path`: the fight model's (success, injury); with `engagement`, a second panel for the
    assessment's engagement probabilities against the encounters in reports."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    panels = 2 if engagement is not None else 1
    figure = Figure(figsize=(5.5 * panels, 5.0), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot(1, panels, 1)
    brier = "n/a" if calibration.brier is None else f"{calibration.brier:.3f}"
    _reliability_panel(
        axes,
        [
            (calibration.reliability, "mission success", "o"),
            (calibration.injury_reliability, "member injured", "s"),
        ],
        f"Fight model: {calibration.evaluated_on} held-out reports (Brier {brier})",
    )
    if engagement is not None:
        brier = "n/a" if engagement.brier is None else f"{engagement.brier:.3f}"
        _reliability_panel(
            figure.add_subplot(1, 2, 2),
            [(engagement.reliability, "threat met", "D")],
            f"Engagement: {engagement.pairs} mission-threat pairs (Brier {brier})",
        )
    out = Path(path)
    figure.savefig(out, format="png")
    return out


def _reliability_panel(
    axes: Any, series: list[tuple[list[ReliabilityBin], str, str]], title: str
) -> None:
    axes.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfect calibration")
    for bins, label, marker in series:
        if bins:
            axes.plot(
                [b.predicted for b in bins], [b.observed for b in bins], marker=marker, label=label
            )
            for b in bins:
                axes.annotate(
                    str(b.count),
                    (b.predicted, b.observed),
                    fontsize=7,
                    xytext=(3, 3),
                    textcoords="offset points",
                )
    axes.set_xlim(0, 1)
    axes.set_ylim(0, 1)
    axes.set_xlabel("predicted probability")
    axes.set_ylabel("observed frequency")
    axes.set_title(title, fontsize=9)
    axes.legend(loc="upper left", fontsize=8)
