"""A greedy plan: missions by priority, each squad built from the people still free.

It is the CP-SAT model's starting point (hints), the baseline the benchmark compares
with, and the "could it be staffed from who is left?" test behind an explanation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from missiondesk.planning.candidates import Board, Commitment, Requirements
from missiondesk.planning.quality import WEIGHTS
from missiondesk.planning.rules import limits_at, mission_limits

_COVER = 1_000_000  # covering an unmet need outweighs any difference in points


@dataclass(frozen=True)
class Assignment:
    """One squad as roster indices: the leader, and everyone (the leader first)."""

    leader: int
    everyone: tuple[int, ...]


def build_squad(req: Requirements, free: np.ndarray) -> Assignment | None:
    """A squad for one mission from the people in `free` (plus its pins), or None.

    The leader first (the one who can lead and covers most unmet needs), then whoever
    covers most of what is still unmet, then the best by points up to the minimum size,
    then more while they add points (beyond the base size, more than the padding cost).
    Under `keep_teams` a team member comes with the whole team (`req.teams`), and a team
    not all free for the mission stays home."""
    free = free & req.eligible
    free[req.pinned] = True
    unit: dict[int, list[int]] = {}  # person -> their whole team (themselves included)
    for group in req.teams:
        if not free[group].all():
            if any(p in req.pinned for p in group.tolist()):
                return None
            free[group] = False
        for p in group.tolist():
            unit[p] = group.tolist()
    chosen: list[int] = []
    taken = np.zeros(len(free), dtype=bool)

    def take(i: int) -> bool:
        joining = [p for p in unit.get(i, [i]) if not taken[p]]
        if len(chosen) + len(joining) > req.high:
            return False
        chosen.extend(joining)
        taken[joining] = True
        return True

    for p in req.pinned:
        if not taken[p] and not take(p):
            return None

    def unmet() -> list[np.ndarray]:
        found = []
        for need in req.counts:
            assert need.mask is not None
            if int(need.mask[taken].sum()) < need.count:
                found.append(need.mask)
        return found

    def cover() -> np.ndarray:
        masks = unmet()
        return np.sum(masks, axis=0) if masks else np.zeros(len(free), dtype=np.int64)

    size_of = np.ones(len(free), dtype=np.int64)  # a unit is always taken whole
    for group in req.teams:
        size_of[group] = len(group)

    def fits() -> np.ndarray:
        return size_of <= req.high - len(chosen)

    leaders = free & req.leads & (taken | fits())
    if not leaders.any():
        return None
    pick = np.where(leaders, cover() * _COVER + req.value + req.lead_value, np.iinfo(np.int64).min)
    leader = int(np.argmax(pick))
    if not taken[leader] and not take(leader):
        return None
    while unmet():
        gain = cover()
        options = free & ~taken & (gain > 0) & fits()
        if not options.any():
            return None
        i = int(np.argmax(np.where(options, gain * _COVER + req.value, np.iinfo(np.int64).min)))
        take(i)
    while len(chosen) < req.high:
        options = free & ~taken & fits()
        if not options.any():
            break
        i = int(np.argmax(np.where(options, req.value, np.iinfo(np.int64).min)))
        joining = [p for p in unit.get(i, [i]) if not taken[p]]
        cost = WEIGHTS.padding if len(chosen) + len(joining) > req.base else 0
        if len(chosen) >= req.low and int(req.value[joining].sum()) <= cost * len(joining):
            break
        take(i)
    if not req.low <= len(chosen) <= req.high:
        return None
    chosen.remove(leader)
    return Assignment(leader, (leader, *chosen))


def mission_order(board: Board) -> list[int]:
    """Missions (indices into `board.groups`): pinned first, then by priority, then the
    scarcest (fewest eligible on its first day)."""

    def key(g: int) -> tuple[bool, int, int, str]:
        first = board.missions[board.groups[g][0]]
        return (not first.pinned, -first.priority, int(first.eligible.sum()), first.mission.id)

    return sorted((g for g, slots in enumerate(board.groups) if slots), key=key)


class Busy:
    """Who the plan so far has placed on which slots, and who is therefore free for one
    more slot: nobody whose slots clash with it, nor anyone the plan's own departures
    would put over a `max_missions` order (theirs or the slot's)."""

    def __init__(self, board: Board) -> None:
        self.board = board
        self.slots: dict[int, list[int]] = {}  # person -> slots they are on
        self.squads: dict[int, Assignment] = {}
        self.limits = [
            mission_limits(r.assessment, board.village.standing_orders) for r in board.missions
        ]
        self.counting = any(self.limits)
        orders = board.village.standing_orders
        self.committing = any(
            limits_at(c.rank, orders) for cs in board.committed.values() for c in cs
        )

    def free_for(self, k: int) -> np.ndarray:
        free = np.ones(len(self.board.roster), dtype=bool)
        counted: set[int] = set()
        for j, squad in self.squads.items():
            if self.board.clash(k, j):
                free[list(squad.everyone)] = False
            elif self.counting:
                counted.update(squad.everyone)
        for p in counted | (set(self.board.committed) if self.committing else set()):
            if free[p] and not self.may_add(p, k, self.slots.get(p, [])):
                free[p] = False
        return free

    def may_add(self, p: int, k: int, taken: list[int]) -> bool:
        board = self.board
        if any(board.clash(k, j) for j in taken):
            return False
        after = [*taken, k]
        for j in after:
            day = board.slot(j).day
            for count, days in self.limits[j]:
                before = int(board.roster.missions_before(day, days)[p])
                plan = sum(1 for i in after if 0 < (day - board.slot(i).day).days <= days)
                if before + plan + 1 > count:
                    return False
        return self.held_back_by(p, after) is None

    def held_back_by(self, p: int, after: list[int]) -> Commitment | None:
        """The approved squad whose `max_missions` (judged at its departure, counting the
        plan's departures before it) p's slots `after` would break, if any."""
        board = self.board
        for c in board.committed.get(p, ()):
            day = c.departs.date()
            for count, days in limits_at(c.rank, board.village.standing_orders):
                plan = sum(1 for i in after if 0 < (day - board.slot(i).day).days <= days)
                before = int(board.roster.missions_before(day, days)[p])
                if plan and before + plan + 1 > count:
                    return c
        return None

    def place(self, k: int, squad: Assignment) -> None:
        self.squads[k] = squad
        for p in squad.everyone:
            self.slots.setdefault(p, []).append(k)


def greedy_plan(board: Board, order: Sequence[int] | None = None) -> dict[int, Assignment]:
    """Squads by slot index: missions in `order` (indices into `board.groups`), each on
    the first of its days a squad can be built for; a mission that cannot be staffed is
    left out. Pinned shinobi are kept for their own missions."""
    pinned = np.zeros(len(board.roster), dtype=bool)
    for req in board.missions:
        pinned[req.pinned] = True
    busy = Busy(board)
    for g in mission_order(board) if order is None else order:
        for k in board.groups[g]:
            squad = build_squad(board.missions[k], busy.free_for(k) & ~pinned)
            if squad is not None:
                busy.place(k, squad)
                break
    return busy.squads
