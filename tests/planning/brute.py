"""Brute-force optimum of a small board over time: every choice of departure day and
squad per mission, each partial plan judged by the validator (not the solver's model),
with the approved squads outside the board (`commitments`) counted as the validator
counts them (spans, `min_rest` and `max_missions` both ways)."""

from __future__ import annotations

import datetime as dt
from functools import cache
from itertools import combinations

from missiondesk.domain.ranks import READY_TO_PLAN
from missiondesk.domain.village import Squad, Village
from missiondesk.planning import validate_plan
from missiondesk.planning.timing import DEPART_AT


def leave_at(day: dt.date, now: dt.datetime) -> dt.datetime:
    return max(dt.datetime.combine(day, DEPART_AT), now)


def days(v: Village, mid: str) -> list[dt.date]:
    m = next(m for m in v.missions if m.id == mid)
    today = v.village.now.date()
    if m.window is None:
        return [today]
    last = m.window.latest or m.window.earliest
    out = []
    day = max(m.window.earliest, today)
    while day <= last:
        out.append(day)
        day += dt.timedelta(days=1)
    return out


def brute_force(
    v: Village, assessments: dict, flags: dict[str, set[str]], commitments: dict | None = None
) -> int:
    """The largest total priority over every plan the validator accepts."""
    ids = [s.id for s in v.shinobi]
    missions = [m for m in v.missions if m.status in READY_TO_PLAN]
    committed = commitments or {}
    now = v.village.now

    @cache
    def alone(k: int, day: dt.date) -> list[Squad]:
        found = []
        for size in range(1, len(ids) + 1):
            for people in combinations(ids, size):
                for leader in people:
                    squad = Squad(leader=leader, members=[p for p in people if p != leader])
                    at = {missions[k].id: leave_at(day, now)}
                    if not validate_plan(
                        v,
                        assessments,
                        {missions[k].id: squad},
                        flags,
                        departs=at,
                        commitments=committed,
                    ):
                        found.append(squad)
        return found

    best = 0

    def search(k: int, squads: dict[str, Squad], departs: dict[str, dt.datetime], got: int):
        nonlocal best
        best = max(best, got)
        if k == len(missions):
            return
        left = sum(m.effective_priority for m in missions[k:])
        if got + left <= best:
            return
        m = missions[k]
        for day in days(v, m.id):
            for squad in alone(k, day):
                trial = {**squads, m.id: squad}
                at = {**departs, m.id: leave_at(day, now)}
                if not validate_plan(
                    v, assessments, trial, flags, departs=at, commitments=committed
                ):
                    search(k + 1, trial, at, got + m.effective_priority)
        search(k + 1, squads, departs, got)

    search(0, {}, {}, 0)
    return best
