"""Fit to leave on a day: the scalar rule in operations/fitness.py, which approval, dispatch
and rescue ask, and the planner's vector form of it (`Roster.may_leave_on`) say the same of
every status and date."""

from __future__ import annotations

import datetime as dt

from missiondesk.domain.ranks import ShinobiStatus
from missiondesk.operations.fitness import free_to_leave, may_leave_on
from missiondesk.planning.roster import Roster
from planning.plan_builders import TODAY, ninja, village

BACK = (None, -1, 0, 1, 30)  # available_from: none, or this many days after TODAY
DAYS = [TODAY + dt.timedelta(days=d) for d in (-2, -1, 0, 1, 2, 40)]


def _everyone() -> Roster:
    """One shinobi per status and return day; a recovering shinobi with no return day (the
    village file refuses one, the database can still hold one) is set after validation."""
    people = []
    for status in ShinobiStatus:
        for back in BACK:
            day = None if back is None else TODAY + dt.timedelta(days=back)
            sid = f"{status.value.replace('_', '-')}-{'never' if back is None else back + 10}"
            people.append((sid, status, day))
    v = village([ninja(sid, status=ShinobiStatus.AVAILABLE) for sid, _, _ in people], [])
    shinobi = [
        s.model_copy(update={"status": status, "available_from": day})
        for s, (_, status, day) in zip(v.shinobi, people, strict=True)
    ]
    return Roster(v.model_copy(update={"shinobi": shinobi}))


def test_the_vector_form_says_what_the_rule_says_for_every_status_and_day() -> None:
    roster = _everyone()
    assert {s.status for s in roster.shinobi} == set(ShinobiStatus)
    for day in DAYS:
        vector = roster.may_leave_on(day)
        scalar = [free_to_leave(s.status, s.available_from, day) for s in roster.shinobi]
        assert vector.tolist() == scalar, day
        assert [may_leave_on(s, day) for s in roster.shinobi] == scalar


def test_only_the_available_and_the_recovered_may_leave() -> None:
    day = TODAY
    assert free_to_leave(ShinobiStatus.AVAILABLE, None, day)
    assert free_to_leave(ShinobiStatus.INJURED, day, day)  # back that very day
    assert free_to_leave(ShinobiStatus.RESTING, day - dt.timedelta(days=1), day)
    assert not free_to_leave(ShinobiStatus.RESTING, day + dt.timedelta(days=1), day)
    assert not free_to_leave(ShinobiStatus.INJURED, None, day)
    for status in ("on_mission", "missing", "deceased", "defected"):
        assert not free_to_leave(status, day - dt.timedelta(days=1), day), status
