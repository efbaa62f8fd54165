"""In real mode the server records what falls due as the machine's clock passes it: a
running `missiondesk serve` marks a squad past its check-in overdue with nobody running
`tick`; a story clock is left alone; and of several workers only the lease holder ticks."""

from __future__ import annotations

import datetime as dt
import json
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, select

from md_support import Result
from missiondesk.store import tables as t
from missiondesk.store.database import Database, resolve_url
from missiondesk.web.scheduled import ClockTicker

Cli = Callable[..., Result]
MISSIONDESK = str(Path(sys.executable).with_name("missiondesk"))

SQUAD_OUT = """\
format: missiondesk/village/v2
village: {{id: outpost, name: Outpost, now: {now}, clock: {clock}}}
places:
  - {{id: outpost, name: Outpost}}
  - {{id: pass, name: The Pass}}
roads:
  - {{from: outpost, to: pass, hours: 4}}
shinobi:
  - {{id: aya, name: Aya, rank: jonin, status: on_mission}}
  - {{id: bo, name: Bo, rank: chunin, status: on_mission}}
missions:
  - id: watch-the-pass
    title: Watch the pass
    rank: C
    route: [outpost, pass, outpost]
    status: dispatched
    squad: {{leader: aya, members: [bo]}}
    departs: {departs}
"""


def _village(tmp_path: Path, cli: Cli, db_url: str, clock: str) -> str:
    """A squad that left two days ago (machine time) and never checked in."""
    departs = dt.datetime.now().replace(second=0, microsecond=0) - dt.timedelta(days=2)
    path = tmp_path / "outpost.yaml"
    when = f"{departs:%Y-%m-%dT%H:%M}"
    path.write_text(SQUAD_OUT.format(now=when, clock=clock, departs=when))
    result = cli("--db", db_url, "village", "import", path)
    assert result.code == 0, result.stderr
    return db_url


def _status(db_url: str) -> str:
    engine = create_engine(resolve_url(db_url))
    with engine.connect() as connection:
        status = connection.execute(
            select(t.mission.c.status).where(t.mission.c.id == "watch-the-pass")
        ).scalar_one()
    engine.dispose()
    return str(status)


def test_a_real_clock_ticks_and_a_story_clock_does_not(
    cli: Cli, db_url: str, tmp_path: Path
) -> None:
    story = _village(tmp_path, cli, db_url, "story")
    db = Database(story)
    assert ClockTicker(db).tick_once() is False
    assert _status(story) == "dispatched"
    db.dispose()


def test_of_two_workers_only_the_lease_holder_ticks(cli: Cli, db_url: str, tmp_path: Path) -> None:
    real = _village(tmp_path, cli, db_url, "real")
    db = Database(real)
    first, second = ClockTicker(db), ClockTicker(db)
    assert first.tick_once() is True
    assert second.tick_once() is False  # the first holds the lease
    assert _status(real) == "overdue"
    clock = json.loads(cli("--db", real, "clock", "--json").stdout)
    assert clock["mode"] == "real"
    db.dispose()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_running_server_records_a_missed_checkin_in_real_mode(
    cli: Cli, sqlite_url: str, tmp_path: Path
) -> None:
    real = _village(tmp_path, cli, sqlite_url, "real")
    server = subprocess.Popen(
        [MISSIONDESK, "--db", real, "serve", "--port", str(_free_port()), "--tick-every", "1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 90
        while _status(real) != "overdue":
            assert server.poll() is None, "serve stopped"
            assert time.monotonic() < deadline, "the server never recorded the missed check-in"
            time.sleep(0.5)
    finally:
        server.terminate()
        server.wait(timeout=30)
    engine = create_engine(resolve_url(real))
    with engine.connect() as connection:
        actors = connection.execute(
            select(t.event.c.actor).where(t.event.c.kind == "checkin.missed")
        ).all()
    engine.dispose()
    assert [a[0] for a in actors] == ["clock"]
