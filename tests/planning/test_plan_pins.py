"""The Hokage's pins and forbids, and replanning that keeps what it can."""

from __future__ import annotations

import datetime as dt

import pytest
from plan_builders import TODAY, assess, mission, ninja, order, village

from missiondesk.planning import PlanningError, plan_board

ROSTER = [
    ninja("kakashi", "jonin", ninjutsu=5, sealing=4),
    ninja("asuma", "jonin", taijutsu=5, tactics=4),
    ninja("shikamaru", "chunin", tactics=5),
    ninja("choji", "chunin", taijutsu=4),
    ninja("ino", "genin", sensory=3),
    ninja("sakura", "genin", medical=3),
    ninja("hinata", "genin", sensory=4),
    ninja("tenten", "genin", "injured", TODAY + dt.timedelta(days=20)),
]
MISSIONS = [mission("escort", "B", min_team_size=3), mission("patrol", "C", min_team_size=2)]
ORDERS = [order("lead", "leader_min_rank", rank="chunin")]
V = village(ROSTER, MISSIONS, orders=ORDERS)
A = assess(V)


def _where(plan) -> dict[str, str]:
    return {m.shinobi: s.mission for s in plan.squads for m in s.members}


def test_pins_hold() -> None:
    plan = plan_board(V, A, pins={"ino": "escort", "hinata": "patrol"}, time_limit=5, workers=1)
    where = _where(plan)
    assert where["ino"] == "escort" and where["hinata"] == "patrol"
    escort = next(s for s in plan.squads if s.mission == "escort")
    assert any("pinned by the Hokage" in r for m in escort.members for r in m.reasons)


def test_forbids_hold_for_one_mission_and_for_all() -> None:
    plan = plan_board(
        V, A, forbids=[("kakashi", "escort"), ("asuma", None)], time_limit=5, workers=1
    )
    where = _where(plan)
    assert where.get("kakashi") != "escort"
    assert "asuma" not in where


def test_pinning_an_injured_shinobi_is_a_clear_error() -> None:
    with pytest.raises(PlanningError, match="cannot pin tenten to escort: is injured until"):
        plan_board(V, A, pins={"tenten": "escort"}, time_limit=5, workers=1)


def test_pinning_to_a_mission_off_the_board_is_a_clear_error() -> None:
    with pytest.raises(PlanningError, match="'nowhere' is not a mission on the board"):
        plan_board(V, A, pins={"ino": "nowhere"}, time_limit=5, workers=1)


def test_pinning_an_unknown_shinobi_is_a_clear_error() -> None:
    with pytest.raises(PlanningError, match="'naruto' is not a shinobi"):
        plan_board(V, A, pins={"naruto": "escort"}, time_limit=5, workers=1)


def test_pins_that_conflict_through_the_orders_are_a_clear_error() -> None:
    v = village(ROSTER, MISSIONS, orders=[*ORDERS, order("pair", "max_size", size=2)])
    with pytest.raises(PlanningError, match="at most 2"):
        plan_board(v, assess(v), pins={"ino": "patrol", "hinata": "patrol", "sakura": "patrol"})
    with pytest.raises(PlanningError, match="the pins cannot all hold"):
        # patrol needs a chunin-or-better leader; both pinned genin fill the squad of 2
        plan_board(v, assess(v), pins={"ino": "patrol", "hinata": "patrol"}, time_limit=5)


def test_pin_and_forbid_on_the_same_pair_is_a_clear_error() -> None:
    with pytest.raises(PlanningError, match="forbidden"):
        plan_board(V, A, pins={"ino": "escort"}, forbids=[("ino", "escort")], time_limit=5)


def test_replanning_keeps_previous_assignments_where_it_can() -> None:
    first = plan_board(V, A, time_limit=5, workers=1)
    previous = {s.mission: s for s in first.squads}
    gone = first.squads[0].members[-1].shinobi
    again = plan_board(V, A, forbids=[(gone, None)], previous=previous, time_limit=5, workers=1)
    before = {(m.shinobi, s.mission) for s in first.squads for m in s.members}
    after = {(m.shinobi, s.mission) for s in again.squads for m in s.members}
    assert again.moved == len(before - after)
    assert before - after == {(gone, first.squads[0].mission)}
    assert again.objective == first.objective


def test_replanning_prefers_the_previous_squad_over_a_slightly_better_one() -> None:
    v = village(ROSTER, [mission("patrol", "C", min_team_size=2)], orders=ORDERS)
    a = assess(v)
    kept = {"patrol": {"leader": "choji", "members": ["ino"]}}
    from missiondesk.domain.village import Squad

    plan = plan_board(
        v, a, previous={k: Squad.model_validate(s) for k, s in kept.items()}, time_limit=5
    )
    assert plan.moved == 0
    assert plan.squads[0].leader == "choji"
