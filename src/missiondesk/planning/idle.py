"""The plan's bench (SPEC section 9): every shinobi available during the plan and on no
squad, and why, in words a person reads. Read from the same compiled needs as the model.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from missiondesk.domain.ranks import RECOVERING, ShinobiStatus
from missiondesk.planning.candidates import Board, blocked_by
from missiondesk.planning.greedy import Assignment
from missiondesk.planning.plan import Benched

Score = Callable[[int, int], float]
"""score(slot, person): the member score the planner uses (success at the effective rank)."""


def bench(board: Board, squads: Mapping[int, Assignment], score: Score) -> list[Benched]:
    roster = board.roster
    on_squad = {p for s in squads.values() for p in s.everyone}
    found = []
    for p, person in enumerate(roster.shinobi):
        if p in on_squad:
            continue
        if person.status is not ShinobiStatus.AVAILABLE and person.status not in RECOVERING:
            continue  # on a mission (or committed to one): not available during the plan
        found.append(Benched(shinobi=person.id, reason=_reason(board, squads, score, p)))
    return found


def _reason(board: Board, squads: Mapping[int, Assignment], score: Score, p: int) -> str:
    roster = board.roster
    person = roster.shinobi[p]
    slots = list(range(len(board.missions)))
    if not slots:
        return "not needed: no mission on the board can be planned"
    if not any(roster.may_leave_on(board.slot(k).day)[p] for k in slots):
        back = f" until {person.available_from.isoformat()}" if person.available_from else ""
        return f"{person.status.value}{back}"
    fits = [k for k in slots if board.missions[k].eligible[p]]
    if not fits:
        k = slots[0]
        req = board.missions[k]
        if req.forbidden[p]:
            why = "forbidden by the Hokage"
        else:
            why = next(
                (
                    blocked_by(n, p)
                    for n in req.needs
                    if n.kind == "serve" and n.mask is not None and not n.mask[p]
                ),
                "does not meet its orders",
            )
        return f"may serve on no mission of the board ({req.mission.id}: {why})"
    staffed = [k for k in fits if k in squads]
    if not staffed:
        names = sorted({board.missions[k].mission.id for k in fits})
        return f"would fit {', '.join(names)}, which stays unstaffed (see its reasons)"
    best: tuple[float, int, int] | None = None
    for k in staffed:
        swaps = [i for i in squads[k].everyone if _could_replace(board, k, squads[k], p, i)]
        for i in swaps:
            gap = score(k, i) - score(k, p)
            if best is None or gap < best[0]:
                best = (gap, k, i)
    mission = board.missions[staffed[0]].mission.id
    if best is not None and best[0] > 0.005:
        gap, k, there = best
        return (
            f"would fit {board.missions[k].mission.id}, but {roster.ids[there]} "
            f"scores {gap:.2f} better on success"
        )
    rank = person.rank.value
    article = "an" if rank[0] in "aeiou" else "a"
    return (
        f"not needed: every staffed squad is complete without {article} {rank} "
        f"({mission} among those it would fit; one more would only pad it)"
    )


def _could_replace(board: Board, k: int, squad: Assignment, p: int, i: int) -> bool:
    """p could take i's place on slot k's squad: p counts for every need i counts for,
    and leads if i leads."""
    req = board.missions[k]
    if i == squad.leader and not req.leads[p]:
        return False
    return all(bool(n.mask[p]) or not bool(n.mask[i]) for n in req.counts if n.mask is not None)


def default_score(board: Board) -> Score:
    """The planner's default member score, per (slot, person)."""
    from missiondesk.planning.quality import default_scores

    cache: dict[object, np.ndarray] = {}

    def score(k: int, p: int) -> float:
        rank = board.missions[k].assessment.effective_rank
        if rank not in cache:
            cache[rank] = default_scores(board.roster, rank)
        return float(cache[rank][p])

    return score
