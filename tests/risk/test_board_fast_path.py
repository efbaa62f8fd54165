"""The board's fast path (every mission at once, no factor texts) gives what the reference
path (one mission at a time, `assess_mission`) gives: the same probabilities bit for bit,
the same ranks, threats, briefings and notes (docs/risk.md, "Performance")."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from risk_villages import demo_village

from missiondesk.domain.village import Village
from missiondesk.risk.assessment import assess_board, assess_mission, epoch_days, evidence
from missiondesk.risk.exposure import exposure_profile, itinerary, road_integral
from missiondesk.risk.roads import RoadNetwork
from missiondesk.villagefile.generate import generate_village


def _same_as_reference(village: Village) -> None:
    fast = assess_board(village, factors=False)
    full = assess_board(village)
    assert list(fast) == list(full) == [m.id for m in village.missions]
    for mission in village.missions:
        reference = assess_mission(village, mission)
        assert full[mission.id] == reference
        assert fast[mission.id].factors == []
        assert fast[mission.id] == reference.model_copy(update={"factors": []})
    # The matrix behind the fast path, row by row, against one mission's engagement.
    found = evidence(village)
    matrix = found.board_probabilities(village.missions, chunk=3)
    today = village.village.today
    for row, mission in enumerate(village.missions):
        one = found.engagement(
            mission.route,
            mission.objective.tags,
            mission.objective.on_site_hours,
            epoch_days(mission.earliest(today)),
        )
        assert np.array_equal(matrix[row], one.probability)


def test_the_demo_board_is_the_same_both_ways() -> None:
    village = demo_village()
    _same_as_reference(village)
    fast = assess_board(village, factors=False)
    assert fast["tani-scroll"].effective_rank.value == "A"  # something is judged at all
    assert fast["tani-scroll"].threats


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 10_000))
def test_generated_boards_are_the_same_both_ways(seed: int) -> None:
    _same_as_reference(generate_village(shinobi=12, missions=20, seed=seed, history=0))


def test_a_village_without_sightings_or_missions() -> None:
    document = demo_village().model_dump(by_alias=True)
    document["sightings"] = []
    _same_as_reference(Village.model_validate(document))
    document["missions"] = []
    village = Village.model_validate(document)
    assert assess_board(village, factors=False) == {}
    assert evidence(village).board_probabilities([]).shape == (0, len(village.threats))


def test_the_road_cache_changes_no_exposure() -> None:
    """A profile built from remembered legs and roads equals one built from scratch, and
    both equal the closed form over the route's roads stacked in one array."""
    village = generate_village(shinobi=12, missions=20, seed=3, history=0)
    network = RoadNetwork.from_village(village)
    legs: dict[tuple[int, int], tuple[tuple[int, int, float], ...]] = {}
    roads: dict[tuple[int, int, float, float], np.ndarray] = {}
    rate = np.log(2.0) / 4.0
    for mission in village.missions * 2:  # the second time round, all from the caches
        cached = exposure_profile(
            network, itinerary(network, mission.route, on_site_hours=3, legs=legs), 4.0, roads
        )
        trip = itinerary(network, mission.route, on_site_hours=3)
        assert np.array_equal(cached, exposure_profile(network, trip, 4.0))
        stacked = np.zeros(len(network.places))
        for place, hours in trip.stops:
            stacked += hours * np.exp(-rate * network.hours_from(network.places[place]))
        if trip.roads:
            da = np.stack([network.hours_from(network.places[a]) for a, _, _ in trip.roads])
            db = np.stack([network.hours_from(network.places[b]) for _, b, _ in trip.roads])
            length = np.array([h for _, _, h in trip.roads])[:, None]
            stacked += road_integral(da, db, length, rate).sum(axis=0)
        np.testing.assert_allclose(cached, stacked, rtol=1e-12, atol=1e-12)
    assert legs and roads
