"""Small villages for the wellbeing tests: a roster and a history written as plain data."""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path
from typing import Any

import yaml

from missiondesk.domain.village import Village
from missiondesk.wellbeing import Clearances, ShinobiWellbeing, assess_wellbeing

DEMO_VILLAGE = Path(__file__).parents[2] / "src" / "missiondesk" / "data" / "konoha.yaml"

PEOPLE = ("leader", "alpha", "beta", "gamma")
TODAY = dt.date(2026, 11, 23)


def sortie(
    mission: str,
    day: dt.date,
    leader: str = "leader",
    members: tuple[str, ...] = ("alpha", "beta"),
    hurt: dict[str, str] | None = None,
    days: int = 1,
) -> dict[str, Any]:
    """A history entry: departs at 06:00 on `day`, returns `days` later; `hurt` maps a
    shinobi to the severity of their injury."""
    return {
        "mission": {"id": mission, "title": mission, "rank": "C", "route": ["konoha"]},
        "squad": {"leader": leader, "members": list(members)},
        "departed": dt.datetime.combine(day, dt.time(6)),
        "returned": dt.datetime.combine(day + dt.timedelta(days=days), dt.time(18)),
        "report": {
            "outcome": "success",
            "injuries": [
                {"shinobi": who, "severity": severity, "recovery_days": 3}
                for who, severity in (hurt or {}).items()
            ],
        },
    }


def small_village(
    history: list[dict[str, Any]],
    *,
    today: dt.date = TODAY,
    wellbeing: dict[str, Any] | None = None,
    standing_orders: list[dict[str, Any]] | None = None,
    extra: list[dict[str, Any]] | None = None,
) -> Village:
    roster = [
        {"id": who, "name": who.title(), "rank": "chunin", "status": "available"} for who in PEOPLE
    ]
    return Village.model_validate(
        {
            "format": "missiondesk/village/v1",
            "village": {"id": "konoha", "name": "Konohagakure", "today": today},
            "settings": {"wellbeing": wellbeing or {}},
            "places": [{"id": "konoha", "name": "Konohagakure"}],
            "shinobi": roster + (extra or []),
            "standing_orders": standing_orders or [],
            "history": history,
        }
    )


@functools.cache
def demo_village() -> Village:
    """The shipped demo village (frozen models, so one copy serves every test)."""
    with DEMO_VILLAGE.open(encoding="utf-8") as handle:
        return Village.model_validate(yaml.safe_load(handle))


def watch(
    village: Village,
    who: str,
    today: dt.date = TODAY,
    clearances: Clearances | None = None,
    **kwargs: Any,
) -> ShinobiWellbeing:
    """What the watch says about one shinobi on `today`."""
    return next(
        person
        for person in assess_wellbeing(village, today, clearances, **kwargs)
        if person.shinobi == who
    )
