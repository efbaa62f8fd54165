"""The road network: shortest hours, routes, nearest places, home."""

from __future__ import annotations

import math

from risk_villages import story_village

from missiondesk.domain.village import Road
from missiondesk.risk.roads import RoadNetwork


def _road(a: str, b: str, hours: float) -> Road:
    return Road.model_validate({"from": a, "to": b, "hours": hours})


def _network() -> RoadNetwork:
    return RoadNetwork(
        ["a", "b", "c", "d", "island"],
        [_road("a", "b", 5), _road("b", "c", 5), _road("a", "c", 20), _road("c", "d", 1)],
        home="a",
    )


def test_shortest_hours_go_through_intermediate_places() -> None:
    network = _network()
    assert network.hours("a", "c") == 10
    assert network.hours("a", "d") == 11


def test_roads_are_undirected() -> None:
    network = _network()
    assert network.hours("d", "a") == network.hours("a", "d") == 11


def test_unconnected_places_are_infinitely_far() -> None:
    network = _network()
    assert math.isinf(network.hours("a", "island"))
    assert math.isinf(network.hours("a", "nowhere"))
    assert network.hours("island", "island") == 0


def test_distance_to_route_is_to_the_nearest_route_place() -> None:
    network = _network()
    assert network.distance_to_route("d", ["a", "b"]) == 6
    assert network.distance_to_route("b", ["a", "b"]) == 0
    assert math.isinf(network.distance_to_route("island", ["a", "b"]))
    assert network.nearest_on_route("d", ["a", "b", "a"]) == ("b", 6)


def test_route_hours_cover_every_place() -> None:
    network = _network()
    row = network.route_hours(["a", "d"])
    assert dict(zip(network.places, row.tolist(), strict=True)) == {
        "a": 0,
        "b": 5,
        "c": 1,
        "d": 0,
        "island": math.inf,
    }


def test_nearest_sorts_by_hours_then_id_and_limits() -> None:
    network = _network()
    assert network.nearest("b", ["d", "a", "c", "island"]) == [
        ("a", 5),
        ("c", 5),
        ("d", 6),
        ("island", math.inf),
    ]
    assert network.nearest("b", ["d", "a", "c"], limit=1) == [("a", 5)]


def test_home_is_the_place_named_like_the_village() -> None:
    network = RoadNetwork.from_village(story_village())
    assert network.home == "konoha"
    assert network.hours_from_home("otogakure") == 44


def test_home_falls_back_to_the_first_route_place() -> None:
    village = story_village(
        places=[{"id": "tanigakure", "name": "Tanigakure"}, {"id": "konoha", "name": "K"}],
        village={"id": "leaf", "name": "Leaf", "today": "2026-11-23"},
    )
    assert RoadNetwork.from_village(village).home == "konoha"
