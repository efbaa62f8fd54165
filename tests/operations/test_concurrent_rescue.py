"""Races from separate processes: two rescues of one lost squad, and a rescue pinning a
shinobi while a commander approves that shinobi's squad. One wins; the other exits 2 and
changes nothing (the checks run under the write lock, inside the transaction)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from rescue_support import LATE, LOST, Cli, committed, lost_squad, plant_squad
from sqlalchemy import create_engine, func, select

from missiondesk.store import tables as t
from missiondesk.store.database import resolve_url

MISSIONDESK = Path(sys.executable).with_name("missiondesk")


def race(db_url: str, *commands: list[str]) -> list[tuple[int, str]]:
    """Start every command at once, each its own `missiondesk` process; their outcomes."""
    env = {**os.environ, "MISSIONDESK_ACTOR": "commander"}
    processes = [
        subprocess.Popen(
            [str(MISSIONDESK), "--db", db_url, *command],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for command in commands
    ]
    return [(p.wait(timeout=180), p.stderr.read() if p.stderr else "") for p in processes]


def missions_rescuing(db_url: str) -> int:
    engine = create_engine(resolve_url(db_url))
    with engine.connect() as connection:
        count = connection.execute(
            select(func.count()).select_from(t.mission).where(t.mission.c.rescue_of == LOST)
        ).scalar_one()
        events = connection.execute(
            select(func.count()).select_from(t.event).where(t.event.c.kind == "rescue.dispatched")
        ).scalar_one()
    engine.dispose()
    assert events == count
    return int(count)


def test_two_rescues_of_one_squad_one_wins(cli: Cli, db_url: str, tmp_path: Path) -> None:
    lost_squad(cli, db_url, tmp_path)
    outcomes = race(db_url, ["rescue", LOST, "--at", LATE], ["rescue", LOST, "--at", LATE])
    assert sorted(code for code, _ in outcomes) == [0, 2], outcomes
    loser = next(err for code, err in outcomes if code == 2)
    assert "already on its way" in loser and "Traceback" not in loser
    assert missions_rescuing(db_url) == 1
    rescuers = [s for s, m in committed(db_url).items() if m == "rescue-lost"]
    assert len(rescuers) == 3


def test_a_rescue_racing_an_approval_for_the_same_shinobi(
    cli: Cli, db_url: str, tmp_path: Path
) -> None:
    lost_squad(cli, db_url, tmp_path)
    plant_squad(db_url, "patrol", ("ino", "choji"))
    outcomes = race(db_url, ["rescue", LOST, "--at", LATE, "--pin", "ino"], ["approve", "patrol"])
    (rescued, rescue_err), (approved, approve_err) = outcomes
    assert sorted([rescued, approved]) == [0, 2], outcomes
    bound = committed(db_url)
    if rescued == 0:
        assert bound["ino"] == "rescue-lost"
        assert "ino" in approve_err and "Traceback" not in approve_err
        assert "patrol" not in bound.values()
    else:
        assert bound["ino"] == "patrol"
        assert "ino is committed to mission 'patrol'" in rescue_err
        assert missions_rescuing(db_url) == 0
