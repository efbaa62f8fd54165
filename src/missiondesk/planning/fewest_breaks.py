"""The squad for one mission that breaks the standing orders least, when none obeys them all.

The same `Need`s the planner enforces (planning/rules.py) become soft constraints of a small
CP-SAT model: each order pays 1 for being broken at all plus how much it is broken (members
it forbids, people short of a count, shinobi beyond a size, a leader it does not allow).
Who may leave at all, and the pins, stay hard. With `strict`, every order is hard instead
and the model looks for the fewest people to `recall` from approved squads.
The words for what breaks come from the rules' own `check_*` functions, not from here.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from ortools.sat.python import cp_model

from missiondesk.planning.candidates import Requirements, size_cap
from missiondesk.planning.greedy import Assignment
from missiondesk.planning.roster import Roster
from missiondesk.planning.rules import ALWAYS, SquadFacts, check_squad
from missiondesk.wellbeing.ahead import Flags, as_calendar

POOL_LIMIT = 120
"""People kept in the model beyond the pins and whoever fills a counted need or may lead."""


@dataclass(frozen=True)
class Broken:
    """An order the squad breaks, in the rule's own words."""

    order: str
    text: str


def _pool(req: Requirements, may: np.ndarray) -> np.ndarray:
    """Who the model considers: everyone who may leave, or, in a large village, the pins,
    the best few of each counted kind and of the leaders, and the best by value."""
    pool = np.flatnonzero(may)
    if len(pool) <= POOL_LIMIT:
        return pool
    order = pool[np.argsort(-(req.value[pool] + req.lead_value[pool]), kind="stable")]
    picked: list[int] = [*req.pinned]
    for need in req.needs:
        if need.mask is not None and need.kind in ("count", "lead"):
            picked.extend(order[need.mask[order]][: need.count + 8].tolist())
    picked.extend(order[:POOL_LIMIT].tolist())
    return np.unique(np.array(picked, dtype=np.int64))


def least_broken_squad(
    req: Requirements,
    may_leave: np.ndarray,
    *,
    strict: bool = False,
    recall_cost: np.ndarray | None = None,
    time_limit: float = 5.0,
) -> Assignment | None:
    """The squad (roster indices) that breaks the orders of `req` least, drawn from
    `may_leave`; None when no squad can be formed at all (nobody may leave, or the pins
    cannot all go). With `strict`, only a squad obeying every order, using as few of the
    people marked in `recall_cost` as it can."""
    pool = _pool(req, may_leave & ~req.forbidden)
    if any(p not in set(pool.tolist()) for p in req.pinned):
        return None
    if not len(pool):
        return None
    model = cp_model.CpModel()
    x = {int(p): model.new_bool_var(f"x{p}") for p in pool.tolist()}
    lead = {p: model.new_bool_var(f"l{p}") for p in x}
    for p in x:
        model.add_implication(lead[p], x[p])
    model.add_exactly_one(lead.values())
    for p in req.pinned:
        model.add(x[p] == 1)
    size = cp_model.LinearExpr.sum(list(x.values()))
    lows = [n.low for n in req.needs if n.kind == "size"]
    cap = max(size_cap(max([1, *lows]), [n.count for n in req.needs if n.kind == "count"]), 1)
    cap = max(cap, len(req.pinned))
    if req.teams:
        cap = max(cap, req.high)  # room for whole teams (compile_board's cap)
    model.add(size <= cap)

    broken: dict[str, cp_model.IntVar] = {}
    amounts: list[cp_model.LinearExpr] = []

    def order_broken(order: str) -> cp_model.IntVar:
        if order not in broken:
            broken[order] = model.new_bool_var(f"b_{order}")
        return broken[order]

    for n, need in enumerate(req.needs):
        if need.order == ALWAYS:
            continue  # availability: the pool holds only people who may leave
        if need.kind in ("serve", "lead"):
            assert need.mask is not None
            chosen = x if need.kind == "serve" else lead
            outside = [v for p, v in chosen.items() if not need.mask[p]]
            if not outside:
                continue
            if strict:
                for v in outside:
                    model.add(v == 0)
                continue
            flag = order_broken(need.order)
            for v in outside:
                model.add_implication(v, flag)
            amounts.append(cp_model.LinearExpr.sum(outside))
        elif need.kind == "count":
            assert need.mask is not None
            fit = cp_model.LinearExpr.sum([v for p, v in x.items() if need.mask[p]])
            if strict:
                model.add(fit >= need.count)
                continue
            short = model.new_int_var(0, need.count, f"short{n}")
            model.add(short >= need.count - fit)
            model.add(short <= need.count * order_broken(need.order))
            amounts.append(short)
        elif need.kind == "team":
            for group in req.teams:
                inside = [x[p] for p in group.tolist() if p in x]
                if not inside:
                    continue
                # The team whole, or none of it (a member outside the pool keeps it home).
                pairs = (
                    [(v, 0) for v in inside]
                    if len(inside) < len(group)
                    else list(itertools.pairwise(inside))
                )
                for a, b in pairs:
                    if strict:
                        model.add(a == b)
                    else:
                        model.add(a == b).only_enforce_if(order_broken(need.order).Not())
        elif need.kind == "size":
            if strict:
                model.add(size >= need.low)
                if need.high is not None:
                    model.add(size <= need.high)
                continue
            under = model.new_int_var(0, max(need.low, 0), f"under{n}")
            model.add(under >= need.low - size)
            model.add(under <= need.low * order_broken(need.order))
            amounts.append(under)
            if need.high is not None:
                over = model.new_int_var(0, cap, f"over{n}")
                model.add(over >= size - need.high)
                model.add(over <= cap * order_broken(need.order))
                amounts.append(over)

    # Lexicographic, as weights: fewest (and least) broken orders, then fewest recalls,
    # then the smallest squad, then the most valuable one.
    value_terms = [(x[p], int(req.value[p])) for p in x] + [
        (lead[p], int(req.lead_value[p])) for p in lead
    ]
    value_span = sum(abs(c) for _, c in value_terms) + 1
    size_weight = value_span
    recalls = [x[p] for p in x if recall_cost is not None and recall_cost[p]]
    recall_weight = size_weight * (cap + 1)
    break_weight = recall_weight * (len(recalls) + 1)
    cost = (
        break_weight * cp_model.LinearExpr.sum([*broken.values(), *amounts])
        + recall_weight * cp_model.LinearExpr.sum(recalls)
        + size_weight * size
        - cp_model.LinearExpr.weighted_sum([v for v, _ in value_terms], [c for _, c in value_terms])
    )
    model.minimize(cost)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, time_limit)
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = 0
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    everyone = sorted(p for p, v in x.items() if solver.boolean_value(v))
    leader = next(p for p, v in lead.items() if solver.boolean_value(v))
    return Assignment(leader, (leader, *(p for p in everyone if p != leader)))


def what_breaks(
    req: Requirements,
    squad: Assignment,
    roster: Roster,
    orders: Sequence[Any],
    flags: Flags,
) -> list[Broken]:
    """The orders `squad` breaks, each with the sentences its rule's `check_*` writes."""
    people = roster.shinobi
    facts = SquadFacts(
        mission=req.mission,
        assessment=req.assessment,
        earliest=req.view.earliest,
        leader=people[squad.leader],
        everyone=tuple(people[i] for i in squad.everyone),
        roles=req.view.roles,
        threats=req.view.threats,
        countermeasures=req.view.countermeasures,
        flags=as_calendar(flags),
        record=roster.record,
        roster=tuple(people),
    )
    texts: dict[str, list[str]] = defaultdict(list)
    for order, _rule, text in check_squad(facts, orders):
        texts[order].append(text)
    return [Broken(order=order, text="; ".join(found)) for order, found in texts.items()]
