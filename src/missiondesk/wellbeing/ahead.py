"""The wellbeing flags on the days ahead, for limits judged at each squad's departure
(SPEC section 9): which flags are active on any day from the clock's today on.

Each watched shinobi's flags are read once from the same runs the watch reads, as
*spells* (the day a flag is active from and the day it stops), so a plan of several weeks
asks about each of its days without assessing the whole roster again. On every day from
`today` on, `FlagCalendar.on(day)` equals `active_flags(village, day, clearances)`; a day
before `today` is judged as `today` (nothing is judged before the clock's now).
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from missiondesk.domain.settings import WellbeingSettings
from missiondesk.domain.village import Village
from missiondesk.wellbeing.assess import DETECTORS, NOT_WATCHED, Clearances
from missiondesk.wellbeing.patterns import Run
from missiondesk.wellbeing.record import records


@dataclass(frozen=True)
class Spell:
    """One flag's days: active from `since` to the day before `ends` (None: until a
    clearance). `until` is the flag's own end as the watch reports it (`WellbeingFlag.
    until`); `ends` is earlier when a later run of the pattern takes over first."""

    kind: str
    since: dt.date
    until: dt.date | None
    ends: dt.date | None

    def on(self, day: dt.date) -> bool:
        return self.since <= day and (self.ends is None or day < self.ends)


def spells(
    kind: str, runs: Sequence[Run], cleared: dt.date | None, settings: WellbeingSettings
) -> list[Spell]:
    """The days on which `assess._flag` finds the flag of `kind` active, run by run: a
    run speaks from its first trigger until the next run's first trigger; within that, the
    flag stands from its first trigger after the clearance until its `until`."""
    found = []
    for i, run in enumerate(runs):
        fresh = [t.day for t in run.triggers if cleared is None or t.day > cleared]
        if not fresh:
            continue
        since = fresh[0]
        until = None if run.end is None else max(since + dt.timedelta(settings.flag_days), run.end)
        later = runs[i + 1].triggers[0].day if i + 1 < len(runs) else None
        ends = min((d for d in (until, later) if d is not None), default=None)
        if ends is None or since < ends:
            found.append(Spell(kind, since, until, ends))
    return found


class FlagCalendar:
    """Shinobi id -> the kinds of their active flags, on any day from `today` on; the
    flags a `wellbeing_limit` order reads at a squad's departure.

    Built from the history (`from_history`) or, for callers that already hold one day's
    flags, from a plain mapping that holds on every day (`fixed`: no end is known)."""

    def __init__(
        self,
        today: dt.date | None,
        *,
        village: Village | None = None,
        clearances: Clearances | None = None,
        settings: WellbeingSettings | None = None,
        fixed: Mapping[str, Collection[str]] | None = None,
    ) -> None:
        self.today = today
        self._fixed = (
            None
            if fixed is None
            else {sid: frozenset(kinds) for sid, kinds in fixed.items() if kinds}
        )
        self._village = village
        self._clearances = clearances or {}
        self._settings = settings
        # Spells per cut of the history (how many entries had returned by the day): history
        # returned after today joins the record only on the day it returned, as in `records`.
        self._returns = (
            sorted(e.returned.date() for e in village.history) if village is not None else []
        )
        self._spells: dict[int, dict[str, list[Spell]]] = {}
        self._days: dict[dt.date, dict[str, frozenset[str]]] = {}

    @classmethod
    def fixed(cls, flags: Mapping[str, Collection[str]]) -> FlagCalendar:
        """The same flags on every day (a caller's own, or a test's)."""
        return cls(None, fixed=flags)

    @classmethod
    def from_history(
        cls,
        village: Village,
        clearances: Clearances | None = None,
        *,
        settings: WellbeingSettings | None = None,
    ) -> FlagCalendar:
        """The watch's flags from the village's history, its today on."""
        return cls(
            village.village.today,
            village=village,
            clearances=clearances,
            settings=settings or village.settings.wellbeing,
        )

    def judged(self, day: dt.date) -> dt.date:
        """The day a question about `day` is answered on: never before today."""
        return day if self.today is None or day >= self.today else self.today

    def on(self, day: dt.date) -> dict[str, frozenset[str]]:
        """Shinobi id -> the kinds of their flags active on `day` (shinobi without any are
        left out)."""
        if self._fixed is not None:
            return self._fixed
        day = self.judged(day)
        if day not in self._days:
            self._days[day] = {
                sid: kinds
                for sid, found in self._for(day).items()
                if (kinds := frozenset(s.kind for s in found if s.on(day)))
            }
        return self._days[day]

    def spell(self, sid: str, kind: str, day: dt.date) -> Spell | None:
        """The spell of `sid`'s flag of `kind` active on `day` (None: not active, or the
        calendar is fixed and knows no dates)."""
        if self._fixed is not None:
            return None
        day = self.judged(day)
        return next((s for s in self._for(day).get(sid, ()) if s.kind == kind and s.on(day)), None)

    def _cut(self, day: dt.date) -> int:
        return bisect_right(self._returns, day)

    def _for(self, day: dt.date) -> dict[str, list[Spell]]:
        cut = self._cut(day)
        if cut not in self._spells:
            self._spells[cut] = self._read(day)
        return self._spells[cut]

    def _read(self, day: dt.date) -> dict[str, list[Spell]]:
        village = self._village
        if village is None:
            return {}
        settings = self._settings or village.settings.wellbeing
        found = records(village, day)
        out: dict[str, list[Spell]] = {}
        for shinobi in village.shinobi:
            if shinobi.status in NOT_WATCHED or shinobi.id not in found:
                continue
            sorties = found[shinobi.id]
            mine = [
                spell
                for kind, detect in DETECTORS.items()
                for spell in spells(
                    kind.value,
                    detect(sorties, settings),
                    self._clearances.get((shinobi.id, kind.value)),
                    settings,
                )
            ]
            if mine:
                out[shinobi.id] = mine
        return out


Flags = FlagCalendar | Mapping[str, Collection[str]] | None
"""What the planner and the validator accept as flags: a calendar, or one day's flags
that hold on every day of the plan, or none."""


def as_calendar(flags: Flags) -> FlagCalendar:
    if isinstance(flags, FlagCalendar):
        return flags
    return FlagCalendar.fixed(flags or {})
