"""Burden, workload and rest: the measures and the flags they raise (SPEC section 6)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from wellbeing_villages import TODAY, demo_village, small_village, sortie, watch

from missiondesk.domain.settings import WellbeingSettings
from missiondesk.wellbeing import (
    FlagKind,
    active_flags,
    assess_wellbeing,
)

DAY = dt.timedelta(days=1)


# --- burden -----------------------------------------------------------------------------


def test_burden_halves_every_half_life() -> None:
    # A serious injury (4 points) returned with 60 days ago, half-life 60 days: 2 points.
    village = small_village([sortie("m", TODAY - 61 * DAY, hurt={"alpha": "serious"})])
    assert watch(village, "alpha").burden == pytest.approx(2.0)


@pytest.mark.parametrize(
    ("severity", "points"), [("minor", 1), ("moderate", 2), ("serious", 4), ("critical", 8)]
)
def test_burden_weighs_injuries_by_severity(severity: str, points: float) -> None:
    village = small_village([sortie("m", TODAY - DAY, hurt={"alpha": severity})])
    assert watch(village, "alpha").burden == pytest.approx(points)


def test_a_critical_injury_raises_a_burden_flag_that_lapses() -> None:
    returned = TODAY - 2 * DAY
    village = small_village([sortie("m", returned - DAY, hurt={"alpha": "critical"})])
    flag = watch(village, "alpha").flag(FlagKind.BURDEN)
    assert flag is not None
    assert flag.since == returned
    assert flag.evidence.missions == ["m"]
    assert flag.response.startswith("rest")
    # 8 points fall under 6 after 25 days (60 * log2(8/6) = 24.9); the flag stands 30.
    assert flag.until == returned + 30 * DAY
    assert watch(village, "alpha", today=flag.until - DAY).has("burden")
    assert not watch(village, "alpha", today=flag.until).has("burden")


def test_a_burden_that_outlasts_flag_days_keeps_the_flag_until_it_fades() -> None:
    hurt = {"alpha": "critical"}
    history = [sortie(f"m{i}", TODAY - (10 - i) * DAY, hurt=hurt, days=0) for i in range(3)]
    flag = watch(small_village(history), "alpha").flag("burden")
    assert flag is not None
    # 24 points fade under 6 after two half-lives: 120 days, more than flag_days.
    assert flag.until is not None and flag.until - flag.since > 100 * DAY


# --- workload ---------------------------------------------------------------------------


def test_workload_counts_departures_in_the_last_thirty_days() -> None:
    history = [
        sortie("old", TODAY - 30 * DAY),  # 30 days ago: outside the window
        sortie("new", TODAY - 29 * DAY),
        sortie("today", TODAY, days=0),
    ]
    assert watch(small_village(history), "alpha").workload == 2


def test_six_missions_in_thirty_days_raise_a_workload_flag() -> None:
    history = [sortie(f"m{i}", TODAY - (25 - 4 * i) * DAY, days=0) for i in range(6)]
    flag = watch(small_village(history), "alpha").flag(FlagKind.WORKLOAD)
    assert flag is not None
    assert flag.evidence.missions == [f"m{i}" for i in range(6)]
    assert flag.since == TODAY - 5 * DAY
    assert flag.until == flag.since + 30 * DAY


def test_the_workload_threshold_comes_from_the_settings() -> None:
    history = [sortie(f"m{i}", TODAY - (25 - 4 * i) * DAY, days=0) for i in range(3)]
    village = small_village(history)
    assert not watch(village, "alpha").has("workload")
    busy = WellbeingSettings(workload_threshold=3)
    assert watch(village, "alpha", settings=busy).has("workload")


# --- rest -------------------------------------------------------------------------------


def test_days_since_rest_counts_from_the_start_of_the_stretch() -> None:
    history = [
        sortie("before", TODAY - 40 * DAY, days=1),
        # 8 days off: a rest. Then missions with gaps under 7 days.
        sortie("a", TODAY - 30 * DAY, days=2),
        sortie("b", TODAY - 24 * DAY, days=2),
        sortie("c", TODAY - 5 * DAY + DAY, days=0),  # 18 days after b: a rest before it
    ]
    assert watch(small_village(history), "alpha").days_since_rest == 4


def test_resting_now_and_an_empty_record_mean_zero_days_since_rest() -> None:
    rested = small_village([sortie("m", TODAY - 20 * DAY, days=2)])
    assert watch(rested, "alpha").days_since_rest == 0
    assert watch(rested, "gamma").days_since_rest == 0


def test_a_long_stretch_without_rest_raises_a_no_rest_flag() -> None:
    history = [sortie(f"m{i}", TODAY - (60 - 5 * i) * DAY, days=1) for i in range(12)]
    alpha = watch(small_village(history), "alpha")
    assert alpha.days_since_rest == 60
    flag = alpha.flag(FlagKind.NO_REST)
    assert flag is not None
    assert flag.since == TODAY - 15 * DAY
    assert flag.evidence.missions == [f"m{i}" for i in range(12)]
    assert "7 days" in flag.response


def test_the_rest_gap_comes_from_the_settings() -> None:
    history = [sortie(f"m{i}", TODAY - (60 - 5 * i) * DAY, days=1) for i in range(12)]
    village = small_village(history)
    short_gap = WellbeingSettings(rest_gap_days=3)
    assert watch(village, "alpha", settings=short_gap).days_since_rest == 0
    assert not watch(village, "alpha", settings=short_gap).has("no-rest")


# --- the whole watch --------------------------------------------------------------------


def test_the_demo_village_flags_kotetsu_for_workload_and_no_rest() -> None:
    kotetsu = watch(demo_village(), "hagane-kotetsu")
    assert [f.kind for f in kotetsu.flags] == [FlagKind.WORKLOAD, FlagKind.NO_REST]
    assert kotetsu.workload == 6
    assert kotetsu.days_since_rest == 64


def test_the_demo_village_has_exactly_the_storys_flags() -> None:
    assert active_flags(demo_village(), TODAY) == {
        "hagane-kotetsu": {"workload", "no-rest"},
        "nara-shikamaru": {"shield"},
    }


def test_the_deceased_and_defected_are_not_watched() -> None:
    ids = [p.shinobi for p in assess_wellbeing(demo_village(), TODAY)]
    assert "uchiha-sasuke" not in ids
    assert "namiashi-raido" in ids  # missing is not gone
    assert ids == sorted(ids)


def test_a_flag_on_a_day_after_today_in_the_file_is_not_seen_yet() -> None:
    history = [sortie("m", TODAY + 5 * DAY, hurt={"alpha": "critical"})]
    assert watch(small_village(history), "alpha").flags == []


def test_the_watch_is_deterministic() -> None:
    first = [p.model_dump(mode="json") for p in assess_wellbeing(demo_village(), TODAY)]
    second = [p.model_dump(mode="json") for p in assess_wellbeing(demo_village(), TODAY)]
    assert first == second


@settings(max_examples=100, deadline=None)
@given(
    days_ago=st.lists(st.integers(min_value=0, max_value=400), min_size=1, max_size=10),
    extra=st.integers(min_value=0, max_value=400),
)
def test_one_more_injury_never_lowers_the_burden(days_ago: list[int], extra: int) -> None:
    def burden(ages: list[int]) -> float:
        history = [
            sortie(f"m{i}", TODAY - (age + 1) * DAY, hurt={"alpha": "moderate"})
            for i, age in enumerate(ages)
        ]
        return watch(small_village(history), "alpha").burden

    assert burden([*days_ago, extra]) >= burden(days_ago)
