"""Several server workers on one database: planner runs live in the database (any worker
shows them, one runs at a time), leases give scheduled work to exactly one worker, and
`serve --workers N` answers with sessions and tokens whichever worker takes the request."""

from __future__ import annotations

import datetime as dt
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from md_support import DEMO_VILLAGE
from missiondesk.services import accounts, leases
from missiondesk.services.village import import_village
from missiondesk.store import tables as t
from missiondesk.store.database import Database
from missiondesk.web import create_app
from missiondesk.web.jobs import DEAD_AFTER, PlanRuns

MISSIONDESK = str(Path(sys.executable).with_name("missiondesk"))


@pytest.fixture
def shared(db_url: str) -> Iterator[Database]:
    db = Database(db_url)
    yield db
    db.dispose()


def _wait_done(runs: PlanRuns, run_id: str, seconds: float = 60) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        run = runs.get(run_id)
        assert run is not None
        if run.done:
            return run
        assert time.monotonic() < deadline, run
        time.sleep(0.05)


def test_a_run_started_on_one_worker_is_seen_on_another(shared: Database) -> None:
    one, other = PlanRuns(shared, poll_seconds=0.05), PlanRuns(shared, poll_seconds=0.05)
    release = threading.Event()

    def work(progress: Any) -> str:
        progress(_Event(objective=3, bound=5))
        release.wait(30)
        return "planned"

    run = one.start("hokage", 10.0, work)
    seen = other.get(run.id)
    assert seen is not None and seen.owner == "hokage" and not seen.done
    release.set()
    finished = _wait_done(other, run.id)
    assert finished.status == "done" and finished.error is None
    assert finished.progress == {"objective": 3, "bound": 5}


def test_one_run_at_a_time_and_the_rest_wait_in_order(shared: Database) -> None:
    runs = PlanRuns(shared, poll_seconds=0.05)
    order: list[str] = []
    overlap: list[int] = []
    active = [0]
    lock = threading.Lock()

    def work_named(name: str) -> Any:
        def work(progress: Any) -> None:
            with lock:
                active[0] += 1
                overlap.append(active[0])
                order.append(name)
            time.sleep(0.3)
            with lock:
                active[0] -= 1

        return work

    started = [runs.start("hokage", 5.0, work_named(f"run-{n}")) for n in range(3)]
    assert runs.get(started[1].id).queued  # type: ignore[union-attr]
    for run in started:
        assert _wait_done(runs, run.id).status == "done"
    assert max(overlap) == 1, overlap
    assert order == ["run-0", "run-1", "run-2"]


def test_a_run_whose_worker_died_is_shown_failed_not_forever_running(
    shared: Database,
) -> None:
    runs = PlanRuns(shared)
    release = threading.Event()
    run = runs.start("hokage", 5.0, lambda progress: release.wait(30))
    with shared.transaction() as connection:  # as if its worker stopped beating long ago
        connection.execute(
            update(t.plan_run)
            .where(t.plan_run.c.id == run.id)
            .values(heartbeat_at=dt.datetime.now() - 3 * DEAD_AFTER)
        )
    seen = PlanRuns(shared).get(run.id)
    release.set()
    assert seen is not None and seen.status == "failed" and "stopped" in (seen.error or "")
    _wait_done(runs, run.id)  # its thread, still alive here, finishes before the test ends


def test_a_failed_plan_says_why(shared: Database) -> None:
    runs = PlanRuns(shared, poll_seconds=0.05)

    def work(progress: Any) -> None:
        raise ValueError("pin 'nobody': no such shinobi")

    finished = _wait_done(runs, runs.start("hokage", 5.0, work).id)
    assert finished.status == "failed" and finished.error == "pin 'nobody': no such shinobi"


class _Event:
    def __init__(self, **fields: Any) -> None:
        self.__dict__.update(fields)


def test_a_lease_goes_to_one_holder_until_it_expires(shared: Database) -> None:
    now = dt.datetime(2026, 11, 29, 12, 0)
    assert leases.hold(shared, "clock", "a", seconds=30, now=now)
    assert not leases.hold(shared, "clock", "b", seconds=30, now=now + dt.timedelta(seconds=10))
    assert leases.hold(shared, "clock", "a", seconds=30, now=now + dt.timedelta(seconds=20))
    assert not leases.hold(shared, "clock", "b", seconds=30, now=now + dt.timedelta(seconds=45))
    assert leases.hold(shared, "clock", "b", seconds=30, now=now + dt.timedelta(seconds=51))
    assert leases.hold(shared, "deliver", "a", seconds=30, now=now)  # leases are by name
    leases.release(shared, "clock", "b")
    assert leases.hold(shared, "clock", "a", seconds=30, now=now + dt.timedelta(seconds=52))


def test_racing_workers_take_a_lease_once(shared: Database) -> None:
    barrier = threading.Barrier(6)
    winners: list[str] = []

    def contend(name: str) -> None:
        barrier.wait()
        if leases.hold(shared, "scheduler", name, seconds=60):
            winners.append(name)

    threads = [threading.Thread(target=contend, args=(f"w{n}",)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(winners) == 1, winners


def test_the_plan_page_polls_a_run_on_a_different_worker(shared: Database) -> None:
    """Two apps on one database stand for two workers: the run started through one is
    followed to its end through the other, with the same session cookie."""
    import_village(shared, DEMO_VILLAGE, actor="test")
    accounts.add_user(shared, "kakashi", "hokage", "correct horse battery", actor="test")
    with (
        TestClient(create_app(shared, max_plan_seconds=2)) as first,
        TestClient(create_app(shared, max_plan_seconds=2)) as second,
    ):
        login = first.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', login.text)
        assert token is not None
        first.post(
            "/login",
            data={"name": "kakashi", "password": "correct horse battery"}
            | {"csrf_token": token.group(1), "next": "/"},
            follow_redirects=False,
        )
        second.cookies.update(first.cookies)
        csrf = re.search(r'"X-CSRF-Token": "([0-9a-f]+)"', first.get("/").text)
        assert csrf is not None
        started = first.post("/plan/run", data={"time_limit": "1", "csrf_token": csrf.group(1)})
        run_id = re.search(r'data-run="([0-9a-f]+)"', started.text)
        assert started.status_code == 200 and run_id is not None
        deadline = time.monotonic() + 60
        while True:
            page = second.get(f"/plan/runs/{run_id.group(1)}", follow_redirects=False)
            if page.status_code == 303:
                break
            assert page.status_code == 200 and time.monotonic() < deadline
            time.sleep(0.2)
        assert page.headers["location"] == f"/plan?run={run_id.group(1)}"
        assert "could not plan" not in second.get(page.headers["location"]).text


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.postgres
def test_serve_with_several_workers_answers_from_any_of_them(postgres_url: str) -> None:
    db = Database(postgres_url)
    import_village(db, DEMO_VILLAGE, actor="test")
    accounts.add_user(db, "kakashi", "hokage", "correct horse battery", actor="test")
    token = accounts.issue_token(db, "kakashi", "api")
    db.dispose()
    port = _free_port()
    server = subprocess.Popen(
        [MISSIONDESK, "--db", postgres_url, "serve", "--port", str(port), "--workers", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None, server.stderr.read() if server.stderr else ""
            assert time.monotonic() < deadline, "serve --workers 2 did not start"
            time.sleep(0.3)
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
            answers = [client.get("/api/me").status_code for _ in range(20)]
            board = client.get("/api/board")
        assert answers == [200] * 20
        assert board.status_code == 200 and board.json()
    finally:
        server.terminate()
        _, err = server.communicate(timeout=60)
    assert err.count("Started server process") == 2, err
