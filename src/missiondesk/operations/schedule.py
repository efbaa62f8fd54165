"""When a dispatched squad should check in, and whether it is overdue (pure functions).

A squad is expected at each waypoint of its route after the road hours from the last place
it checked in at (or from departure), and is overdue once a check-in is later than that by
more than the village's grace period. A check-in naming a place marks that waypoint (and
those before it) reached; one without a place marks the next waypoint.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from missiondesk.risk.roads import RoadNetwork


@dataclass(frozen=True)
class Checkin:
    at: dt.datetime
    place: str | None


@dataclass(frozen=True)
class Expected:
    """The next check-in a squad owes: where, by when (grace included)."""

    waypoint: int
    place: str
    expected_at: dt.datetime
    due: dt.datetime
    last_place: str
    last_seen: dt.datetime


MINUTE = dt.timedelta(minutes=1)


def _road_hours(route: Sequence[str], network: RoadNetwork) -> tuple[float, bool]:
    """Road hours along the route, leg by leg, up to the first leg with no road; and
    whether every leg has one."""
    total = 0.0
    for previous, place in itertools.pairwise(route):
        hours = network.hours(previous, place)
        if hours == float("inf"):
            return total, False
        total += hours
    return total, True


def travel_hours(route: Sequence[str], network: RoadNetwork) -> float:
    """Road hours along the route, leg by leg, up to the first leg with no road (from there
    the squad finds its own way and no time can be counted): the same legs the check-in
    schedule times."""
    return _road_hours(route, network)[0]


def route_span_hours(route: Sequence[str], on_site_hours: float, network: RoadNetwork) -> float:
    """How long a squad is away: the road hours of its route plus its hours on site."""
    return travel_hours(route, network) + on_site_hours


def returns_at(departs: dt.datetime, hours: float) -> dt.datetime:
    """The return of a squad away `hours` from `departs`, to the minute (rounded up), never
    the departure minute itself: a squad that leaves holds its people at least that minute.
    The one answer to "when is it back" (SPEC section 9's `returns`), for the planner, the
    validator, approval and dispatch, the rescue and the roster alike."""
    back = departs + dt.timedelta(hours=hours)
    floor = back.replace(second=0, microsecond=0)
    back = floor if floor == back else floor + MINUTE
    return max(back, departs + MINUTE)


def stay_position(route: Sequence[str], network: RoadNetwork, on_site_hours: float) -> int:
    """Where on the route the squad stays its `on_site_hours` (SPEC section 8): the
    objective, as the risk model places it (the farthest stop of a round trip, where the
    way home begins; the last place of a one-way route). -1 when it stays nowhere."""
    if not on_site_hours or len(route) < 2:
        return -1
    from missiondesk.risk.exposure import objective_position  # NumPy, only for a stay

    return objective_position(route, network)


def planned_checkins(
    route: Sequence[str],
    departed: dt.datetime,
    network: RoadNetwork,
    grace_hours: float,
    on_site_hours: float = 0.0,
) -> list[dict[str, str]]:
    """The check-ins expected when nothing is late: one per waypoint after departure, the
    leg that leaves the objective starting after the hours on site."""
    out = []
    at = departed
    stay = stay_position(route, network, on_site_hours)
    for leg, (previous, place) in enumerate(itertools.pairwise(route)):
        hours = network.hours(previous, place)
        if hours == float("inf"):
            break  # no road: the squad finds its own way, and no check-in can be timed
        if leg == stay:
            hours += on_site_hours
        at = at + dt.timedelta(hours=hours)
        out.append(
            {
                "place": place,
                "expected": at.isoformat(timespec="minutes"),
                "due": (at + dt.timedelta(hours=grace_hours)).isoformat(timespec="minutes"),
            }
        )
    return out


def reached_waypoint(route: Sequence[str], reached: int, place: str | None) -> int:
    """The waypoint index a check-in marks, given the index reached so far."""
    if place is None:
        return min(reached + 1, len(route) - 1)
    for index in range(reached + 1, len(route)):
        if route[index] == place:
            return index
    return reached  # a check-in off the route (or at a place already passed) advances nothing


def next_expected(
    route: Sequence[str],
    departed: dt.datetime,
    checkins: Sequence[Checkin],
    network: RoadNetwork,
    grace_hours: float,
    on_site_hours: float = 0.0,
) -> Expected | None:
    """The next check-in owed after these check-ins, or None once the route is done. The
    leg that leaves the objective is owed only after the hours on site."""
    reached, base_time = 0, departed
    last_place, last_seen = route[0], departed
    for c in sorted(checkins, key=lambda c: c.at):
        index = reached_waypoint(route, reached, c.place)
        if index > reached:
            reached, base_time = index, c.at
        last_seen = c.at
        last_place = c.place or route[reached]
    if reached >= len(route) - 1:
        return None
    hours = network.hours(route[reached], route[reached + 1])
    if hours == float("inf"):
        return None  # no road to the next waypoint: no time by which to expect them
    if reached == stay_position(route, network, on_site_hours):
        hours += on_site_hours
    expected = base_time + dt.timedelta(hours=hours)
    return Expected(
        waypoint=reached + 1,
        place=route[reached + 1],
        expected_at=expected,
        due=expected + dt.timedelta(hours=grace_hours),
        last_place=last_place,
        last_seen=last_seen,
    )


def is_overdue(expected: Expected | None, now: dt.datetime) -> bool:
    """Past the due time, strictly: at the due minute itself the squad is still on time."""
    return expected is not None and now > expected.due


def due_back(
    route: Sequence[str], departed: dt.datetime, network: RoadNetwork, on_site_hours: float
) -> dt.datetime | None:
    """When a squad that left at `departed` is expected home (or, one way, done): its
    `returns_at`. None when a road of the route is missing (no time can be given)."""
    hours, whole = _road_hours(route, network)
    return returns_at(departed, hours + on_site_hours) if whole else None
