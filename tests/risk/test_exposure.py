"""Exposure, one whereabouts per threat, and probabilities explained whole (SPEC section 11)."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from risk_villages import demo_village, story_document

from missiondesk.domain.assessment import Assessment
from missiondesk.domain.ranks import MissionRank
from missiondesk.domain.village import Village
from missiondesk.risk.assessment import assess_board, assess_mission
from missiondesk.risk.exposure import exposure_profile, itinerary, objective_position
from missiondesk.risk.roads import RoadNetwork
from missiondesk.villagefile.generate import generate_village


def _compass(sightings: list[dict[str, Any]], **mission: Any) -> Village:
    """Home with a road 8 h west to the camel pasture, and roads east: 8 h to the east
    ford, 4 h more to the east hills (12 h from home)."""
    document = story_document(
        places=[
            {"id": "konoha", "name": "Konohagakure"},
            {"id": "west-pasture", "name": "West Pasture"},
            {"id": "east-ford", "name": "East Ford"},
            {"id": "east-hills", "name": "East Hills"},
        ],
        roads=[
            {"from": "konoha", "to": "west-pasture", "hours": 8},
            {"from": "konoha", "to": "east-ford", "hours": 8},
            {"from": "east-ford", "to": "east-hills", "hours": 4},
        ],
        organizations=[],
        threats=[{"id": "kakuzu", "name": "Kakuzu", "rank": "S", "abilities": []}],
        sightings=sightings,
        missions=[
            {
                "id": "camel",
                "title": "Find the lost camel",
                "rank": "D",
                "route": ["konoha", "west-pasture", "konoha"],
                "window": {"earliest": "2026-11-24"},
                **mission,
            }
        ],
        history=[],
    )
    return Village.model_validate(document)


KAKUZU_EAST = {"threat": "kakuzu", "place": "east-hills", "at": "2026-11-23T08:00", "confidence": 1}


def _camel(village: Village) -> Assessment:
    return assess_mission(village, village.missions[0])


def test_a_strong_threat_near_home_on_the_far_side_does_not_raise_a_mission() -> None:
    camel = _camel(_compass([KAKUZU_EAST]))
    assert camel.effective_rank == MissionRank.D and not camel.understated
    assert camel.probability("kakuzu") < 0.15  # below half the likely threshold (0.25)


def test_the_same_threat_on_the_missions_way_raises_it() -> None:
    east = _camel(_compass([KAKUZU_EAST], route=["konoha", "east-ford", "konoha"]))
    west = _camel(_compass([KAKUZU_EAST]))
    assert east.understated and east.effective_rank >= MissionRank.B
    assert east.probability("kakuzu") > 3 * west.probability("kakuzu")


def test_an_encounter_reported_as_a_second_sighting_adds_nothing() -> None:
    once = _camel(_compass([KAKUZU_EAST], route=["konoha", "east-ford", "konoha"]))
    twice = _camel(_compass([KAKUZU_EAST, KAKUZU_EAST], route=["konoha", "east-ford", "konoha"]))
    assert twice == once


def test_time_on_site_counts_and_home_counts_for_nothing() -> None:
    at_home = {**KAKUZU_EAST, "place": "konoha"}
    brief = _camel(_compass([at_home], route=["konoha"]))
    assert brief.threats == []  # no time at home, no exposure
    search = _camel(_compass([at_home], route=["konoha"], objective={"on_site_hours": 6}))
    longer = _camel(_compass([at_home], route=["konoha"], objective={"on_site_hours": 12}))
    assert 0 < search.probability("kakuzu") < longer.probability("kakuzu")


def test_a_multi_road_leg_passes_through_the_places_between() -> None:
    network = RoadNetwork.from_village(_compass([]))
    trip = itinerary(network, ["konoha", "east-hills", "konoha"])
    ford = network.index("east-ford")
    assert [(a, b) for a, b, _ in trip.roads].count((network.index("konoha"), ford)) == 1
    assert trip.hours == 24
    profile = exposure_profile(network, trip, 4.0)
    # A threat at the ford is passed twice at distance 0: like any place on the way.
    assert profile[ford] > profile[network.index("west-pasture")]


def test_the_objective_of_a_round_trip_is_its_farthest_stop() -> None:
    network = RoadNetwork.from_village(_compass([]))
    assert (
        objective_position(["konoha", "east-ford", "east-hills", "east-ford", "konoha"], network)
        == 2
    )
    assert objective_position(["konoha", "east-hills"], network) == 1
    assert objective_position(["konoha"], network) == 0


@settings(max_examples=30, deadline=None)
@given(st.floats(0, 48), st.floats(0, 48))
def test_more_time_on_site_never_lowers_risk(hours: float, more: float) -> None:
    sightings = [{**KAKUZU_EAST, "place": "west-pasture", "confidence": 0.5}]
    before = _camel(_compass(sightings, objective={"on_site_hours": hours}))
    after = _camel(_compass(sightings, objective={"on_site_hours": hours + more}))
    assert after.probability("kakuzu") >= before.probability("kakuzu")
    assert after.effective_rank >= before.effective_rank


@settings(max_examples=30, deadline=None)
@given(
    st.floats(0.5, 40), st.floats(0, 40), st.sampled_from(["konoha", "east-ford", "west-pasture"])
)
def test_a_sighting_nearer_by_road_never_lowers_risk(
    spur: float, farther: float, attach: str
) -> None:
    """A sighting at a dead-end place `spur` hours off `attach` is never riskier than the same
    sighting at `attach` itself, nor than one at a shorter spur."""

    def village(place: str, hours: float) -> Village:
        base = _compass([{**KAKUZU_EAST, "place": place, "confidence": 0.7}])
        document = base.model_dump(by_alias=True)
        document["places"].append({"id": "spur", "name": "Spur"})
        document["roads"].append({"from": attach, "to": "spur", "hours": hours})
        return Village.model_validate(document)

    near, far = village("spur", spur), village("spur", spur + farther)
    at_attach = village(attach, spur)
    p_near = _camel(near).probability("kakuzu")
    assert _camel(at_attach).probability("kakuzu") >= p_near >= _camel(far).probability("kakuzu")


# ---------------------------------------------------------------------------------------
# Explained whole: every listed threat's factors add up to its probability.


def _explained_whole(assessment: Assessment) -> None:
    listed = {t.threat: t.probability for t in assessment.threats}
    by_threat: dict[str, float] = {}
    for f in assessment.factors:
        assert f.contribution > 0, f
        assert f.threat in listed, f
        by_threat[f.threat] = by_threat.get(f.threat, 0.0) + f.contribution
    for threat, p in listed.items():
        assert by_threat.get(threat, 0.0) == pytest.approx(p, abs=1e-9), threat
        if p >= 0.05:
            assert threat in by_threat


@settings(max_examples=12, deadline=None)
@given(st.integers(0, 10_000))
def test_every_listed_probability_is_explained_whole_on_generated_villages(seed: int) -> None:
    village = generate_village(shinobi=12, missions=12, seed=seed, history=0)
    for assessment in assess_board(village).values():
        _explained_whole(assessment)


def test_the_demo_board_is_explained_whole_and_reads_true() -> None:
    board = assess_board(demo_village())
    for assessment in board.values():
        _explained_whole(assessment)
    assert board["find-tora"].effective_rank == MissionRank.D
    assert board["tani-scroll"].effective_rank == MissionRank.A


@settings(max_examples=12, deadline=None)
@given(st.integers(0, 10_000))
def test_duplicated_sightings_change_no_probability(seed: int) -> None:
    village = generate_village(shinobi=12, missions=8, seed=seed, history=0)
    document = village.model_dump(by_alias=True)
    document["sightings"] = document["sightings"] * 2
    doubled = Village.model_validate(document)
    once, twice = assess_board(village), assess_board(doubled)
    for mission_id, a in once.items():
        assert twice[mission_id].threats == a.threats
        assert twice[mission_id].effective_rank == a.effective_rank


def test_the_chart_reads_place_and_age() -> None:
    from missiondesk.web.charts import factor_bars

    scroll = assess_board(demo_village())["tani-scroll"]
    bars, _ = factor_bars(scroll.factors)
    labels = [b.label for b in bars]
    assert "sighting: uchiha-itachi at Tanigakure, 1 day old" in labels
    assert "interest: akatsuki, for uchiha-itachi" in labels
    assert math.isfinite(sum(b.value for b in bars))
