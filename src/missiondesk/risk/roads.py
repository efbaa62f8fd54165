"""Travel hours between the village's places, for the assessment and the rescue planner.

Roads are undirected. Shortest hours are computed once and cached: for all pairs at once
with NumPy on a map of a few hundred places, else by Dijkstra (heapq) once per source place
asked about. Assessing a whole board costs at most one row per place on some route, never
one search per (mission, sighting) pair.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt

from missiondesk.domain.village import Road, Village

FloatArray = npt.NDArray[np.float64]

ALL_PAIRS_MAX_PLACES = 400
"""Up to this many places, the first query computes every pair at once (NumPy Floyd-Warshall,
n^3 / vectorised); beyond it, Dijkstra runs per source asked about."""


class RoadNetwork:
    """Shortest travel hours on foot between places; `inf` when no road connects them."""

    def __init__(self, places: Iterable[str], roads: Iterable[Road], home: str | None = None):
        self._index: dict[str, int] = {}
        for place in places:
            self._add(place)
        edges: list[tuple[int, int, float]] = []
        for road in roads:
            a, b = self._add(road.from_), self._add(road.to)
            edges.append((a, b, float(road.hours)))
        self._adjacency: list[list[tuple[int, float]]] = [[] for _ in self._index]
        for a, b, hours in edges:
            self._adjacency[a].append((b, hours))
            self._adjacency[b].append((a, hours))
        self._rows: dict[int, FloatArray] = {}
        self._route_rows: dict[
            tuple[str, ...], tuple[FloatArray, npt.NDArray[np.intp], list[str]]
        ] = {}
        self.home = home
        """Where the village's shinobi start from (see `from_village`)."""

    @classmethod
    def from_village(cls, village: Village) -> RoadNetwork:
        """The village's network. Every place a route or sighting names is a node, even
        one with no road (it is then reachable only from itself). The home place is the
        place whose id is the village's id, else the first place of the first route,
        else the first place listed."""
        places: list[str] = [p.id for p in village.places]
        places += [road.from_ for road in village.roads] + [road.to for road in village.roads]
        for mission in village.missions:
            places += mission.route
        places += [s.place for s in village.sightings]
        for entry in village.history:
            places += entry.mission.route
        home: str | None
        if village.village.id in {p.id for p in village.places}:
            home = village.village.id
        elif village.missions:
            home = village.missions[0].route[0]
        else:
            home = village.places[0].id if village.places else None
        return cls(places, village.roads, home=home)

    def _add(self, place: str) -> int:
        index = self._index.get(place)
        if index is None:
            index = self._index[place] = len(self._index)
        return index

    @property
    def places(self) -> list[str]:
        """Every place, in index order (the order of the arrays this class returns)."""
        return list(self._index)

    def neighbours(self, index: int) -> list[tuple[int, float]]:
        """The places one road from the place at `index`, with the road's hours."""
        return self._adjacency[index]

    def road_hours(self, a: int, b: int) -> float:
        """Hours of the shortest road directly between places `a` and `b` (inf if none)."""
        return min((hours for z, hours in self._adjacency[a] if z == b), default=math.inf)

    def index(self, place: str) -> int:
        """The place's position in the arrays; -1 for a place the network does not know."""
        return self._index.get(place, -1)

    def _all_pairs(self) -> None:
        """Floyd-Warshall on arrays: for a few hundred places, all rows at once cost less
        than a few Dijkstra runs in Python."""
        n = len(self._index)
        table = np.full((n, n), math.inf)
        np.fill_diagonal(table, 0.0)
        for a, neighbours in enumerate(self._adjacency):
            for b, hours in neighbours:
                table[a, b] = min(table[a, b], hours)
        for k in range(n):
            np.minimum(table, table[:, k, None] + table[None, k, :], out=table)
        table.setflags(write=False)
        self._rows = dict(enumerate(table))

    def _row(self, source: int) -> FloatArray:
        row = self._rows.get(source)
        if row is not None:
            return row
        if not self._rows and len(self._index) <= ALL_PAIRS_MAX_PLACES:
            self._all_pairs()
            return self._rows[source]
        distance = [math.inf] * len(self._index)
        distance[source] = 0.0
        queue: list[tuple[float, int]] = [(0.0, source)]
        adjacency = self._adjacency
        while queue:
            d, node = heapq.heappop(queue)
            if d > distance[node]:
                continue
            for neighbour, hours in adjacency[node]:
                nd = d + hours
                if nd < distance[neighbour]:
                    distance[neighbour] = nd
                    heapq.heappush(queue, (nd, neighbour))
        row = np.array(distance, dtype=np.float64)
        row.setflags(write=False)
        self._rows[source] = row
        return row

    def hours_from(self, place: str) -> FloatArray:
        """Hours from `place` to every place (indexed as `places`); all inf if unknown."""
        source = self.index(place)
        if source < 0:
            return np.full(len(self._index), math.inf)
        return self._row(source)

    def hours(self, a: str, b: str) -> float:
        """Shortest travel hours from `a` to `b`: 0 for the same place, inf if unconnected."""
        if a == b:
            return 0.0
        target = self.index(b)
        if target < 0:
            return math.inf
        return float(self.hours_from(a)[target])

    def _route(self, route: Sequence[str]) -> tuple[FloatArray, npt.NDArray[np.intp], list[str]]:
        """Per place: hours to the nearest stop of `route`, which stop (an index into the
        returned distinct stops, the first in route order on ties), and the stops."""
        key = tuple(route)
        cached = self._route_rows.get(key)
        if cached is None:
            stops = list(dict.fromkeys(key))
            stack = np.stack([self.hours_from(place) for place in stops])
            nearest = np.argmin(stack, axis=0)
            hours = stack[nearest, np.arange(stack.shape[1])]
            hours.setflags(write=False)
            cached = self._route_rows[key] = (hours, nearest, stops)
        return cached

    def route_hours(self, route: Sequence[str]) -> FloatArray:
        """For every place (indexed as `places`), the hours to the nearest place of `route`;
        cached per route."""
        return self._route(route)[0]

    def route_nearest(
        self, route: Sequence[str]
    ) -> tuple[FloatArray, npt.NDArray[np.intp], list[str]]:
        """For every place: hours to the nearest stop of `route`, which stop (an index into
        the returned distinct stops, first in route order on ties), and the stops; cached."""
        return self._route(route)

    def distance_to_route(self, place: str, route: Sequence[str]) -> float:
        """Hours from `place` to the nearest place of `route` (0 on the route)."""
        return self.nearest_on_route(place, route)[1]

    def nearest_on_route(self, place: str, route: Sequence[str]) -> tuple[str, float]:
        """The route place nearest to `place` and the hours to it (first in route order on
        ties; the route's first place with inf when none is reachable)."""
        if place in route:
            return place, 0.0
        index = self.index(place)
        if index < 0:
            return route[0], math.inf
        hours, nearest, stops = self._route(route)
        return stops[int(nearest[index])], float(hours[index])

    def nearest(
        self, origin: str, candidates: Iterable[str], *, limit: int | None = None
    ) -> list[tuple[str, float]]:
        """`candidates` with their hours from `origin`, nearest first (ties by id);
        unreachable ones last with inf. `limit` keeps only the first few."""
        ranked = sorted(
            ((c, self.hours(origin, c)) for c in set(candidates)),
            key=lambda pair: (pair[1], pair[0]),
        )
        return ranked if limit is None else ranked[:limit]

    def hours_from_home(self, place: str) -> float:
        """Hours for a squad leaving the home place to reach `place` (inf without a home)."""
        return math.inf if self.home is None else self.hours(self.home, place)
