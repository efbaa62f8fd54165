"""Each standing order alone, binding: the plan changes (or a mission goes unstaffed,
with a reason naming the order) because of it."""

from __future__ import annotations

import datetime as dt

import pytest
from plan_builders import TODAY, assess, history, mission, ninja, order, village

from missiondesk.domain.village import Squad
from missiondesk.planning import plan_board, validate_plan
from missiondesk.planning.plan import Plan


def _plan(v, effective=None, **kwargs) -> Plan:
    kwargs.setdefault("time_limit", 5)
    kwargs.setdefault("workers", 1)
    return plan_board(v, assess(v, effective), **kwargs)


def _people(plan: Plan, mid: str) -> set[str]:
    for squad in plan.squads:
        if squad.mission == mid:
            return {m.shinobi for m in squad.members}
    return set()


def _reasons(plan: Plan, mid: str) -> str:
    return " | ".join(r for u in plan.unstaffed if u.mission == mid for r in u.reasons)


CHUNIN = ninja("chunin-a", "chunin", taijutsu=4, tactics=4)
MEDIC = ninja("medic-genin", "genin", medical=2)


def test_require_role_binds_medic() -> None:
    missions = [mission("m", "C")]
    free = _plan(village([CHUNIN, MEDIC], missions))
    assert "medic-genin" not in _people(free, "m")
    bound = _plan(
        village([CHUNIN, MEDIC], missions, orders=[order("medic", "require_role", role="medic")])
    )
    assert "medic-genin" in _people(bound, "m")


def test_require_role_applies_from_its_effective_rank_only() -> None:
    orders = [order("medic", "require_role", "B", role="medic")]
    v = village([CHUNIN], [mission("m", "C")], orders=orders)
    assert _people(_plan(v), "m") == {"chunin-a"}
    raised = _plan(v, {"m": "B"})
    assert raised.squads == []
    assert "needs 1 medic (medical >= 2) (order 'medic')" in _reasons(raised, "m")
    assert "nobody on the roster qualifies" in _reasons(raised, "m")


def test_leader_min_rank_binds() -> None:
    genin = [ninja("g1", "genin", taijutsu=5), ninja("g2", "genin", taijutsu=5)]
    orders = [order("lead", "leader_min_rank", rank="chunin")]
    plan = _plan(village([*genin, ninja("c", "chunin")], [mission("m")], orders=orders))
    (squad,) = plan.squads
    assert squad.leader == "c"
    plan = _plan(village(genin, [mission("m")], orders=orders))
    assert "a leader of at least chunin (order 'lead')" in _reasons(plan, "m")


def test_require_rank_binds() -> None:
    roster = [ninja("c1", "chunin"), ninja("c2", "chunin"), ninja("j", "jonin", taijutsu=5)]
    free = _plan(village(roster, [mission("m", "D")]))
    assert len(_people(free, "m")) < 3  # without the order, a D-rank goes smaller
    orders = [order("two", "require_rank", rank="chunin", count=3)]
    plan = _plan(village(roster, [mission("m", "D")], orders=orders))
    assert _people(plan, "m") == {"c1", "c2", "j"}


def test_forbid_rank_binds() -> None:
    roster = [ninja("g", "genin", taijutsu=5, ninjutsu=5), ninja("c", "chunin")]
    missions = [mission("m", "D", min_team_size=2)]
    assert _people(_plan(village(roster, missions)), "m") == {"g", "c"}
    plan = _plan(village(roster, missions, orders=[order("no-genin", "forbid_rank", rank="genin")]))
    assert plan.squads == []
    assert "g is genin (order 'no-genin')" in _reasons(plan, "m")


def test_min_size_binds() -> None:
    roster = [ninja(f"g{i}", "genin") for i in range(4)]
    assert len(_people(_plan(village(roster, [mission("m")])), "m")) == 1
    plan = _plan(village(roster, [mission("m")], orders=[order("three", "min_size", size=3)]))
    assert len(_people(plan, "m")) == 3


def test_max_size_binds() -> None:
    # Members beyond the base size join only when they clearly add value (a score above
    # 0.9): here everyone scores 1, so without the order all five go.
    roster = [ninja(f"j{i}", "jonin", ninjutsu=5, taijutsu=5) for i in range(5)]
    best = {"member_score": lambda shinobi, assessment: 1.0}
    assert len(_people(_plan(village(roster, [mission("m")]), **best), "m")) == 5
    v = village(roster, [mission("m")], orders=[order("two", "max_size", size=2)])
    assert len(_people(_plan(v, **best), "m")) == 2


def test_max_size_below_client_minimum_leaves_the_mission_unstaffed() -> None:
    roster = [ninja(f"c{i}", "chunin") for i in range(4)]
    v = village(roster, [mission("m", min_team_size=3)], orders=[order("two", "max_size", size=2)])
    plan = _plan(v)
    assert "its size orders contradict each other" in _reasons(plan, "m")


def test_max_missions_binds() -> None:
    busy = ninja("busy", "jonin", ninjutsu=5)
    past = [
        history("h1", "busy", [], TODAY - dt.timedelta(days=9), TODAY - dt.timedelta(days=8)),
        history("h2", "busy", [], TODAY - dt.timedelta(days=5), TODAY - dt.timedelta(days=4)),
    ]
    orders = [order("cap", "max_missions", count=2, days=14)]
    v = village([busy, ninja("spare", "genin")], [mission("m", "D")], orders=orders, past=past)
    assert _people(_plan(v), "m") == {"spare"}
    v = village([busy], [mission("m", "D")], orders=orders, past=past)
    assert "already has 2 missions in the last 14 days (h1, h2) (order 'cap')" in _reasons(
        _plan(v), "m"
    )


def test_min_rest_binds() -> None:
    tired = ninja("tired", "jonin", ninjutsu=5)
    past = [history("h", "tired", [], TODAY - dt.timedelta(days=3), TODAY - dt.timedelta(days=1))]
    orders = [order("rest", "min_rest", days=3)]
    v = village([tired, ninja("spare", "genin")], [mission("m", "D")], orders=orders, past=past)
    assert _people(_plan(v), "m") == {"spare"}
    later = village(
        [tired],
        [mission("m", "D", earliest=TODAY + dt.timedelta(days=2))],
        orders=orders,
        past=past,
    )
    assert _people(_plan(later), "m") == {"tired"}


def test_counter_threats_binds_only_above_its_probability() -> None:
    roster = [CHUNIN, ninja("sealer", "genin", sealing=3)]
    threat = {"id": "itachi", "name": "Itachi", "rank": "S", "abilities": ["sharingan"]}
    measure = {"ability": "sharingan", "advice": "Do not meet the eyes.", "role": "sealer"}
    v = village(
        roster,
        [mission("m")],
        orders=[order("counter", "counter_threats", min_probability=0.5)],
        threats=[threat],
        countermeasures=[measure],
    )
    likely = plan_board(v, assess(v, threats={"m": {"itachi": 0.6}}), time_limit=5, workers=1)
    assert "sealer" in _people(likely, "m")
    unlikely = plan_board(v, assess(v, threats={"m": {"itachi": 0.4}}), time_limit=5, workers=1)
    assert "sealer" not in _people(unlikely, "m")


def test_wellbeing_limit_lead_binds() -> None:
    roster = [ninja("shika", "jonin", tactics=5), ninja("g", "genin")]
    orders = [order("no-shield-lead", "wellbeing_limit", flag="shield", forbid="lead")]
    v = village(roster, [mission("m", min_team_size=2)], orders=orders)
    plan = _plan(v, flags={"shika": {"shield"}})
    (squad,) = plan.squads
    assert squad.leader == "g"
    assert _people(plan, "m") == {"shika", "g"}


def test_wellbeing_limit_join_binds() -> None:
    roster = [ninja("shika", "jonin", tactics=5), ninja("g", "genin")]
    orders = [order("no-shield", "wellbeing_limit", flag="shield", forbid="join")]
    v = village(roster, [mission("m", min_team_size=2)], orders=orders)
    plan = _plan(v, flags={"shika": {"shield"}})
    assert "has the wellbeing flag 'shield' (order 'no-shield')" in _reasons(plan, "m")


def test_flagged_people_are_spared_when_possible() -> None:
    roster = [ninja("shika", "chunin", tactics=5), ninja("other", "chunin", tactics=4)]
    plan = _plan(village(roster, [mission("m")]), flags={"shika": {"shield"}})
    assert _people(plan, "m") == {"other"}


def test_only_free_people_are_sent() -> None:
    roster = [
        ninja("away", "jonin", "on_mission", ninjutsu=5),
        ninja("hurt", "jonin", "injured", TODAY + dt.timedelta(days=3), ninjutsu=5),
        ninja("healed", "chunin", "injured", TODAY + dt.timedelta(days=1), ninjutsu=5),
    ]
    missions = [mission("m", "D", earliest=TODAY + dt.timedelta(days=1))]
    assert _people(_plan(village(roster, missions)), "m") == {"healed"}


def test_nobody_is_on_two_squads() -> None:
    roster = [ninja("only", "jonin", ninjutsu=5)]
    plan = _plan(village(roster, [mission("a", priority=2), mission("b", priority=5)]))
    assert [s.mission for s in plan.squads] == ["b"]
    assert "only is on other squads of this plan (b, leaves 2026-11-23 08:00" in _reasons(plan, "a")


def test_validator_reports_each_broken_rule_in_words() -> None:
    roster = [
        ninja("g", "genin"),
        ninja("h", "genin", "injured", TODAY + dt.timedelta(days=9)),
    ]
    orders = [
        order("medic", "require_role", role="medic"),
        order("lead", "leader_min_rank", rank="chunin"),
    ]
    v = village(roster, [mission("m", min_team_size=3), mission("n")], orders=orders)
    found = validate_plan(
        v, assess(v), {"m": Squad(leader="g", members=["h"]), "n": Squad(leader="g")}
    )
    messages = [f.message for f in found]
    assert any("h is injured until 2026-12-02" in m for m in messages)
    assert any("the client asks for at least 3 shinobi; it has 2" in m for m in messages)
    assert any("needs 1 medic (medical >= 2); the squad has 0" in m for m in messages)
    assert any("needs a leader of at least chunin; g is genin" in m for m in messages)
    assert any("g is also on the squad for m" in m for m in messages)


@pytest.mark.parametrize("rule", ["min_size", "max_size"])
def test_orders_table_knows_every_rule(rule: str) -> None:
    from missiondesk.domain.orders import RULES as VOCABULARY
    from missiondesk.planning import RULES

    assert set(RULES) == set(VOCABULARY)
    assert rule in RULES


def test_dispatched_squads_count_towards_max_missions() -> None:
    from missiondesk.planning import Departure

    orders = [order("cap", "max_missions", count=1, days=7)]
    v = village(
        [ninja("busy", "jonin"), ninja("spare", "genin")], [mission("m", "D")], orders=orders
    )
    gone = [Departure(members=("busy",), departed=TODAY - dt.timedelta(days=2))]
    plan = _plan(v, extra_history=gone)
    assert _people(plan, "m") == {"spare"}


def test_progress_reports_the_best_plan_and_its_bound() -> None:
    events = []
    v = village([CHUNIN, MEDIC], [mission("m", "C")])
    plan = _plan(v, progress=events.append)
    assert events and events[0].phase == "greedy"
    assert all(e.objective <= e.bound for e in events)
    assert events[-1].objective == plan.objective
