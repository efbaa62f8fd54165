"""Ledger sums always equal the rewards paid (SPEC section 13), over random reports filed
through the service into a real database: per mission the ledger holds exactly what its
outcome pays, each shinobi's ryo (ledger and roster alike) is the sum of their shares,
and the village's takings are the sum of its cuts."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from missiondesk.domain.ranks import Outcome
from missiondesk.domain.rewards import paid_for
from missiondesk.domain.village import Village
from missiondesk.operations.reports import ReportFile
from missiondesk.services import players, reports
from missiondesk.services import village as village_service
from missiondesk.store import tables as t
from missiondesk.store.database import Database
from missiondesk.villagefile.generate import generate_village

PEOPLE = 12


def _office(seed: int, squads: list[tuple[int, int, int]], share: float, split: str) -> Village:
    """A small generated village with one dispatched squad per (reward, size, first)."""
    village = generate_village(shinobi=PEOPLE, missions=len(squads), seed=seed, history=6)
    data = village.model_dump(by_alias=True)
    leave = dt.datetime.combine(village.village.today, dt.time(6))
    out: set[str] = set()
    for mission, (reward, size, first) in zip(data["missions"], squads, strict=True):
        free = [s["id"] for s in data["shinobi"] if s["id"] not in out]
        squad = [free[(first + k) % len(free)] for k in range(min(size, len(free)))]
        out.update(squad)
        mission.update(
            status="dispatched",
            reward_ryo=reward,
            squad={"leader": squad[0], "members": squad[1:]},
            departs=leave,
            window=None,
        )
    for person in data["shinobi"]:
        person.update(status="on_mission" if person["id"] in out else "available")
        person["available_from"] = None
    data["settings"]["rewards"] = {"village_share": share, "split": split}
    return Village.model_validate(data)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    squads=st.lists(
        st.tuples(st.integers(0, 10**7), st.integers(1, 4), st.integers(0, PEOPLE)),
        min_size=1,
        max_size=3,
    ),
    outcomes=st.lists(st.sampled_from(list(Outcome)), min_size=3, max_size=3),
    share=st.sampled_from([0.0, 0.2, 0.25, 1 / 3, 0.5, 1.0]),
    split=st.sampled_from(["equal", "leader_double"]),
)
def test_ledger_sums_equal_the_rewards_paid(
    seed: int,
    squads: list[tuple[int, int, int]],
    outcomes: list[Outcome],
    share: float,
    split: str,
) -> None:
    village = _office(seed, squads, share, split)
    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite:///{Path(folder) / 'v.sqlite'}")
        village_service.import_village_value(db, village, replace=False, actor="t", source="t")
        earned: Counter[str] = Counter()
        takings = 0
        for mission, outcome in zip(village.missions, outcomes, strict=False):
            assert mission.squad is not None and mission.departs is not None
            returned = mission.departs + dt.timedelta(hours=40)
            report = ReportFile(returned=returned, outcome=outcome)
            reports.apply_report(db, mission.id, report, actor="t")
            paid = paid_for(mission.reward_ryo or 0, outcome)
            with db.reading() as connection:
                in_ledger = connection.execute(
                    select(func.coalesce(func.sum(t.ledger.c.ryo), 0)).where(
                        t.ledger.c.mission == mission.id
                    )
                ).scalar_one()
                shares = connection.execute(
                    select(t.ledger.c.shinobi, t.ledger.c.ryo).where(
                        t.ledger.c.mission == mission.id
                    )
                ).all()
            assert in_ledger == paid
            for who, ryo in shares:
                if who is None:
                    takings += ryo
                else:
                    assert who in mission.squad.everyone
                    earned[who] += ryo
        ledger = {r.shinobi: r.ryo for r in players.ledger(db)}
        roster = {r.id: r.ryo for r in village_service.roster(db)}
        assert ledger == roster == {s.id: earned[s.id] for s in village.shinobi}
        assert players.village_takings(db) == takings
        assert sum(ledger.values()) + takings == sum(
            paid_for(m.reward_ryo or 0, o) for m, o in zip(village.missions, outcomes, strict=False)
        )
        db.dispose()
