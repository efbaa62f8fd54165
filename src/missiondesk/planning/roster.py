"""The roster as arrays (ranks, skills, availability, recent missions) for the planner, and
each shinobi's record of departures and returns, which the rules and the validator read.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from missiondesk.domain.ranks import RECOVERING, SKILLS, ShinobiRank, ShinobiStatus
from missiondesk.domain.roles import fills_role as fills_role
from missiondesk.domain.village import HistoryEntry, Village
from missiondesk.wellbeing.ahead import Flags, as_calendar

RANK_LEVEL: dict[ShinobiRank, int] = {rank: level for level, rank in enumerate(ShinobiRank)}
NEVER = np.iinfo(np.int64).max // 2
"""An ordinal later than any day: the available_from of someone who never comes back."""
LONG_AGO = -NEVER


@dataclass(frozen=True)
class Departure:
    """A squad that left but is not in the village history yet (dispatched), for the
    `max_missions` and `min_rest` orders."""

    members: tuple[str, ...]
    departed: dt.date
    returned: dt.date | None = None
    mission: str = ""


class Record:
    """Who departed when, and when each shinobi came back, from the history plus the
    squads dispatched or approved since (`extra`). A return counts for `min_rest` at a
    departure on or after its day (`last_return_by`): an approved squad that has not come
    back yet weighs only on departures after it."""

    def __init__(
        self, history: Iterable[HistoryEntry], extra: Iterable[HistoryEntry | Departure] = ()
    ) -> None:
        self.departures: dict[str, list[dt.date]] = {}
        self.trips: dict[str, list[tuple[dt.date, dt.date | None, str]]] = {}
        self.last_return: dict[str, dt.date] = {}
        self._add([*history, *extra])

    def _add(self, entries: Iterable[HistoryEntry | Departure]) -> None:
        departures: dict[str, list[dt.date]] = defaultdict(list)
        trips, last = self.trips, self.last_return
        for entry in entries:
            if isinstance(entry, HistoryEntry):
                members: Iterable[str] = entry.squad.everyone
                departed: dt.date = entry.departed.date()
                returned: dt.date | None = entry.returned.date()
                mission = entry.mission.id
            else:
                members, departed, returned = entry.members, entry.departed, entry.returned
                mission = entry.mission
            trip = (departed, returned, mission)
            for sid in members:
                departures[sid].append(departed)
                found = trips.get(sid)
                if found is None:
                    trips[sid] = [trip]
                else:
                    found.append(trip)
                if returned is not None:
                    back = last.get(sid)
                    if back is None or back < returned:
                        last[sid] = returned
        before = self.departures
        for sid, days in departures.items():
            before[sid] = sorted([*before[sid], *days]) if sid in before else sorted(days)

    def plus(self, extra: Iterable[Departure]) -> Record:
        """This record with more departures (a plan's earlier squads), without re-reading
        the history: only the shinobi they name are copied."""
        out = Record(())
        out.departures = dict(self.departures)
        out.trips = dict(self.trips)
        out.last_return = dict(self.last_return)
        extra = list(extra)
        for entry in extra:
            for sid in entry.members:
                out.trips[sid] = list(out.trips.get(sid, []))
        out._add(extra)
        return out

    def missions_before(self, sid: str, earliest: dt.date, days: int) -> int:
        """Missions `sid` departed on in the `days` days before `earliest` (earliest excluded)."""
        found = self.departures.get(sid, [])
        start = earliest - dt.timedelta(days=days)
        return bisect_left(found, earliest) - bisect_left(found, start)

    def missions_named(self, sid: str, earliest: dt.date, days: int) -> list[str]:
        """The missions `missions_before` counts, by id (for the reasons)."""
        start = earliest - dt.timedelta(days=days)
        return sorted(
            {m for d, _, m in self.trips.get(sid, ()) if start <= d < earliest and m},
        )

    def last_return_by(self, sid: str, day: dt.date) -> tuple[dt.date, str] | None:
        """`sid`'s last return on or before `day`, and the mission it was from."""
        found = [(r, m) for _, r, m in self.trips.get(sid, ()) if r is not None and r <= day]
        return max(found) if found else None


def bound_elsewhere(village: Village, committed: Collection[str]) -> Village:
    """The village as the planner must see it: shinobi committed to an approved squad are
    already spoken for (on a mission, as far as this plan is concerned), so the reasons
    for an unstaffed mission say so instead of blaming the Hokage."""
    if not committed:
        return village
    return village.model_copy(
        update={
            "shinobi": [
                s.model_copy(update={"status": ShinobiStatus.ON_MISSION, "available_from": None})
                if s.id in committed
                else s
                for s in village.shinobi
            ]
        }
    )


class Roster:
    """The village's shinobi as NumPy arrays, indexed like `village.shinobi`."""

    def __init__(
        self,
        village: Village,
        flags: Flags = None,
        extra_history: Iterable[HistoryEntry | Departure] = (),
    ) -> None:
        self.village = village
        self.shinobi = list(village.shinobi)
        self.ids = [s.id for s in self.shinobi]
        self.index = {sid: i for i, sid in enumerate(self.ids)}
        n = len(self.shinobi)
        self.rank = np.array([RANK_LEVEL[s.rank] for s in self.shinobi], dtype=np.int64)
        names = {*SKILLS, *village.skills}
        for s in self.shinobi:
            names.update(s.skills)
        self.skill_column = {name: j for j, name in enumerate(sorted(names))}
        self.skills = np.zeros((n, len(self.skill_column)), dtype=np.int64)
        for i, s in enumerate(self.shinobi):
            for name, level in s.skills.items():
                self.skills[i, self.skill_column[name]] = level
        self.available = np.array(
            [s.status is ShinobiStatus.AVAILABLE for s in self.shinobi], dtype=bool
        )
        recovering = [s.status in RECOVERING for s in self.shinobi]
        self.back_on = np.array(
            [
                s.available_from.toordinal() if rec and s.available_from else NEVER
                for s, rec in zip(self.shinobi, recovering, strict=True)
            ],
            dtype=np.int64,
        )
        # The quality term's flags are today's; `wellbeing_limit` reads each departure
        # day's (`flag_mask`).
        self.watch = as_calendar(flags)
        self.flags = self.flags_on(village.village.today)
        self.flagged = np.array([bool(f) for f in self.flags], dtype=bool)
        self._flag_masks: dict[tuple[str, dt.date], np.ndarray] = {}
        self.record = Record(village.history, extra_history)
        dep_person: list[int] = []
        dep_day: list[int] = []
        for sid, days in self.record.departures.items():
            if sid in self.index:
                dep_person.extend([self.index[sid]] * len(days))
                dep_day.extend(d.toordinal() for d in days)
        self._dep_person = np.array(dep_person, dtype=np.int64)
        self._dep_day = np.array(dep_day, dtype=np.int64)
        ret_person: list[int] = []
        ret_day: list[int] = []
        for sid, trips in self.record.trips.items():
            if sid in self.index:
                for _, back, _ in trips:
                    if back is not None:
                        ret_person.append(self.index[sid])
                        ret_day.append(back.toordinal())
        self._ret_person = np.array(ret_person, dtype=np.int64)
        self._ret_day = np.array(ret_day, dtype=np.int64)
        self._recent: dict[tuple[int, int], np.ndarray] = {}
        self._free: dict[int, np.ndarray] = {}
        self._back: dict[int, np.ndarray] = {}

    def __len__(self) -> int:
        return len(self.shinobi)

    def flags_on(self, day: dt.date) -> list[frozenset[str]]:
        """Each shinobi's wellbeing flags active on `day` (judged no earlier than today)."""
        found = self.watch.on(day)
        none: frozenset[str] = frozenset()
        return [found.get(sid, none) for sid in self.ids]

    def flag_mask(self, kind: str, day: dt.date) -> np.ndarray:
        """Who has an active flag of `kind` on `day`, the day a squad would leave."""
        key = (kind, self.watch.judged(day))
        if key not in self._flag_masks:
            mask = np.zeros(len(self), dtype=bool)
            for sid, kinds in self.watch.on(day).items():
                i = self.index.get(sid)
                if i is not None and kind in kinds:
                    mask[i] = True
            self._flag_masks[key] = mask
        return self._flag_masks[key]

    def may_leave_on(self, day: dt.date) -> np.ndarray:
        """Vector form of `operations.fitness.free_to_leave`, the one definition of who may
        leave on a day: `available` and `back_on` are its two cases, and everyone else
        (`back_on` is NEVER for them) stays. tests/operations/test_fitness.py holds the two
        equal over every status."""
        key = day.toordinal()
        if key not in self._free:
            self._free[key] = self.available | (self.back_on <= key)
        return self._free[key]

    def role_mask(self, minimums: Mapping[str, int]) -> np.ndarray:
        """Vector form of `fills_role`; a skill nobody has is 0 for everyone."""
        mask = np.ones(len(self), dtype=bool)
        for skill, level in minimums.items():
            column = self.skill_column.get(skill)
            if column is None:
                if level > 0:
                    mask[:] = False
            else:
                mask &= self.skills[:, column] >= level
        return mask

    def rank_at_least(self, rank: ShinobiRank) -> np.ndarray:
        return self.rank >= RANK_LEVEL[rank]

    def rank_is(self, rank: ShinobiRank) -> np.ndarray:
        return self.rank == RANK_LEVEL[rank]

    def missions_before(self, earliest: dt.date, days: int) -> np.ndarray:
        """Vector form of `Record.missions_before`."""
        key = (earliest.toordinal(), days)
        if key not in self._recent:
            end = key[0]
            inside = (self._dep_day >= end - days) & (self._dep_day < end)
            self._recent[key] = np.bincount(self._dep_person[inside], minlength=len(self))
        return self._recent[key]

    def returned_by(self, day: dt.date) -> np.ndarray:
        """Vector form of `Record.last_return_by`: each shinobi's last return on or before
        `day`, as an ordinal (`LONG_AGO` when none)."""
        key = day.toordinal()
        if key not in self._back:
            back = np.full(len(self), LONG_AGO, dtype=np.int64)
            inside = self._ret_day <= key
            np.maximum.at(back, self._ret_person[inside], self._ret_day[inside])
            self._back[key] = back
        return self._back[key]

    def days_since_return(self, earliest: dt.date) -> np.ndarray:
        """Days from each shinobi's last return (on or before `earliest`) to `earliest`
        (huge when never sent)."""
        return earliest.toordinal() - self.returned_by(earliest)
