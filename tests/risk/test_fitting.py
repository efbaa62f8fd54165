"""Fitting recovers the parameters that generated a history; calibration is measured on newer
reports than the fit saw."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from risk_villages import demo_village, story_document

from missiondesk.domain.village import Village
from missiondesk.risk.fitting import calibration, fit_model, plot_reliability
from missiondesk.risk.simulation import (
    ModelParameters,
    member_rating,
    shifted_severity,
    squad_strength,
)

TRUE = ModelParameters(
    quiet_success_logit=2.0,
    fight_logit=0.6,
    fight_slope=1.2,
    quiet_injury_logit=-2.5,
    injury_logit=-0.8,
    injury_slope=0.7,
    member_slope=0.5,
    severity=(0.35, 0.3, 0.2, 0.1, 0.05),
    medic_shift=0.6,
)
RANKS = ["academy", "genin", "chunin", "special_jonin", "jonin", "kage"]
THREAT_RANKS = ["D", "C", "B", "A", "S"]
SEVERITY_NAMES = ["minor", "moderate", "serious", "critical", "fatal"]


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def synthetic_village(params: ModelParameters, entries: int, seed: int) -> Village:
    """A roster and threats, and `entries` reports drawn from the model with `params`
    (written out here from docs/risk.md, not with the simulator's code)."""
    rng = np.random.default_rng(seed)
    shinobi = [
        {
            "id": f"s{i}",
            "name": f"S{i}",
            "rank": RANKS[int(rng.integers(0, 6))],
            "skills": {k: int(rng.integers(0, 6)) for k in ("taijutsu", "ninjutsu", "tactics")}
            | {"medical": int(rng.choice([0, 0, 0, 2]))},
            "status": "available",
        }
        for i in range(60)
    ]
    threats = [{"id": f"t{i}", "name": f"T{i}", "rank": THREAT_RANKS[i % 5]} for i in range(10)]
    document = story_document(shinobi=shinobi, threats=threats, sightings=[], missions=[])
    village = Village.model_validate(document)
    people = {s.id: s for s in village.shinobi}
    history: list[dict[str, Any]] = []
    start = dt.datetime(2020, 1, 1, 6)
    for n in range(entries):
        size = int(rng.integers(1, 6))
        squad = [f"s{i}" for i in rng.choice(60, size=size, replace=False)]
        ratings = [member_rating(people[s], params) for s in squad]
        strength = squad_strength(ratings)
        met = [f"t{i}" for i in rng.choice(10, size=int(rng.choice([0, 1, 1, 2])), replace=False)]
        level = max((THREAT_RANKS.index(threats[int(t[1:])]["rank"]) for t in met), default=-1)
        if level < 0:
            success = _sigmoid(params.quiet_success_logit)
        else:
            success = _sigmoid(params.fight_logit - params.fight_slope * (level - strength))
        medic = any(people[s].skill("medical") >= 2 for s in squad)
        severity = shifted_severity(params, medic)
        injuries = []
        for s, rating in zip(squad, ratings, strict=True):
            z = (
                params.quiet_injury_logit
                if level < 0
                else params.injury_logit
                + params.injury_slope * (level - strength)
                + params.member_slope * (level - rating)
            )
            if rng.random() < _sigmoid(z):
                injuries.append(
                    {
                        "shinobi": s,
                        "severity": SEVERITY_NAMES[int(rng.choice(5, p=severity))],
                        "recovery_days": 3,
                    }
                )
        departed = start + dt.timedelta(days=n)
        history.append(
            {
                "mission": {"id": f"h{n}", "title": f"H{n}", "rank": "C", "route": ["konoha"]},
                "squad": {"leader": squad[0], "members": squad[1:]},
                "departed": departed,
                "returned": departed + dt.timedelta(hours=30),
                "report": {
                    "outcome": "success" if rng.random() < success else "failure",
                    "injuries": injuries,
                    "encounters": [{"threat": t, "place": "konoha", "at": departed} for t in met],
                },
            }
        )
    document["history"] = history
    return Village.model_validate(document)


@pytest.fixture(scope="module")
def history_village() -> Village:
    return synthetic_village(TRUE, entries=4000, seed=5)


def test_the_fit_recovers_the_parameters_that_made_the_history(history_village: Village) -> None:
    fitted = fit_model(history_village)
    assert fitted.reports == 4000
    assert fitted.quiet_success_logit == pytest.approx(TRUE.quiet_success_logit, abs=0.35)
    assert fitted.fight_logit == pytest.approx(TRUE.fight_logit, abs=0.25)
    assert fitted.fight_slope == pytest.approx(TRUE.fight_slope, abs=0.2)
    assert fitted.quiet_injury_logit == pytest.approx(TRUE.quiet_injury_logit, abs=0.2)
    assert fitted.injury_logit == pytest.approx(TRUE.injury_logit, abs=0.2)
    assert fitted.injury_slope == pytest.approx(TRUE.injury_slope, abs=0.2)
    assert fitted.member_slope == pytest.approx(TRUE.member_slope, abs=0.2)
    assert np.allclose(fitted.severity, TRUE.severity, atol=0.04)
    assert fitted.medic_shift == pytest.approx(TRUE.medic_shift, abs=0.15)


def test_a_different_truth_gives_a_different_fit() -> None:
    gentle = TRUE.model_copy(update={"fight_slope": 0.3, "medic_shift": 0.1})
    fitted = fit_model(synthetic_village(gentle, entries=3000, seed=9))
    assert fitted.fight_slope == pytest.approx(0.3, abs=0.2)
    assert fitted.medic_shift == pytest.approx(0.1, abs=0.15)


def test_without_history_the_prior_stays() -> None:
    village = Village.model_validate(story_document())
    prior = ModelParameters(fight_slope=2.5)
    assert fit_model(village, prior=prior) == prior
    assert fit_model(village) == ModelParameters()


def test_the_demo_history_fits_without_error() -> None:
    fitted = fit_model(demo_village())
    assert fitted.reports == len(demo_village().history)
    assert math.isclose(sum(fitted.severity), 1.0)


def test_calibration_holds_out_the_newest_reports(history_village: Village) -> None:
    report = calibration(history_village, holdout_fraction=0.25, seed=1)
    assert (report.fitted_on, report.evaluated_on) == (3000, 1000)
    assert report.parameters.reports == 3000
    assert sum(b.count for b in report.reliability) == 1000
    assert report.brier is not None and 0.05 < report.brier < 0.25
    assert report.brier_interval is not None
    assert report.brier_interval[0] <= report.brier <= report.brier_interval[1]
    # A model fitted on the truth is calibrated: well-filled bins agree with what happened.
    for b in report.reliability + report.injury_reliability:
        if b.count >= 150:
            assert b.observed == pytest.approx(b.predicted, abs=0.08)
    assert calibration(history_village, 0.25, seed=1) == report


def test_plot_reliability_writes_a_png(history_village: Village, tmp_path: Path) -> None:
    path = plot_reliability(calibration(history_village), tmp_path / "reliability.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_calibration_refuses_an_impossible_holdout(history_village: Village) -> None:
    with pytest.raises(ValueError, match="holdout_fraction"):
        calibration(history_village, holdout_fraction=1.0)
