"""The CP-SAT model over the pruned candidates, solved lexicographically: first the total
priority of staffed missions, then, with that held, the quality points.
"""

from __future__ import annotations

import itertools
import time
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Literal

import numpy as np
from ortools.sat.python import cp_model

from missiondesk.planning.candidates import Board, Candidates, capacities
from missiondesk.planning.greedy import Assignment
from missiondesk.planning.quality import (
    JUNIOR,
    PAIR_CAP,
    SENIORS,
    WEIGHTS,
    leader_points,
    member_points,
    teammates,
)
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


class PlanModel:
    """Booleans x (person on mission), l (person leads mission) over candidate pairs,
    y (mission staffed) per mission, plus pair and junior indicators for quality."""

    def __init__(self, board: Board, candidates: Candidates, scores: np.ndarray) -> None:
        self.board = board
        self.cands = candidates
        model = cp_model.CpModel()
        self.model = model
        roster = board.roster
        mission, person = candidates.mission, candidates.person
        n_pairs = len(person)
        self.x = [model.new_bool_var(f"x{j}") for j in range(n_pairs)]
        self.y = [model.new_bool_var(f"y{k}") for k in range(len(board.missions))]
        self.lead: dict[int, cp_model.IntVar] = {}
        starts = np.searchsorted(mission, np.arange(len(board.missions) + 1))
        self.starts = starts
        member_coef = np.zeros(n_pairs, dtype=np.int64)
        lead_terms: list[tuple[cp_model.IntVar, int]] = []
        self.lookup: dict[tuple[int, int], int] = {}
        self.extra: dict[int, cp_model.IntVar] = {}
        self._padded: dict[int, cp_model.IntVar] = {}
        # (indicator, mission, the pairs' x indices it needs all of / any of each group)
        self._bonuses: list[tuple[cp_model.IntVar, int, list[list[int]]]] = []
        for k, req in enumerate(board.missions):
            a, b = int(starts[k]), int(starts[k + 1])
            who = person[a:b]
            xs = self.x[a:b]
            y = self.y[k]
            for j, p in zip(range(a, b), who.tolist(), strict=True):
                self.lookup[(k, p)] = j
            if req.low > req.high or b == a:
                # Nobody can be staffed on it; nobody may be placed on it either.
                model.add(y == 0)
                for x in xs:
                    model.add(x == 0)
                continue
            size = cp_model.LinearExpr.sum(xs)
            model.add(size >= req.low * y)
            model.add(size <= req.high * y)
            leads = []
            kept = np.isin(who, list(req.previous))
            member_coef[a:b] = member_points(
                scores[a:b], board.workload[k][who], roster.flagged[who], kept
            ) + board.weights.volunteer * np.isin(who, list(req.volunteered))
            lead_coef = leader_points(
                scores[a:b], roster.flagged[who], who == (req.previous_leader or -1)
            )
            for offset, p in enumerate(who.tolist()):
                if req.leads[p]:
                    lv = model.new_bool_var(f"l{a + offset}")
                    model.add_implication(lv, xs[offset])
                    self.lead[a + offset] = lv
                    leads.append(lv)
                    lead_terms.append((lv, int(lead_coef[offset])))
            model.add(cp_model.LinearExpr.sum(leads) == y)
            for need in req.counts:
                assert need.mask is not None
                fit = [xs[o] for o in np.flatnonzero(need.mask[who]).tolist()]
                model.add(cp_model.LinearExpr.sum(fit) >= need.count * y)
            for p in req.pinned:
                model.add(xs[int(np.flatnonzero(who == p)[0])] == 1)
            here = set(who.tolist())
            for group in req.teams:
                # keep_teams: all of the team or none of it; a member who is no candidate
                # here keeps the whole team off.
                at = [int(np.flatnonzero(who == p)[0]) for p in group.tolist() if p in here]
                if len(at) < len(group):
                    for o in at:
                        model.add(xs[o] == 0)
                else:
                    for o1, o2 in itertools.pairwise(at):
                        model.add(xs[o1] == xs[o2])
            if req.high > req.base:
                # Members beyond the base size: each pays the padding cost.
                extra = model.new_int_var(0, req.high - req.base, f"e{k}")
                model.add(size - req.base <= extra)
                self.extra[k] = extra
        pools = [person[int(starts[k]) : int(starts[k + 1])] for k in range(len(board.missions))]
        for cut in capacities(board, pools):
            model.add(
                cp_model.LinearExpr.weighted_sum([self.y[k] for k in cut.missions], cut.need)
                <= cut.capacity
            )
        by_person: dict[int, list[cp_model.IntVar]] = defaultdict(list)
        for j, p in enumerate(person.tolist()):
            by_person[p].append(self.x[j])
        for xs_p in by_person.values():
            if len(xs_p) > 1:
                model.add_at_most_one(xs_p)
        self.priority = cp_model.LinearExpr.weighted_sum(
            self.y, [r.priority for r in board.missions]
        )
        terms: list[cp_model.IntVar] = list(self.x)
        coefs: list[int] = member_coef.tolist()
        for lv, c in lead_terms:
            terms.append(lv)
            coefs.append(c)
        for extra in self.extra.values():
            terms.append(extra)
            coefs.append(-WEIGHTS.padding)
        terms_pairs, coefs_pairs = self._pairs()
        terms_juniors, coefs_juniors = self._juniors()
        terms += terms_pairs + terms_juniors
        coefs += coefs_pairs + coefs_juniors
        self.quality = cp_model.LinearExpr.weighted_sum(terms, coefs)
        # Larger than any difference in quality (booleans, and extras up to high - base).
        widest = {k: self.board.missions[k].high - self.board.missions[k].base for k in self.extra}
        self.quality_span = (
            int(sum(abs(c) for c in coefs))
            + sum(WEIGHTS.padding * (w - 1) for w in widest.values())
            + 1
        )

    def _bonus_allowed(self, k: int, bonus: cp_model.IntVar) -> None:
        """A bonus only for a squad within its base size: bonuses never pay for padding."""
        if k not in self.extra:
            return
        if k not in self._padded:
            req = self.board.missions[k]
            padded = self.model.new_bool_var(f"pad{k}")
            self.model.add(self.extra[k] <= (req.high - req.base) * padded)
            self._padded[k] = padded
        self.model.add_implication(bonus, self._padded[k].Not())

    def _pairs(self) -> tuple[list[cp_model.IntVar], list[int]]:
        roster = self.board.roster
        per_person: dict[int, list[int]] = defaultdict(list)
        for j, p in enumerate(self.cands.person.tolist()):
            per_person[p].append(j)
        terms, coefs = [], []
        touching: dict[int, list[cp_model.IntVar]] = defaultdict(list)
        for (a, b), count in sorted(self.board.pairs.items()):
            ia, ib = roster.index.get(a), roster.index.get(b)
            if ia is None or ib is None:
                continue
            for ja in per_person.get(ia, []):
                k = int(self.cands.mission[ja])
                jb = self.lookup.get((k, ib))
                if jb is None or self.board.missions[k].base < 2:
                    continue
                z = self.model.new_bool_var(f"z{ja}_{jb}")
                self.model.add_implication(z, self.x[ja])
                self.model.add_implication(z, self.x[jb])
                self._bonus_allowed(k, z)
                self._bonuses.append((z, k, [[ja], [jb]]))
                touching[ja].append(z)
                touching[jb].append(z)
                terms.append(z)
                coefs.append(WEIGHTS.pair * min(PAIR_CAP, count))
        for ia, ib in teammates(roster):
            # Team-mates on one squad: a bonus per pair, like the pairs above.
            for ja in per_person.get(ia, []):
                k = int(self.cands.mission[ja])
                jb = self.lookup.get((k, ib))
                if jb is None or self.board.missions[k].base < 2 or not self.board.weights.teammate:
                    continue
                z = self.model.new_bool_var(f"t{ja}_{jb}")
                self.model.add_implication(z, self.x[ja])
                self.model.add_implication(z, self.x[jb])
                self._bonus_allowed(k, z)
                self._bonuses.append((z, k, [[ja], [jb]]))
                terms.append(z)
                coefs.append(self.board.weights.teammate)
        for j, zs in touching.items():
            # A member pairs with at most the rest of a squad of its base size (a larger
            # squad earns no pair bonus): keeps the LP bound honest.
            base = self.board.missions[int(self.cands.mission[j])].base
            if len(zs) > base - 1:
                self.model.add(cp_model.LinearExpr.sum(zs) <= (base - 1) * self.x[j])
        return terms, coefs

    def _juniors(self) -> tuple[list[cp_model.IntVar], list[int]]:
        rank = self.board.roster.rank
        terms, coefs = [], []
        for k in range(len(self.board.missions)):
            if self.board.missions[k].base < 2:
                continue
            a, b = int(self.starts[k]), int(self.starts[k + 1])
            who = rank[self.cands.person[a:b]]
            junior_at = [a + o for o in np.flatnonzero(who == JUNIOR).tolist()]
            senior_at = [a + o for o in np.flatnonzero(np.isin(who, SENIORS)).tolist()]
            juniors = [self.x[j] for j in junior_at]
            seniors = [self.x[j] for j in senior_at]
            if juniors and seniors:
                v = self.model.new_bool_var(f"j{k}")
                self.model.add(v <= cp_model.LinearExpr.sum(juniors))
                self.model.add(v <= cp_model.LinearExpr.sum(seniors))
                self._bonus_allowed(k, v)
                self._bonuses.append((v, k, [junior_at, senior_at]))
                terms.append(v)
                coefs.append(WEIGHTS.junior)
        return terms, coefs

    def hint(self, squads: Mapping[int, Assignment], model: cp_model.CpModel | None = None) -> None:
        """A complete hint (every variable) for the plan `squads`, on `model` (by default
        this one; a clone has the same variables)."""
        model = self.model if model is None else model
        model.clear_hints()
        on: dict[int, Assignment] = dict(squads)
        for k, y in enumerate(self.y):
            model.add_hint(y, k in on)
        chosen = {(k, p) for k, s in on.items() for p in s.everyone}
        leaders = {(k, s.leader) for k, s in on.items()}
        picked = np.zeros(len(self.x), dtype=bool)
        for j, (k, p) in enumerate(
            zip(self.cands.mission.tolist(), self.cands.person.tolist(), strict=True)
        ):
            picked[j] = (k, p) in chosen
            model.add_hint(self.x[j], bool(picked[j]))
            if j in self.lead:
                model.add_hint(self.lead[j], (k, p) in leaders)
        padded = set()
        for k, extra in self.extra.items():
            size = len(on[k].everyone) if k in on else 0
            over = max(0, size - self.board.missions[k].base)
            model.add_hint(extra, over)
            if over:
                padded.add(k)
        for k, flag in self._padded.items():
            model.add_hint(flag, k in padded)
        for v, k, groups in self._bonuses:
            model.add_hint(v, k not in padded and all(picked[g].any() for g in groups))

    def read(self, solver: cp_model.CpSolver) -> dict[int, Assignment]:
        everyone: dict[int, list[int]] = defaultdict(list)
        leader: dict[int, int] = {}
        for j, (k, p) in enumerate(
            zip(self.cands.mission.tolist(), self.cands.person.tolist(), strict=True)
        ):
            if solver.boolean_value(self.x[j]):
                everyone[k].append(p)
                if j in self.lead and solver.boolean_value(self.lead[j]):
                    leader[k] = p
        return {
            k: Assignment(leader[k], (leader[k], *sorted(p for p in ps if p != leader[k])))
            for k, ps in sorted(everyone.items())
        }


def relaxed_bound(board: Board, seconds: float) -> int:
    """An upper bound on the total priority valid for the whole board (not only the
    candidates): missions that can be staffed alone, under the capacity cuts computed on
    every eligible person."""
    model = cp_model.CpModel()
    y = [model.new_bool_var(f"y{k}") for k in range(len(board.missions))]
    for k, req in enumerate(board.missions):
        if not req.feasible_alone():
            model.add(y[k] == 0)
    pools = [np.flatnonzero(req.eligible) for req in board.missions]
    for cut in capacities(board, pools):
        model.add(
            cp_model.LinearExpr.weighted_sum([y[k] for k in cut.missions], cut.need) <= cut.capacity
        )
    model.maximize(cp_model.LinearExpr.weighted_sum(y, [r.priority for r in board.missions]))
    solver = _solver(seconds, 1)
    status = solver.solve(model)
    if status == cp_model.OPTIMAL:
        return round(solver.objective_value)
    if status == cp_model.FEASIBLE:
        return int(np.floor(solver.best_objective_bound + 1e-6))
    return sum(r.priority for r in board.missions if r.feasible_alone())


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
) -> tuple[cp_model.CpSolverStatus, cp_model.CpSolver]:
    """CP-SAT from the complete hint `incumbent`; with a relaxation, restricted to the pairs
    the LP uses and the incumbent's (a clone of the model: the full one is untouched)."""
    model = plan_model.model
    if relaxation is not None:
        model = model.clone()
        used = relaxation.solution[[x.index for x in plan_model.x]] > 1e-6
        for k, squad in incumbent.items():
            for p in squad.everyone:
                used[plan_model.lookup[(k, p)]] = True
        for j in np.flatnonzero(~used).tolist():
            model.add(plan_model.x[j] == 0)
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
        relaxation = lp_relaxation(model, 0.25 * left())
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
        relaxation = lp_relaxation(model, 0.25 * left()) if left() > 0.05 else None
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
