"""Geometry for the pages' inline SVG charts: bars for risk factors, an injury strip per
shinobi, and the map of places and roads. Plain coordinates; the markup is in templates.
"""

from __future__ import annotations

import math
from collections import defaultdict, deque
from collections.abc import Sequence
from dataclasses import dataclass

from missiondesk.domain.assessment import Factor
from missiondesk.domain.ranks import Severity
from missiondesk.domain.village import HistoryEntry, Place, Road
from missiondesk.domain.words import plural
from missiondesk.risk.assessment import age_text


@dataclass(frozen=True)
class Bar:
    label: str
    text: str
    value: float
    x: float
    width: float
    y: float
    positive: bool


FACTOR_CHART_WIDTH = 320.0
FACTOR_ROW = 26.0


def factor_label(f: Factor) -> str:
    """A bar's label: what the evidence is, where and how old, in a few words
    ("sighting: uchiha-itachi at Tanigakure, 1 day old")."""
    if f.kind == "sighting" and f.place is not None and f.age_days is not None:
        return f"sighting: {f.subject} at {f.place}, {age_text(f.age_days)}"
    if f.kind == "interest" and f.threat is not None:
        return f"interest: {f.subject}, for {f.threat}"
    return f"{f.kind}: {f.subject}"


def factor_bars(factors: Sequence[Factor]) -> tuple[list[Bar], float]:
    """One horizontal bar per factor, scaled to the largest contribution, from a zero axis
    in the middle (negative contributions go left). Returns the bars and the chart height."""
    largest = max((abs(f.contribution) for f in factors), default=0.0) or 1.0
    half = FACTOR_CHART_WIDTH / 2
    bars = []
    for n, f in enumerate(factors):
        width = abs(f.contribution) / largest * (half - 4)
        positive = f.contribution >= 0
        bars.append(
            Bar(
                label=factor_label(f),
                text=f.text,
                value=f.contribution,
                x=half if positive else half - width,
                width=max(width, 1.0),
                y=n * FACTOR_ROW,
                positive=positive,
            )
        )
    return bars, max(len(bars), 1) * FACTOR_ROW


@dataclass(frozen=True)
class InjuryMark:
    x: float
    height: float
    severity: str
    title: str


INJURY_STRIP_WIDTH = 220.0
INJURY_STRIP_HEIGHT = 36.0


def injury_strips(history: Sequence[HistoryEntry]) -> dict[str, list[InjuryMark]]:
    """Per shinobi, a mark per injury on a shared time axis (the whole history), its height
    growing with severity: whoever keeps getting hurt stands out at a glance."""
    if not history:
        return {}
    first = min(h.returned for h in history)
    last = max(h.returned for h in history)
    span = max((last - first).total_seconds(), 1.0)
    levels = len(Severity)
    strips: dict[str, list[InjuryMark]] = defaultdict(list)
    for entry in history:
        x = 4 + (entry.returned - first).total_seconds() / span * (INJURY_STRIP_WIDTH - 8)
        for injury in entry.report.injuries:
            level = injury.severity.level + 1
            strips[injury.shinobi].append(
                InjuryMark(
                    x=round(x, 1),
                    height=round(level / levels * (INJURY_STRIP_HEIGHT - 4), 1),
                    severity=injury.severity.value,
                    title=f"{entry.returned:%Y-%m-%d} {entry.mission.id}: "
                    f"{injury.severity.value}, {plural(injury.recovery_days, 'day')}",
                )
            )
    return dict(strips)


@dataclass(frozen=True)
class Node:
    id: str
    name: str
    x: float
    y: float
    sighted: bool


@dataclass(frozen=True)
class Edge:
    x1: float
    y1: float
    x2: float
    y2: float
    hours: float
    mx: float
    my: float


MAP_SIZE = 560.0


def map_layout(
    places: Sequence[Place], roads: Sequence[Road], sighted: set[str]
) -> tuple[list[Node], list[Edge]]:
    """Places start on rings around the first one (home), one ring per road hop (unreachable
    places on the outer ring), then a spring layout spreads them over the square."""
    if not places:
        return [], []
    neighbours: dict[str, list[str]] = defaultdict(list)
    for road in roads:
        neighbours[road.from_].append(road.to)
        neighbours[road.to].append(road.from_)
    home = places[0].id
    hops = {home: 0}
    order = [home]
    queue = deque([home])
    while queue:
        here = queue.popleft()
        for there in sorted(neighbours[here]):
            if there not in hops:
                hops[there] = hops[here] + 1
                order.append(there)
                queue.append(there)
    outer = max(hops.values()) + 1
    for place in places:
        if place.id not in hops:
            hops[place.id] = outer
            order.append(place.id)
    rings: dict[int, list[str]] = defaultdict(list)
    for pid in order:
        rings[hops[pid]].append(pid)
    start: dict[str, tuple[float, float]] = {}
    for ring, members in rings.items():
        offset = ring * 0.6  # turn each ring a little so labels do not line up
        for n, pid in enumerate(members):
            angle = offset + 2 * math.pi * n / len(members)
            start[pid] = (ring * math.cos(angle), ring * math.sin(angle))
    links = [(r.from_, r.to) for r in roads if r.from_ in start and r.to in start]
    at = _fit(_relax(start, links), MAP_SIZE, margin=60)
    names = {p.id: p.name for p in places}
    nodes = [Node(pid, names[pid], *at[pid], sighted=pid in sighted) for pid in order]
    edges = []
    for road in roads:
        if road.from_ in at and road.to in at:
            (x1, y1), (x2, y2) = at[road.from_], at[road.to]
            edges.append(
                Edge(x1, y1, x2, y2, road.hours, round((x1 + x2) / 2, 1), round((y1 + y2) / 2, 1))
            )
    return nodes, edges


RELAX_STEPS = 300
RELAX_LIMIT = 60  # places; beyond this the rings are drawn as they are (cost grows as n²)


def _relax(
    start: dict[str, tuple[float, float]], links: list[tuple[str, str]]
) -> dict[str, tuple[float, float]]:
    """Fruchterman-Reingold from the rings (roads pull, places push apart), so the map uses
    its space evenly. Deterministic: the rings are the start, there is no randomness."""
    if len(start) > RELAX_LIMIT or len(start) < 3:
        return start
    ids = list(start)
    pos = {pid: [x, y] for pid, (x, y) in start.items()}
    k = 1.0  # the ideal distance between neighbours, in ring units
    for step in range(RELAX_STEPS):
        temperature = 0.3 * (1 - step / RELAX_STEPS) + 0.005
        disp = {pid: [0.0, 0.0] for pid in ids}
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                dx, dy = pos[a][0] - pos[b][0], pos[a][1] - pos[b][1]
                d = max(math.hypot(dx, dy), 0.01)
                push = k * k / d / d
                disp[a][0] += dx * push
                disp[a][1] += dy * push
                disp[b][0] -= dx * push
                disp[b][1] -= dy * push
        for a, b in links:
            dx, dy = pos[a][0] - pos[b][0], pos[a][1] - pos[b][1]
            d = max(math.hypot(dx, dy), 0.01)
            pull = d / k
            disp[a][0] -= dx * pull
            disp[a][1] -= dy * pull
            disp[b][0] += dx * pull
            disp[b][1] += dy * pull
        for pid in ids:
            fx, fy = disp[pid]
            size = max(math.hypot(fx, fy), 1e-9)
            move = min(size, temperature)
            pos[pid][0] += fx / size * move
            pos[pid][1] += fy / size * move
    return {pid: (xy[0], xy[1]) for pid, xy in pos.items()}


def _fit(
    points: dict[str, tuple[float, float]], size: float, *, margin: float
) -> dict[str, tuple[float, float]]:
    """Scale and centre the points into a size x size box, keeping the aspect ratio."""
    xs = [x for x, _ in points.values()]
    ys = [y for _, y in points.values()]
    span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
    scale = (size - 2 * margin) / span
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    return {
        pid: (round(size / 2 + (x - cx) * scale, 1), round(size / 2 + (y - cy) * scale, 1))
        for pid, (x, y) in points.items()
    }
