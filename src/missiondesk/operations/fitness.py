"""Who is fit to leave on a day (SPEC 4, always true): the one rule that approval and
dispatch (services/lifecycle.py), rescue and the planner all ask. Pure and light, so the
lifecycle commands load it without NumPy; `planning.roster.Roster.may_leave_on` is its
vector form for the planner."""

from __future__ import annotations

import datetime as dt

from missiondesk.domain.ranks import RECOVERING, ShinobiStatus
from missiondesk.domain.village import Shinobi


def free_to_leave(status: str, available_from: dt.date | None, day: dt.date) -> bool:
    """Judged at a departure on `day`: available, or injured/resting and back on or before
    `day`. Anyone else (on a mission, missing, deceased, defected) may not leave."""
    if status == ShinobiStatus.AVAILABLE:
        return True
    if status in RECOVERING:
        return available_from is not None and available_from <= day
    return False


def may_leave_on(shinobi: Shinobi, day: dt.date) -> bool:
    """`free_to_leave` for a shinobi of the village model."""
    return free_to_leave(shinobi.status, shinobi.available_from, day)
