"""How well the assessment's engagement probabilities match what squads met, and what the
reports say its scales should be (docs/risk.md, "Calibration of the engagement").

Every report is read as of its departure: the mission's route, tags and hours on site, and
only the sightings made before it left; the assessment's probability for each threat is set
against whether the report lists an encounter with that threat. A pair counts when the
threat had any evidence at departure (an interest in the objective, or a sighting) or was
met; the rest are trivially right zeros and would flatter the score.

The fit maximises the likelihood of those encounters over the model's scales (distance and
age half-lives, the sighting and interest weights) by coordinate ascent on fixed grids:
deterministic, no randomness, and each value is one the village file can hold.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict

from missiondesk.domain.settings import RiskSettings
from missiondesk.domain.village import HistoryEntry, Village
from missiondesk.risk.assessment import _Evidence, epoch_days, evidence
from missiondesk.risk.fitting import ReliabilityBin, reliability_bins
from missiondesk.risk.roads import RoadNetwork

FloatArray = npt.NDArray[np.float64]

DECIMALS = 4
MIN_ENGAGEMENT_REPORTS = 30
"""Below this many reports the engagement calibration is printed with a warning and nothing
is fitted: a Brier score on a handful of missions says little."""
MIN_ENCOUNTERS = 10
"""... and likewise below this many encounters among the scored pairs: the scales are
learned from the threats that were met, and a few of them fit noise."""

GRIDS: dict[str, tuple[float, ...]] = {
    "distance_half_life_hours": (1, 1.5, 2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 24, 32, 48),
    "age_half_life_days": (0.5, 1, 1.5, 2, 3, 4, 5, 7, 10, 14, 21, 30, 45, 60, 90),
    "sighting_weight": tuple(round(0.05 * i, 2) for i in range(1, 21)),
    "interest_weight": tuple(round(0.05 * i, 2) for i in range(0, 20)),
}
"""The values the fit chooses from, per parameter."""

_FLOOR = 1e-6  # probabilities are clipped to [_FLOOR, 1 - _FLOOR] in the likelihood


class EngagementFit(BaseModel):
    """The fitted scales, beside the village's, and what changing them would do."""

    model_config = ConfigDict(frozen=True)
    settings: dict[str, float]  # the village's values
    fitted: dict[str, float]  # the maximum-likelihood values on GRIDS
    log_loss: float | None  # per pair, with the village's values
    fitted_log_loss: float | None  # per pair, with the fitted values


class EngagementCalibration(BaseModel):
    """The engagement probabilities against the encounters in reports."""

    model_config = ConfigDict(frozen=True)
    reports: int  # reports read
    pairs: int  # (report, threat) pairs scored
    met: int  # of which the threat was met
    brier: float | None
    fitted_brier: float | None  # the same pairs, with the fitted values (in-sample)
    reliability: list[ReliabilityBin]
    fit: EngagementFit | None
    warning: str | None  # set when there are fewer than MIN_ENGAGEMENT_REPORTS reports


@dataclass(frozen=True)
class _History:
    """Every report as the assessment saw it at departure, as arrays: per report, per
    sighting the age and whether it was known; per report and threat, matching tags and met."""

    network: RoadNetwork
    village: Village
    entries: list[HistoryEntry]
    departure: FloatArray  # per report, epoch days
    met: npt.NDArray[np.bool_]  # (reports, threats)
    base: dict[object, object] = field(default_factory=dict)  # built once: evidence, arrays

    def evidence(self, settings: RiskSettings) -> _Evidence:
        """The village's evidence under `settings`; the arrays and the exposure profiles
        (cached by distance scale) are shared between settings."""
        built = self.base.get("evidence")
        if built is None:
            built = self.base["evidence"] = evidence(
                self.village, network=self.network, settings=settings
            )
        assert isinstance(built, _Evidence)
        return dataclasses.replace(built, settings=settings, _beliefs={})


def _history(village: Village) -> _History:
    network = RoadNetwork.from_village(village)
    entries = sorted(village.history, key=lambda e: e.departed)
    threats = sorted(t.id for t in village.threats)
    position = {t: i for i, t in enumerate(threats)}
    met = np.zeros((len(entries), len(threats)), dtype=bool)
    for r, entry in enumerate(entries):
        for encounter in entry.report.encounters:
            if encounter.threat in position:
                met[r, position[encounter.threat]] = True
    return _History(
        network=network,
        village=village,
        entries=entries,
        departure=np.array([epoch_days(e.departed) for e in entries], dtype=np.float64),
        met=met,
    )


def _predict(history: _History, settings: RiskSettings) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    """Per report and threat: the engagement probability at departure (the assessment's
    formula, over all reports at once), and whether the pair counts (some evidence at
    departure, or met). What depends on one scale only is computed once per value."""
    found = history.evidence(settings)
    n, n_threats = len(history.entries), len(found.threats)
    if n == 0:
        return np.zeros((0, n_threats)), np.zeros((0, n_threats), dtype=bool)
    cache = history.base

    def once(key: tuple[object, ...], make: Callable[[], npt.NDArray[Any]]) -> npt.NDArray[Any]:
        if key not in cache:
            cache[key] = make()
        value = cache[key]
        assert isinstance(value, np.ndarray)
        return value

    day = history.departure[:, None]
    known = once(("known",), lambda: found.sighting_day[None, :] < day)
    exposure = once(
        ("exposure", settings.distance_half_life_hours, settings.pass_through_hours),
        lambda: np.stack(
            [
                found.profile(e.mission.route, e.mission.objective.on_site_hours)
                for e in history.entries
            ]
        )[:, found.sighting_place],
    )
    reach = once(
        ("reach", settings.distance_half_life_hours, settings.pass_through_hours,
         settings.exposure_hours),
        lambda: -np.expm1(-exposure / settings.exposure_hours),
    )  # fmt: skip
    belief = once(
        ("belief", settings.age_half_life_days),
        lambda: np.where(
            known,
            found.sighting_confidence[None, :]
            * np.exp2(-np.maximum(0.0, day - found.sighting_day[None, :])
                      / settings.age_half_life_days),
            0.0,
        ),
    )  # fmt: skip
    q = settings.sighting_weight * belief * reach
    best = np.zeros((n, n_threats))
    seen = np.zeros((n, n_threats), dtype=bool)
    if q.shape[1]:
        best[:, found.segment_threat] = np.maximum.reduceat(q, found.segment_start, axis=1)
        seen[:, found.segment_threat] = np.logical_or.reduceat(known, found.segment_start, axis=1)
    k = once(("tags",), lambda: _matching_tags(history, found))
    with np.errstate(divide="ignore"):
        log_sighting = np.log1p(-best)
        log_interest = np.where(k > 0, k * np.log1p(-settings.interest_weight), 0.0)
    probability = -np.expm1(log_interest + log_sighting)
    return probability, seen | (k > 0) | history.met


def _matching_tags(history: _History, found: _Evidence) -> FloatArray:
    """(reports, threats): how many of the threat's organisation's interests the report's
    objective carries."""
    k = np.zeros((len(history.entries), len(found.threats)))
    for r, entry in enumerate(history.entries):
        tags = set(entry.mission.objective.tags)
        per_org = [sum(1 for i in o.interests if i in tags) for o in found.organizations]
        k[r] = np.array([*per_org, 0], dtype=np.float64)[found.threat_organization]
    return k


def _log_loss(p: FloatArray, y: npt.NDArray[np.bool_]) -> float:
    clipped = np.clip(p, _FLOOR, 1 - _FLOOR)
    return float(-np.mean(np.where(y, np.log(clipped), np.log1p(-clipped))))


def fit_engagement(village: Village, *, rounds: int = 3) -> RiskSettings:
    """The village's risk settings with the distance and age half-lives and the sighting and
    interest weights set to the values on GRIDS that best explain the reports' encounters
    (maximum likelihood, coordinate ascent from the village's values)."""
    history = _history(village)
    current = village.settings.risk
    if not history.entries:
        return current
    cache: dict[tuple[float, ...], float] = {}

    def loss(candidate: RiskSettings) -> float:
        key = tuple(getattr(candidate, name) for name in GRIDS)
        if key not in cache:
            p, counted = _predict(history, candidate)
            cache[key] = _log_loss(p[counted], history.met[counted]) if counted.any() else 0.0
        return cache[key]

    best = loss(current)
    for _ in range(rounds):
        improved = False
        for name, grid in GRIDS.items():
            for value in grid:
                candidate = current.model_copy(update={name: float(value)})
                score = loss(candidate)
                if score < best - 1e-12:
                    best, current, improved = score, candidate, True
        if not improved:
            break
    return current


def engagement_calibration(village: Village, *, fit: bool = True) -> EngagementCalibration:
    """Brier score and reliability table of the engagement probabilities against the
    encounters in reports, recomputed as of each departure; with `fit`, the fitted scales
    and the score they would give."""
    history = _history(village)
    settings = village.settings.risk
    p, counted = _predict(history, settings)
    predicted, observed = p[counted], history.met[counted].astype(np.float64)
    brier = round(float(np.mean((predicted - observed) ** 2)), DECIMALS) if len(predicted) else None
    warning = None
    met = int(observed.sum())
    if len(history.entries) < MIN_ENGAGEMENT_REPORTS or met < MIN_ENCOUNTERS:
        warning = (
            f"only {len(history.entries)} reports with {met} encounters (at least "
            f"{MIN_ENGAGEMENT_REPORTS} reports and {MIN_ENCOUNTERS} encounters are needed): "
            "too few to judge the engagement probabilities or to fit their scales; the "
            "village's settings stand"
        )
    result_fit = fitted_brier = None
    if fit and not warning and len(predicted):
        fitted = fit_engagement(village)
        fp, _ = _predict(history, fitted)
        names = list(GRIDS)
        result_fit = EngagementFit(
            settings={n: float(getattr(settings, n)) for n in names},
            fitted={n: float(getattr(fitted, n)) for n in names},
            log_loss=round(_log_loss(predicted, history.met[counted]), DECIMALS),
            fitted_log_loss=round(_log_loss(fp[counted], history.met[counted]), DECIMALS),
        )
        fitted_brier = round(float(np.mean((fp[counted] - observed) ** 2)), DECIMALS)
    return EngagementCalibration(
        reports=len(history.entries),
        pairs=int(counted.sum()),
        met=int(history.met[counted].sum()),
        brier=brier,
        fitted_brier=fitted_brier,
        reliability=reliability_bins(predicted, observed),
        fit=result_fit,
        warning=warning,
    )


def engagement_probabilities(village: Village, settings: RiskSettings) -> FloatArray:
    """Per report (by departure) and threat (by id): the probability at departure."""
    return _predict(_history(village), settings)[0]
