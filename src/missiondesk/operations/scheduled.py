"""What becomes true while time passes, in the order it happens (pure).

The clock's pass (services/clock.py: `clock advance`, `clock set`, `tick`, and the
server's scheduled pass in real mode) asks this module what is due up to a moment and
records each happening as an event dated when it happened:

- a squad in the field misses a check-in (`checkin.missed`) at the minute it was due,
  grace included: the mission becomes `overdue`;
- a recovery ends (`shinobi.recovered`) at 00:00 of the day the shinobi is available
  again: `injured` or `resting` becomes `available`;
- a mission's window passes without a departure (`mission.stale`) at 00:00 of the day
  after its last day to leave: it becomes `stale`, and whatever squad was planned or
  committed for it is released.

The pass is idempotent: a happening changes the state it is found in (a dispatched
mission, a recovering shinobi, an open mission), so it is found and recorded once.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum


class Kind(IntEnum):
    """Happenings at the same minute are recorded in this order: a missed check-in first
    (its rescue may need the people who recover at that minute, so it is proposed with
    what was known just before), then recoveries, then windows closing."""

    CHECKIN_MISSED = 0
    SHINOBI_RECOVERED = 1
    MISSION_STALE = 2

    @property
    def event(self) -> str:
        return {
            Kind.CHECKIN_MISSED: "checkin.missed",
            Kind.SHINOBI_RECOVERED: "shinobi.recovered",
            Kind.MISSION_STALE: "mission.stale",
        }[self]


@dataclass(frozen=True, order=True)
class Happening:
    at: dt.datetime
    kind: Kind
    subject: str


def midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time())


def due_happenings(
    until: dt.datetime,
    *,
    checkins_due: Iterable[tuple[str, dt.datetime]] = (),
    recoveries: Iterable[tuple[str, dt.date]] = (),
    last_days: Iterable[tuple[str, dt.date]] = (),
) -> list[Happening]:
    """Everything due at or before `until`, in time order.

    `checkins_due`: (mission, due) for squads still dispatched; missed once `until` is
    past the due minute (at the due minute itself the squad is not yet late).
    `recoveries`: (shinobi, available_from) for people injured or resting.
    `last_days`: (mission, last day it may leave) for missions not yet gone.
    """
    found = [
        Happening(due, Kind.CHECKIN_MISSED, mission) for mission, due in checkins_due if due < until
    ]
    found += [
        Happening(midnight(day), Kind.SHINOBI_RECOVERED, shinobi)
        for shinobi, day in recoveries
        if midnight(day) <= until
    ]
    found += [
        Happening(midnight(day + dt.timedelta(days=1)), Kind.MISSION_STALE, mission)
        for mission, day in last_days
        if midnight(day + dt.timedelta(days=1)) <= until
    ]
    return sorted(found)


def stale_reason(last_day: dt.date) -> str:
    """Why a stale mission is off the plan, in the words the board shows."""
    return (
        f"its window closed on {last_day} without a departure; edit its window to bring it "
        "back to the board"
    )


UNITS = {"m": dt.timedelta(minutes=1), "h": dt.timedelta(hours=1), "d": dt.timedelta(days=1)}
UNITS["w"] = 7 * UNITS["d"]


def parse_duration(text: str) -> dt.timedelta:
    """`90m`, `6h`, `2d`, `1w` (and sums of them, `1d12h`); ValueError otherwise."""
    parts = re.fullmatch(r"(?:\s*\d+\s*[mhdw])+\s*", text.strip().lower())
    if not text.strip() or parts is None:
        raise ValueError(f"{text!r} is not a duration (e.g. 90m, 6h, 2d, 1w, 1d12h)")
    total = sum(
        (int(n) * UNITS[unit] for n, unit in re.findall(r"(\d+)\s*([mhdw])", text.lower())),
        dt.timedelta(),
    )
    if total <= dt.timedelta():
        raise ValueError(f"{text!r} moves the clock by nothing; give a positive duration")
    return total
