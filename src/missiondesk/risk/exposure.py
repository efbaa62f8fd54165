"""How long a squad on a route is within reach of each place: the exposure profile behind the
assessment (docs/risk.md, "Exposure").

A route is walked road by road: every leg between two stops is expanded into the roads of
its shortest path, and the squad spends each road's hours on it; it stays at the objective
for `on_site_hours` and at every other stop in between for `pass_through_hours` (the home
place it leaves from and comes back to counts for nothing). A threat at place `x` reaches the
squad at road distance `d` with weight `2^(-d / D)` (`D` = `distance_half_life_hours`), so
the exposure to `x` is the time-integral of that weight over the whole trip, in hours:

    E(x) = sum_stops t_s 2^(-d(x, s) / D)
         + sum_roads integral_0^h 2^(-min(d(x, a) + u, d(x, b) + h - u) / D) du

(the distance from `x` to a point `u` hours along a road from `a` to `b` is the smaller of
the two ways round). The integral has a closed form, so a profile over every place is a few
NumPy passes per road of the route.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from missiondesk.risk.roads import RoadNetwork

FloatArray = npt.NDArray[np.float64]

_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Itinerary:
    """Where a squad spends its time: stops with hours, and roads walked (by place index)."""

    stops: tuple[tuple[int, float], ...]  # (place index, hours stayed), only hours > 0
    roads: tuple[tuple[int, int, float], ...]  # (from index, to index, hours)

    @property
    def hours(self) -> float:
        return sum(h for _, h in self.stops) + sum(h for _, _, h in self.roads)


def objective_position(route: Sequence[str], network: RoadNetwork) -> int:
    """The position in `route` of the objective: for a round trip (back where it started),
    the stop farthest from the start by road (the first on ties), where the way home
    begins; for a one-way route, its last place."""
    if len(route) > 2 and route[-1] == route[0]:
        start = network.hours_from(route[0])
        far = [float(start[network.index(p)]) if network.index(p) >= 0 else -1.0 for p in route]
        inner = range(1, len(route) - 1)
        finite = [i for i in inner if math.isfinite(far[i])]
        if not finite:
            return 1
        return max(finite, key=lambda i: (far[i], -i))
    return len(route) - 1


def _path(network: RoadNetwork, a: int, b: int) -> list[int] | None:
    """The places of a shortest road path from `a` to `b` (both included), choosing the
    lowest-numbered next place on ties; None when no road connects them."""
    if a == b:
        return [a]
    to_b: list[float] = network.hours_from(network.places[b]).tolist()
    if not math.isfinite(to_b[a]):
        return None
    path = [a]
    here = a
    while here != b:
        remaining = to_b[here]
        slack = _TOLERANCE * max(1.0, remaining)
        step = min(
            (
                z
                for z, hours in network.neighbours(here)
                if abs(hours + to_b[z] - remaining) <= slack
            ),
            default=None,
        )
        if step is None:  # cannot happen on a consistent table; stop rather than loop
            return None
        path.append(step)
        here = step
    return path


def itinerary(
    network: RoadNetwork,
    route: Sequence[str],
    *,
    on_site_hours: float = 0.0,
    pass_through_hours: float = 0.0,
    legs: dict[tuple[int, int], tuple[tuple[int, int, float], ...]] | None = None,
) -> Itinerary:
    """The trip along `route`: the objective (see `objective_position`) holds the squad for
    `on_site_hours`, every stop strictly between the first and the last for
    `pass_through_hours`; the first and last places (home) hold it for nothing, unless the
    route is a single place, which is then the objective. Legs between stops follow the
    shortest roads; a leg no road connects adds no time (nothing is known of it). `legs`,
    when given, remembers the roads of each leg across calls (a board's routes share their
    legs out of and back into home)."""
    index = [network.index(p) for p in route]
    objective = objective_position(route, network)
    stay: dict[int, float] = {}
    for position, place in enumerate(index):
        hours = 0.0
        if 0 < position < len(route) - 1:
            hours += pass_through_hours
        if position == objective:
            hours += on_site_hours
        if hours > 0 and place >= 0:
            stay[place] = stay.get(place, 0.0) + hours
    roads: list[tuple[int, int, float]] = []
    for a, b in itertools.pairwise(index):
        if a < 0 or b < 0 or a == b:
            continue
        if legs is None:
            roads += _leg(network, a, b)
        elif (a, b) in legs:
            roads += legs[a, b]
        else:
            leg = legs[a, b] = _leg(network, a, b)
            roads += leg
    return Itinerary(stops=tuple(sorted(stay.items())), roads=tuple(roads))


def _leg(network: RoadNetwork, a: int, b: int) -> tuple[tuple[int, int, float], ...]:
    """The roads of the shortest path from `a` to `b` with their hours (none if unconnected)."""
    path = _path(network, a, b)
    if path is None:
        return ()
    return tuple((u, v, network.road_hours(u, v)) for u, v in itertools.pairwise(path))


def road_integral(
    da: FloatArray, db: FloatArray, hours: FloatArray | float, rate: float
) -> FloatArray:
    """`integral_0^h exp(-rate * min(da + u, db + h - u)) du`, elementwise (arrays broadcast);
    `inf` distances (unconnected places) give 0."""
    with np.errstate(invalid="ignore"):
        turn = np.clip((db + hours - da) / 2.0, 0.0, hours)
        turn = np.where(turn == turn, turn, 0.0)  # inf - inf: both ends unreachable
        first = np.exp(-rate * da) - np.exp(-rate * (da + turn))
        second = np.exp(-rate * db) - np.exp(-rate * (db + hours - turn))
    total = (np.where(first == first, first, 0.0) + np.where(second == second, second, 0.0)) / rate
    return np.asarray(np.maximum(total, 0.0))


def exposure_profile(
    network: RoadNetwork,
    trip: Itinerary,
    distance_half_life_hours: float,
    roads: dict[tuple[int, int, float, float], FloatArray] | None = None,
) -> FloatArray:
    """For every place (indexed as `network.places`), the squad's exposure to it in hours:
    time spent, each hour weighed by `2^(-road hours away / D)`. `roads`, when given,
    remembers each road's integral over every place across calls; a road's row is the same
    whichever trip walks it, so the profile is the same with or without it."""
    rate = math.log(2.0) / distance_half_life_hours
    places = network.places
    profile = np.zeros(len(places))
    for place, hours in trip.stops:
        profile += hours * np.exp(-rate * network.hours_from(places[place]))
    if trip.roads:
        rows = []
        for a, b, h in trip.roads:
            key = (a, b, h, rate)
            row = None if roads is None else roads.get(key)
            if row is None:
                row = road_integral(
                    network.hours_from(places[a])[None, :],
                    network.hours_from(places[b])[None, :],
                    np.array([[h]]),
                    rate,
                )[0]
                if roads is not None:
                    roads[key] = row
            rows.append(row)
        profile += np.stack(rows).sum(axis=0)
    profile.setflags(write=False)
    return profile
