"""On small random villages: every plan passes the validator, and its total priority is
the optimum found by enumerating every possible squad (brute force, through the
validator's definitions of the rules rather than the solver's encoding). Missions leave
on different days, so one shinobi may serve on several (SPEC section 9)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from brute import brute_force
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from plan_builders import TODAY, assess, history, mission, ninja, order, village

from missiondesk.domain.village import Village
from missiondesk.planning import plan_board, validate_plan

RANKS = ["genin", "chunin", "special_jonin", "jonin"]
ORDER_CHOICES = [
    order("medic", "require_role", role="medic", count=1),
    order("medic-b", "require_role", "B", role="medic", count=1),
    order("lead-chunin", "leader_min_rank", rank="chunin"),
    order("two-chunin", "require_rank", rank="chunin", count=2),
    order("no-genin-a", "forbid_rank", "A", rank="genin"),
    order("three", "min_size", "B", size=3),
    order("max-three", "max_size", size=3),
    order("cap", "max_missions", count=1, days=10),
    order("rest", "min_rest", days=3),
    order("counter", "counter_threats", min_probability=0.5),
    order("shield", "wellbeing_limit", flag="shield", forbid="lead"),
    order("shield-join", "wellbeing_limit", flag="shield", forbid="join"),
    order("volunteers", "volunteers_only"),
    order("volunteers-b", "volunteers_only", "B"),
    order("one-above", "max_rank_above", ranks=1),
    order("same-rank", "max_rank_above", ranks=0),
    order("teams", "keep_teams"),
]
THREAT = {"id": "itachi", "name": "Itachi", "rank": "S", "abilities": ["sharingan"]}
MEASURE = {"ability": "sharingan", "advice": "Eyes down.", "role": "sensor"}


@st.composite
def boards(draw: st.DrawFn) -> tuple[Village, dict[str, Any], dict[str, set[str]]]:
    n = draw(st.integers(2, 6))
    roster = []
    for i in range(n):
        status = draw(st.sampled_from(["available"] * 4 + ["injured", "on_mission"]))
        back = TODAY + dt.timedelta(days=draw(st.integers(0, 3))) if status == "injured" else None
        roster.append(
            ninja(
                f"s{i}",
                draw(st.sampled_from(RANKS)),
                status,
                back,
                medical=draw(st.integers(0, 3)),
                sensory=draw(st.integers(0, 4)),
                taijutsu=draw(st.integers(0, 5)),
            )
        )
    missions = [
        mission(
            f"m{k}",
            draw(st.sampled_from(["D", "C", "B", "A"])),
            priority=draw(st.integers(1, 5)),
            min_team_size=draw(st.integers(1, 3)),
            earliest=TODAY + dt.timedelta(days=draw(st.integers(0, 2))),
        )
        for k in range(draw(st.integers(1, 3)))
    ]
    for member in roster:
        member["team"] = draw(st.sampled_from([None, None, "t1", "t2"]))
    for m in missions:
        m["volunteers"] = [s["id"] for s in roster if draw(st.booleans())]
    orders = draw(st.lists(st.sampled_from(ORDER_CHOICES), max_size=4, unique_by=lambda o: o["id"]))
    past = [
        history(
            f"h{j}", f"s{j % n}", [], TODAY - dt.timedelta(days=4), TODAY - dt.timedelta(days=1)
        )
        for j in range(draw(st.integers(0, 2)))
    ]
    v = village(
        roster, missions, orders=orders, past=past, threats=[THREAT], countermeasures=[MEASURE]
    )
    effective = {m.id: draw(st.sampled_from(["D", "C", "B", "A", "S"])) for m in v.missions}
    effective = {
        k: max(r, v.missions[int(k[1:])].rank.value, key="DCBAS".index)
        for k, r in effective.items()
    }
    threats = {m.id: {"itachi": draw(st.sampled_from([0.0, 0.3, 0.7]))} for m in v.missions}
    flags = {f"s{i}": {"shield"} for i in range(n) if draw(st.booleans())}
    return v, {"effective": effective, "threats": threats}, flags


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(boards())
def test_plans_are_valid_and_reach_the_brute_force_optimum(board) -> None:
    v, spec, flags = board
    a = assess(v, spec["effective"], spec["threats"])
    plan = plan_board(v, a, flags=flags, time_limit=5, workers=1)
    assert validate_plan(v, a, plan, flags) == []
    assert plan.objective == brute_force(v, a, flags)
    assert plan.bound == plan.objective
    assert plan.bound_scope == "board"
