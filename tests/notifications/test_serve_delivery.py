"""`missiondesk serve` delivers in the background; killed with SIGKILL mid-stream, the next
server resumes where it stopped: nothing lost, nothing recorded as delivered sent again,
order per mission kept."""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

from sqlalchemy import select, update

from missiondesk.notifications.deliver import LEASE, DeliveryPolicy
from missiondesk.notifications.outbox import enqueue
from missiondesk.services import notify as notify_service
from missiondesk.store import tables as t
from missiondesk.store.database import Database
from notifications.delivery_support import pending
from notify_receiver import Receiver

MISSIONDESK = Path(sys.executable).parent / "missiondesk"
AT = dt.datetime(2026, 11, 24, 6, 0)
MISSIONS = ("m-alpha", "m-bravo", "m-charlie", "m-delta")
PER_MISSION = 8


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_serve(db_url: str, log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            str(MISSIONDESK), "serve", "--db", db_url, "--port", str(free_port()),
            "--notify-every", "0.1", "--notify-timeout", "0.3", "--notify-retry", "0.1",
        ],
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )  # fmt: skip


def wait_until(condition, seconds: float = 90.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def delivered_ids(db: Database) -> set[str]:
    with db.reading() as connection:
        rows = connection.execute(
            select(t.outbox.c.delivery_id).where(t.outbox.c.status == "delivered")
        )
        return {r[0] for r in rows}


def test_a_killed_serve_resumes_delivery_where_it_stopped(
    db_url: str, receiver: Receiver, tmp_path: Path
) -> None:
    db = Database(db_url)
    notify_service.add_endpoint(db, receiver.url, events=["mission.dispatched"], actor="test")
    for n in range(PER_MISSION):
        for mission in MISSIONS:
            with db.transaction() as connection:
                enqueue(connection, "mission.dispatched", mission, {"n": n}, AT)
    total = PER_MISSION * len(MISSIONS)
    receiver.pause = 0.03  # slow enough to be killed mid-stream
    log = tmp_path / "serve.log"

    first = start_serve(db_url, log)
    try:
        assert wait_until(lambda: len(receiver.acknowledged()) >= 8), log.read_text()
    finally:
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
    recorded = delivered_ids(db)
    assert 0 < len(recorded) < total
    # The dead server's delivery lease would lapse some 30 s on; lapse it now rather than
    # wait (tests/web/test_web_workers.py holds the expiry itself).
    with db.transaction() as connection:
        lapsed = dt.datetime.now() - dt.timedelta(seconds=1)
        connection.execute(update(t.lease).where(t.lease.c.name == LEASE).values(expires_at=lapsed))
    heard_before_kill = len(receiver.received)

    second = start_serve(db_url, log)
    try:
        assert wait_until(lambda: pending(db) == 0), log.read_text()
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=30)

    acknowledged = receiver.acknowledged()
    times = Counter(r.delivery for r in acknowledged)
    assert len(times) == total  # nothing lost
    assert all(times[d] == 1 for d in recorded)  # nothing recorded as delivered sent again
    # Only answers not yet written at the kill are sent again (DeliveryPolicy.record_every),
    # each with its delivery id unchanged, so the receiver can tell.
    assert sum(n - 1 for n in times.values()) <= DeliveryPolicy.record_every
    resent = [r for r in receiver.received[heard_before_kill:] if r.delivery in recorded]
    assert resent == []
    order: dict[str, list[int]] = defaultdict(list)
    seen: set[str] = set()
    for r in acknowledged:
        if r.delivery not in seen:
            seen.add(r.delivery)
            order[r.json()["subject"]].append(r.json()["data"]["n"])
    assert order == {m: list(range(PER_MISSION)) for m in MISSIONS}
    db.dispose()
