"""The CP-SAT model over the pruned candidates: a boolean per (slot, person) pair, per
slot, and per leader, built in named steps; `search.py` solves it.

A slot is one mission on one departure day (`candidates.Requirements.slot`). At most one
slot of a mission is staffed; one person serves on at most one slot of every set of slots
whose spans pairwise clash (`Board.cliques`, restricted to the person's own candidate
slots); `max_missions` counts the plan's own departures before each slot, and an
approved squad's `max_missions` counts the plan's departures before it.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Mapping

import numpy as np
from ortools.sat.python import cp_model

from missiondesk.planning.candidates import Board, Candidates, Requirements, capacities
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
from missiondesk.planning.rules import limits_at, mission_limits
from missiondesk.planning.timing import cliques


class PlanModel:
    """Booleans x (person on slot), l (person leads slot) over candidate pairs, y (slot
    staffed) per slot, plus pair and junior indicators for quality."""

    def __init__(self, board: Board, candidates: Candidates, scores: np.ndarray) -> None:
        self.board = board
        self.cands = candidates
        self.model = cp_model.CpModel()
        self.lookup: dict[tuple[int, int], int] = {}
        self.lead: dict[int, cp_model.IntVar] = {}
        self.extra: dict[int, cp_model.IntVar] = {}
        self._padded: dict[int, cp_model.IntVar] = {}
        # (indicator, slot, the pairs' x indices it needs all of / any of each group)
        self._bonuses: list[tuple[cp_model.IntVar, int, list[list[int]]]] = []
        self._member_coef = np.zeros(len(candidates.person), dtype=np.int64)
        self._lead_terms: list[tuple[cp_model.IntVar, int]] = []
        self._variables()
        for k in range(len(board.missions)):
            self._squad_rules(k, scores)
        self._one_slot_per_mission()
        self._capacity_cuts()
        self._one_squad_at_a_time()
        self._plan_departures_count()
        self._committed_departures_count()
        self._objectives()

    # --- the steps ------------------------------------------------------------------------

    def _variables(self) -> None:
        mission, person = self.cands.mission, self.cands.person
        self.x = [self.model.new_bool_var(f"x{j}") for j in range(len(person))]
        self.y = [self.model.new_bool_var(f"y{k}") for k in range(len(self.board.missions))]
        self.starts = np.searchsorted(mission, np.arange(len(self.board.missions) + 1))
        for j, (k, p) in enumerate(zip(mission.tolist(), person.tolist(), strict=True)):
            self.lookup[(k, p)] = j
        self._per_person: dict[int, list[int]] = defaultdict(list)
        for j, p in enumerate(person.tolist()):
            self._per_person[p].append(j)

    def _squad_rules(self, k: int, scores: np.ndarray) -> None:
        """Slot k's squad: its size, one leader, its counted needs, its pins and teams."""
        model, req = self.model, self.board.missions[k]
        a, b = int(self.starts[k]), int(self.starts[k + 1])
        who = self.cands.person[a:b]
        xs = self.x[a:b]
        y = self.y[k]
        if req.low > req.high or b == a:
            # Nobody can be staffed on it; nobody may be placed on it either.
            model.add(y == 0)
            for x in xs:
                model.add(x == 0)
            return
        size = cp_model.LinearExpr.sum(xs)
        model.add(size >= req.low * y)
        model.add(size <= req.high * y)
        self._member_coef[a:b] = self._member_points(k, who, scores[a:b], req)
        lead_coef = leader_points(
            scores[a:b], self.board.roster.flagged[who], who == (req.previous_leader or -1)
        )
        leads = []
        for offset, p in enumerate(who.tolist()):
            if req.leads[p]:
                lv = model.new_bool_var(f"l{a + offset}")
                model.add_implication(lv, xs[offset])
                self.lead[a + offset] = lv
                leads.append(lv)
                self._lead_terms.append((lv, int(lead_coef[offset])))
        model.add(cp_model.LinearExpr.sum(leads) == y)
        for need in req.counts:
            assert need.mask is not None
            fit = [xs[o] for o in np.flatnonzero(need.mask[who]).tolist()]
            model.add(cp_model.LinearExpr.sum(fit) >= need.count * y)
        for p in req.pinned:
            # The squad holds its pins whichever day it leaves (and a day on which a pin
            # may not serve was dropped when compiling).
            model.add(xs[int(np.flatnonzero(who == p)[0])] == y)
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

    def _member_points(
        self, k: int, who: np.ndarray, scores: np.ndarray, req: Requirements
    ) -> np.ndarray:
        kept = np.isin(who, list(req.previous))
        return member_points(
            scores, self.board.workload[k][who], self.board.roster.flagged[who], kept
        ) + self.board.weights.volunteer * np.isin(who, list(req.volunteered))

    def _one_slot_per_mission(self) -> None:
        """A mission leaves once: at most one of its days is staffed (exactly one when
        someone is pinned to it)."""
        for slots in self.board.groups:
            ys = [self.y[k] for k in slots]
            if any(self.board.missions[k].pinned for k in slots):
                self.model.add(cp_model.LinearExpr.sum(ys) == 1)
            elif len(ys) > 1:
                self.model.add_at_most_one(ys)

    def _capacity_cuts(self) -> None:
        """Counting cuts (candidates.capacities) within each set of clashing slots."""
        board = self.board
        pools = [
            self.cands.person[int(self.starts[k]) : int(self.starts[k + 1])]
            for k in range(len(board.missions))
        ]
        for clique in board.cliques():
            for cut in capacities(board, pools, clique):
                self.model.add(
                    cp_model.LinearExpr.weighted_sum([self.y[k] for k in cut.missions], cut.need)
                    <= cut.capacity
                )

    def _one_squad_at_a_time(self) -> None:
        """Per person, at most one of each set of their candidate slots that pairwise
        clash (departure to return, with the rest before it). The clash relation is an
        interval graph, so these cliques say exactly what NoOverlap on optional intervals
        would, and give the LP its tightest form (docs/decisions.md). On a one-day board
        every slot clashes with every other: one constraint per person, as before."""
        slot = self.board.slot
        seen: set[tuple[int, ...]] = set()
        for js in self._per_person.values():
            if len(js) < 2:
                continue
            spans = [
                (slot(int(self.cands.mission[j])).claim, slot(int(self.cands.mission[j])).end)
                for j in js
            ]
            for clique in cliques(spans):
                if len(clique) > 1:
                    key = tuple(js[c] for c in clique)
                    if key not in seen:
                        seen.add(key)
                        self.model.add_at_most_one([self.x[j] for j in key])

    def _plan_departures_count(self) -> None:
        """`max_missions` counts the plan's own departures in the days before each slot:
        on slot k, a person's earlier slots of the plan within the order's days, plus
        those on record, plus this one, are at most the order's count."""
        board = self.board
        limits = [
            mission_limits(r.assessment, board.village.standing_orders) for r in board.missions
        ]
        if not any(limits):
            return
        day_of = np.array([board.slot(k).day.toordinal() for k in range(len(board.missions))])
        if len(set(day_of.tolist())) < 2:
            return  # one day: no departure of the plan is before another
        pair_day = day_of[self.cands.mission] if len(self.cands.mission) else np.zeros(0)
        mine = {p: np.array(js, dtype=np.int64) for p, js in self._per_person.items()}
        for k, found in enumerate(limits):
            if not found:
                continue
            day = board.slot(k).day
            for j in range(int(self.starts[k]), int(self.starts[k + 1])):
                p = int(self.cands.person[j])
                js = mine[p]
                before = day_of[k] - pair_day[js]
                for count, days in found:
                    earlier = js[(before > 0) & (before <= days)]
                    room = count - 1 - int(board.roster.missions_before(day, days)[p])
                    if len(earlier) > room:
                        self.model.add(
                            cp_model.LinearExpr.sum([self.x[i] for i in earlier.tolist()]) <= room
                        ).only_enforce_if(self.x[j])

    def _committed_departures_count(self) -> None:
        """An approved squad's `max_missions`, judged at its departure (SPEC section 9),
        counts the plan's departures in the days before it: per committed person, their
        slots of the plan in that window, plus those on record, plus the approved one, are
        at most the order's count. (A slot with no room at all is already kept off them by
        `candidates.committed_need`.)"""
        board = self.board
        orders = board.village.standing_orders
        if not any(limits_at(c.rank, orders) for spans in board.committed.values() for c in spans):
            return
        day_of = np.array([board.slot(k).day.toordinal() for k in range(len(board.missions))])
        for p, spans in board.committed.items():
            js = self._per_person.get(p)
            if not js:
                continue
            mine = np.array(js, dtype=np.int64)
            ahead = day_of[self.cands.mission[mine]]
            for c in spans:
                day = c.departs.date()
                for count, days in limits_at(c.rank, orders):
                    inside = mine[(ahead < day.toordinal()) & (ahead >= day.toordinal() - days)]
                    room = max(0, count - 1 - int(board.roster.missions_before(day, days)[p]))
                    if len(inside) > room:
                        self.model.add(
                            cp_model.LinearExpr.sum([self.x[i] for i in inside.tolist()]) <= room
                        )

    def _objectives(self) -> None:
        board = self.board
        self.priority = cp_model.LinearExpr.weighted_sum(
            self.y, [r.priority for r in board.missions]
        )
        terms: list[cp_model.IntVar] = list(self.x)
        coefs: list[int] = self._member_coef.tolist()
        for lv, c in self._lead_terms:
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
        widest = {k: board.missions[k].high - board.missions[k].base for k in self.extra}
        self.quality_span = (
            int(sum(abs(c) for c in coefs))
            + sum(WEIGHTS.padding * (w - 1) for w in widest.values())
            + 1
        )

    # --- quality indicators ---------------------------------------------------------------

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
