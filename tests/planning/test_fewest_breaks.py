"""The squad that breaks the standing orders least (planning/fewest_breaks.py): each order
alone on a tiny roster, the weighting by how much an order is broken, the recall mode, and
a property: it agrees with the planner whenever some squad obeys every order."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from plan_builders import assess, mission, ninja, order, village

from missiondesk.domain.village import Village
from missiondesk.planning import plan_board
from missiondesk.planning.candidates import Requirements, compile_board
from missiondesk.planning.fewest_breaks import Broken, least_broken_squad, what_breaks
from missiondesk.planning.greedy import Assignment
from missiondesk.planning.roster import Roster


def compiled(v: Village) -> tuple[Requirements, Roster]:
    board = compile_board(
        v,
        assess(v),
        [v.missions[0].id],
        flags={},
        extra_history=[],
        pins={},
        forbids=[],
        previous={},
    )
    return board.missions[0], board.roster


def least(v: Village, **kwargs: Any) -> tuple[set[str], list[Broken], Assignment | None]:
    req, roster = compiled(v)
    squad = least_broken_squad(req, roster.may_leave_on(req.view.earliest), **kwargs)
    if squad is None:
        return set(), [], None
    breaks = what_breaks(req, squad, roster, v.standing_orders, {})
    return {roster.ids[i] for i in squad.everyone}, breaks, squad


def test_a_squad_that_obeys_every_order_breaks_nothing() -> None:
    v = village(
        [ninja("medic", medical=3), ninja("lead", "chunin"), ninja("g")],
        [mission("m")],
        orders=[order("medic-on-all", "require_role", role="medic", count=1)],
    )
    people, breaks, _ = least(v)
    assert "medic" in people and breaks == []


def test_a_missing_medic_is_the_one_order_broken() -> None:
    v = village(
        [ninja("lead", "chunin"), ninja("g")],
        [mission("m", min_team_size=2)],
        orders=[order("medic-on-all", "require_role", role="medic", count=1)],
    )
    people, breaks, _ = least(v)
    assert people == {"lead", "g"}  # the client's two, even without a medic
    assert [b.order for b in breaks] == ["medic-on-all"]
    assert "the squad has 0" in breaks[0].text


def test_a_leader_below_the_rank_is_named() -> None:
    v = village(
        [ninja("g1"), ninja("g2")],
        [mission("m")],
        orders=[order("chunin-leads", "leader_min_rank", rank="chunin")],
    )
    _, breaks, _ = least(v)
    assert [b.order for b in breaks] == ["chunin-leads"]
    assert "needs a leader of at least chunin" in breaks[0].text


def test_an_order_broken_by_less_is_preferred() -> None:
    """Two medics are wanted and one exists; two jonin are wanted and none exists. Taking
    the medic breaks `two-medics` by 1 and `two-jonin` by 2: that beats breaking both by
    2. And a forbidden genin is left home when a squad without one breaks nothing more."""
    v = village(
        [ninja("medic", "chunin", medical=3), ninja("c", "chunin"), ninja("g", "genin")],
        [mission("m")],
        orders=[
            order("two-medics", "require_role", role="medic", count=2),
            order("two-jonin", "require_rank", rank="jonin", count=2),
            order("no-genin", "forbid_rank", rank="genin"),
        ],
    )
    people, breaks, _ = least(v)
    assert "medic" in people and "g" not in people
    assert {b.order for b in breaks} == {"two-medics", "two-jonin"}


def test_strict_mode_recalls_the_fewest() -> None:
    v = village(
        [ninja("lead", "chunin"), ninja("m1", medical=3), ninja("m2", medical=3), ninja("g")],
        [mission("m", min_team_size=2)],
        orders=[order("medic-on-all", "require_role", role="medic", count=1)],
    )
    req, roster = compiled(v)
    recallable = np.array([sid in ("m1", "m2", "lead") for sid in roster.ids])
    squad = least_broken_squad(
        req, roster.may_leave_on(req.view.earliest), strict=True, recall_cost=recallable
    )
    assert squad is not None
    chosen = {roster.ids[i] for i in squad.everyone}
    assert len(chosen & {"m1", "m2", "lead"}) == 1  # one medic recalled, g goes too
    assert "g" in chosen


def test_nobody_free_means_no_squad() -> None:
    v = village([ninja("hurt", status="missing")], [mission("m")])
    assert least(v)[2] is None


RANKS = ["genin", "chunin", "jonin"]


@st.composite
def small_villages(draw: st.DrawFn) -> Village:
    people = [
        ninja(
            f"s{i}",
            draw(st.sampled_from(RANKS)),
            draw(st.sampled_from(["available", "available", "missing"])),
            medical=draw(st.integers(0, 3)),
        )
        for i in range(draw(st.integers(1, 6)))
    ]
    orders = []
    if draw(st.booleans()):
        orders.append(order("medic", "require_role", role="medic", count=draw(st.integers(1, 2))))
    if draw(st.booleans()):
        orders.append(order("lead", "leader_min_rank", rank=draw(st.sampled_from(RANKS))))
    if draw(st.booleans()):
        orders.append(order("no-genin", "forbid_rank", rank="genin"))
    if draw(st.booleans()):
        orders.append(order("small", "max_size", size=draw(st.integers(1, 3))))
    return village(people, [mission("m", min_team_size=draw(st.integers(1, 3)))], orders=orders)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_villages())
def test_it_agrees_with_the_planner_on_whether_the_orders_can_all_hold(v: Village) -> None:
    plan = plan_board(v, assess(v), time_limit=2, workers=1)
    _, breaks, squad = least(v, time_limit=2)
    strict = least(v, time_limit=2, strict=True)[2]
    if plan.squads:
        assert squad is not None and breaks == []
        assert strict is not None
    else:
        assert strict is None
        assert squad is None or breaks
