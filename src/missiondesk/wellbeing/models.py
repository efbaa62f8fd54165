"""What the watch on people reports (SPEC sections 6 and 7, `wellbeing --json`)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict

from missiondesk.domain.ranks import FlagKind

FLAG_KINDS: tuple[FlagKind, ...] = tuple(FlagKind)


class Evidence(BaseModel):
    """Which missions of the history show the pattern, oldest first, and a sentence saying how."""

    model_config = ConfigDict(frozen=True)
    missions: list[str]
    text: str


class WellbeingFlag(BaseModel):
    """One pattern that calls for support or limits.

    `since` is the day the pattern was first seen (and not cleared since); `until` the day
    the flag lapses by itself, or None when only a manual clearance ends it (the shield).
    """

    model_config = ConfigDict(frozen=True)
    kind: FlagKind
    since: dt.date
    until: dt.date | None
    evidence: Evidence
    response: str


class ShinobiWellbeing(BaseModel):
    """One shinobi's measures on the day of the assessment, and their active flags."""

    model_config = ConfigDict(frozen=True)
    shinobi: str
    burden: float  # severity-weighted injuries, each fading with a half-life
    workload: int  # missions departed in the last `workload_days` days, today included
    days_since_rest: int  # 0 when resting now or never sent out
    flags: list[WellbeingFlag]

    def has(self, kind: FlagKind | str) -> bool:
        return any(flag.kind == kind for flag in self.flags)

    def flag(self, kind: FlagKind | str) -> WellbeingFlag | None:
        return next((flag for flag in self.flags if flag.kind == kind), None)
