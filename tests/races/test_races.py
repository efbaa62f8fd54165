"""Identical lifecycle steps raced from separate processes, through the command line and
through the HTTP API, on a real database: exactly one wins, every other racer is told
"already ..." (exit 2, or HTTP 409), and after every race the office is whole: each squad
in the field has exactly its own people committed, and nobody is on two squads.

PostgreSQL is where this used to fail (8 racing reports all succeeded), so it runs more
rounds there. MISSIONDESK_RACE_ROUNDS raises the count for a longer soak.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, func, select

from md_support import DEMO_VILLAGE, Result
from missiondesk.domain.ranks import IN_THE_FIELD, ShinobiStatus
from missiondesk.services import accounts
from missiondesk.store import tables as t
from missiondesk.store.database import Database, resolve_url

Cli = Callable[..., Result]
MISSIONDESK = str(Path(sys.executable).with_name("missiondesk"))
RACERS = 8


def _rounds(db_url: str) -> int:
    default = 3 if db_url.startswith("postgresql") else 1
    return int(os.environ.get("MISSIONDESK_RACE_ROUNDS", default))


def _race(db_url: str, *commands: list[str]) -> list[tuple[int, str]]:
    """Start every command as its own process at once; their exit codes and stderr."""
    env = {**os.environ, "MISSIONDESK_ACTOR": "racer"}
    processes = [
        subprocess.Popen(
            [MISSIONDESK, "--db", db_url, *command],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for command in commands
    ]
    return [(p.wait(timeout=300), p.stderr.read() if p.stderr else "") for p in processes]


def _one_winner(outcomes: list[tuple[int, str]], already: str) -> None:
    codes = Counter(code for code, _ in outcomes)
    assert codes == {0: 1, 2: len(outcomes) - 1}, outcomes
    for code, err in outcomes:
        if code == 2:
            assert already in err and "Traceback" not in err, err


def assert_office_whole(db_url: str) -> None:
    """Commitments are exactly the squads of approved and in-field missions, nobody is on
    two of them, and everyone on_mission is on exactly one squad in the field."""
    engine = create_engine(resolve_url(db_url))
    with engine.connect() as connection:
        status = dict(connection.execute(select(t.mission.c.id, t.mission.c.status)).all())
        squads: dict[str, set[str]] = {}
        for mission_id, shinobi_id in connection.execute(
            select(t.assignment.c.mission_id, t.assignment.c.shinobi_id)
        ):
            squads.setdefault(mission_id, set()).add(shinobi_id)
        committed: dict[str, set[str]] = {}
        for shinobi_id, mission_id in connection.execute(
            select(t.commitment.c.shinobi_id, t.commitment.c.mission_id)
        ):
            committed.setdefault(mission_id, set()).add(shinobi_id)
        people = dict(connection.execute(select(t.shinobi.c.id, t.shinobi.c.status)).all())
        histories = Counter(r[0] for r in connection.execute(select(t.history.c.mission_id)).all())
    engine.dispose()
    binding = {m for m, s in status.items() if s in {"approved", *IN_THE_FIELD}}
    assert set(committed) <= binding, (committed, status)
    for mission_id in binding:
        assert committed.get(mission_id, set()) == squads.get(mission_id, set()), mission_id
    in_field = [squads.get(m, set()) for m, s in status.items() if s in IN_THE_FIELD]
    seats = Counter(s for squad in in_field for s in squad)
    assert all(n == 1 for n in seats.values()), seats
    on_mission = {s for s, st in people.items() if st == ShinobiStatus.ON_MISSION}
    assert on_mission == set(seats), (on_mission, seats)
    closed = [m for m, s in status.items() if s == "closed"]
    assert all(histories[m] == 1 for m in closed), histories


@pytest.fixture
def office(cli: Cli, db_url: str) -> str:
    assert cli("--db", db_url, "village", "import", DEMO_VILLAGE).code == 0
    assert cli("--db", db_url, "plan", "--time-limit", "5").code == 0
    return db_url


def _planned(cli: Cli, db_url: str) -> list[str]:
    board = json.loads(cli("--db", db_url, "board", "--json").stdout)
    return [m["id"] for m in board if m["status"] == "planned"]


def _report_file(tmp_path: Path, returned: dt.datetime) -> Path:
    path = tmp_path / f"report-{returned:%Y%m%d%H%M}.yaml"
    path.write_text(f"returned: {returned:%Y-%m-%dT%H:%M}\noutcome: success\n")
    return path


def test_racing_cli_steps_succeed_once_each(cli: Cli, office: str, tmp_path: Path) -> None:
    """Approve, dispatch and report, each raced by eight processes: one wins every race."""
    planned = _departures(office, "planned")
    assert planned, "the demo board should plan at least one squad"
    # Each leaves at its planned departure (inside its window: one dispatched after its
    # window closed finds it stale) and is back an hour later, before the next leaves.
    for mission, at in planned[: _rounds(office)]:
        _one_winner(_race(office, *[["approve", mission]] * RACERS), "already approved")
        assert_office_whole(office)
        dispatch = ["dispatch", mission, "--at", f"{at:%Y-%m-%dT%H:%M}"]
        _one_winner(_race(office, *[dispatch] * RACERS), "already dispatched")
        assert_office_whole(office)
        report = _report_file(tmp_path, at + dt.timedelta(hours=1))
        _one_winner(_race(office, *[["report", mission, str(report)]] * RACERS), "already")
        assert_office_whole(office)


def test_racing_recalls_release_a_squad_once(cli: Cli, office: str) -> None:
    """Eight processes recall one approved squad: one releases it, the other seven are
    told the mission is assessed again; the squad is released once and nobody stays
    committed to it. Then it is planned and approved again.

    A recall is a few milliseconds of writing, so the racers' start-up spreads them out:
    with the write lock and the version check both removed, this passed too. What holds
    recall is the writers' lock every step shares (Database.transaction), which the
    approve, dispatch and report races above do show failing without it."""
    mission = _planned(cli, office)[0]
    assert cli("--db", office, "approve", mission).code == 0
    recall = ["recall", mission, "--reason", "raced"]
    _one_winner(_race(office, *[recall] * RACERS), "assessed")
    assert_office_whole(office)
    engine = create_engine(resolve_url(office))
    with engine.connect() as connection:
        recalled = connection.execute(
            select(func.count())
            .select_from(t.event)
            .where(t.event.c.kind == "mission.recalled", t.event.c.subject == mission)
        ).scalar_one()
        held = connection.execute(
            select(func.count())
            .select_from(t.commitment)
            .where(t.commitment.c.mission_id == mission)
        ).scalar_one()
    engine.dispose()
    assert (recalled, held) == (1, 0)
    assert cli("--db", office, "plan", "--time-limit", "5").code == 0
    assert cli("--db", office, "approve", mission).code == 0
    assert_office_whole(office)


def test_a_plan_racing_approvals_keeps_every_squad_whole(
    cli: Cli, office: str, tmp_path: Path
) -> None:
    """A replan started beside approvals of the planned squads never undoes an approval
    nor leaves commitments that are not the squad; whoever loses is told to plan again."""
    for _ in range(_rounds(office)):
        planned = _planned(cli, office)
        commands = [["plan", "--time-limit", "3"], *[["approve", m] for m in planned]]
        outcomes = _race(office, *commands)
        assert all(code in (0, 2) for code, _ in outcomes), outcomes
        assert not any("Traceback" in err for _, err in outcomes), outcomes
        assert_office_whole(office)
        # An approval that answered 0 stayed approved and its squad can leave: each at its
        # planned departure, in order, back before the next (a shinobi may be on several
        # approved squads whose spans do not overlap, SPEC section 9).
        for mission, departs in _departures(office, "approved"):
            at = f"{departs:%Y-%m-%dT%H:%M}"
            sent = cli("--db", office, "dispatch", mission, "--at", at)
            assert sent.code == 0, (mission, at, sent.stderr)
            report = _report_file(tmp_path, departs + dt.timedelta(hours=1))
            assert cli("--db", office, "report", mission, str(report)).code == 0
        assert_office_whole(office)


def _departures(db_url: str, status: str) -> list[tuple[str, dt.datetime]]:
    """The missions of `status` with their planned departures, the first first."""
    engine = create_engine(resolve_url(db_url))
    with engine.connect() as connection:
        rows = connection.execute(
            select(t.mission.c.id, t.mission.c.departed_at)
            .where(t.mission.c.status == status)
            .order_by(t.mission.c.departed_at, t.mission.c.id)
        ).all()
    engine.dispose()
    return [(r.id, r.departed_at) for r in rows]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(office: str) -> Iterator[tuple[str, str]]:
    """`missiondesk serve` in its own process, and a hokage's API token."""
    db = Database(resolve_url(office))
    accounts.add_user(db, "racer", "hokage", "correct horse battery", actor="test")
    token = accounts.issue_token(db, "racer", "api")
    db.dispose()
    port = _free_port()
    process = subprocess.Popen(
        [MISSIONDESK, "--db", office, "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline and process.poll() is None, "serve did not start"
            time.sleep(0.2)
        yield base, token
    finally:
        process.terminate()
        process.wait(timeout=30)


def _post_together(base: str, token: str, path: str, body: dict[str, object]) -> list[int]:
    """Eight clients POST the same request at the same instant; their status codes."""
    barrier = threading.Barrier(RACERS)
    codes: list[int] = []
    lock = threading.Lock()

    def post() -> None:
        with httpx.Client(base_url=base, timeout=120) as client:
            barrier.wait()
            answer = client.post(path, json=body, headers={"Authorization": f"Bearer {token}"})
        with lock:
            codes.append(answer.status_code)

    threads = [threading.Thread(target=post) for _ in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return codes


def test_racing_http_steps_succeed_once_each(
    cli: Cli, office: str, server: tuple[str, str]
) -> None:
    base, token = server
    missions = _departures(office, "planned")[: _rounds(office)]
    for mission, at in missions:  # each at its planned departure, back an hour later
        step = f"/api/missions/{mission}"
        assert Counter(_post_together(base, token, f"{step}/approve", {})) == {200: 1, 409: 7}
        leave = {"at": f"{at:%Y-%m-%dT%H:%M}"}
        assert Counter(_post_together(base, token, f"{step}/dispatch", leave)) == {200: 1, 409: 7}
        back = {"returned": f"{at + dt.timedelta(hours=1):%Y-%m-%dT%H:%M}", "outcome": "success"}
        assert Counter(_post_together(base, token, f"{step}/report", back)) == {200: 1, 409: 7}
        assert_office_whole(office)
    engine = create_engine(resolve_url(office))
    with engine.connect() as connection:
        reported = connection.execute(
            select(func.count()).select_from(t.event).where(t.event.c.kind == "mission.reported")
        ).scalar_one()
    engine.dispose()
    assert reported == len(missions)
