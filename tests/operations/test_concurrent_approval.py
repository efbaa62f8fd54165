"""Two commanders approving squads that share a shinobi at the same moment: exactly one
succeeds. The write lock decides first; the commitment table's key stands behind it."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from md_support import DEMO_VILLAGE, Result
from missiondesk.errors import Conflict
from missiondesk.services import lifecycle
from missiondesk.store import tables as t
from missiondesk.store.database import Database, resolve_url

Cli = Callable[..., Result]
MISSIONDESK = Path(sys.executable).with_name("missiondesk")


def _two_squads_sharing_a_shinobi(cli: Cli, db_url: str) -> tuple[str, str, str]:
    """Plan the demo board, then give the second squad a member of the first, leaving
    when the first does (spans that overlap: SPEC section 9), as two commanders planning
    apart could."""
    assert cli("--db", db_url, "village", "import", DEMO_VILLAGE).code == 0
    plan = json.loads(cli("--db", db_url, "plan", "--time-limit", "5", "--json").stdout)
    first, second = plan["squads"][0], plan["squads"][1]
    shared = first["members"][-1]["shinobi"]
    engine = create_engine(resolve_url(db_url))
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO assignment"
                " (mission_id, shinobi_id, is_leader, position, roles, reasons)"
                " VALUES (:m, :s, false, 99, '[]', '[]')"
            ),
            {"m": second["mission"], "s": shared},
        )
        leaves = dt.datetime.fromisoformat(first["departs"])
        connection.execute(  # its window opened early enough to leave then
            text("UPDATE mission SET departed_at = :at, earliest = :day WHERE id = :m"),
            {"m": second["mission"], "at": leaves, "day": leaves.date()},
        )
    engine.dispose()
    return first["mission"], second["mission"], shared


def _committed(db_url: str, shinobi: str) -> list[str]:
    engine = create_engine(resolve_url(db_url))
    with engine.connect() as connection:
        rows = connection.execute(
            select(t.commitment.c.mission_id).where(t.commitment.c.shinobi_id == shinobi)
        ).all()
    engine.dispose()
    return [r[0] for r in rows]


def test_exactly_one_of_two_concurrent_processes_approves(cli: Cli, db_url: str) -> None:
    a, b, shared = _two_squads_sharing_a_shinobi(cli, db_url)
    env = {**os.environ, "MISSIONDESK_ACTOR": "commander"}
    processes = [
        subprocess.Popen(
            [str(MISSIONDESK), "--db", db_url, "approve", mission],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for mission in (a, b)
    ]
    outcomes = [(p.wait(timeout=120), p.stderr.read() if p.stderr else "") for p in processes]
    codes = sorted(code for code, _ in outcomes)
    assert codes == [0, 2], outcomes
    loser = next(err for code, err in outcomes if code == 2)
    assert "committed" in loser and "Traceback" not in loser
    assert len(_committed(db_url, shared)) == 1


def test_the_write_lock_settles_an_exact_tie(cli: Cli, db_url: str) -> None:
    """Two approvals started at the same instant in one process: the write lock makes one
    wait for the other, and the second sees the first's commitment."""
    a, b, shared = _two_squads_sharing_a_shinobi(cli, db_url)
    db = Database(resolve_url(db_url))
    start = threading.Barrier(2)
    results: dict[str, str] = {}

    def approve(mission: str) -> None:
        start.wait()
        try:
            lifecycle.approve(db, mission, actor=mission)
            results[mission] = "approved"
        except Conflict as refused:
            results[mission] = f"refused: {refused}"

    threads = [threading.Thread(target=approve, args=(m,)) for m in (a, b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    db.dispose()
    assert sorted(v.split(":")[0] for v in results.values()) == ["approved", "refused"], results
    assert len(_committed(db_url, shared)) == 1


def test_the_commitment_key_refuses_a_second_commitment_to_one_mission(db_url: str) -> None:
    """Behind the lock, the key itself decides: two transactions that never took the
    write lock commit one shinobi to one mission twice; the second waits for the first and
    is refused by the database. (A shinobi may be committed to several missions whose
    spans do not overlap, SPEC section 9: approve checks that under the write lock.)"""
    db = Database(resolve_url(db_url))  # the schema, migrated
    db.dispose()
    engine = create_engine(resolve_url(db_url))
    row = text("INSERT INTO commitment (shinobi_id, mission_id) VALUES ('nara-shikamaru', :m)")
    second: list[BaseException | None] = []
    first = engine.connect()
    first.begin()
    first.execute(row, {"m": "first"})

    def commit_elsewhere() -> None:
        try:
            with engine.begin() as connection:
                connection.execute(row, {"m": "first"})
            second.append(None)
        except BaseException as refused:
            second.append(refused)

    racer = threading.Thread(target=commit_elsewhere)
    racer.start()
    racer.join(timeout=1.0)
    assert racer.is_alive(), "the second insert should wait for the first transaction"
    first.commit()
    first.close()
    racer.join(timeout=60)
    assert len(second) == 1 and isinstance(second[0], IntegrityError), second
    with engine.connect() as connection:
        rows = connection.execute(select(t.commitment.c.mission_id)).scalars().all()
    engine.dispose()
    assert rows == ["first"]


def test_an_approval_waits_for_the_write_lock_and_then_sees_what_it_guarded(
    cli: Cli, db_url: str
) -> None:
    """What decides a tie is the write lock, not luck: while another writer holds it
    (advisory lock on PostgreSQL, BEGIN IMMEDIATE on SQLite), an approval waits instead of
    checking; once that writer commits the shared shinobi to an overlapping squad, the
    waiting approval's check reads it and refuses. (Since SPEC section 9 a shinobi may be
    committed to several squads whose spans do not overlap, so no key can decide this.)"""
    a, b, shared = _two_squads_sharing_a_shinobi(cli, db_url)
    db = Database(resolve_url(db_url))
    outcome: list[str] = []

    def approve_b() -> None:
        try:
            lifecycle.approve(db, b, actor="second")
            outcome.append("approved")
        except Conflict as refused:
            outcome.append(f"refused: {refused}")

    racer = threading.Thread(target=approve_b)
    try:
        with db.transaction() as holder:
            racer.start()
            racer.join(timeout=2)
            assert racer.is_alive() and outcome == []  # waiting for the lock
            holder.execute(insert(t.commitment).values(shinobi_id=shared, mission_id=a))
            holder.execute(update(t.mission).where(t.mission.c.id == a).values(status="approved"))
        racer.join(timeout=60)
        with db.reading() as connection:
            status = connection.execute(
                select(t.mission.c.status).where(t.mission.c.id == b)
            ).scalar_one()
    finally:
        db.dispose()
    assert len(outcome) == 1 and outcome[0].startswith("refused"), outcome
    assert f"already committed to mission {a!r}" in outcome[0]
    assert status == "planned"
    assert _committed(db_url, shared) == [a]
