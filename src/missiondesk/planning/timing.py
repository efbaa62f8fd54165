"""When each planned squad would leave and come back (SPEC section 9), and what a span
claims of a person's time.

A mission may leave on any day of its window (`earliest` to `latest`, `latest` defaulting
to `earliest`) that is not before the clock's day; on each such day it leaves at
`DEPART_AT` village time, or at `now` itself when that hour has already passed today. It
returns after the road hours of its route (`operations.schedule.travel_hours`, the legs the
check-in schedule times) plus `on_site_hours`.

A person's span on a squad runs from its departure to its return. Before it comes the rest
the mission's `min_rest` orders ask for (counted in days, as the order is: the departure
day minus the day of the last return); so two squads clash for a person exactly when their
*claims* overlap, the claim of a squad being [departure less its rest, return). That is
the same for everyone, which makes the clash relation an interval graph: docs/planning.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from missiondesk.domain.assessment import Assessment
from missiondesk.domain.village import Mission, Village
from missiondesk.operations.schedule import MINUTE, returns_at, route_span_hours
from missiondesk.risk.roads import RoadNetwork

DEPART_AT = dt.time(8, 0)
"""The hour a planned squad leaves on its day (docs/decisions.md)."""

MAX_DAYS = 7
"""Departure days considered per mission: the first ones of its window from today."""


@dataclass(frozen=True)
class Slot:
    """One way to staff a mission: leaving at `departs`, back at `returns`; `claim` and
    `end` bound the time it takes from a member (minutes since 0001-01-01)."""

    day: dt.date
    departs: dt.datetime
    returns: dt.datetime
    rest: int  # the days of rest its min_rest orders ask for before it
    claim: int
    end: int

    def clashes(self, other: Slot) -> bool:
        return self.claim < other.end and other.claim < self.end


def minutes(at: dt.datetime) -> int:
    return at.toordinal() * 1440 + at.hour * 60 + at.minute


def departure_days(mission: Mission, now: dt.datetime) -> list[dt.date]:
    """The days the mission may leave on, from the clock's day (never a past day)."""
    today = now.date()
    if mission.window is None:
        return [today]
    first = max(mission.window.earliest, today)
    last = mission.window.latest or mission.window.earliest
    days: list[dt.date] = []
    day = first
    while day <= last and len(days) < MAX_DAYS:
        days.append(day)
        day += dt.timedelta(days=1)
    return days


def departure_time(day: dt.date, now: dt.datetime) -> dt.datetime:
    """`DEPART_AT` on `day`, or now (to the minute) when that is later."""
    at = dt.datetime.combine(day, DEPART_AT)
    if at >= now:
        return at
    floor = now.replace(second=0, microsecond=0)
    return floor if floor == now else floor + MINUTE


def span_hours(mission: Mission, network: RoadNetwork) -> float:
    """Road hours of the route plus the hours on site (SPEC section 9's `returns`)."""
    return route_span_hours(mission.route, mission.objective.on_site_hours, network)


def rest_days(mission: Mission, assessment: Assessment, orders: Sequence[object]) -> int:
    """The longest `min_rest` that applies to the mission at its effective rank."""
    from missiondesk.planning.rules import applies

    found = [
        int(getattr(o, "days", 0))
        for o in orders
        if getattr(o, "rule", None) == "min_rest" and applies(o, assessment)
    ]
    return max(found, default=0)


def make_slot(departs: dt.datetime, returns: dt.datetime, rest: int) -> Slot:
    day = departs.date()
    claim = minutes(departs)
    if rest > 0:
        # Back on day R, the next departure day must be at least R + rest: any return
        # before midnight starting day - rest + 1.
        claim = min(claim, (day - dt.timedelta(days=rest - 1)).toordinal() * 1440 - 1)
    return Slot(day, departs, returns, rest, claim, minutes(returns))


def mission_slots(
    village: Village, mission: Mission, assessment: Assessment, network: RoadNetwork
) -> list[Slot]:
    now = village.village.now
    hours = span_hours(mission, network)
    rest = rest_days(mission, assessment, village.standing_orders)
    found = []
    for day in departure_days(mission, now):
        departs = departure_time(day, now)
        found.append(make_slot(departs, returns_at(departs, hours), rest))
    return found


def cliques(spans: Sequence[tuple[int, int]]) -> list[list[int]]:
    """The maximal sets of pairwise-overlapping spans [claim, end) (indices into `spans`).
    Spans that pairwise overlap share a point, the latest claim among them, so the sets
    covering each claim point are all the cliques; the set at one claim point is maximal
    unless the set at the next claim point holds it (a span covering both covers all
    between)."""
    points = sorted({claim for claim, _ in spans})
    by_claim = sorted(range(len(spans)), key=lambda i: spans[i][0])
    sets: list[set[int]] = []
    active: set[int] = set()
    at = 0
    for point in points:
        while at < len(by_claim) and spans[by_claim[at]][0] <= point:
            active.add(by_claim[at])
            at += 1
        active = {i for i in active if spans[i][1] > point}
        sets.append(set(active))
    return [
        sorted(here)
        for n, here in enumerate(sets)
        if here and (n + 1 == len(sets) or not here <= sets[n + 1])
    ]
