"""Notification delivery and its cost to a lifecycle step, each against a baseline measured
in the same run.

    .venv/bin/python bench/bench_notify.py [--events 10000] [--dispatches 200] [--postgres URL]
        [--parts delivery,dispatch]

1. Delivery: EVENTS notifications are committed to the outbox in one transaction, then one
   `notify deliver` pass sends them to a receiver on 127.0.0.1 (tests/notify_receiver.py, in
   its own process). Baseline: the same number of bodies POSTed to the same receiver by a
   bare httpx loop on one keep-alive connection. Throughput (events per second, first send
   to last receipt) and latency from commit (or, for the loop, from creation) to receipt,
   median and p95, and the outbox's ratio to the loop.
2. Cost to `dispatch`: the median time of the `dispatch` service with the outbox hook
   switched off (the code before notifications), with the hook but no endpoint, and with an
   endpoint subscribed to `mission.dispatched` (one outbox row written); interleaved runs.

Prints markdown tables; docs/performance.md quotes them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text, update
from sqlalchemy.engine import make_url

from missiondesk.notifications import outbox as outbox_module
from missiondesk.notifications.deliver import DeliveryPolicy, deliver_pass
from missiondesk.notifications.formats import render_body
from missiondesk.services import events as events_module
from missiondesk.services import lifecycle, planning
from missiondesk.services import notify as notify_service
from missiondesk.services.missions import squad_on_record
from missiondesk.services.village import import_village
from missiondesk.store import tables as t
from missiondesk.store.database import Database, resolve_url

ROOT = Path(__file__).resolve().parents[1]
RECEIVER = ROOT / "tests" / "notify_receiver.py"
DEMO = ROOT / "src" / "missiondesk" / "data" / "konoha.yaml"
AT = dt.datetime(2026, 11, 24, 6, 0)
MISSION = "tani-scroll"


@contextmanager
def receiver_process():  # type: ignore[no-untyped-def]
    process = subprocess.Popen([sys.executable, str(RECEIVER)], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline())
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait()


def received(base: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = httpx.get(f"{base}/received", timeout=60).json()
    return rows


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def fresh_database(kind: str, folder: Path, name: str, postgres: str | None) -> Database:
    if kind == "SQLite":
        return Database(f"sqlite:///{folder / (name + '.sqlite')}")
    assert postgres is not None
    admin = create_engine(resolve_url(postgres), isolation_level="AUTOCOMMIT")
    database = f"md_bench_{name}_{int(time.time())}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{database}"'))
    admin.dispose()
    url = make_url(resolve_url(postgres)).set(database=database)
    return Database(url.render_as_string(hide_password=False))


def bench_delivery(db: Database, base: str, events: int) -> list[tuple[str, float, float, float]]:
    """(label, events/s, median latency s, p95 latency s) for the loop and the outbox."""
    url = f"{base}/hook"
    # Baseline: the bodies the outbox would send, POSTed straight away by a bare loop.
    payloads = [
        {"event": "mission.dispatched", "subject": f"m-{i % 100}", "data": {"n": i}}
        for i in range(events)
    ]
    created = time.time()
    with httpx.Client(timeout=10) as client:
        first = time.time()
        for i, payload in enumerate(payloads):
            body = render_body("json", payload)
            client.post(
                url,
                content=body,
                headers={
                    "Content-Type": "application/json",
                    "X-MissionDesk-Event": "mission.dispatched",
                    "X-MissionDesk-Delivery": f"loop-{i}",
                },
            )
    loop_rows = [r for r in received(base) if r["delivery"].startswith("loop-")]
    loop = _figures("bare httpx loop", loop_rows, lambda _: created, first)

    notify_service.add_endpoint(db, url, events=["mission.dispatched"], actor="bench")
    began = time.perf_counter()
    with db.transaction() as connection:
        for i in range(events):
            outbox_module.enqueue(connection, "mission.dispatched", f"m-{i % 100}", {"n": i}, AT)
    committed = time.time()
    queue_seconds = time.perf_counter() - began
    first = time.time()
    result = deliver_pass(db, policy=DeliveryPolicy(batch=200))
    assert result.delivered == events, result
    outbox_rows = [r for r in received(base) if not r["delivery"].startswith("loop-")]
    assert len(outbox_rows) == events
    outbox = _figures("outbox, one `notify deliver` pass", outbox_rows, lambda _: committed, first)
    print(f"queueing {events} events in one transaction: {queue_seconds:.2f} s")
    return [loop, outbox]


def _figures(
    label: str,
    rows: list[dict[str, Any]],
    committed: Callable[[dict[str, Any]], float],
    first: float,
) -> tuple[str, float, float, float]:
    latencies = [r["at"] - committed(r) for r in rows]
    span = max(r["at"] for r in rows) - first
    return (label, len(rows) / span, statistics.median(latencies), percentile(latencies, 0.95))


def bench_dispatch(db_plain: Database, db_notified: Database, runs: int) -> list[tuple[str, float]]:
    """Median seconds of one `dispatch`, three ways, interleaved run by run."""
    for db in (db_plain, db_notified):
        import_village(db, DEMO, actor="bench")
        planning.plan(db, actor="bench", time_limit=5.0)
        lifecycle.approve(db, MISSION, actor="bench")
    notify_service.add_endpoint(
        db_notified, "http://127.0.0.1:9/h", events=["mission.dispatched"], actor="bench"
    )
    hook = events_module.notify_from_event
    times: dict[str, list[float]] = {"off": [], "no endpoint": [], "one endpoint": []}

    def no_hook(*args: Any, **kwargs: Any) -> int:
        return 0

    ways = [("off", db_plain), ("no endpoint", db_plain), ("one endpoint", db_notified)]
    for run in range(runs):
        # Each run in a different order, so no way always follows the same one.
        for label, db in ways[run % 3 :] + ways[: run % 3]:
            events_module.notify_from_event = no_hook if label == "off" else hook  # type: ignore[assignment]
            began = time.perf_counter()
            lifecycle.dispatch(db, MISSION, actor="bench", at=AT)
            times[label].append(time.perf_counter() - began)
            _undo_dispatch(db)
    events_module.notify_from_event = hook
    return [(label, statistics.median(values)) for label, values in times.items()]


def _undo_dispatch(db: Database) -> None:
    """Put the mission back to approved, so the next run dispatches the same squad."""
    with db.transaction() as connection:
        squad = squad_on_record(connection, MISSION)
        connection.execute(
            update(t.mission)
            .where(t.mission.c.id == MISSION)
            .values(status="approved", departed_at=None, checkins_due=None)
        )
        connection.execute(
            update(t.shinobi).where(t.shinobi.c.id.in_(squad)).values(status="available")
        )


def delivery_table(kind: str, folder: Path, events: int, postgres: str | None) -> None:
    with receiver_process() as base:
        rows = bench_delivery(fresh_database(kind, folder, "delivery", postgres), base, events)
    print()
    print("| sender | events/s | median latency (s) | p95 latency (s) |")
    print("|---|---:|---:|---:|")
    for label, rate, median, p95 in rows:
        print(f"| {label} | {rate:.0f} | {median:.2f} | {p95:.2f} |")
    (_, loop_rate, _, loop_p95), (_, out_rate, _, out_p95) = rows
    print(
        f"\noutbox vs loop: throughput {loop_rate / out_rate:.2f}x slower, "
        f"p95 latency {out_p95 / loop_p95:.2f}x (goal: within 3x)\n"
    )


def dispatch_table(kind: str, folder: Path, runs: int, postgres: str | None) -> None:
    dispatch = bench_dispatch(
        fresh_database(kind, folder, "plain", postgres),
        fresh_database(kind, folder, "notified", postgres),
        runs,
    )
    base_time = dispatch[0][1]
    print("| `dispatch` | median ms | added to the hook switched off |")
    print("|---|---:|---:|")
    for label, seconds in dispatch:
        print(f"| outbox hook {label} | {seconds * 1000:.2f} | {seconds / base_time - 1:+.1%} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--dispatches", type=int, default=200)
    parser.add_argument("--postgres", help="also measure on this PostgreSQL server (admin URL)")
    parser.add_argument(
        "--parts", default="delivery,dispatch", help="delivery, dispatch, or both (the default)"
    )
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    folder = Path(tempfile.mkdtemp(prefix="md-bench-notify-"))
    kinds = ["SQLite"] + (["PostgreSQL"] if args.postgres else [])
    for kind in kinds:
        print(f"\n### {kind}\n")
        if "delivery" in parts:
            delivery_table(kind, folder, args.events, args.postgres)
        if "dispatch" in parts:
            dispatch_table(kind, folder, args.dispatches, args.postgres)


if __name__ == "__main__":
    main()
