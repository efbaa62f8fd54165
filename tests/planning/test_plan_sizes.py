"""Sizes and coverage the SPEC allows must be plannable: no hidden cap, no crash on
contradictory size orders, and `counter_threats` at probability 0 covers every threat."""

from __future__ import annotations

from plan_builders import assess, mission, ninja, order, village

from missiondesk.planning import plan_board, validate_plan


def _plan(v, assessments=None):  # type: ignore[no-untyped-def]
    assessments = assessments or assess(v)
    plan = plan_board(v, assessments, time_limit=5, workers=1)
    assert not validate_plan(v, assessments, plan)
    return plan


def test_contradictory_size_orders_leave_the_mission_unstaffed_not_the_planner_broken() -> None:
    v = village(
        [ninja(x, "chunin") for x in "abcd"],
        [mission("big", "C", min_team_size=3), mission("other", "C")],
        orders=[order("small", "max_size", size=2)],
    )
    plan = _plan(v)
    assert [u.mission for u in plan.unstaffed] == ["big"]
    assert [s.mission for s in plan.squads] == ["other"]
    assert plan.objective == plan.bound == 2


def test_min_size_above_max_size_is_unstaffed_with_both_orders_named() -> None:
    v = village(
        [ninja(x, "chunin") for x in "abc"],
        [mission("m", "C")],
        orders=[order("two", "min_size", size=2), order("one", "max_size", size=1)],
    )
    plan = _plan(v)
    (missing,) = plan.unstaffed
    text = " ".join(missing.reasons)
    assert "'two'" in text and "'one'" in text


def test_seven_medics_can_go_when_an_order_asks_for_seven() -> None:
    v = village(
        [ninja(f"s{i}", "chunin", medical=3) for i in range(7)],
        [mission("m", "C")],
        orders=[order("o", "require_role", role="medic", count=7)],
    )
    plan = _plan(v)
    assert plan.objective == plan.bound == 2
    assert len(plan.squads[0].members) == 7


def test_a_min_size_of_seven_is_met_without_a_max_size_order() -> None:
    v = village(
        [ninja(f"s{i}", "chunin") for i in range(8)],
        [mission("m", "C")],
        orders=[order("o", "min_size", size=7)],
    )
    plan = _plan(v)
    assert plan.objective == 2 and len(plan.squads[0].members) >= 7


def test_counter_threats_at_probability_zero_covers_every_known_threat() -> None:
    v = village(
        [ninja("a", "jonin"), ninja("med", "genin", medical=3)],
        [mission("m", "C")],
        orders=[order("o", "counter_threats", min_probability=0.0)],
        threats=[{"id": "t", "name": "T", "rank": "S", "abilities": ["poison"]}],
        countermeasures=[{"ability": "poison", "advice": "Carry antidote.", "role": "medic"}],
    )
    plan = _plan(v)  # the assessment lists no threat: probability 0, still >= 0
    assert "med" in {m.shinobi for m in plan.squads[0].members}
