"""The four patterns of SPEC section 6, each read from one shinobi's record.

Each pattern gives a measure on the day asked about and the *runs* of days on which it
held: a run starts on the first day the pattern held, gains a trigger each time the record
gives fresh reason for it (an injury, a departure, an incident), and ends on the day it stops
holding if the record gains nothing new (None: it never ends by itself). docs/wellbeing.md
gives the definitions; `missiondesk.wellbeing.assess` turns runs into flags.
"""

from __future__ import annotations

import datetime as dt
import math
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field

from missiondesk.domain.ranks import Severity
from missiondesk.domain.settings import WellbeingSettings
from missiondesk.domain.words import plural
from missiondesk.wellbeing.record import Sortie

SEVERITY_WEIGHT: dict[Severity, float] = {
    Severity.MINOR: 1.0,
    Severity.MODERATE: 2.0,
    Severity.SERIOUS: 4.0,
    Severity.CRITICAL: 8.0,
}
"""Burden points per injury; a fatal injury is no burden to watch, so it has none."""


@dataclass(frozen=True)
class Trigger:
    """A day the record gave fresh reason for a pattern, with the missions that show it."""

    day: dt.date
    missions: tuple[str, ...]
    text: str


@dataclass
class Run:
    triggers: list[Trigger] = field(default_factory=list)
    end: dt.date | None = None  # first day it no longer holds; None: only a clearance ends it

    def continues_on(self, day: dt.date, flag_days: int) -> bool:
        """Whether a trigger on `day` belongs to this run: the pattern still holds, or the
        flag it raised is still up (so a count that dips for a day does not restart it)."""
        if self.end is None:
            return True
        return day < max(self.end, self.triggers[0].day + _days(flag_days))


def _days(n: float) -> dt.timedelta:
    return dt.timedelta(days=n)


def _ids(sorties: Sequence[Sortie]) -> tuple[str, ...]:
    return tuple(s.mission for s in sorties)


def _extend(
    runs: list[Run], trigger: Trigger, end: dt.date | None, settings: WellbeingSettings
) -> None:
    """Add a trigger to the last run if that run goes on to its day, else open a run."""
    if not (runs and runs[-1].continues_on(trigger.day, settings.flag_days)):
        runs.append(Run())
    runs[-1].triggers.append(trigger)
    runs[-1].end = end


# --- shield -----------------------------------------------------------------------------


def shield_runs(sorties: Sequence[Sortie], settings: WellbeingSettings) -> list[Run]:
    """As leader, hurt in at least `shield_min_count` of the last `shield_window` missions led
    while no member of the squad was. Every incident on which that holds is a trigger; the
    pattern never lapses by itself, so there is at most one run and it has no end."""
    led = [s for s in sorties if s.led]
    run = Run()
    for i, sortie in enumerate(led):
        if not sortie.shielded:
            continue
        window = led[max(0, i + 1 - settings.shield_window) : i + 1]
        incidents = [s for s in window if s.shielded]
        if len(incidents) < settings.shield_min_count:
            continue
        text = (
            f"Led {plural(len(window), 'mission')} "
            f"from {window[0].departed} to {window[-1].returned}; "
            f"hurt on {len(incidents)} of them ({', '.join(_ids(incidents))}) "
            "while no member of the squad was."
        )
        run.triggers.append(Trigger(sortie.returned, _ids(incidents), text))
    return [run] if run.triggers else []


# --- burden -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Injury:
    day: dt.date
    weight: float
    mission: str
    severity: Severity


def _injuries(sorties: Sequence[Sortie]) -> list[_Injury]:
    return [
        _Injury(s.returned, SEVERITY_WEIGHT[severity], s.mission, severity)
        for s in sorties
        for severity in s.injuries
        if severity in SEVERITY_WEIGHT
    ]


def _faded(weight: float, days: int, half_life: float) -> float:
    return weight * 0.5 ** (days / half_life)


def burden_on(sorties: Sequence[Sortie], day: dt.date, settings: WellbeingSettings) -> float:
    """Every injury returned with on or before `day`, weighted by severity, halved every
    `burden_half_life_days` days since."""
    return sum(
        _faded(i.weight, (day - i.day).days, settings.burden_half_life_days)
        for i in _injuries(sorties)
        if i.day <= day
    )


def _fades_below(burden: float, day: dt.date, settings: WellbeingSettings) -> dt.date | None:
    """The first day after `day` on which `burden`, left alone, is under the threshold."""
    threshold, half_life = settings.burden_threshold, settings.burden_half_life_days
    if threshold <= 0:
        return None
    days = max(1, math.floor(half_life * math.log2(burden / threshold)) + 1)
    # The logarithm can be a hair off at the boundary; settle on the exact first day.
    while days > 1 and _faded(burden, days - 1, half_life) < threshold:
        days -= 1
    while _faded(burden, days, half_life) >= threshold:
        days += 1
    return day + _days(days)


def burden_runs(sorties: Sequence[Sortie], settings: WellbeingSettings) -> list[Run]:
    """Burden at or over `burden_threshold`; each injury that leaves it there is a trigger."""
    injuries = _injuries(sorties)
    half_life = settings.burden_half_life_days
    runs: list[Run] = []
    for day in sorted({i.day for i in injuries}):
        so_far = [i for i in injuries if i.day <= day]
        burden = sum(_faded(i.weight, (day - i.day).days, half_life) for i in so_far)
        if burden < settings.burden_threshold:
            continue
        # The injuries that still weigh at least a quarter of their severity.
        weighing = [i for i in so_far if (day - i.day).days <= 2 * half_life]
        listed = ", ".join(f"{i.severity.value} on {i.mission} ({i.day})" for i in weighing)
        text = (
            f"Injury burden {burden:.1f} on {day} (threshold {settings.burden_threshold:g}, "
            f"half-life {half_life:g} {'day' if half_life == 1 else 'days'}): {listed}."
        )
        missions = tuple(dict.fromkeys(i.mission for i in weighing))
        end = _fades_below(burden, day, settings)
        _extend(runs, Trigger(day, missions, text), end, settings)
    return runs


# --- workload ---------------------------------------------------------------------------


def _departures(sorties: Sequence[Sortie]) -> list[dt.date]:
    return sorted(s.departed for s in sorties)


def workload_on(sorties: Sequence[Sortie], day: dt.date, settings: WellbeingSettings) -> int:
    """Missions departed in the `workload_days` days that end with `day`."""
    departures = _departures(sorties)
    start = day - _days(settings.workload_days)
    return bisect_right(departures, day) - bisect_right(departures, start)


def workload_runs(sorties: Sequence[Sortie], settings: WellbeingSettings) -> list[Run]:
    """At least `workload_threshold` missions departed within `workload_days` days; each
    departure that keeps the count there is a trigger."""
    departures = _departures(sorties)
    days, threshold = settings.workload_days, settings.workload_threshold
    runs: list[Run] = []
    for day in sorted(set(departures)):
        upto = bisect_right(departures, day)
        count = upto - bisect_right(departures, day - _days(days))
        if count < threshold:
            continue
        # Left alone, the count falls under the threshold when the threshold-th most recent
        # departure leaves the window.
        end = departures[upto - threshold] + _days(days)
        counted = [s for s in sorties if day - _days(days) < s.departed <= day]
        text = (
            f"{plural(count, 'mission')} departed in the {plural(days, 'day')} to {day} "
            f"(threshold {threshold}): {', '.join(_ids(counted))}."
        )
        _extend(runs, Trigger(day, _ids(counted), text), end, settings)
    return runs


# --- rest -------------------------------------------------------------------------------


def _stretches(sorties: Sequence[Sortie], gap_days: int) -> list[list[Sortie]]:
    """The record cut wherever `gap_days` or more passed between a return and the next
    departure: each piece is a stretch of duty without rest."""
    stretches: list[list[Sortie]] = []
    last_return: dt.date | None = None
    for sortie in sorted(sorties, key=lambda s: (s.departed, s.returned)):
        if last_return is None or (sortie.departed - last_return).days >= gap_days:
            stretches.append([])
        stretches[-1].append(sortie)
        last_return = max(last_return or sortie.returned, sortie.returned)
    return stretches


def days_since_rest(sorties: Sequence[Sortie], day: dt.date, settings: WellbeingSettings) -> int:
    """Days since the current stretch of duty began; 0 if `rest_gap_days` have passed since
    the last return (resting now), or if the record is empty."""
    stretches = _stretches(sorties, settings.rest_gap_days)
    if not stretches:
        return 0
    stretch = stretches[-1]
    rested_on = max(s.returned for s in stretch) + _days(settings.rest_gap_days)
    return 0 if day >= rested_on else (day - stretch[0].departed).days


def no_rest_runs(sorties: Sequence[Sortie], settings: WellbeingSettings) -> list[Run]:
    """`rest_threshold_days` or more on a stretch of duty; the trigger is the day the stretch
    reached that length, and the run ends once a gap of `rest_gap_days` has been taken."""
    gap, limit = settings.rest_gap_days, settings.rest_threshold_days
    runs: list[Run] = []
    for stretch in _stretches(sorties, gap):
        began = stretch[0].departed
        rested_on = max(s.returned for s in stretch) + _days(gap)
        reached = began + _days(limit)
        if reached >= rested_on:
            continue
        text = (
            f"On duty since {began} with no gap of {plural(gap, 'day')} between missions: "
            f"{plural(len(stretch), 'mission')} ({', '.join(_ids(stretch))})."
        )
        runs.append(Run([Trigger(reached, _ids(stretch), text)], rested_on))
    return runs
