"""A greedy plan: missions by priority, each squad built from the people still free.

It is the CP-SAT model's starting point (hints), the baseline the benchmark compares
with, and the "could it be staffed from who is left?" test behind an explanation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from missiondesk.planning.candidates import Board, Requirements
from missiondesk.planning.quality import WEIGHTS

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
    then more while they add points (beyond the base size, more than the padding cost)."""
    free = free & req.eligible
    free[req.pinned] = True
    chosen = list(req.pinned)
    taken = np.zeros(len(free), dtype=bool)
    taken[chosen] = True

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

    leaders = free & req.leads
    if not leaders.any():
        return None
    pick = np.where(leaders, cover() * _COVER + req.value + req.lead_value, np.iinfo(np.int64).min)
    leader = int(np.argmax(pick))
    if not taken[leader]:
        chosen.append(leader)
        taken[leader] = True
    while unmet():
        if len(chosen) >= req.high:
            return None
        gain = cover()
        options = free & ~taken & (gain > 0)
        if not options.any():
            return None
        i = int(np.argmax(np.where(options, gain * _COVER + req.value, np.iinfo(np.int64).min)))
        chosen.append(i)
        taken[i] = True
    while len(chosen) < req.high:
        options = free & ~taken
        if not options.any():
            break
        i = int(np.argmax(np.where(options, req.value, np.iinfo(np.int64).min)))
        cost = WEIGHTS.padding if len(chosen) >= req.base else 0
        if len(chosen) >= req.low and req.value[i] <= cost:
            break
        chosen.append(i)
        taken[i] = True
    if not req.low <= len(chosen) <= req.high:
        return None
    chosen.remove(leader)
    return Assignment(leader, (leader, *chosen))


def mission_order(board: Board) -> list[int]:
    """Pinned missions first, then by priority, then the scarcest (fewest eligible)."""
    return sorted(
        range(len(board.missions)),
        key=lambda k: (
            not board.missions[k].pinned,
            -board.missions[k].priority,
            int(board.missions[k].eligible.sum()),
            board.missions[k].mission.id,
        ),
    )


def greedy_plan(board: Board, order: Sequence[int] | None = None) -> dict[int, Assignment]:
    """Squads by mission index; a mission that cannot be staffed is left out."""
    taken = np.zeros(len(board.roster), dtype=bool)
    for req in board.missions:
        taken[req.pinned] = True
    plan: dict[int, Assignment] = {}
    for k in mission_order(board) if order is None else order:
        squad = build_squad(board.missions[k], ~taken)
        if squad is not None:
            plan[k] = squad
            taken[list(squad.everyone)] = True
    return plan
