"""Wellbeing limits judged at each squad's departure (SPEC section 9): a flag that ends
before a mission's day does not keep its shinobi off it, one that time alone raises by
then (no-rest) does; the model, the validator, the unstaffed reasons and the bench agree,
and the reasons say until when the flag stands."""

from __future__ import annotations

import datetime as dt
from typing import Any

from plan_builders import TODAY, assess, ninja, order
from week_builders import day, trip, week

from missiondesk.domain.village import Squad, Village
from missiondesk.planning import plan_board, validate_plan
from missiondesk.planning.plan import Plan
from missiondesk.wellbeing import FlagCalendar

BURDEN = order("burden-rest", "wellbeing_limit", flag="burden", forbid="join")
NO_REST = order("no-rest", "wellbeing_limit", flag="no-rest", forbid="join")
NO_REST_LEAD = order("no-rest-lead", "wellbeing_limit", flag="no-rest", forbid="lead")


def _sortie(mid: str, leader: str, departed: dt.date, hurt: str | None = None) -> dict[str, Any]:
    return {
        "mission": {"id": mid, "title": mid, "rank": "C", "route": ["konoha"]},
        "squad": {"leader": leader, "members": []},
        "departed": dt.datetime.combine(departed, dt.time(6)),
        "returned": dt.datetime.combine(departed + dt.timedelta(days=1), dt.time(18)),
        "report": {
            "outcome": "success",
            "injuries": [{"shinobi": leader, "severity": hurt, "recovery_days": 3}] if hurt else [],
        },
    }


def _hurt(who: str) -> list[dict[str, Any]]:
    """A critical injury back on TODAY - 29: a burden flag until TODAY + 1 (2026-11-24)."""
    return [_sortie("hurt", who, day(-30), hurt="critical")]


def _stretch(who: str) -> list[dict[str, Any]]:
    """A mission every 6 days since TODAY - 44, the last back on TODAY - 1: 45 days on
    duty tomorrow, before a week of rest: no-rest from 2026-11-24 until 2026-12-24."""
    return [_sortie(f"run{n}", who, day(-n)) for n in range(44, 0, -6)]


def _plan(v: Village, **kw: Any) -> Plan:
    a = assess(v)
    flags = FlagCalendar.from_history(v)
    plan = plan_board(v, a, flags=flags, time_limit=5, workers=1, **kw)
    assert validate_plan(v, a, plan, flags) == []
    return plan


def _squads(plan: Plan) -> dict[str, set[str]]:
    return {s.mission: {m.shinobi for m in s.members} for s in plan.squads}


def _reasons(plan: Plan, mission: str) -> str:
    return " | ".join(next(u.reasons for u in plan.unstaffed if u.mission == mission))


def _bench(plan: Plan) -> dict[str, str]:
    return {b.shinobi: b.reason for b in plan.bench}


def _judged(v: Village, mission: str, leader: str, on: int, *members: str) -> list[str]:
    """What the validator says of a squad for `mission` leaving on day `on` at 08:00."""
    at = dt.datetime.combine(day(on), dt.time(8))
    squad = Squad(leader=leader, members=list(members))
    found = validate_plan(
        v, assess(v), {mission: squad}, FlagCalendar.from_history(v), departs={mission: at}
    )
    return [f.message for f in found]


def test_a_flag_that_ends_first_does_not_keep_its_shinobi_off_a_later_mission() -> None:
    v = week(
        [ninja("kotetsu", "chunin")],
        [trip("today", 0, away=False), trip("later", 2, away=False)],
        orders=[BURDEN],
        past=_hurt("kotetsu"),
    )
    plan = _plan(v)
    assert _squads(plan) == {"later": {"kotetsu"}}
    # Today's flag still weighs on the quality term, and the member's reasons say so.
    (squad,) = plan.squads
    assert "has an active wellbeing flag today (burden)" in " ".join(squad.members[0].reasons)
    why = _reasons(plan, "today")
    assert "has the wellbeing flag 'burden' until 2026-11-24 (order 'burden-rest')" in why, why
    assert _judged(v, "later", "kotetsu", 2) == []
    assert _judged(v, "today", "kotetsu", 0) == [
        "kotetsu has the wellbeing flag 'burden' until 2026-11-24 and may not join"
    ]


def test_a_window_waits_for_the_flag_to_end() -> None:
    v = week(
        [ninja("kotetsu", "chunin")],
        [trip("m", 0, 2, away=False)],
        orders=[BURDEN],
        past=_hurt("kotetsu"),
    )
    (squad,) = _plan(v).squads
    assert squad.departs is not None and squad.departs.date() > TODAY


def test_a_flag_that_time_alone_raises_keeps_its_shinobi_off_a_later_mission() -> None:
    v = week(
        [ninja("izumo", "chunin")],
        [trip("today", 0, away=False), trip("later", 3, away=False)],
        orders=[NO_REST],
        past=_stretch("izumo"),
    )
    plan = _plan(v)
    assert _squads(plan) == {"today": {"izumo"}}
    why = _reasons(plan, "later")
    assert (
        "has the wellbeing flag 'no-rest' from 2026-11-24 until 2026-12-24 (order 'no-rest')" in why
    ), why
    assert _judged(v, "today", "izumo", 0) == []
    assert _judged(v, "later", "izumo", 3) == [
        "izumo has the wellbeing flag 'no-rest' from 2026-11-24 until 2026-12-24 and may not join"
    ]


def test_a_lead_limit_is_judged_on_the_departure_day() -> None:
    """izumo (jonin) would lead; on day 3 the no-rest flag leaves the lead to the genin."""
    v = week(
        [ninja("izumo", "jonin", tactics=5), ninja("g", "genin")],
        [trip("later", 3, away=False)],
        orders=[NO_REST_LEAD, order("two", "min_size", size=2)],
        past=_stretch("izumo"),
    )
    (squad,) = _plan(v).squads
    assert squad.leader == "g" and set(squad.squad().everyone) == {"izumo", "g"}
    assert _judged(v, "later", "izumo", 3, "g") == [
        "izumo has the wellbeing flag 'no-rest' from 2026-11-24 until 2026-12-24 and may not lead"
    ]


def test_the_bench_says_until_when_the_flag_stands() -> None:
    hurt = week(
        [ninja("kotetsu", "chunin"), ninja("spare", "genin")],
        [trip("today", 0, away=False)],
        orders=[BURDEN],
        past=_hurt("kotetsu"),
    )
    assert _bench(_plan(hurt))["kotetsu"] == (
        "may serve on no mission of the board (today: has the wellbeing flag 'burden' "
        "until 2026-11-24 (order 'burden-rest'))"
    )
    tired = week(
        [ninja("izumo", "chunin"), ninja("spare", "genin")],
        [trip("later", 3, away=False)],
        orders=[NO_REST],
        past=_stretch("izumo"),
    )
    assert _bench(_plan(tired))["izumo"] == (
        "may serve on no mission of the board (later: has the wellbeing flag 'no-rest' "
        "from 2026-11-24 until 2026-12-24 (order 'no-rest'))"
    )
