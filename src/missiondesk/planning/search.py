"""Solving the plan model (model.py) lexicographically: first the total priority of
staffed missions, then, with that held, the quality points; and a bound on the priority
valid for the whole board.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Literal

import numpy as np
from ortools.sat.python import cp_model

from missiondesk.planning.candidates import Board, capacities
from missiondesk.planning.greedy import Assignment
from missiondesk.planning.model import PlanModel
from missiondesk.planning.relax import Relaxation, lp_relaxation

Phase = Literal["greedy", "priority", "quality"]


@dataclass(frozen=True)
class ProgressEvent:
    """The best plan so far and what is proven, for a progress bar."""

    phase: Phase
    seconds: float
    objective: int  # total priority staffed by the best plan so far
    bound: int  # proven upper bound on it
    quality: int | None = None
    quality_bound: int | None = None


Progress = Callable[[ProgressEvent], None]


@dataclass
class SolveResult:
    squads: dict[int, Assignment]
    priority: int
    priority_bound: int
    quality: int | None
    quality_bound: int | None
    quality_proven: bool
    priority_proven_at: float | None


class _Reporter(cp_model.CpSolverSolutionCallback):
    def __init__(self, report: Callable[[cp_model.CpSolverSolutionCallback], None]) -> None:
        super().__init__()
        self._report = report

    def on_solution_callback(self) -> None:
        self._report(self)


def relaxed_bound(board: Board, seconds: float) -> int:
    """An upper bound on the total priority valid for the whole board (not only the
    candidates): missions that can be staffed alone, under the capacity cuts computed on
    every eligible person."""
    model = cp_model.CpModel()
    y = [model.new_bool_var(f"y{k}") for k in range(len(board.missions))]
    for k, req in enumerate(board.missions):
        if not req.feasible_alone():
            model.add(y[k] == 0)
    for slots in board.groups:
        if len(slots) > 1:
            model.add_at_most_one([y[k] for k in slots])
    pools = [np.flatnonzero(req.eligible) for req in board.missions]
    for clique in board.cliques():
        for cut in capacities(board, pools, clique):
            model.add(
                cp_model.LinearExpr.weighted_sum([y[k] for k in cut.missions], cut.need)
                <= cut.capacity
            )
    model.maximize(cp_model.LinearExpr.weighted_sum(y, [r.priority for r in board.missions]))
    solver = _solver(seconds, 1)
    status = solver.solve(model)
    if status == cp_model.OPTIMAL:
        return round(solver.objective_value)
    if status == cp_model.FEASIBLE:
        return int(np.floor(solver.best_objective_bound + 1e-6))
    return sum(
        max(
            (board.missions[k].priority for k in slots if board.missions[k].feasible_alone()),
            default=0,
        )
        for slots in board.groups
    )


def _solver(seconds: float, workers: int) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, seconds)
    solver.parameters.num_workers = max(1, workers)
    solver.parameters.random_seed = 0
    # The assignment's LP bound is tight only with the full linearisation; with few
    # workers the default portfolio has no such worker and never proves anything.
    if workers >= 2:
        solver.parameters.subsolvers.extend(["max_lp", "quick_restart"])
    else:
        solver.parameters.linearization_level = 2
    return solver


class Infeasible(Exception):
    """The pins cannot all hold together."""


def _search(
    plan_model: PlanModel,
    incumbent: Mapping[int, Assignment],
    seconds: float,
    workers: int,
    report: Callable[[cp_model.CpSolverSolutionCallback], None],
    relaxation: Relaxation | None = None,
    rounded: bool = False,
) -> tuple[cp_model.CpSolverStatus, cp_model.CpSolver]:
    """CP-SAT from the complete hint `incumbent`; with a relaxation, restricted to the pairs
    the LP uses and the incumbent's (a clone of the model: the full one is untouched).
    `rounded`: the LP's own neighbourhood alone, without the incumbent: the pairs it leaves
    at 0 held off and those it puts at 1 held on, and no hint."""
    model = plan_model.model
    if relaxation is not None:
        model = model.clone()
        values = relaxation.solution[[x.index for x in plan_model.x]]
        used = values > 1e-6
        if rounded:
            for j in np.flatnonzero(values >= 1 - 1e-6).tolist():
                model.add(plan_model.x[j] == 1)
        else:
            for k, squad in incumbent.items():
                for p in squad.everyone:
                    used[plan_model.lookup[(k, p)]] = True
        for j in np.flatnonzero(~used).tolist():
            model.add(plan_model.x[j] == 0)
    if rounded:
        model.clear_hints()
    else:
        plan_model.hint(incumbent, model)
    solver = _solver(seconds, workers)
    return solver.solve(model, _Reporter(report)), solver


def solve(
    plan_model: PlanModel,
    start: Mapping[int, Assignment],
    start_priority: int,
    upper_bound: int,
    *,
    deadline: float,
    workers: int,
    progress: Progress | None,
    began: float,
) -> SolveResult:
    """Phase 1 maximises priority from the greedy hint (skipped when the greedy plan
    already reaches `upper_bound`, a bound valid for the whole board); phase 2 holds that
    priority and maximises quality.

    Each phase first solves the LP relaxation over the candidates (a proven bound), then
    searches the pairs the LP uses (fast, and usually optimal or within a fraction of a
    percent), then the whole model from that plan with what time is left, if the bound is
    not reached yet."""
    model = plan_model.model

    def emit(event: ProgressEvent) -> None:
        if progress is not None:
            progress(event)

    def left() -> float:
        return deadline - time.monotonic()

    best, bound, squads = start_priority, upper_bound, dict(start)
    proven_at: float | None = None
    emit(ProgressEvent("greedy", time.monotonic() - began, best, bound))

    def on_priority(trusted: bool, found: cp_model.CpSolverSolutionCallback) -> None:
        # A restricted search's bound says nothing about the full model: not shown.
        value, proven = round(found.objective_value), round(found.best_objective_bound)
        top = min(proven, bound) if trusted else bound
        emit(ProgressEvent("priority", time.monotonic() - began, value, top))

    if best < bound:
        model.maximize(plan_model.priority)
        relaxation = lp_relaxation(model, 0.25 * left(), "glop")
        if relaxation is not None:
            bound = min(bound, relaxation.bound)
        # The restricted search first (when there is an LP), then the full model.
        for restricted in (relaxation, None) if relaxation is not None else (None,):
            if best >= bound or left() <= 0.05:
                break
            share = 0.25 if restricted is not None else 0.5
            report = partial(on_priority, restricted is None)
            status, solver = _search(
                plan_model, squads, share * left(), workers, report, restricted
            )
            if status == cp_model.INFEASIBLE and restricted is None:
                raise Infeasible
            if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                found = round(solver.objective_value)
                if found >= best:
                    best, squads = found, plan_model.read(solver)
                if restricted is None:
                    bound = min(bound, round(solver.best_objective_bound))
                    if status == cp_model.OPTIMAL:
                        bound = best
    if best >= bound:
        proven_at = time.monotonic() - began
    proven = best >= bound
    quality: int | None = None
    quality_bound: int | None = None

    def on_quality(trusted: bool, found: cp_model.CpSolverSolutionCallback) -> None:
        top = round(found.best_objective_bound) if proven and trusted else None
        if proven and quality_bound is not None:
            top = quality_bound if top is None else min(top, quality_bound)
        emit(
            ProgressEvent(
                "quality",
                time.monotonic() - began,
                found.value(plan_model.priority),
                bound,
                found.value(plan_model.quality),
                top,
            )
        )

    if proven:
        model.add(plan_model.priority == best)
        model.maximize(plan_model.quality)
        # The quality LP is what the bound and the searches below stand on: half the
        # time left at most (it needs 5-10 s on XL, more on a loaded machine).
        relaxation = lp_relaxation(model, 0.5 * left()) if left() > 0.05 else None
        if relaxation is not None:
            quality_bound = relaxation.bound
        passes: tuple[Relaxation | None, ...] = (
            (relaxation, None) if relaxation is not None else (None,)
        )
    else:
        # Never trade priority for quality: priority weighs more than any quality gain.
        model.add(plan_model.priority >= best)
        model.maximize(plan_model.priority * plan_model.quality_span + plan_model.quality)
        passes = (None,)
    if proven and relaxation is not None and left() > 0.05:
        # The LP's neighbourhood alone first (its pairs at 1 held, its pairs at 0 off):
        # a small model, usually solved to optimality in seconds, and a far better start
        # than the priority phase's plan, whose quality nobody optimised.
        status, solver = _search(
            plan_model, squads, 0.5 * left(), workers, partial(on_quality, False), relaxation, True
        )
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            squads, quality = plan_model.read(solver), solver.value(plan_model.quality)
    for restricted in passes:
        if left() <= 0.05 or (
            quality is not None and quality_bound is not None and quality >= quality_bound
        ):
            break
        share = 0.5 if restricted is not None else 1.0
        report = partial(on_quality, restricted is None)
        status, solver = _search(plan_model, squads, share * left(), workers, report, restricted)
        if status == cp_model.INFEASIBLE and restricted is None:
            raise Infeasible
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            value = solver.value(plan_model.quality)
            priority = solver.value(plan_model.priority)
            if quality is None or priority > best or value > quality:
                squads = plan_model.read(solver)
                best, quality = max(best, priority), value
            if proven and restricted is None:
                top = round(solver.best_objective_bound)
                if status == cp_model.OPTIMAL:
                    top = value
                quality_bound = top if quality_bound is None else min(quality_bound, top)
    if not proven:
        quality_bound = None
    quality_proven = quality is not None and quality_bound is not None and quality >= quality_bound
    return SolveResult(squads, best, bound, quality, quality_bound, quality_proven, proven_at)
