"""Planning over time (SPEC section 9): departures inside windows, one shinobi on several
squads whose spans (with min_rest) do not overlap, max_missions counting the plan's own
departures, nothing before the clock's now, the reasons naming departures and clashing
squads, and the bench of idle shinobi."""

from __future__ import annotations

import datetime as dt
import os
import random

from brute import brute_force
from plan_builders import TODAY, assess, ninja, order
from week_builders import day, trip, week

from missiondesk.domain.ranks import MissionRank
from missiondesk.planning import plan_board, validate_plan
from missiondesk.planning.candidates import Commitment
from missiondesk.planning.plan import Plan
from missiondesk.planning.timing import returns_at

MEDIC = order("medic", "require_role", role="medic", count=1)


def _plan(v, **kw) -> Plan:  # type: ignore[no-untyped-def]
    a = assess(v)
    plan = plan_board(v, a, time_limit=5, workers=1, **kw)
    assert validate_plan(v, a, plan) == []
    return plan


def _at(n: int, hour: int = 8) -> dt.datetime:
    return dt.datetime.combine(day(n), dt.time(hour))


def _squads(plan: Plan) -> dict[str, set[str]]:
    return {s.mission: {m.shinobi for m in s.members} for s in plan.squads}


def _reasons(plan: Plan, mission: str) -> str:
    return " | ".join(next(u.reasons for u in plan.unstaffed if u.mission == mission))


def test_one_medic_staffs_three_missions_days_apart() -> None:
    """The only medic is needed by all three; only reuse across days staffs them all."""
    people = [ninja("medic", "jonin", medical=3), ninja("genin", "genin")]
    v = week(
        people,
        [trip("a", 0), trip("b", 3), trip("c", 6)],
        orders=[MEDIC, order("rest", "min_rest", days=2)],
    )
    plan = _plan(v)
    assert plan.objective == 9 and plan.bound == 9
    assert all("medic" in members for members in _squads(plan).values())
    by = {s.mission: s for s in plan.squads}
    # 12 road hours each way: back a day later; rest 2 days before the next departure.
    assert (by["a"].departs, by["a"].returns) == (_at(0), _at(1))
    assert (by["b"].departs, by["b"].returns) == (_at(3), _at(4))
    assert by["c"].departs == _at(6)
    assert by["b"].reasons[0].startswith("leaves 2026-11-26 08:00 (window 2026-11-26)")


def test_rest_between_squads_is_honoured_and_named() -> None:
    """With 3 days of rest, b (2 days after a's return) cannot have the medic; its
    reasons name the squad that keeps her and when."""
    v = week(
        [ninja("medic", "jonin", medical=3)],
        [trip("a", 0, priority=5), trip("b", 3, priority=1), trip("c", 6, priority=5)],
        orders=[MEDIC, order("rest", "min_rest", days=3)],
    )
    plan = _plan(v)
    assert set(_squads(plan)) == {"a", "c"}
    why = _reasons(plan, "b")
    assert "medic is on other squads of this plan (a, leaves 2026-11-23 08:00" in why, why


def test_overlapping_spans_never_share_a_person() -> None:
    """Two three-day trips leaving a day apart overlap: one medic staffs one of them, and
    the other's reasons name who is busy on which squad, and when."""
    v = week(
        [ninja("medic", "jonin", medical=3), ninja("other", "jonin")],
        [trip("a", 0, priority=5, on_site_hours=48), trip("b", 1, priority=2)],
        orders=[MEDIC],
    )
    plan = _plan(v)
    assert set(_squads(plan)) == {"a"}
    assert "(a, leaves 2026-11-23 08:00, back 2026-11-26 08:00)" in _reasons(plan, "b")


def test_a_window_lets_a_squad_wait_for_its_people() -> None:
    """b may leave any day from 0 to 4; the medic is back from a on day 3."""
    v = week(
        [ninja("medic", "jonin", medical=3)],
        [trip("a", 0, priority=5, on_site_hours=48), trip("b", 0, 4, priority=2)],
        orders=[MEDIC],
    )
    plan = _plan(v)
    by = {s.mission: s for s in plan.squads}
    assert set(by) == {"a", "b"}
    assert by["a"].returns == _at(3)
    assert by["b"].departs in (_at(3), _at(4))


def test_max_missions_counts_the_plans_own_departures() -> None:
    v = week(
        [ninja("solo", "jonin")],
        [trip("a", 0, away=False), trip("b", 2, away=False), trip("c", 4, away=False)],
        orders=[order("cap", "max_missions", count=2, days=10)],
    )
    plan = _plan(v)
    assert len(plan.squads) == 2
    (left,) = plan.unstaffed
    assert "too many missions (max_missions)" in " ".join(left.reasons)


def test_nothing_leaves_before_now_nor_after_its_window() -> None:
    now = dt.datetime.combine(TODAY, dt.time(10, 30))
    v = week(
        [ninja("a", "jonin"), ninja("b", "jonin")],
        [trip("today", 0), trip("gone", -3, -1), trip("late", -1, 2)],
        now=now,
    )
    plan = _plan(v)
    by = {s.mission: s for s in plan.squads}
    assert by["today"].departs == now
    assert by["late"].departs.date() >= TODAY
    assert "has passed" in _reasons(plan, "gone")


def test_the_bench_says_why_each_available_shinobi_is_idle() -> None:
    people = [
        ninja("neji", "jonin", taijutsu=5),
        ninja("lee", "chunin", taijutsu=2),
        ninja("tenten", "genin"),
        ninja("hurt", "chunin", "injured", TODAY + dt.timedelta(days=20)),
        ninja("away", "jonin", "on_mission"),
    ]
    v = week(
        people,
        [trip("kusa-scroll", 0)],
        orders=[order("one", "max_size", size=1), order("no-genin", "forbid_rank", rank="genin")],
    )
    plan = _plan(v)
    assert _squads(plan) == {"kusa-scroll": {"neji"}}
    bench = {b.shinobi: b.reason for b in plan.bench}
    assert set(bench) == {"lee", "tenten", "hurt"}  # on a mission: not available
    assert bench["lee"].startswith("would fit kusa-scroll, but neji scores ")
    assert "better on success" in bench["lee"]
    assert "forbid_rank" in bench["tenten"] or "no-genin" in bench["tenten"]
    assert bench["hurt"] == f"injured until {(TODAY + dt.timedelta(days=20)).isoformat()}"


def test_the_bench_does_not_call_a_mission_staffed_on_another_day_unstaffed() -> None:
    """lee is back only on day 2; neji is held by an approved squad from day 2. So the
    mission leaves before day 2 with neji, and lee fits only its later days: the mission
    is staffed, and lee is told he is not free when it leaves."""
    people = [
        ninja("neji", "jonin", taijutsu=5),
        ninja("lee", "chunin", "injured", TODAY + dt.timedelta(days=2)),
    ]
    v = week(people, [trip("kusa-scroll", 0, 3)], orders=[order("one", "max_size", size=1)])
    held = {"neji": [Commitment("held", _at(2), _at(5), MissionRank.C)]}
    a = assess(v)
    plan = plan_board(v, a, time_limit=5, workers=1, commitments=held)
    assert validate_plan(v, a, plan, commitments=held) == []
    assert _squads(plan) == {"kusa-scroll": {"neji"}}
    (leaves,) = [s.departs for s in plan.squads]
    assert leaves < _at(2)
    bench = {b.shinobi: b.reason for b in plan.bench}
    when = leaves.isoformat(sep=" ", timespec="minutes")
    assert bench["lee"] == f"would fit kusa-scroll on another day, but not when it leaves ({when})"


def test_a_one_day_board_is_planned_as_before() -> None:
    """Fixed windows on one day: everyone serves once, as in part one."""
    v = week(
        [ninja("only", "jonin")],
        [trip("a", 0, priority=2), trip("b", 0, priority=5)],
    )
    plan = _plan(v)
    assert set(_squads(plan)) == {"b"}


def _random_week(rng: random.Random):  # type: ignore[no-untyped-def]
    """A tiny random week, and sometimes an approved squad outside it (`held`) that
    some of its people are committed to."""
    people = [
        ninja(
            f"s{i}",
            rng.choice(["genin", "chunin", "jonin"]),
            *(("injured", day(rng.randint(0, 3))) if rng.random() < 0.2 else ()),
            medical=rng.randint(0, 3),
        )
        for i in range(rng.randint(1, 3))
    ]
    missions = []
    for k in range(rng.randint(2, 3)):
        first = rng.randint(0, 3)
        missions.append(
            trip(
                f"m{k}",
                first,
                first + rng.randint(0, 1),
                priority=rng.randint(1, 5),
                on_site_hours=rng.choice([0, 12, 36]),
                away=rng.random() < 0.7,
            )
        )
    orders = rng.sample(
        [
            MEDIC,
            order("rest", "min_rest", days=rng.randint(1, 2)),
            order("cap", "max_missions", count=rng.randint(1, 2), days=5),
            order("two", "min_size", size=2),
        ],
        k=rng.randint(0, 2),
    )
    hours = rng.choice([6, 12, 30])
    commitments: dict[str, list[Commitment]] = {}
    if rng.random() < 0.5:
        # An approved squad outside the board: one or two people bound to it.
        n = rng.randint(0, 4)
        leaves = _at(n)
        missions.append({**trip("held", n), "status": "approved"})
        back = returns_at(leaves, 2 * hours)
        for person in rng.sample(people, k=rng.randint(1, len(people))):
            commitments[person["id"]] = [Commitment("held", leaves, back, MissionRank.C)]
    return week(people, missions, orders=orders, road_hours=hours), commitments


WEEKS = int(os.environ.get("MISSIONDESK_TEST_WEEKS", "40"))
"""Random weeks per run: CP-SAT costs ~0.1 s a plan even on a tiny board, so the suite runs
a few dozen (and the 40 hypothesis boards of test_plan_optimum, whose missions leave on
different days too); MISSIONDESK_TEST_WEEKS=2000 runs thousands (docs/performance.md)."""


def test_tiny_weeks_reach_the_brute_force_optimum() -> None:
    """Many small random weeks: each plan passes the validator and staffs the priority
    the brute force (over every day and squad, judged by the validator) finds."""
    rng = random.Random(int(os.environ.get("MISSIONDESK_TEST_WEEKS_SEED", "11")))
    for _ in range(WEEKS):
        v, held = _random_week(rng)
        a = assess(v)
        plan = plan_board(v, a, time_limit=5, workers=1, commitments=held)
        assert validate_plan(v, a, plan, commitments=held) == [], v
        assert plan.objective == brute_force(v, a, {}, held), (v.model_dump_json(), held)
