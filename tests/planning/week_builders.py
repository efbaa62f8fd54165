"""Small weeks for the planning-over-time tests: a road out of the village, missions with
windows of several days and time on site, and the clock at a given time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from plan_builders import TODAY, village

from missiondesk.domain.village import Village

ROAD_HOURS = 12.0  # konoha -> suna, each way


def day(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def trip(
    mid: str,
    first: int,
    last: int | None = None,
    *,
    rank: str = "C",
    priority: int = 3,
    on_site_hours: float = 0.0,
    away: bool = True,
) -> dict[str, Any]:
    """A mission leaving between day `first` and day `last` (TODAY + n), to suna and back
    (ROAD_HOURS each way) when `away`, else staying in konoha."""
    window: dict[str, Any] = {"earliest": day(first)}
    if last is not None:
        window["latest"] = day(last)
    return {
        "id": mid,
        "title": mid,
        "rank": rank,
        "priority": priority,
        "route": ["konoha", "suna", "konoha"] if away else ["konoha"],
        "objective": {"tags": [], "on_site_hours": on_site_hours},
        "window": window,
        "status": "assessed",
    }


def week(
    shinobi: Sequence[dict[str, Any]],
    missions: Sequence[dict[str, Any]],
    *,
    orders: Sequence[dict[str, Any]] = (),
    now: dt.datetime | None = None,
    road_hours: float = ROAD_HOURS,
    past: Sequence[dict[str, Any]] = (),
) -> Village:
    v = village(shinobi, missions, orders=orders, past=past)
    data = v.model_dump(by_alias=True)
    data["format"] = "missiondesk/village/v2"
    data["places"] = [{"id": "konoha", "name": "Konoha"}, {"id": "suna", "name": "Suna"}]
    data["roads"] = [{"from": "konoha", "to": "suna", "hours": road_hours}]
    if now is not None:
        data["village"]["now"] = now
    return Village.model_validate(data)
