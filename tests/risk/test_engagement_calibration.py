"""The engagement probabilities against the encounters in reports: scored as of each
departure, and fitted back on histories whose true engagement rates are known."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import numpy as np
import pytest

from missiondesk.domain.settings import RiskSettings
from missiondesk.domain.village import Village
from missiondesk.risk.engagement import (
    MIN_ENGAGEMENT_REPORTS,
    engagement_calibration,
    engagement_probabilities,
    fit_engagement,
)

TRUTH = RiskSettings(
    distance_half_life_hours=6.0,
    age_half_life_days=3.0,
    sighting_weight=0.7,
    interest_weight=0.2,
)
PLACES = [f"p{i}" for i in range(9)]
START = dt.datetime(2025, 1, 1, 6, 0)


def _world(rng: random.Random, reports: int) -> dict[str, Any]:
    """A 3x3 grid of places 5 hours apart, five threats (two wanting 'gold'), sightings over
    a year, and `reports` past missions from p0 to a random place and back."""
    roads = []
    for i in range(9):
        if i % 3 < 2:
            roads.append({"from": PLACES[i], "to": PLACES[i + 1], "hours": 5})
        if i < 6:
            roads.append({"from": PLACES[i], "to": PLACES[i + 3], "hours": 5})
    sightings = [
        {
            "threat": f"t{rng.randrange(5)}",
            "place": rng.choice(PLACES),
            "at": START + dt.timedelta(hours=rng.randrange(365 * 24)),
            "confidence": rng.choice([0.5, 0.8, 1.0]),
        }
        for _ in range(260)
    ]
    history = []
    for n in range(reports):
        departed = START + dt.timedelta(days=2 + rng.random() * 360)
        history.append(
            {
                "mission": {
                    "id": f"h{n}",
                    "title": f"Past mission {n}",
                    "rank": "C",
                    "route": ["p0", rng.choice(PLACES[1:]), "p0"],
                    "objective": {
                        "tags": ["gold"] if rng.random() < 0.3 else [],
                        "on_site_hours": rng.choice([0, 2, 6]),
                    },
                },
                "squad": {"leader": "s0"},
                "departed": departed,
                "returned": departed + dt.timedelta(days=1),
                "report": {"outcome": "success", "encounters": []},
            }
        )
    return {
        "format": "missiondesk/village/v1",
        "village": {"id": "p0", "name": "Home", "today": "2026-01-01"},
        "settings": {"risk": TRUTH.model_dump()},
        "places": [{"id": p, "name": p.upper()} for p in PLACES],
        "roads": roads,
        "shinobi": [{"id": "s0", "name": "S0", "rank": "jonin", "status": "available"}],
        "organizations": [{"id": "gang", "name": "Gang", "interests": ["gold"]}],
        "threats": [
            {"id": f"t{i}", "name": f"T{i}", "rank": "B", "organization": "gang" if i < 2 else None}
            for i in range(5)
        ],
        "sightings": sightings,
        "history": history,
    }


def generated_history(seed: int, reports: int) -> tuple[Village, np.ndarray]:
    """A village whose reports' encounters are drawn from the model at TRUTH; returns it and
    the true engagement probabilities (per report by departure, per threat by id)."""
    rng = random.Random(seed)
    document = _world(rng, reports)
    truth = engagement_probabilities(Village.model_validate(document), TRUTH)
    draws = np.random.default_rng(seed).random(truth.shape) < truth
    ordered = sorted(document["history"], key=lambda h: h["departed"])
    for entry, met in zip(ordered, draws, strict=True):
        target = entry["mission"]["route"][1]
        entry["report"]["encounters"] = [
            {"threat": f"t{t}", "place": target, "at": entry["departed"] + dt.timedelta(hours=3)}
            for t in np.flatnonzero(met).tolist()
        ]
    return Village.model_validate(document), truth


def test_the_fit_recovers_the_true_engagement_rates() -> None:
    village, truth = generated_history(seed=3, reports=400)
    # Start from wrong scales; the fit must find its way back from the encounters alone.
    wrong = village.model_copy(
        update={
            "settings": village.settings.model_copy(
                update={
                    "risk": RiskSettings(
                        distance_half_life_hours=24,
                        age_half_life_days=30,
                        sighting_weight=0.3,
                        interest_weight=0.6,
                    )
                }
            )
        }
    )
    fitted = fit_engagement(wrong)
    recovered = engagement_probabilities(village, fitted)
    # Stated tolerance: every report-threat probability within 0.06 on average, 0.25 at worst.
    assert float(np.mean(np.abs(recovered - truth))) < 0.06
    assert float(np.max(np.abs(recovered - truth))) < 0.25
    # The scales themselves within a factor of two, the interest weight within 0.1.
    assert 3.0 <= fitted.distance_half_life_hours <= 12.0
    assert 1.5 <= fitted.age_half_life_days <= 6.0
    assert fitted.interest_weight == pytest.approx(0.2, abs=0.1)
    before = engagement_probabilities(village, wrong.settings.risk)
    assert float(np.mean(np.abs(before - truth))) > float(np.mean(np.abs(recovered - truth)))


def test_the_calibration_scores_the_truth_well_and_says_what_the_fit_changes() -> None:
    village, _ = generated_history(seed=5, reports=120)
    report = engagement_calibration(village)
    assert report.warning is None and report.reports == 120
    assert report.pairs > 0 and 0 < report.met < report.pairs
    assert report.brier is not None and report.brier < 0.2
    assert report.fit is not None and set(report.fit.fitted) == set(report.fit.settings)
    assert report.fitted_brier is not None
    assert report.fit.fitted_log_loss is not None and report.fit.log_loss is not None
    assert report.fit.fitted_log_loss <= report.fit.log_loss  # in-sample: never worse
    assert sum(b.count for b in report.reliability) == report.pairs


def test_the_history_is_scored_with_the_assessments_own_formula() -> None:
    from missiondesk.risk.assessment import epoch_days, evidence

    village, truth = generated_history(seed=11, reports=30)
    found = evidence(village, settings=TRUTH)
    for r, entry in enumerate(sorted(village.history, key=lambda h: h.departed)[:10]):
        day = epoch_days(entry.departed)
        one = found.engagement(
            entry.mission.route,
            entry.mission.objective.tags,
            entry.mission.objective.on_site_hours,
            day,
            known_before=day,
        )
        assert np.allclose(one.probability, truth[r], atol=1e-12)


def test_a_sighting_made_after_departure_is_not_known_at_departure() -> None:
    village, truth = generated_history(seed=7, reports=40)
    document = village.model_dump(by_alias=True)
    entry = min(document["history"], key=lambda h: h["departed"])
    # The encounter reported as a sighting, on the spot, after the squad left.
    document["sightings"].append(
        {
            "threat": "t4",
            "place": entry["mission"]["route"][1],
            "at": entry["departed"] + dt.timedelta(hours=3),
            "confidence": 1.0,
        }
    )
    after = engagement_probabilities(Village.model_validate(document), TRUTH)
    assert after[0, 4] == truth[0, 4]


def test_too_few_reports_are_said_plainly() -> None:
    village, _ = generated_history(seed=1, reports=MIN_ENGAGEMENT_REPORTS - 1)
    report = engagement_calibration(village)
    assert report.warning is not None and str(MIN_ENGAGEMENT_REPORTS) in report.warning
    assert report.fit is None
