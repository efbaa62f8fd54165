"""Counting cuts must never cut off a real plan: a mission that asks twice for the same
kind of person (a medic by two orders) needs one, not two."""

from __future__ import annotations

from plan_builders import assess, mission, ninja, order, village

from missiondesk.planning import plan_board, validate_plan


def test_two_orders_asking_for_the_same_medic_need_only_one() -> None:
    v = village(
        [
            ninja("medic-a", "chunin", medical=3),
            ninja("medic-b", "chunin", medical=3),
            ninja("genin-a"),
            ninja("genin-b"),
        ],
        [mission("one", "C", priority=3), mission("two", "C", priority=3)],
        orders=[
            order("medic", "require_role", role="medic", count=1),
            order("counter", "counter_threats", min_probability=0.3),
        ],
        threats=[{"id": "poisoner", "name": "Poisoner", "rank": "B", "abilities": ["poison"]}],
        countermeasures=[{"ability": "poison", "advice": "Carry antidote.", "role": "medic"}],
    )
    assessments = assess(v, threats={"one": {"poisoner": 0.9}, "two": {"poisoner": 0.9}})
    plan = plan_board(v, assessments, time_limit=5, workers=1)
    # Two medics, two missions, each needing one medic (asked for by two orders): both go.
    assert plan.objective == 6 == plan.bound
    assert not validate_plan(v, assessments, plan)
