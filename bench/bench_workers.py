"""Several server workers on PostgreSQL against one, under the same mixed load, same run.

    .venv/bin/python bench/bench_workers.py --db postgresql://postgres@127.0.0.1:5432/postgres

`--db` is an administrator's URL: the benchmark creates its own database there and drops
it at the end. A generated village is planned, approved and dispatched; then
`missiondesk serve --workers 1` and `--workers 4` in turn take 8 concurrent clients
reading the board, the roster, one mission and /api/me, and posting check-ins (one
request in ten writes). Prints throughput for each, their ratio (goal: 4 workers >= 1.6x
one), the board's p95 against /api/me's with 4 workers (goal: within 3x), and errors
(goal: none). Exits 1 when a goal is missed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench_web import free_port, percentile, wait_until_up
from missiondesk.services import accounts, lifecycle
from missiondesk.services import planning as planning_service
from missiondesk.services.village import import_village_value
from missiondesk.store.database import Database, resolve_url
from missiondesk.villagefile.generate import generate_village

MISSIONDESK = str(Path(sys.executable).with_name("missiondesk"))
THROUGHPUT_GOAL = 1.6
P95_GOAL = 3.0


def prepare(url: str, shinobi: int, missions: int) -> tuple[str, list[tuple[str, str]]]:
    """The village, its squads in the field (with a time to check in at), and a hokage's
    token."""
    db = Database(url)
    village = generate_village(shinobi=shinobi, missions=missions, seed=0)
    import_village_value(db, village, replace=False, actor="bench", source="generated")
    plan = planning_service.plan(db, actor="bench", time_limit=10)
    out = []
    for squad in plan.squads:
        lifecycle.approve(db, squad.mission, actor="bench")
        mission = next(m for m in village.missions if m.id == squad.mission)
        earliest = mission.window.earliest if mission.window else village.village.today
        at = dt.datetime.combine(earliest, dt.time(6, 0))
        lifecycle.dispatch(db, squad.mission, actor="bench", at=at)
        out.append((squad.mission, f"{at + dt.timedelta(hours=1):%Y-%m-%dT%H:%M}"))
    accounts.add_user(db, "bench", "hokage", "bench password")
    token = accounts.issue_token(db, "bench", "api")
    db.dispose()
    return token, out


def load(base: str, token: str, field: list[tuple[str, str]], requests: int, clients: int) -> dict:
    headers = {"Authorization": f"Bearer {token}"}
    mission = field[0][0]
    mix = ["/api/board", "/api/me", "/api/roster", f"/api/missions/{mission}"] * 2 + [
        "/api/me",
        "POST checkin",
    ]
    timings: dict[str, list[float]] = {name: [] for name in mix}
    errors = 0
    with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
        for name in mix[:4]:
            client.get(name)

        def one(n: int) -> None:
            nonlocal errors
            name = mix[n % len(mix)]
            began = time.perf_counter()
            if name == "POST checkin":
                target, at = field[n % len(field)]
                answer = client.post(f"/api/missions/{target}/checkin", json={"at": at})
            else:
                answer = client.get(name)
            timings[name].append((time.perf_counter() - began) * 1000)
            if answer.status_code != 200:
                errors += 1

        began = time.monotonic()
        with ThreadPoolExecutor(max_workers=clients) as pool:
            list(pool.map(one, range(requests)))
        wall = time.monotonic() - began
    return {"timings": timings, "errors": errors, "wall": wall, "requests": requests}


def serve_and_load(
    url: str, token: str, field: list[tuple[str, str]], workers: int, args: Any
) -> dict:
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    server = subprocess.Popen(
        [MISSIONDESK, "--db", url, "serve", "--port", str(port), "--workers", str(workers)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, time.monotonic() + 120)
        time.sleep(2 * workers)  # every worker up, not only the first
        return load(base, token, field, args.requests, args.clients)
    finally:
        server.terminate()
        server.wait(timeout=60)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="PostgreSQL administrator URL")
    parser.add_argument("--shinobi", type=int, default=500)
    parser.add_argument("--missions", type=int, default=60)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()

    admin_url = make_url(resolve_url(args.db))
    name = f"md_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin_url.set(database=name).render_as_string(hide_password=False)
    try:
        token, field = prepare(url, args.shinobi, args.missions)
        print(f"village: {args.shinobi} shinobi, {len(field)} squads in the field, PostgreSQL")
        results = {n: serve_and_load(url, token, field, n, args) for n in (1, args.workers)}
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    print(f"\n{args.requests} requests per run, {args.clients} clients, {os.cpu_count()} CPUs\n")
    print("| workers | requests/s | errors | board p95 ms | /api/me p95 ms | checkin p95 ms |")
    print("|---:|---:|---:|---:|---:|---:|")
    for workers, r in results.items():
        t = r["timings"]
        print(
            f"| {workers} | {r['requests'] / r['wall']:.1f} | {r['errors']} "
            f"| {percentile(t['/api/board'], 95):.1f} | {percentile(t['/api/me'], 95):.1f} "
            f"| {percentile(t['POST checkin'], 95):.1f} |"
        )
    one, many = results[1], results[args.workers]
    ratio = (many["requests"] / many["wall"]) / (one["requests"] / one["wall"])
    board = percentile(many["timings"]["/api/board"], 95)
    me = percentile(many["timings"]["/api/me"], 95)
    print(
        f"\nthroughput {args.workers} workers / 1 worker = {ratio:.2f}x "
        f"(goal >= {THROUGHPUT_GOAL}x); board p95 / me p95 with {args.workers} workers = "
        f"{board / me:.2f}x (goal <= {P95_GOAL:.0f}x); median board "
        f"{statistics.median(many['timings']['/api/board']):.1f} ms"
    )
    errors = one["errors"] + many["errors"]
    failed = errors > 0 or ratio < THROUGHPUT_GOAL or board > P95_GOAL * me
    print("result: " + ("FAIL" if failed else "ok"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
