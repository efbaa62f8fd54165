"""The story's scroll mission, planned under the orders the village lacked (SPEC 1)."""

from __future__ import annotations

import datetime as dt

from plan_builders import TODAY, assess, mission, ninja, order, village

from missiondesk.domain.ranks import ShinobiRank
from missiondesk.planning import plan_board, validate_plan

ROSTER = [
    ninja("nara-shikamaru", "chunin", tactics=5, ninjutsu=3, stealth=3),
    ninja("genin-one", "genin", taijutsu=2),
    ninja("genin-two", "genin", stealth=2),
    ninja("haruno-sakura", "genin", medical=3, taijutsu=3),
    ninja("akimichi-choji", "chunin", taijutsu=4),
    ninja("yamanaka-ino", "genin", sensory=3),
    ninja("hatake-kakashi", "jonin", ninjutsu=5, sealing=3),
    ninja("nara-yoshino", "genin", status="injured", available_from=dt.date(2026, 12, 1)),
]
ITACHI = {
    "id": "uchiha-itachi",
    "name": "Uchiha Itachi",
    "rank": "S",
    "organization": None,
    "abilities": ["sharingan", "genjutsu"],
}
ORDERS = [
    order("medic-from-c", "require_role", "C", role="medic", count=1),
    order("leader-chunin-from-c", "leader_min_rank", "C", rank="chunin"),
    order("counter-likely", "counter_threats", min_probability=0.3),
]


def _scroll_village(countermeasure_role: str | None) -> tuple:
    v = village(
        ROSTER,
        [mission("tani-scroll", "C", min_team_size=3, earliest=TODAY + dt.timedelta(days=1))],
        orders=ORDERS,
        threats=[ITACHI],
        countermeasures=[
            {"ability": "sharingan", "advice": "Never meet the eyes.", "role": countermeasure_role}
        ],
    )
    a = assess(v, {"tani-scroll": "A"}, {"tani-scroll": {"uchiha-itachi": 0.6}})
    return v, a


def test_scroll_mission_gets_a_medic_three_shinobi_and_a_chunin_leader() -> None:
    v, a = _scroll_village(None)
    plan = plan_board(v, a, time_limit=5, workers=1)
    assert plan.unstaffed == []
    (squad,) = plan.squads
    people = {s.id: s for s in v.shinobi}
    assert len(squad.members) >= 3
    assert people[squad.leader].rank >= ShinobiRank.CHUNIN
    assert any(people[m.shinobi].skill("medical") >= 2 for m in squad.members)
    assert any("medic" in m.roles for m in squad.members)
    assert "nara-yoshino" not in {m.shinobi for m in squad.members}
    assert validate_plan(v, a, plan) == []
    assert plan.objective == plan.bound == 2


def test_scroll_mission_counters_the_sharingan_when_a_role_is_given() -> None:
    v, a = _scroll_village("sealer")
    plan = plan_board(v, a, time_limit=5, workers=1)
    (squad,) = plan.squads
    assert "hatake-kakashi" in {m.shinobi for m in squad.members}
    assert any("sharingan" in r for r in squad.reasons)


def test_scroll_mission_unstaffed_says_which_medic_is_missing_and_why() -> None:
    roster = [s for s in ROSTER if s["id"] != "haruno-sakura"]
    roster.append(ninja("haruno-sakura", "genin", "injured", dt.date(2026, 12, 1), medical=3))
    v = village(roster, [mission("tani-scroll", "C", min_team_size=3)], orders=ORDERS)
    plan = plan_board(v, assess(v), time_limit=5, workers=1)
    (unstaffed,) = plan.unstaffed
    text = " ".join(unstaffed.reasons)
    assert "needs 1 medic (medical >= 2)" in text
    assert "haruno-sakura is injured until 2026-12-01" in text, text
    assert "short by 1" in text
