"""The flags on the days ahead (SPEC section 9: wellbeing limits are judged at each
squad's departure): the calendar read once from the history says, for any day from today
on, what the watch itself says on that day; a flag lapses by its end date, and one that
time alone raises (no-rest) is there on its day."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st
from wellbeing_villages import PEOPLE, TODAY, demo_village, small_village, sortie

from missiondesk.domain.village import Village
from missiondesk.wellbeing import Clearances, FlagCalendar, active_flags

DAY = dt.timedelta(days=1)


def _same_as_the_watch(village: Village, days: range, clearances: Clearances | None = None) -> None:
    """The calendar's flags on each day equal the watch's; a day before today is judged as
    today."""
    calendar = FlagCalendar.from_history(village, clearances)
    for n in days:
        day = TODAY + n * DAY
        watch = active_flags(village, max(day, TODAY), clearances)
        assert calendar.on(day) == {sid: frozenset(k) for sid, k in watch.items()}, day


def _stretch(who: str = "alpha") -> list[dict]:  # type: ignore[type-arg]
    """On duty since TODAY - 44 with a mission every 6 days, the last back on TODAY - 1:
    45 days on duty (the no-rest threshold) are reached tomorrow, before the week of rest
    (from TODAY + 6); only five departures in 30 days, under the workload threshold."""
    return [sortie(f"run{n}", TODAY - n * DAY, leader=who, members=()) for n in range(44, 0, -6)]


def _critical(who: str = "beta", returned: dt.date = TODAY - 29 * DAY) -> dict:  # type: ignore[type-arg]
    """A critical injury returned with on `returned`: a burden flag for 30 days."""
    return sortie("hurt", returned - DAY, leader="gamma", members=(who,), hurt={who: "critical"})


def test_a_flag_that_time_alone_raises_is_there_on_its_day() -> None:
    calendar = FlagCalendar.from_history(small_village(_stretch()))
    assert "alpha" not in calendar.on(TODAY)
    assert calendar.on(TODAY + DAY)["alpha"] == {"no-rest"}
    spell = calendar.spell("alpha", "no-rest", TODAY + 3 * DAY)
    assert spell is not None
    assert (spell.since, spell.until) == (TODAY + DAY, TODAY + 31 * DAY)


def test_a_flag_is_gone_from_the_day_it_ends() -> None:
    calendar = FlagCalendar.from_history(small_village([_critical()]))
    assert calendar.on(TODAY)["beta"] == {"burden"}
    assert "beta" not in calendar.on(TODAY + DAY)
    spell = calendar.spell("beta", "burden", TODAY)
    assert spell is not None and spell.until == TODAY + DAY


def test_nothing_is_judged_before_today() -> None:
    calendar = FlagCalendar.from_history(small_village([_critical(returned=TODAY)]))
    # The injury returned today: yesterday is judged as today, flag and all.
    assert calendar.on(TODAY - DAY) == calendar.on(TODAY) == {"beta": {"burden"}}


def test_a_clearance_holds_on_the_days_ahead() -> None:
    village = small_village([*_stretch(), _critical()])
    cleared = {("beta", "burden"): TODAY}
    _same_as_the_watch(village, range(-2, 60), cleared)
    assert "beta" not in FlagCalendar.from_history(village, cleared).on(TODAY)


def test_history_returned_after_today_counts_from_its_return() -> None:
    late = _critical("alpha", returned=TODAY + 3 * DAY)
    _same_as_the_watch(small_village([late]), range(0, 40))


def test_the_demo_village_over_two_months() -> None:
    _same_as_the_watch(demo_village(), range(-3, 60))


def test_fixed_flags_hold_on_every_day_and_know_no_dates() -> None:
    calendar = FlagCalendar.fixed({"shika": {"shield"}, "none": set()})
    assert calendar.on(TODAY + 100 * DAY) == {"shika": {"shield"}}
    assert calendar.spell("shika", "shield", TODAY) is None


_SORTIES = st.lists(
    st.tuples(
        st.integers(min_value=-90, max_value=5),  # departure, days from today
        st.integers(min_value=0, max_value=3),  # days away
        st.sampled_from(PEOPLE),  # leader
        st.sampled_from([None, "minor", "moderate", "serious", "critical"]),  # leader hurt
        st.booleans(),  # a member hurt too
    ),
    max_size=14,
)


@settings(max_examples=25, deadline=None)
@given(
    found=_SORTIES,
    cleared=st.none() | st.tuples(st.sampled_from(PEOPLE), st.integers(-60, 10)),
    kind=st.sampled_from(["shield", "burden", "workload", "no-rest"]),
)
def test_the_calendar_says_what_the_watch_says_on_each_day(
    found: list[tuple[int, int, str, str | None, bool]],
    cleared: tuple[str, int] | None,
    kind: str,
) -> None:
    history = []
    for n, (start, away, leader, hurt, member_hurt) in enumerate(found):
        members = tuple(p for p in PEOPLE if p != leader)[:2]
        injuries = {leader: hurt} if hurt else {}
        if member_hurt:
            injuries[members[0]] = "minor"
        history.append(
            sortie(f"m{n}", TODAY + start * DAY, leader, members, injuries or None, days=away)
        )
    # Small thresholds, so that every pattern shows up in a few sorties.
    village = small_village(
        history,
        wellbeing={
            "shield_window": 3,
            "shield_min_count": 2,
            "burden_threshold": 3.0,
            "burden_half_life_days": 10,
            "workload_days": 10,
            "workload_threshold": 3,
            "rest_gap_days": 3,
            "rest_threshold_days": 8,
            "flag_days": 5,
        },
    )
    clearances = {} if cleared is None else {(cleared[0], kind): TODAY + cleared[1] * DAY}
    _same_as_the_watch(village, range(-1, 40), clearances)
