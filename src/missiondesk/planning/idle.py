"""The plan's bench (SPEC section 9): every shinobi available during the plan and on no
squad, and why, in words a person reads. Read from the same compiled needs as the model;
the comparisons run over the whole roster at once (NumPy), one staffed squad at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from missiondesk.domain.ranks import RECOVERING, ShinobiStatus
from missiondesk.planning.candidates import Board, blocked_by
from missiondesk.planning.greedy import Assignment
from missiondesk.planning.plan import Benched

Scores = Callable[[int], np.ndarray]
"""scores(slot): the member score of everyone on the roster for that slot (success at its
effective rank), as the planner scored its candidates."""


def bench(board: Board, squads: Mapping[int, Assignment], scores: Scores) -> list[Benched]:
    roster = board.roster
    n = len(roster)
    idle = np.array(
        [s.status is ShinobiStatus.AVAILABLE or s.status in RECOVERING for s in roster.shinobi],
        dtype=bool,
    )
    for squad in squads.values():
        idle[list(squad.everyone)] = False
    # The best swap per person: the smallest (member's score - theirs) over the staffed
    # squads they could join in the place of a member who counts for nothing they do not.
    gap = np.full(n, np.inf)
    swap_slot = np.full(n, -1, dtype=np.int64)
    swap_with = np.full(n, -1, dtype=np.int64)
    fits_staffed = np.full(n, -1, dtype=np.int64)
    for k, squad in sorted(squads.items()):
        req = board.missions[k]
        here = scores(k)
        fits = req.eligible & idle
        fits_staffed[(fits_staffed < 0) & fits] = k
        for i in squad.everyone:
            can = fits.copy()
            if i == squad.leader:
                can &= req.leads
            for need in req.counts:
                assert need.mask is not None
                if need.mask[i]:
                    can &= need.mask
            better = can & (here[i] - here < gap)
            gap[better] = (here[i] - here)[better]
            swap_slot[better] = k
            swap_with[better] = i
    return [
        Benched(
            shinobi=roster.ids[p],
            reason=_reason(board, p, float(gap[p]), int(swap_slot[p]), int(swap_with[p]))
            if fits_staffed[p] >= 0
            else _not_on_a_staffed_squad(board, squads, p),
        )
        for p in np.flatnonzero(idle).tolist()
    ]


def _reason(board: Board, p: int, gap: float, k: int, there: int) -> str:
    roster = board.roster
    if k >= 0 and gap > 0.005:
        return (
            f"would fit {board.missions[k].mission.id}, but {roster.ids[there]} "
            f"scores {gap:.2f} better on success"
        )
    rank = roster.shinobi[p].rank.value
    article = "an" if rank[0] in "aeiou" else "a"
    return f"not needed: every staffed squad is complete without {article} {rank}"


def _not_on_a_staffed_squad(board: Board, squads: Mapping[int, Assignment], p: int) -> str:
    roster = board.roster
    person = roster.shinobi[p]
    slots = range(len(board.missions))
    if not len(slots):
        return "not needed: no mission on the board can be planned"
    if not any(roster.may_leave_on(board.slot(k).day)[p] for k in slots):
        back = f" until {person.available_from.isoformat()}" if person.available_from else ""
        return f"{person.status.value}{back}"
    fits = [k for k in slots if board.missions[k].eligible[p]]
    # A mission's slots are its days: fitting one day of a mission staffed on another is
    # not fitting a mission that stays unstaffed.
    leaving = {board.missions[k].mission.id: k for k in squads}
    unstaffed = sorted({m for k in fits if (m := board.missions[k].mission.id) not in leaving})
    if unstaffed:
        shown = ", ".join(unstaffed[:3])
        shown += f" and {len(unstaffed) - 3} more" if len(unstaffed) > 3 else ""
        verb = "stays" if len(unstaffed) == 1 else "stay"
        return f"would fit {shown}, which {verb} unstaffed (see the reasons)"
    if fits:
        mid = board.missions[fits[0]].mission.id
        when = board.slot(leaving[mid]).departs.isoformat(sep=" ", timespec="minutes")
        return f"would fit {mid} on another day, but not when it leaves ({when})"
    req = board.missions[0]
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


def roster_scores(
    board: Board,
    score_of: Mapping[tuple[int, int], float],
    member_score: Callable[..., float] | None,
) -> Scores:
    """Per slot, everyone's score: the planner's own for its candidates, else the member
    score function (the default one when none was given)."""
    from missiondesk.planning.quality import default_scores

    by_slot: dict[int, list[tuple[int, float]]] = {}
    for (k, p), value in score_of.items():
        by_slot.setdefault(k, []).append((p, value))
    cache: dict[object, np.ndarray] = {}

    def scores(k: int) -> np.ndarray:
        assessment = board.missions[k].assessment
        key = assessment.effective_rank if member_score is None else assessment.mission
        if key not in cache:
            cache[key] = (
                default_scores(board.roster, assessment.effective_rank)
                if member_score is None
                else np.array([member_score(s, assessment) for s in board.roster.shinobi])
            )
        found = cache[key].astype(np.float64, copy=True)
        for p, value in by_slot.get(k, []):
            found[p] = value
        return found

    return scores
