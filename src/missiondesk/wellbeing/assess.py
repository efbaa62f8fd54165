"""The watch on people: each shinobi's measures and active wellbeing flags on a given day.

Pure: a village, a day and the clearances given so far in; plain data out, sorted by
shinobi id and flag kind. `active_flags` is what the planner's `wellbeing_limit` order reads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence

from missiondesk.domain.orders import WellbeingLimit
from missiondesk.domain.ranks import ShinobiStatus
from missiondesk.domain.settings import WellbeingSettings
from missiondesk.domain.village import Village
from missiondesk.domain.words import plural
from missiondesk.wellbeing.models import Evidence, FlagKind, ShinobiWellbeing, WellbeingFlag
from missiondesk.wellbeing.patterns import (
    Run,
    burden_on,
    burden_runs,
    days_since_rest,
    no_rest_runs,
    shield_runs,
    workload_on,
    workload_runs,
)
from missiondesk.wellbeing.record import Sortie, records

Clearances = Mapping[tuple[str, str], dt.date]
"""(shinobi id, flag kind) -> the day a person in charge cleared that flag."""

# Off the roster's duty for good: nobody watches over them any more.
NOT_WATCHED = frozenset({ShinobiStatus.DECEASED, ShinobiStatus.DEFECTED})

DETECTORS: dict[FlagKind, Callable[[Sequence[Sortie], WellbeingSettings], list[Run]]] = {
    FlagKind.SHIELD: shield_runs,
    FlagKind.BURDEN: burden_runs,
    FlagKind.WORKLOAD: workload_runs,
    FlagKind.NO_REST: no_rest_runs,
}


def _base_response(kind: FlagKind, settings: WellbeingSettings) -> str:
    if kind is FlagKind.SHIELD:
        return "counselling; a medic on every squad they lead"
    if kind is FlagKind.BURDEN:
        return "rest, and a medic's check before the next mission"
    if kind is FlagKind.WORKLOAD:
        return (
            f"rest: no new mission until fewer than {settings.workload_threshold} "
            f"fall in {plural(settings.workload_days, 'day')}"
        )
    return f"rest: {plural(settings.rest_gap_days, 'day')} or more without a mission"


def _limit(order: WellbeingLimit) -> str:
    what = "no lead" if order.forbid == "lead" else "no missions"
    ranks = f" of rank {order.when.min_rank.value} or above" if order.when else ""
    return f"{what}{ranks} (standing order {order.id})"


def responses(village: Village, settings: WellbeingSettings) -> dict[FlagKind, str]:
    """The suggested response per flag kind, with the limits the village's own
    `wellbeing_limit` orders put on that flag (one source: the orders that enforce them)."""
    out: dict[FlagKind, str] = {}
    for kind in FlagKind:
        limits = [
            _limit(order)
            for order in village.standing_orders
            if isinstance(order, WellbeingLimit) and order.flag == kind.value
        ]
        if kind is FlagKind.SHIELD and not limits:
            limits = ["no lead above rank C"]
        out[kind] = "; ".join([_base_response(kind, settings), *limits])
    return out


def _flag(
    kind: FlagKind,
    runs: Sequence[Run],
    today: dt.date,
    cleared: dt.date | None,
    settings: WellbeingSettings,
    response: str,
) -> WellbeingFlag | None:
    """The flag the latest run raises on `today`, if any: since its first trigger not
    cleared, until the later of since + `flag_days` and the run's end (None: the run has
    no end, only a clearance ends it)."""
    for run in reversed(runs):
        seen = [t for t in run.triggers if t.day <= today]
        if not seen:
            continue
        fresh = [t for t in seen if cleared is None or t.day > cleared]
        if not fresh:
            return None
        since = fresh[0].day
        until = None if run.end is None else max(since + dt.timedelta(settings.flag_days), run.end)
        if until is not None and today >= until:
            return None
        last = fresh[-1]
        evidence = Evidence(missions=list(last.missions), text=last.text)
        return WellbeingFlag(
            kind=kind, since=since, until=until, evidence=evidence, response=response
        )
    return None


def assess_wellbeing(
    village: Village,
    today: dt.date,
    clearances: Clearances | None = None,
    *,
    settings: WellbeingSettings | None = None,
) -> list[ShinobiWellbeing]:
    """Every watched shinobi (all but the deceased and defected), sorted by id, with their
    measures on `today` and their active flags. A clearance dated on or after a flag's
    `since` clears it; it comes back only with a fresh trigger after the clearance."""
    settings = settings or village.settings.wellbeing
    clearances = clearances or {}
    found = records(village, today)
    response = responses(village, settings)
    out: list[ShinobiWellbeing] = []
    for shinobi in sorted(village.shinobi, key=lambda s: s.id):
        if shinobi.status in NOT_WATCHED:
            continue
        sorties = found.get(shinobi.id, [])
        flags = [
            flag
            for kind, detect in DETECTORS.items()
            if (
                flag := _flag(
                    kind,
                    detect(sorties, settings),
                    today,
                    clearances.get((shinobi.id, kind.value)),
                    settings,
                    response[kind],
                )
            )
            is not None
        ]
        out.append(
            ShinobiWellbeing(
                shinobi=shinobi.id,
                burden=round(burden_on(sorties, today, settings), 3),
                workload=workload_on(sorties, today, settings),
                days_since_rest=days_since_rest(sorties, today, settings),
                flags=flags,
            )
        )
    return out


def active_flags(
    village: Village,
    today: dt.date,
    clearances: Clearances | None = None,
    *,
    settings: WellbeingSettings | None = None,
) -> dict[str, set[str]]:
    """Shinobi id -> the kinds of their active flags ("shield", ...), for the planner's
    `wellbeing_limit` order; shinobi without a flag are left out."""
    return {
        person.shinobi: {flag.kind.value for flag in person.flags}
        for person in assess_wellbeing(village, today, clearances, settings=settings)
        if person.flags
    }
