"""The shield pattern: a leader who keeps taking the injuries for the squad (SPEC section 6)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from wellbeing_villages import PEOPLE, TODAY, demo_village, small_village, sortie, watch

from missiondesk.domain.settings import WellbeingSettings
from missiondesk.wellbeing import (
    FlagKind,
    active_flags,
    assess_wellbeing,
)

SHIELD_MISSIONS = [
    "tanzaku-ledgers",
    "waves-builders-escort",
    "north-post-medicine",
    "shukuba-scholar-escort",
]


def test_shikamaru_carries_the_shield_flag_on_the_demo_village() -> None:
    flag = watch(demo_village(), "nara-shikamaru").flag(FlagKind.SHIELD)
    assert flag is not None
    assert flag.evidence.missions == SHIELD_MISSIONS
    assert "hurt on 4 of them" in flag.evidence.text
    # First seen after the third incident in five led missions, back in May.
    assert flag.since == dt.date(2026, 5, 3)
    assert flag.until is None  # only a person in charge ends it
    assert "counselling" in flag.response
    assert "a medic on every squad they lead" in flag.response
    assert "shield-no-lead-above-c" in flag.response


def test_his_squad_mates_are_not_flagged() -> None:
    village = demo_village()
    for who in ("akimichi-choji", "yamanaka-ino", "chiaki", "mihoko", "inuzuka-kiba"):
        assert watch(village, who).flags == []


def test_the_planner_reads_shield_for_shikamaru_only() -> None:
    flags = active_flags(demo_village(), TODAY)
    assert flags["nara-shikamaru"] == {"shield"}
    assert [who for who, kinds in flags.items() if "shield" in kinds] == ["nara-shikamaru"]


def test_the_shield_was_not_there_before_the_third_incident() -> None:
    before = watch(demo_village(), "nara-shikamaru", today=dt.date(2026, 5, 2))
    assert not before.has(FlagKind.SHIELD)


def test_the_shield_never_lapses_by_itself() -> None:
    later = watch(demo_village(), "nara-shikamaru", today=dt.date(2028, 1, 1))
    assert later.has(FlagKind.SHIELD)


def test_a_clearance_on_the_day_of_since_clears_the_shield() -> None:
    since = dt.date(2026, 5, 3)
    clearances = {("nara-shikamaru", "shield"): since}
    # Later incidents (June to November) happened after this clearance: the flag comes back.
    person = watch(demo_village(), "nara-shikamaru", clearances=clearances)
    flag = person.flag(FlagKind.SHIELD)
    assert flag is not None and flag.since == dt.date(2026, 6, 17)


def test_a_clearance_after_the_last_incident_clears_the_shield() -> None:
    clearances = {("nara-shikamaru", "shield"): dt.date(2026, 11, 20)}
    assert not watch(demo_village(), "nara-shikamaru", clearances=clearances).flags
    assert "nara-shikamaru" not in active_flags(demo_village(), TODAY, clearances)


def test_a_clearance_before_since_changes_nothing() -> None:
    clearances = {("nara-shikamaru", "shield"): dt.date(2026, 5, 2)}
    flag = watch(demo_village(), "nara-shikamaru", clearances=clearances).flag("shield")
    assert flag is not None and flag.since == dt.date(2026, 5, 3)


def test_a_clearance_of_another_kind_does_not_clear_the_shield() -> None:
    clearances = {("nara-shikamaru", "burden"): TODAY}
    assert watch(demo_village(), "nara-shikamaru", clearances=clearances).has("shield")


def test_a_new_incident_after_a_clearance_raises_the_shield_again() -> None:
    start = dt.date(2026, 1, 1)
    history = [
        sortie(f"m{i}", start + dt.timedelta(days=10 * i), hurt={"leader": "moderate"})
        for i in range(4)
    ]
    cleared = dt.date(2026, 2, 1)
    village = small_village(history)
    assert not watch(village, "leader", clearances={("leader", "shield"): cleared}).flags
    history.append(sortie("m4", dt.date(2026, 3, 1), hurt={"leader": "minor"}))
    again = watch(small_village(history), "leader", clearances={("leader", "shield"): cleared})
    flag = again.flag("shield")
    assert flag is not None
    assert flag.since == dt.date(2026, 3, 2)
    assert flag.evidence.missions == ["m0", "m1", "m2", "m3", "m4"]


def test_a_member_hurt_too_is_not_a_shield_incident() -> None:
    start = dt.date(2026, 1, 1)
    history = [
        sortie(
            f"m{i}", start + dt.timedelta(days=10 * i), hurt={"leader": "minor", "alpha": "minor"}
        )
        for i in range(5)
    ]
    assert not watch(small_village(history), "leader").has("shield")


def test_being_hurt_as_a_member_is_not_a_shield_incident() -> None:
    start = dt.date(2026, 1, 1)
    history = [
        sortie(
            f"m{i}",
            start + dt.timedelta(days=10 * i),
            leader="alpha",
            members=("leader",),
            hurt={"leader": "moderate"},
        )
        for i in range(5)
    ]
    assert not watch(small_village(history), "leader").has("shield")


def test_shield_thresholds_come_from_the_settings() -> None:
    village = demo_village()
    strict = WellbeingSettings(shield_window=5, shield_min_count=5)
    assert not watch(village, "nara-shikamaru", settings=strict).has("shield")
    narrow = WellbeingSettings(shield_window=3, shield_min_count=3)
    flag = watch(village, "nara-shikamaru", settings=narrow).flag("shield")
    assert flag is not None
    assert flag.evidence.missions == SHIELD_MISSIONS[1:]


def test_shield_thresholds_are_read_from_the_village_file() -> None:
    start = dt.date(2026, 1, 1)
    history = [
        sortie(f"m{i}", start + dt.timedelta(days=10 * i), hurt={"leader": "minor"})
        for i in range(2)
    ]
    assert not watch(small_village(history), "leader").has("shield")
    loose = small_village(history, wellbeing={"shield_window": 2, "shield_min_count": 2})
    assert watch(loose, "leader").has("shield")


def test_without_a_limiting_order_the_response_still_suggests_a_rank_limit() -> None:
    start = dt.date(2026, 1, 1)
    history = [
        sortie(f"m{i}", start + dt.timedelta(days=10 * i), hurt={"leader": "minor"})
        for i in range(3)
    ]
    flag = watch(small_village(history), "leader").flag("shield")
    assert flag is not None and flag.response.endswith("no lead above rank C")


# --- property: a squad-mate's injury can only take evidence away -------------------------

_entries = st.lists(
    st.tuples(
        st.sampled_from(PEOPLE),  # leader
        st.sets(st.sampled_from(PEOPLE), max_size=3),  # members (the leader is dropped)
        st.sets(st.sampled_from(PEOPLE), max_size=2),  # who got hurt
    ),
    min_size=1,
    max_size=14,
)


Entries = list[tuple[str, set[str], set[str]]]


def _history(entries: Entries) -> list[dict[str, Any]]:
    start = dt.date(2026, 1, 1)
    history: list[dict[str, Any]] = []
    for i, (leader, members, hurt) in enumerate(entries):
        squad = tuple(sorted(members - {leader}))
        history.append(
            sortie(
                f"m{i:02d}",
                start + dt.timedelta(days=5 * i),
                leader=leader,
                members=squad,
                hurt={who: "moderate" for who in sorted(hurt & {leader, *squad})},
            )
        )
    return history


@settings(max_examples=150, deadline=None)
@given(entries=_entries, pick=st.integers(min_value=0), who=st.integers(min_value=0))
def test_a_member_injury_never_creates_a_shield_flag_for_that_mission(
    entries: Entries, pick: int, who: int
) -> None:
    history = _history(entries)
    with_members = [i for i, entry in enumerate(history) if entry["squad"]["members"]]
    if not with_members:
        return
    index = with_members[pick % len(with_members)]
    entry = history[index]
    member = entry["squad"]["members"][who % len(entry["squad"]["members"])]
    before = active_flags(small_village(history), TODAY)

    injuries = entry["report"]["injuries"]
    if all(injury["shinobi"] != member for injury in injuries):
        injuries.append({"shinobi": member, "severity": "minor", "recovery_days": 1})
    after_village = small_village(history)
    after = assess_wellbeing(after_village, TODAY)

    for person in after:
        flag = person.flag("shield")
        if flag is not None:
            assert entry["mission"]["id"] not in flag.evidence.missions
    shielded_before = {who for who, kinds in before.items() if "shield" in kinds}
    shielded_after = {p.shinobi for p in after if p.has("shield")}
    assert shielded_after <= shielded_before
