"""Plan a day's board: squads that obey every standing order, the most total priority
first, then the best quality; every plan checked by the validator before it is returned.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence

from missiondesk.domain.assessment import Assessment
from missiondesk.domain.ranks import READY_TO_PLAN
from missiondesk.domain.village import HistoryEntry, Squad, Village
from missiondesk.errors import named
from missiondesk.planning.candidates import (
    Board,
    Commitment,
    PlanningError,
    check_pins,
    compile_board,
    pair_scores,
    prune,
)
from missiondesk.planning.explain import clashing, explain_squad, explain_unstaffed
from missiondesk.planning.greedy import Assignment, Busy, greedy_plan
from missiondesk.planning.idle import bench, roster_scores
from missiondesk.planning.model import PlanModel
from missiondesk.planning.plan import (
    Baseline,
    Plan,
    PlannedMember,
    PlannedSquad,
    Quality,
    UnstaffedMission,
)
from missiondesk.planning.quality import MemberScore, SquadPoints, squad_points
from missiondesk.planning.roster import Departure, fills_role
from missiondesk.planning.search import Infeasible, Progress, relaxed_bound, solve
from missiondesk.planning.validator import validate_plan
from missiondesk.wellbeing.ahead import Flags


class PlanningBug(RuntimeError):
    """The planner built a plan the validator rejects: a bug, never the user's fault."""


def board_missions(village: Village) -> list[str]:
    return [m.id for m in village.missions if m.status in READY_TO_PLAN]


def plan_board(
    village: Village,
    assessments: Mapping[str, Assessment],
    *,
    missions: Sequence[str] | None = None,
    flags: Flags = None,
    extra_history: Iterable[HistoryEntry | Departure] | None = None,
    pins: Mapping[str, str] | None = None,
    forbids: Sequence[tuple[str, str | None]] | None = None,
    previous: Mapping[str, Squad | PlannedSquad] | None = None,
    time_limit: float = 10.0,
    workers: int = 2,
    progress: Progress | None = None,
    member_score: MemberScore | None = None,
    commitments: Mapping[str, Sequence[Commitment]] | None = None,
) -> Plan:
    """Squads for the board (`missions`, by default every assessed or planned mission).

    `pins` puts a shinobi on a mission, `forbids` keeps one off a mission (or off every
    mission when it names none); `previous` is the plan being replaced, whose assignments
    are kept where they can be. Raises `PlanningError` for a request that cannot hold.
    """
    began = time.monotonic()
    deadline = began + time_limit
    history = list(extra_history or ())
    ids = list(missions) if missions is not None else board_missions(village)
    known = {m.id for m in village.missions}
    for mid in ids:
        if mid not in known:
            raise PlanningError(f"{mid!r} is not a mission of {village.village.id}")
        if mid not in assessments:
            raise PlanningError(f"{mid!r} is not assessed yet; assess it before planning")
    if len(set(ids)) != len(ids):
        raise PlanningError("a mission is listed twice")
    before = {
        mid: (s.squad() if isinstance(s, PlannedSquad) else s)
        for mid, s in (previous or {}).items()
        if mid in ids
    }
    pins = dict(pins or {})
    board = compile_board(
        village,
        assessments,
        ids,
        flags=flags,
        extra_history=history,
        pins=pins,
        forbids=list(forbids or ()),
        previous=before,
        commitments=commitments,
    )
    check_pins(board)
    start = greedy_plan(board)
    start_priority = sum(board.missions[k].priority for k in start)
    upper = relaxed_bound(board, min(2.0, 0.1 * time_limit))
    candidates = prune(
        board, [start[k].everyone if k in start else () for k in range(len(board.missions))]
    )
    scores = pair_scores(board, candidates, member_score)
    plan_model = PlanModel(board, candidates, scores)
    try:
        result = solve(
            plan_model,
            start,
            start_priority,
            upper,
            deadline=deadline,
            workers=workers,
            progress=progress,
            began=began,
        )
    except Infeasible:
        if not pins:
            # With no pins, staffing nothing is always a plan: infeasible means the model
            # itself is wrong, never the request.
            raise PlanningBug(
                "the planning model rejected every plan, even the empty one"
            ) from None
        raise PlanningError(_pins_conflict(board)) from None
    pinned_missions = [
        slots for slots in board.groups if any(board.missions[k].pinned for k in slots)
    ]
    if not all(set(slots) & set(result.squads) for slots in pinned_missions):
        raise PlanningError(
            "no plan holding every pin ("
            + _pinned(board)
            + ") was found within the time limit; plan again with a longer "
            + named("time_limit")
        )
    score_of = {
        (int(k), int(p)): float(s)
        for k, p, s in zip(candidates.mission, candidates.person, scores, strict=True)
    }
    proven = result.priority >= result.priority_bound
    plan = _assemble(board, result.squads, start, score_of, proven, member_score, assessments)
    plan = plan.model_copy(
        update={
            "status": "optimal" if proven and result.quality_proven else "feasible",
            "objective": result.priority,
            "bound": result.priority_bound,
            "bound_scope": "board"
            if candidates.complete or result.priority_bound >= upper
            else "candidates",
            "quality": Quality(
                total=plan.quality.total, bound=result.quality_bound, terms=plan.quality.terms
            ),
            "seconds": {
                "total": round(time.monotonic() - began, 3),
                "priority_proven": None
                if result.priority_proven_at is None
                else round(result.priority_proven_at, 3),
            },
        }
    )
    _second_opinion(
        village, assessments, plan, flags, history, pins, list(forbids or ()), commitments
    )
    return plan


def _pinned(board: Board) -> str:
    return "; ".join(
        f"{', '.join(board.roster.ids[i] for i in board.missions[slots[0]].pinned)} "
        f"to {board.missions[slots[0]].mission.id}"
        for slots in board.groups
        if slots and board.missions[slots[0]].pinned
    )


def _pins_conflict(board: Board) -> str:
    return f"the pins cannot all hold together with the standing orders ({_pinned(board)})"


def _points(
    board: Board, squads: Mapping[int, Assignment], score_of: Mapping[tuple[int, int], float]
) -> dict[int, SquadPoints]:
    found = {}
    for k, squad in squads.items():
        req = board.missions[k]
        found[k] = squad_points(
            squad.everyone,
            squad.leader,
            {i: score_of[(k, i)] for i in squad.everyone},
            board.workload[k],
            board.roster,
            board.pairs,
            req.previous,
            req.previous_leader,
            req.base,
            board.weights,
            req.volunteered,
        )
    return found


def _terms(points: Iterable[SquadPoints]) -> dict[str, int]:
    terms = dict.fromkeys(
        (
            "success",
            "economy",
            "workload",
            "wellbeing",
            "pairs",
            "juniors",
            "continuity",
            "volunteers",
            "teams",
        ),
        0,
    )
    for p in points:
        for name in terms:
            terms[name] += getattr(p, name)
    return terms


def _assemble(
    board: Board,
    squads: Mapping[int, Assignment],
    start: Mapping[int, Assignment],
    score_of: Mapping[tuple[int, int], float],
    proven: bool,
    member_score: MemberScore | None,
    assessments: Mapping[str, Assessment],
) -> Plan:
    planned = [
        _planned_squad(board, k, squad, score_of)
        for k, squad in sorted(squads.items(), key=lambda item: board.missions[item[0]].mission.id)
    ]
    busy = Busy(board)
    for k, squad in squads.items():
        busy.place(k, squad)
    unstaffed = sorted(
        [
            *(
                _unstaffed(board, slots, busy, proven)
                for slots in board.groups
                if slots and not set(slots) & set(squads)
            ),
            *(_passed(board, mid, assessments[mid]) for mid in board.passed),
        ],
        key=lambda u: u.mission,
    )
    moved = sum(
        1
        for slots in board.groups
        for i in (board.missions[slots[0]].previous if slots else ())
        if not any(k in squads and i in squads[k].everyone for k in slots)
    )
    points = _points(board, squads, score_of)
    greedy_points = _points(board, start, score_of)
    return Plan(
        status="feasible",
        objective=sum(board.missions[k].priority for k in squads),
        bound=0,
        bound_scope="candidates",
        squads=planned,
        unstaffed=unstaffed,
        moved=moved,
        quality=Quality(
            total=sum(p.total for p in points.values()), bound=None, terms=_terms(points.values())
        ),
        baseline=Baseline(
            objective=sum(board.missions[k].priority for k in start),
            quality=sum(p.total for p in greedy_points.values()),
        ),
        seconds={},
        bench=bench(board, squads, roster_scores(board, score_of, member_score)),
    )


def _planned_squad(
    board: Board, k: int, squad: Assignment, score_of: Mapping[tuple[int, int], float]
) -> PlannedSquad:
    roster, village, req = board.roster, board.village, board.missions[k]
    reasons, why = explain_squad(board, k, squad, {i: score_of[(k, i)] for i in squad.everyone})
    return PlannedSquad(
        mission=req.mission.id,
        effective_rank=req.assessment.effective_rank,
        leader=roster.ids[squad.leader],
        members=[
            PlannedMember(
                shinobi=roster.ids[i],
                roles=sorted(
                    r
                    for r, minimums in village.roles.items()
                    if fills_role(roster.shinobi[i], minimums)
                ),
                reasons=why[i],
            )
            for i in squad.everyone
        ],
        reasons=reasons,
        judged_rank=req.assessment.judged_rank,
        override=req.assessment.override,
        departs=board.slot(k).departs,
        returns=board.slot(k).returns,
    )


def _unstaffed(board: Board, slots: Sequence[int], busy: Busy, proven: bool) -> UnstaffedMission:
    """Why none of the mission's days could be staffed: each day's reasons, named by
    its departure when there are several."""
    reasons: list[str] = []
    for k in slots:
        found = explain_unstaffed(board, k, clashing(board, k, busy), proven)
        if len(slots) > 1:
            found = [f"leaving {board.slot(k).departs:%Y-%m-%d %H:%M}: {r}" for r in found]
        reasons += [r for r in found if r not in reasons]
    req = board.missions[slots[0]]
    return UnstaffedMission(
        mission=req.mission.id,
        effective_rank=req.assessment.effective_rank,
        reasons=reasons,
        judged_rank=req.assessment.judged_rank,
        override=req.assessment.override,
    )


def _passed(board: Board, mid: str, assessment: Assessment) -> UnstaffedMission:
    """A mission whose window has passed is never planned on a past date (SPEC 8)."""
    return UnstaffedMission(
        mission=mid,
        effective_rank=assessment.effective_rank,
        reasons=[board.passed[mid]],
        judged_rank=assessment.judged_rank,
        override=assessment.override,
    )


def _second_opinion(
    village: Village,
    assessments: Mapping[str, Assessment],
    plan: Plan,
    flags: Flags,
    history: Sequence[HistoryEntry | Departure],
    pins: Mapping[str, str],
    forbids: Sequence[tuple[str, str | None]],
    commitments: Mapping[str, Sequence[Commitment]] | None,
) -> None:
    """Refuse to return a plan the validator, the pins or the forbids disagree with."""
    problems = [
        f"{v.mission}: {v.order} ({v.rule}): {v.message}"
        for v in validate_plan(village, assessments, plan, flags, history, commitments=commitments)
    ]
    squads = plan.squads_by_mission()
    problems += [
        f"{sid} is pinned to {mid} but is not on it"
        for sid, mid in pins.items()
        if mid not in squads or sid not in squads[mid].everyone
    ]
    problems += [
        f"{sid} is forbidden for {forbidden or 'every mission'} but is on {mid}"
        for sid, forbidden in forbids
        for mid, squad in squads.items()
        if sid in squad.everyone and forbidden in (None, mid)
    ]
    if problems:
        raise PlanningBug("the planner built an invalid plan: " + "; ".join(problems))
