"""The assessment: the story's scroll mission is caught, and evidence only ever raises risk."""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from risk_villages import ITACHI_SIGHTING, demo_village, story_document, story_village

from missiondesk.domain.assessment import Assessment
from missiondesk.domain.ranks import MissionRank
from missiondesk.domain.settings import RiskSettings
from missiondesk.domain.village import Village
from missiondesk.risk.assessment import assess_board, assess_mission


def _scroll(village: Village) -> Assessment:
    mission = next(m for m in village.missions if m.id == "tani-scroll")
    return assess_mission(village, mission)


def _without(village: Village, *, sighting: bool = False, interest: bool = False) -> Village:
    document = village.model_dump(by_alias=True)
    if sighting:
        document["sightings"] = [
            s
            for s in document["sightings"]
            if not (s["threat"] == "uchiha-itachi" and s["place"] == "tanigakure")
        ]
    if interest:
        for org in document["organizations"]:
            org["interests"] = [i for i in org["interests"] if i != "sacred"]
    return Village.model_validate(document)


@pytest.fixture(params=["story", "demo"])
def village(request: pytest.FixtureRequest) -> Village:
    return story_village() if request.param == "story" else demo_village()


def test_the_scroll_mission_is_understated_at_a_or_above(village: Village) -> None:
    assessment = _scroll(village)
    assert assessment.declared_rank == MissionRank.C
    assert assessment.understated
    assert assessment.effective_rank >= MissionRank.A
    assert assessment.threats[0].threat == "uchiha-itachi"


def test_the_scroll_factors_name_akatsukis_interest_and_itachis_sighting(
    village: Village,
) -> None:
    factors = _scroll(village).factors
    interest = [f for f in factors if f.kind == "interest" and f.subject == "akatsuki"]
    assert interest and "sacred" in interest[0].text and interest[0].contribution > 0
    sighting = [
        f
        for f in factors
        if f.kind == "sighting" and f.subject == "uchiha-itachi" and "Tanigakure" in f.text
    ]
    assert sighting and sighting[0].contribution > 0
    assert sighting[0].text.startswith(
        "Uchiha Itachi was seen at Tanigakure, on the route, 1 day old at departure "
        "(confidence 0.6); the squad is within reach of there for "
    )
    assert sighting[0].place == "Tanigakure" and sighting[0].threat == "uchiha-itachi"


def test_the_scroll_briefing_warns_against_the_sharinganss_eyes(village: Village) -> None:
    briefing = _scroll(village).briefing
    sharingan = [b for b in briefing if b.threat == "uchiha-itachi" and b.ability == "sharingan"]
    assert sharingan and "Never meet the eyes" in sharingan[0].advice


def test_without_the_sighting_the_scroll_is_still_flagged_but_less_likely(
    village: Village,
) -> None:
    full = _scroll(village)
    interest_only = _scroll(_without(village, sighting=True))
    assert interest_only.understated
    assert 0 < interest_only.probability("uchiha-itachi") < full.probability("uchiha-itachi")
    assert interest_only.effective_rank <= full.effective_rank


def test_without_interest_or_sighting_the_scroll_stays_c(village: Village) -> None:
    plain = _scroll(_without(village, sighting=True, interest=True))
    assert plain.effective_rank == MissionRank.C
    assert not plain.understated
    assert not [f for f in plain.factors if f.kind == "interest"]


def test_the_story_numbers_follow_the_documented_formula() -> None:
    # Exposure: two 14-hour legs from Tanigakure, D = 4: E = 2 * (4 / ln 2) * (1 - 2^(-14/4)).
    exposure = 2 * (4 / math.log(2)) * (1 - 2 ** (-14 / 4))
    belief = 0.6 * 2 ** (-(1 + 8 / 24) / 7)
    q_sight = 0.8 * belief * (1 - math.exp(-exposure / 6))
    expected = 1 - (1 - 0.35) * (1 - q_sight)
    assessment = _scroll(story_village())
    assert assessment.probability("uchiha-itachi") == round(expected, 4)
    # C (1) + round(0.5761 * (S 4 - C 1)) = 1 + 2 = A
    assert assessment.effective_rank == MissionRank.A
    itachi = [f for f in assessment.factors if f.threat == "uchiha-itachi"]
    total = sum(f.contribution for f in itachi)
    assert total == pytest.approx(assessment.probability("uchiha-itachi"), abs=1e-9)


def test_the_clients_extra_team_size_is_a_note_not_a_factor() -> None:
    assessment = _scroll(story_village())
    assert not [f for f in assessment.factors if f.kind == "client"]
    assert any("at least 3 shinobi" in note for note in assessment.notes)


def test_a_mission_with_no_evidence_has_no_threats() -> None:
    village = story_village(sightings=[])
    cat = assess_mission(village, village.missions[1])
    assert cat.threats == [] and cat.briefing == [] and cat.effective_rank == MissionRank.D


def test_settings_are_taken_per_village() -> None:
    document = story_document(sightings=[])
    document["settings"] = {"risk": {"interest_weight": 0.1}}
    assert _scroll(Village.model_validate(document)).probability("uchiha-itachi") == 0.1
    village = story_village(sightings=[])
    lowered = assess_mission(
        village, village.missions[0], settings=RiskSettings(interest_weight=0.2)
    )
    assert lowered.probability("uchiha-itachi") == 0.2


def test_assess_board_equals_one_by_one_and_keeps_order() -> None:
    village = demo_village()
    board = assess_board(village)
    assert list(board) == [m.id for m in village.missions]
    for mission in village.missions:
        assert board[mission.id] == assess_mission(village, mission)


def test_threats_are_sorted_by_probability_then_id() -> None:
    for assessment in assess_board(demo_village()).values():
        keys = [(-t.probability, t.threat) for t in assessment.threats]
        assert keys == sorted(keys)


def test_a_sighting_of_an_unknown_threat_or_place_is_ignored() -> None:
    ghost = dict(ITACHI_SIGHTING, threat="nobody")
    far = dict(ITACHI_SIGHTING, place="nowhere-known")
    base = _scroll(story_village(sightings=[]))
    assert _scroll(story_village(sightings=[ghost, far])) == base


# ---------------------------------------------------------------------------------------
# Properties: more, nearer, newer, surer evidence never lowers a probability or the rank.

PLACES = [f"p{i}" for i in range(6)]
RANKS = [r.value for r in MissionRank]


def _line_village(
    sightings: list[dict[str, Any]], tags: list[str], rank: str, threat_ranks: list[str]
) -> Village:
    document = story_document(
        places=[{"id": p, "name": p.upper()} for p in PLACES],
        roads=[
            {"from": a, "to": b, "hours": 4 + 3 * i}
            for i, (a, b) in enumerate(itertools.pairwise(PLACES))
        ],
        organizations=[
            {"id": "akatsuki", "name": "Akatsuki", "interests": ["sacred", "scroll"]},
            {"id": "oto", "name": "Oto", "interests": ["scroll", "forbidden"]},
        ],
        threats=[
            {
                "id": f"t{i}",
                "name": f"T{i}",
                "rank": r,
                "organization": ["akatsuki", "oto"][i % 2],
                "abilities": ["sharingan"],
            }
            for i, r in enumerate(threat_ranks)
        ],
        sightings=sightings,
        missions=[
            {
                "id": "m",
                "title": "M",
                "rank": rank,
                "objective": {"tags": tags},
                "route": ["p0", "p1"],
                "window": {"earliest": "2026-11-24"},
            }
        ],
    )
    return Village.model_validate(document)


sighting_strategy = st.fixed_dictionaries(
    {
        "threat": st.sampled_from(["t0", "t1", "t2"]),
        "place": st.sampled_from(PLACES),
        "hours_before": st.integers(min_value=-48, max_value=24 * 60),
        "confidence": st.floats(min_value=0.0, max_value=1.0),
    }
)
scenario = st.fixed_dictionaries(
    {
        "sightings": st.lists(sighting_strategy, max_size=6),
        "tags": st.lists(st.sampled_from(["sacred", "scroll", "forbidden", "pet"]), unique=True),
        "rank": st.sampled_from(RANKS),
        "threat_ranks": st.lists(st.sampled_from(RANKS), min_size=3, max_size=3),
    }
)
DEPARTURE = dt.datetime(2026, 11, 24)


def _build(s: dict[str, Any]) -> Village:
    sightings = [
        {
            "threat": x["threat"],
            "place": x["place"],
            "confidence": x["confidence"],
            "at": DEPARTURE - dt.timedelta(hours=x["hours_before"]),
        }
        for x in s["sightings"]
    ]
    return _line_village(sightings, s["tags"], s["rank"], s["threat_ranks"])


def _assess(s: dict[str, Any]) -> Assessment:
    village = _build(s)
    return assess_mission(village, village.missions[0])


def _never_lower(before: Assessment, after: Assessment) -> None:
    for t in ("t0", "t1", "t2"):
        assert after.probability(t) >= before.probability(t)
    assert after.effective_rank >= before.effective_rank
    assert after.understated or not before.understated


def _changed(s: dict[str, Any], index: int, **changes: Any) -> dict[str, Any]:
    out = copy.deepcopy(s)
    out["sightings"][index % len(out["sightings"])].update(changes)
    return out


@settings(max_examples=60, deadline=None)
@given(scenario, st.integers(0, 5), st.floats(0.0, 1.0))
def test_a_surer_sighting_never_lowers_risk(s: dict[str, Any], i: int, extra: float) -> None:
    if not s["sightings"]:
        return
    sighting = s["sightings"][i % len(s["sightings"])]
    surer = min(1.0, sighting["confidence"] + extra)
    _never_lower(_assess(s), _assess(_changed(s, i, confidence=surer)))


@settings(max_examples=60, deadline=None)
@given(scenario, st.integers(0, 5), st.integers(0, 24 * 60))
def test_a_newer_sighting_never_lowers_risk(s: dict[str, Any], i: int, hours: int) -> None:
    if not s["sightings"]:
        return
    sighting = s["sightings"][i % len(s["sightings"])]
    newer = sighting["hours_before"] - hours
    _never_lower(_assess(s), _assess(_changed(s, i, hours_before=newer)))


@settings(max_examples=60, deadline=None)
@given(scenario, st.integers(0, 5), st.integers(0, 5))
def test_a_nearer_sighting_never_lowers_risk(s: dict[str, Any], i: int, steps: int) -> None:
    if not s["sightings"]:
        return
    sighting = s["sightings"][i % len(s["sightings"])]
    # On the line p0-p1-...-p5 with the route on p0 and p1, a lower index is never farther.
    nearer = PLACES[max(0, PLACES.index(sighting["place"]) - steps)]
    _never_lower(_assess(s), _assess(_changed(s, i, place=nearer)))


@settings(max_examples=60, deadline=None)
@given(scenario, sighting_strategy)
def test_another_sighting_never_lowers_risk(s: dict[str, Any], extra: dict[str, Any]) -> None:
    more = copy.deepcopy(s)
    more["sightings"].append(extra)
    _never_lower(_assess(s), _assess(more))


@settings(max_examples=60, deadline=None)
@given(scenario, st.sampled_from(["sacred", "scroll", "forbidden", "pet"]))
def test_another_objective_tag_never_lowers_risk(s: dict[str, Any], tag: str) -> None:
    more = copy.deepcopy(s)
    if tag not in more["tags"]:
        more["tags"].append(tag)
    _never_lower(_assess(s), _assess(more))


@settings(max_examples=40, deadline=None)
@given(scenario)
def test_the_assessment_is_deterministic_and_never_below_declared(s: dict[str, Any]) -> None:
    first, second = _assess(s), _assess(s)
    assert first.model_dump_json() == second.model_dump_json()
    assert first.effective_rank >= first.declared_rank
    assert first.understated == (first.effective_rank > first.declared_rank)
    assert all(0 < t.probability <= 1 for t in first.threats)


def test_many_sightings_of_one_threat_are_one_whereabouts() -> None:
    many = [
        dict(ITACHI_SIGHTING, at=f"2026-11-{day:02d}T12:00", confidence=0.5) for day in range(1, 23)
    ]
    assessment = _scroll(story_village(sightings=many))
    sightings = [f for f in assessment.factors if f.kind == "sighting"]
    # The freshest dominates and stands for the threat's whereabouts; the rest add nothing.
    assert len(sightings) == 1
    assert sightings[0].text.startswith("Uchiha Itachi was seen at Tanigakure, on the route, 1 day")
    freshest = _scroll(story_village(sightings=many[-1:]))
    assert assessment.probability("uchiha-itachi") == freshest.probability("uchiha-itachi")
