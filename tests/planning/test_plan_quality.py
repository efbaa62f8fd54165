"""The size rule of the quality objective (nobody is sent beyond the squad's base size
unless they clearly add value, and the bonuses never pay for padding), the base size, and
the LP relaxation whose bound the planner reports."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model
from plan_builders import TODAY, assess, history, mission, ninja, order, village

from missiondesk.planning import plan_board, validate_plan
from missiondesk.planning.candidates import compile_board
from missiondesk.planning.quality import WEIGHTS, squad_points
from missiondesk.planning.relax import _dual_bound, _rows, lp_relaxation
from missiondesk.planning.roster import Roster
from missiondesk.villagefile.parse import load_village

DEMO = Path(__file__).parents[2] / "src" / "missiondesk" / "data" / "konoha.yaml"
GOOD = [ninja(f"j{i}", "jonin", ninjutsu=4, taijutsu=4) for i in range(3)] + [
    ninja(f"g{i}", "genin", ninjutsu=3, taijutsu=3) for i in range(4)
]


def _sizes(plan) -> dict[str, int]:
    return {s.mission: len(s.members) for s in plan.squads}


def test_a_d_rank_errand_gets_the_clients_minimum_not_six() -> None:
    v = village(GOOD, [mission("find-tora", "D", min_team_size=2)])
    plan = plan_board(v, assess(v), time_limit=5, workers=1)
    assert _sizes(plan) == {"find-tora": 2}
    assert plan.status == "optimal"


def test_an_extra_member_joins_when_they_clearly_add_value() -> None:
    # A member scoring 1 brings 100 points, more than the 90 an extra costs.
    v = village(GOOD, [mission("m", "D", min_team_size=2)])
    plan = plan_board(v, assess(v), time_limit=5, workers=1, member_score=lambda s, a: 1.0)
    assert _sizes(plan) == {"m": 6}  # the default cap


def test_pairs_and_juniors_never_pay_for_padding() -> None:
    # A jonin and a genin with three clean successes together: as a pair, with the genin
    # learning, they would earn 45 + 25 points, but the mission needs one shinobi.
    roster = [ninja("jo", "jonin", ninjutsu=4, taijutsu=4), ninja("ge", "genin", ninjutsu=3)]
    past = [
        history(
            f"h{i}",
            "jo",
            ["ge"],
            TODAY - dt.timedelta(days=90 + 10 * i),
            TODAY - dt.timedelta(days=88 + 10 * i),
        )
        for i in range(3)
    ]
    v = village(roster, [mission("m", "D")], past=past)
    plan = plan_board(v, assess(v), time_limit=5, workers=1)
    assert _sizes(plan) == {"m": 1}
    assert plan.quality.terms["pairs"] == 0
    assert plan.quality.terms["juniors"] == 0
    # With a client who asks for two, the same two go and earn both bonuses.
    v = village(roster, [mission("m", "D", min_team_size=2)], past=past)
    plan = plan_board(v, assess(v), time_limit=5, workers=1)
    assert _sizes(plan) == {"m": 2}
    assert plan.quality.terms["pairs"] == WEIGHTS.pair * 3
    assert plan.quality.terms["juniors"] == WEIGHTS.junior


def test_squad_points_charge_padding_and_drop_bonuses_beyond_the_base() -> None:
    v = village(GOOD, [mission("m", "D")])
    roster = Roster(v)
    scores = dict.fromkeys(range(len(roster)), 0.8)
    workload = np.zeros(len(roster), dtype=np.int64)
    pairs = {("g0", "j0"): 3}
    squad = (0, 3)  # j0 and g0: a good pair, a junior beside a senior
    at_base = squad_points(squad, 0, scores, workload, roster, pairs, frozenset(), None, 2)
    assert (at_base.pairs, at_base.juniors) == (45, 25)
    assert at_base.economy == -2 * WEIGHTS.economy
    padded = squad_points(squad, 0, scores, workload, roster, pairs, frozenset(), None, 1)
    assert (padded.pairs, padded.juniors) == (0, 0)
    assert padded.economy == -2 * WEIGHTS.economy - WEIGHTS.padding


def test_the_base_size_is_the_smallest_squad_the_needs_allow() -> None:
    orders = [
        order("medic", "require_role", role="medic"),
        order("two", "require_rank", rank="chunin", count=2),
        order("lead", "leader_min_rank", rank="chunin"),
    ]
    plain = [ninja("c1", "chunin"), ninja("c2", "chunin"), ninja("m", "genin", medical=3)]
    chunin_medic = [*plain, ninja("cm", "chunin", medical=3)]
    for roster, base in ((plain, 3), (chunin_medic, 2)):
        v = village(roster, [mission("x", "C"), mission("y", "C", min_team_size=4)], orders=orders)
        board = compile_board(
            v, assess(v), ["x", "y"], flags=None, extra_history=[], pins={}, forbids=[], previous={}
        )
        assert [r.base for r in board.missions] == [base, 4]


def test_the_demo_villages_squads_are_not_padded() -> None:
    v = load_village(DEMO)
    ids = [m.id for m in v.missions]
    a = assess(v)
    plan = plan_board(v, a, missions=ids, time_limit=5, workers=1)
    assert validate_plan(v, a, plan) == []
    assert _sizes(plan)["find-tora"] == 2
    board = compile_board(v, a, ids, flags=None, extra_history=[], pins={}, forbids=[], previous={})
    base = {r.mission.id: r.base for r in board.missions}
    assert {mid: base[mid] for mid in _sizes(plan)} == _sizes(plan)


def test_the_models_quality_is_the_squads_quality() -> None:
    # Pairs, juniors and a padded alternative: when the plan is proven optimal, CP-SAT's
    # optimum (the bound) equals the points recomputed squad by squad.
    past = [
        history(
            f"h{i}",
            "j0",
            ["g0", "g1"],
            TODAY - dt.timedelta(days=60 + 9 * i),
            TODAY - dt.timedelta(days=58 + 9 * i),
        )
        for i in range(3)
    ]
    missions = [mission("a", "D", min_team_size=3), mission("b", "C"), mission("c", "D")]
    v = village(GOOD, missions, past=past)
    plan = plan_board(v, assess(v), time_limit=10, workers=1)
    assert plan.status == "optimal"
    assert plan.quality.bound == plan.quality.total
    assert plan.quality.terms["pairs"] > 0


@st.composite
def small_models(draw: st.DrawFn) -> cp_model.CpModel:
    model = cp_model.CpModel()
    n = draw(st.integers(2, 7))
    x = [model.new_bool_var(f"x{i}") for i in range(n)]
    for _ in range(draw(st.integers(0, 3))):
        coefs = draw(st.lists(st.integers(0, 5), min_size=n, max_size=n))
        model.add(sum(c * v for c, v in zip(coefs, x, strict=True)) <= draw(st.integers(0, 10)))
    group = draw(st.lists(st.sampled_from(range(n)), min_size=2, max_size=n, unique=True))
    model.add_at_most_one([x[i] for i in group])
    a, b = draw(st.sampled_from(range(n))), draw(st.sampled_from(range(n)))
    if a != b:
        model.add_implication(x[a], x[b])
    for _ in range(draw(st.integers(0, 2))):
        # max_missions' shape: when one is on, at most `room` of some others.
        on = draw(st.sampled_from(range(n)))
        others = draw(st.lists(st.sampled_from(range(n)), min_size=1, max_size=n, unique=True))
        room = draw(st.integers(0, 2))
        literal = x[on] if draw(st.booleans()) else x[on].Not()
        model.add(sum(x[i] for i in others) <= room).only_enforce_if(literal)
    if draw(st.booleans()):
        count = model.new_int_var(0, 4, "count")
        model.add(count >= sum(x[: min(n, 4)]) - 1).only_enforce_if(x[-1])
        model.maximize(sum(draw(st.integers(-10, 20)) * v for v in x) - 3 * count)
    else:
        model.maximize(sum(draw(st.integers(-10, 20)) * v for v in x))
    return model


@settings(max_examples=60, deadline=None)
@given(
    small_models(),
    st.lists(st.floats(-5, 5), min_size=20, max_size=20),
    st.sampled_from(["pdlp", "glop"]),
)
def test_the_lp_bound_is_never_below_the_optimum(model, multipliers, method) -> None:
    # Enforced constraints are linearised (the activity's range as big M), never dropped
    # silently into a wrong bound; PDLP's inexact duals only weaken it.
    relaxation = lp_relaxation(model, 5.0, method)
    assert relaxation is not None
    solver = cp_model.CpSolver()
    assert solver.solve(model) == cp_model.OPTIMAL
    assert relaxation.bound >= round(solver.objective_value)
    exact = lp_relaxation(model, 5.0, "glop")
    assert exact is not None
    assert exact.bound <= exact.value + 1e-6
    # PDLP and GLOP's finish on its columns: within PDLP's tolerance of the LP optimum.
    assert relaxation.bound <= exact.value + 1e-3 * abs(exact.value) + 1
    # Weak duality: any multipliers give a bound at least the LP optimum.
    proto = model.proto
    rows = _rows(proto)
    c = np.zeros(len(proto.variables))
    for var, coef in zip(proto.objective.vars, proto.objective.coeffs, strict=True):
        c[var] += proto.objective.scaling_factor * coef
    y = np.array(multipliers[: len(rows.lo)] + [0.0] * max(0, len(rows.lo) - 20))
    bound = _dual_bound(rows, y, c, np.zeros(len(c)), np.ones(len(c)))
    assert bound >= relaxation.value - 1e-6


def test_progress_never_shows_a_bound_below_the_plan() -> None:
    # The restricted search's own bounds are not bounds on the board: never shown.
    events = []
    missions = [mission(f"m{k}", "CDB"[k % 3], min_team_size=2) for k in range(5)]
    orders = [order("medic", "require_role", "C", role="medic")]
    roster = [*GOOD, ninja("medic", "chunin", medical=3), ninja("medic-2", "genin", medical=2)]
    v = village(roster, missions, orders=orders)
    plan = plan_board(v, assess(v), time_limit=10, workers=1, progress=events.append)
    assert events
    assert all(e.bound >= plan.objective for e in events)
    assert all(e.quality_bound >= plan.quality.total for e in events if e.quality_bound is not None)
