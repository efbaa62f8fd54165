"""Approved squads outside the plan (SPEC section 9: availability, `min_rest` and
`max_missions` are judged at each squad's departure, history included): their departures
count for `max_missions` and their returns start a `min_rest`, both for the plan's squads
after them and, at their own departure, with the plan's squads before them; in the model
(`plan_board`) and, on its own, in the validator. Reasons name the approved mission."""

from __future__ import annotations

import datetime as dt
from typing import Any

from plan_builders import assess, history, ninja, order
from week_builders import ROAD_HOURS, day, trip, week

from missiondesk.domain.ranks import MissionRank
from missiondesk.domain.village import Squad, Village
from missiondesk.planning import plan_board, validate_plan
from missiondesk.planning.candidates import Commitment
from missiondesk.planning.plan import Plan
from missiondesk.planning.roster import Departure
from missiondesk.planning.timing import returns_at

REST = order("rest", "min_rest", days=2)
CAP = order("cap", "max_missions", count=2, days=7)


def _at(n: int) -> dt.datetime:
    return dt.datetime.combine(day(n), dt.time(8))


def _held(n: int, *people: str, away: bool = True) -> dict[str, list[Commitment]]:
    """`people` approved on mission `held`, leaving on day n (back a day later when away)."""
    back = returns_at(_at(n), 2 * ROAD_HOURS if away else 0)
    return {p: [Commitment("held", _at(n), back, MissionRank.C)] for p in people}


def _village(
    missions: list[dict[str, Any]],
    held_on: int,
    *,
    away: bool = True,
    past: list[dict[str, Any]] | None = None,
    **kw: Any,
) -> Village:
    """p and q, the board's `missions`, and the approved mission `held` on day `held_on`."""
    held = {**trip("held", held_on, away=away), "status": "approved"}
    v = week([ninja("p", "jonin"), ninja("q", "chunin")], [*missions, held], **kw)
    if not past:
        return v
    return Village.model_validate({**v.model_dump(by_alias=True), "history": past})


def _plan(
    v: Village, held: dict[str, list[Commitment]], extra_history: list[Departure] | None = None
) -> Plan:
    """The plan with q kept off every mission (only p may staff them), and the validator's
    second opinion on it."""
    a = assess(v)
    plan = plan_board(
        v,
        a,
        time_limit=5,
        workers=1,
        commitments=held,
        forbids=[("q", None)],
        extra_history=extra_history,
    )
    assert validate_plan(v, a, plan, extra_history=extra_history or (), commitments=held) == []
    return plan


def _people(plan: Plan) -> dict[str, set[str]]:
    return {s.mission: {m.shinobi for m in s.members} for s in plan.squads}


def _reasons(plan: Plan, mission: str) -> str:
    return " | ".join(next(u.reasons for u in plan.unstaffed if u.mission == mission))


def test_an_approved_return_starts_min_rest_for_the_plan() -> None:
    """(a) p is approved on `held`, leaving day 1 and back day 2; with 2 days of rest the
    plan may not send p on day 3, may on day 5, and the reason names `held`."""
    v = _village([trip("b", 3, priority=5), trip("c", 5, priority=5)], 1, orders=[REST])
    plan = _plan(v, _held(1, "p"))
    assert _people(plan) == {"c": {"p"}}
    why = _reasons(plan, "b")
    assert "p is back from held on " + day(2).isoformat() in why, why
    assert "less than 2 days before leaving (min_rest)" in why, why
    # The validator sees it on its own, naming held and the order.
    a = assess(v)
    broken = validate_plan(
        v, a, {"b": Squad(leader="p")}, departs={"b": _at(3)}, commitments=_held(1, "p")
    )
    assert [(x.order, x.rule) for x in broken] == [("rest", "min_rest")]
    assert f"returned on {day(2).isoformat()} from held" in broken[0].message


def test_the_approved_squad_rests_after_the_plans_return_too() -> None:
    """p is approved on `held` leaving day 4: a plan squad back on day 3 would leave p
    one day of rest before `held`, so the plan does not send p; one back on day 1 may."""
    v = _village([trip("b", 2, priority=5), trip("c", 0, priority=1)], 4, orders=[REST])
    plan = _plan(v, _held(4, "p"))
    assert _people(plan) == {"c": {"p"}}
    assert "would be back less than 2 days before leaving on held" in _reasons(plan, "b")
    broken = validate_plan(
        v, assess(v), {"b": Squad(leader="p")}, departs={"b": _at(2)}, commitments=_held(4, "p")
    )
    assert [(x.mission, x.rule) for x in broken] == [("b", "min_rest")]
    assert "would be back from b on " + day(3).isoformat() in broken[0].message
    assert "before leaving on held" in broken[0].message


def test_max_missions_counts_an_approved_and_a_dispatched_squad() -> None:
    """(b) at most 2 missions in 7 days: p left on day -2 (dispatched, not reported yet)
    and is approved on `held` (day 1), so a third (day 3) is refused, naming both."""
    v = _village([trip("b", 3, away=False)], 1, orders=[CAP], away=False)
    out = [Departure(("p",), day(-2), None, "out")]
    plan = _plan(v, _held(1, "p", away=False), extra_history=out)
    assert _people(plan) == {}
    why = _reasons(plan, "b")
    assert "already has 2 missions in the last 7 days (held, out) (order 'cap')" in why, why
    # The same with the first one reported (in the history): still refused.
    v = _village(
        [trip("b", 3, away=False)],
        1,
        orders=[CAP],
        away=False,
        past=[history("h", "p", [], day(-2), day(-1))],
    )
    broken = validate_plan(
        v,
        assess(v),
        {"b": Squad(leader="p")},
        departs={"b": _at(3)},
        commitments=_held(1, "p", away=False),
    )
    assert [x.rule for x in broken] == ["max_missions"]
    assert "p would be on 3 missions in 7 days (at most 2; already on h, held)" in (
        broken[0].message
    )


def test_max_missions_of_the_approved_squad_counts_the_plans_departures() -> None:
    """p is approved on `held` on day 4; at most 2 in 7 days: of a (day 0) and b (day 2)
    the plan gives p one, as `held` would otherwise be p's third."""
    v = _village(
        [trip("a", 0, priority=3, away=False), trip("b", 2, priority=5, away=False)],
        4,
        orders=[CAP],
        away=False,
    )
    held = _held(4, "p", away=False)
    plan = _plan(v, held)
    assert _people(plan) == {"b": {"p"}}
    both = validate_plan(
        v,
        assess(v),
        {"a": Squad(leader="p"), "b": Squad(leader="p")},
        departs={"a": _at(0), "b": _at(2)},
        commitments=held,
    )
    assert [(x.mission, x.rule) for x in both] == [("b", "max_missions")]
    assert "would be on 3 missions in 7 days by leaving on held" in both[0].message
    assert "too many missions by held (approved, leaves 2026-11-27 08:00" in _reasons(plan, "a")
    # With one mission on record already, no plan departure fits before `held` at all.
    v = _village(
        [trip("a", 0, priority=3, away=False), trip("b", 2, priority=5, away=False)],
        4,
        orders=[CAP],
        away=False,
        past=[history("h", "p", [], day(-1), day(-1))],
    )
    plan = _plan(v, held)
    assert _people(plan) == {}
    assert "would be on 3 missions in 7 days by leaving on held" in _reasons(plan, "b")
