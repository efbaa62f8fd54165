"""The players' standing orders (SPEC section 13), each alone and binding, each checked by
the validator, and the two player terms of the plan's quality."""

from __future__ import annotations

import datetime as dt

from plan_builders import TODAY, assess, mission, ninja, order, village

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


def _broken(v, squads, effective=None) -> list[str]:
    return [f"{x.order}: {x.message}" for x in validate_plan(v, assess(v, effective), squads)]


def _with(member: dict, **fields) -> dict:
    return {**member, **fields}


STRONG = ninja("jonin-a", "jonin", ninjutsu=5, taijutsu=5)
KEEN = ninja("keen-genin", "genin", taijutsu=2)


def test_volunteers_only_sends_only_volunteers() -> None:
    m = _with(mission("m", "D"), volunteers=["keen-genin"])
    assert "jonin-a" in _people(_plan(village([STRONG, KEEN], [m])), "m")
    v = village([STRONG, KEEN], [m], orders=[order("vol", "volunteers_only")])
    assert _people(_plan(v), "m") == {"keen-genin"}
    nobody = village([STRONG, KEEN], [mission("m", "D")], orders=[order("vol", "volunteers_only")])
    plan = _plan(nobody)
    assert plan.squads == []
    assert "jonin-a, keen-genin have not volunteered for it (order 'vol')" in _reasons(plan, "m")
    assert _broken(nobody, {"m": Squad(leader="jonin-a")}) == [
        "vol: jonin-a has not volunteered for m"
    ]


def test_volunteers_only_applies_from_its_rank() -> None:
    v = village([STRONG, KEEN], [mission("m", "C")], orders=[order("vol", "volunteers_only", "B")])
    assert _people(_plan(v), "m") == {"jonin-a"}
    assert _plan(v, {"m": "B"}).squads == []


def test_max_rank_above_keeps_genin_off_missions_too_high() -> None:
    orders = [order("above", "max_rank_above", ranks=1)]
    genin = [ninja("g1", "genin", taijutsu=5), ninja("g2", "genin", taijutsu=5)]
    # Genin are grade D: with one rank above, C missions yes, B missions no.
    assert _people(_plan(village(genin, [mission("m", "C")], orders=orders)), "m")
    plan = _plan(village(genin, [mission("m", "C")], orders=orders), {"m": "B"})
    assert plan.squads == []
    assert "genin (grade D); a B-rank mission is more than 1 rank above it (order 'above')" in (
        _reasons(plan, "m")
    )
    with_chunin = village([*genin, ninja("c", "chunin")], [mission("m", "B")], orders=orders)
    assert _people(_plan(with_chunin), "m") == {"c"}
    assert _broken(with_chunin, {"m": Squad(leader="c", members=["g1"])}) == [
        "above: g1 is genin (grade D); a B-rank mission is more than 1 rank above it"
    ]


def test_max_rank_above_zero_means_at_most_ones_own_grade() -> None:
    orders = [order("same", "max_rank_above", ranks=0)]
    v = village(
        [ninja("c", "chunin"), ninja("k", "kage", ninjutsu=5)], [mission("m", "C")], orders=orders
    )
    assert _broken(v, {"m": Squad(leader="c")}) == []
    assert _broken(v, {"m": Squad(leader="c")}, {"m": "B"}) == [
        "same: c is chunin (grade C); a B-rank mission is more than 0 ranks above it"
    ]
    assert _broken(v, {"m": Squad(leader="k")}, {"m": "S"}) == []


TEAM = [
    _with(ninja("kakashi", "jonin", ninjutsu=5, taijutsu=5), team="team-7"),
    _with(ninja("sakura", "genin", medical=2), team="team-7"),
    ninja("loner", "chunin", taijutsu=3),
]


def test_keep_teams_sends_a_team_whole_or_not_at_all() -> None:
    missions = [mission("m", "D")]
    assert _people(_plan(village(TEAM, missions)), "m") == {"kakashi"}
    v = village(TEAM, missions, orders=[order("teams", "keep_teams")])
    people = _people(_plan(v), "m")
    assert people in ({"kakashi", "sakura"}, {"loner"})
    assert _broken(v, {"m": Squad(leader="kakashi")}) == [
        "teams: team team-7 goes together or not at all: kakashi would go without sakura"
    ]
    assert _broken(v, {"m": Squad(leader="kakashi", members=["sakura"])}) == []


def test_keep_teams_binds_the_team_to_one_mission() -> None:
    orders = [order("teams", "keep_teams")]
    v = village(TEAM[:2], [mission("m1", "D"), mission("m2", "D")], orders=orders)
    plan = _plan(v)
    assert len(plan.squads) == 1
    assert {m.shinobi for m in plan.squads[0].members} == {"kakashi", "sakura"}
    split = {"m1": Squad(leader="kakashi"), "m2": Squad(leader="sakura")}
    assert len(_broken(v, split)) == 2


def test_keep_teams_needs_team_mates_who_can_leave_and_the_room_to_send_them() -> None:
    orders = [order("teams", "keep_teams")]
    injured = [TEAM[0], _with(TEAM[1], status="injured", available_from=TODAY + dt.timedelta(3))]
    # A team-mate who cannot leave does not keep the others home.
    assert _people(_plan(village(injured, [mission("m", "D")], orders=orders)), "m") == {"kakashi"}
    # A team larger than the squad may be is not bound on that mission.
    small = village(TEAM, [mission("m", "D")], orders=[*orders, order("one", "max_size", size=1)])
    assert _broken(small, {"m": Squad(leader="kakashi")}) == []
    assert _people(_plan(small), "m") == {"kakashi"}


def test_keep_teams_keeps_the_team_home_when_one_may_not_serve() -> None:
    orders = [order("teams", "keep_teams"), order("no-genin", "forbid_rank", rank="genin")]
    plan = _plan(village(TEAM, [mission("m", "D")], orders=orders))
    assert _people(plan, "m") == {"loner"}


def test_volunteering_and_team_mates_are_quality_terms() -> None:
    twins = [ninja("a", "chunin", taijutsu=3), ninja("b", "chunin", taijutsu=3)]
    m = _with(mission("m", "D"), volunteers=["b"])
    plan = _plan(village(twins, [m]))
    assert _people(plan, "m") == {"b"}
    assert plan.quality.terms["volunteers"] == 30
    pair = [_with(t, team="t") for t in twins] + [ninja("c", "chunin", taijutsu=3)]
    two = mission("m", "D", min_team_size=2)
    plan = _plan(village(pair, [two]))
    assert _people(plan, "m") == {"a", "b"}
    assert plan.quality.terms["teams"] == 10
