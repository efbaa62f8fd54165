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
import http.client
import json
import multiprocessing
import multiprocessing.pool
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
    away: set[str] = set()
    # In the field at once: the plan's squads in departure order, but none that shares a
    # shinobi with one already out (a week's plan may send one person twice, apart).
    for squad in sorted(plan.squads, key=lambda s: (s.departs or dt.datetime.min, s.mission)):
        people = {squad.leader, *(m.shinobi for m in squad.members)}
        if people & away:
            continue
        away |= people
        lifecycle.approve(db, squad.mission, actor="bench")
        at = squad.departs or dt.datetime.combine(village.village.today, dt.time(6, 0))
        lifecycle.dispatch(db, squad.mission, actor="bench", at=at)
        out.append((squad.mission, f"{at + dt.timedelta(hours=1):%Y-%m-%dT%H:%M}"))
    accounts.add_user(db, "bench", "hokage", "bench password")
    token = accounts.issue_token(db, "bench", "api")
    db.dispose()
    return token, out


MIX = ["/api/board", "/api/me", "/api/roster", "MISSION"] * 2 + ["/api/me", "POST checkin"]
"""The requests, in turn: one in ten a check-in, the rest reads."""


def _client(job: tuple[str, str, list[tuple[str, str]], range]) -> dict:
    """One client: its own process and keep-alive connection, sending requests `numbers`
    one after another (stdlib http.client: a light client leaves the cores to the server)."""
    base, token, field, numbers = job
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=60)
    headers = {"Authorization": f"Bearer {token}"}
    timings: dict[str, list[float]] = {name: [] for name in MIX}
    errors = 0
    for n in numbers:
        name = MIX[n % len(MIX)]
        began = time.perf_counter()
        if name == "POST checkin":
            target, at = field[n % len(field)]
            body = json.dumps({"at": at})
            connection.request(
                "POST",
                f"/api/missions/{target}/checkin",
                body=body,
                headers={**headers, "Content-Type": "application/json"},
            )
        else:
            path = f"/api/missions/{field[0][0]}" if name == "MISSION" else name
            connection.request("GET", path, headers=headers)
        answer = connection.getresponse()
        answer.read()
        timings[name].append((time.perf_counter() - began) * 1000)
        if answer.status != 200:
            errors += 1
        if answer.getheader("connection", "").lower() == "close":
            connection.close()
    connection.close()
    return {"timings": timings, "errors": errors}


def load(
    base: str,
    token: str,
    field: list[tuple[str, str]],
    requests: int,
    clients: int,
    pool: multiprocessing.pool.Pool | None,
    meter: CpuMeter,
) -> dict:
    """`requests` requests from `clients` concurrent clients: processes from `pool` (one
    keep-alive connection each), or threads of this process sharing one httpx client
    (`--client threads`, the benchmark as first written)."""
    if pool is not None:
        # Warm up every client's connection, every worker and its pool of database
        # connections: the figures are the steady state of a running server.
        warm = [(base, token, field, range(c, 20 * clients, clients)) for c in range(clients)]
        pool.map(_client, warm)
        jobs = [(base, token, field, range(c, requests, clients)) for c in range(clients)]
        before = meter.reading()
        began = time.monotonic()
        parts = pool.map(_client, jobs, chunksize=1)
        wall = time.monotonic() - began
        cpu = meter.since(before)
        timings: dict[str, list[float]] = {name: [] for name in MIX}
        for part in parts:
            for name, values in part["timings"].items():
                timings[name] += values
        errors = sum(part["errors"] for part in parts)
        return {
            "timings": timings,
            "errors": errors,
            "wall": wall,
            "requests": requests,
            "cpu": cpu,
        }
    headers = {"Authorization": f"Bearer {token}"}
    timings = {name: [] for name in MIX}
    errors = 0
    with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
        for name in ("/api/board", "/api/me", "/api/roster"):
            client.get(name)

        def one(n: int) -> None:
            nonlocal errors
            name = MIX[n % len(MIX)]
            began = time.perf_counter()
            if name == "POST checkin":
                target, at = field[n % len(field)]
                answer = client.post(f"/api/missions/{target}/checkin", json={"at": at})
            else:
                answer = client.get(f"/api/missions/{field[0][0]}" if name == "MISSION" else name)
            timings[name].append((time.perf_counter() - began) * 1000)
            if answer.status_code != 200:
                errors += 1

        before = meter.reading()
        began = time.monotonic()
        with ThreadPoolExecutor(max_workers=clients) as threads:
            list(threads.map(one, range(requests)))
        wall = time.monotonic() - began
        cpu = meter.since(before)
    return {"timings": timings, "errors": errors, "wall": wall, "requests": requests, "cpu": cpu}


_TICK = os.sysconf("SC_CLK_TCK")


def _cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used; 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK


def _tree(root: int) -> list[int]:
    """`root` and every process below it (the server's supervisor and its workers)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    ppid = int(stat.read().rpartition(")")[2].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            parents.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += parents.get(pid, [])
    return found


class CpuMeter:
    """CPU seconds used by the server (every process of it), the load's clients and the
    database's backends for this database, between two readings: a figure that does not
    depend on how busy the rest of the machine is."""

    def __init__(self, server: int, clients: list[int], url: str) -> None:
        self.server, self.clients, self.url = server, clients, url
        self.engine = create_engine(url, isolation_level="AUTOCOMMIT")

    def _backends(self) -> list[int]:
        with self.engine.connect() as connection:
            return list(
                connection.execute(
                    text(
                        "SELECT pid FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                ).scalars()
            )

    def _sessions(self) -> int:
        """Connections ever opened to this database (PostgreSQL 14+ counts them)."""
        with self.engine.connect() as connection:
            return int(
                connection.execute(
                    text("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
                ).scalar_one()
            )

    def reading(self) -> dict[str, dict[int, float]]:
        clients = self.clients or [os.getpid()]  # threads: the clients are this process
        return {
            "server": {pid: _cpu(pid) for pid in _tree(self.server)},
            "clients": {pid: _cpu(pid) for pid in clients},
            "database": {pid: _cpu(pid) for pid in self._backends()},
            "sessions": {0: float(self._sessions())},
        }

    def since(self, before: dict[str, dict[int, float]]) -> dict[str, float]:
        after = self.reading()
        self.engine.dispose()
        return {
            part: sum(cpu - before[part].get(pid, 0.0) for pid, cpu in after[part].items())
            for part in after
        }


def serve_and_load(
    url: str,
    token: str,
    field: list[tuple[str, str]],
    workers: int,
    args: Any,
    pool: multiprocessing.pool.Pool | None,
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
        clients = [p.pid for p in pool._pool] if pool is not None else []  # type: ignore[attr-defined]
        meter = CpuMeter(server.pid, clients, url)
        return load(base, token, field, args.requests, args.clients, pool, meter)
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
    parser.add_argument(
        "--rounds", type=int, default=3, help="pairs of runs (1 worker, then N); medians shown"
    )
    parser.add_argument(
        "--client",
        choices=["processes", "threads"],
        default="processes",
        help="clients as processes with http.client (default), or as threads of this process "
        "sharing one httpx client (the benchmark as first written)",
    )
    args = parser.parse_args()

    admin_url = make_url(resolve_url(args.db))
    name = f"md_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin_url.set(database=name).render_as_string(hide_password=False)
    runs: list[tuple[int, dict]] = []
    pool = (
        multiprocessing.get_context("fork").Pool(args.clients)
        if args.client == "processes"
        else None
    )
    try:
        token, field = prepare(url, args.shinobi, args.missions)
        print(f"village: {args.shinobi} shinobi, {len(field)} squads in the field, PostgreSQL")
        for _ in range(args.rounds):
            for workers in (1, args.workers):
                runs.append((workers, serve_and_load(url, token, field, workers, args, pool)))
    finally:
        if pool is not None:
            pool.terminate()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    print(
        f"\n{args.requests} requests per run, {args.clients} clients ({args.client}), "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end\n"
    )
    print(
        "| round | workers | requests/s | errors | board p95 ms | /api/me p95 ms "
        "| checkin p95 ms | throughput ratio | board p95 / me p95 "
        "| CPU ms per request: server / clients / database | connections opened |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|")
    ratios, p95s, errors = [], [], 0
    per_request: dict[int, list[dict[str, float]]] = {1: [], args.workers: []}
    for k in range(0, len(runs), 2):
        one, many = runs[k][1], runs[k + 1][1]
        ratio = (many["requests"] / many["wall"]) / (one["requests"] / one["wall"])
        t = many["timings"]
        p95 = percentile(t["/api/board"], 95) / percentile(t["/api/me"], 95)
        ratios.append(ratio)
        p95s.append(p95)
        for workers, r in runs[k : k + 2]:
            t = r["timings"]
            errors += r["errors"]
            opened = int(r["cpu"].pop("sessions"))
            cost = {part: 1000 * cpu / r["requests"] for part, cpu in r["cpu"].items()}
            per_request[workers].append(cost)
            tail = f"{ratio:.2f}x | {p95:.2f}x" if workers != 1 else " | "
            print(
                f"| {k // 2 + 1} | {workers} | {r['requests'] / r['wall']:.1f} | {r['errors']} "
                f"| {percentile(t['/api/board'], 95):.1f} | {percentile(t['/api/me'], 95):.1f} "
                f"| {percentile(t['POST checkin'], 95):.1f} | {tail} "
                f"| {cost['server']:.2f} / {cost['clients']:.2f} / {cost['database']:.2f} "
                f"| {opened} |"
            )
    ratio, p95 = statistics.median(ratios), statistics.median(p95s)
    print(
        f"\nmedian of {len(ratios)} rounds: throughput {args.workers} workers / 1 worker = "
        f"{ratio:.2f}x (goal >= {THROUGHPUT_GOAL}x); board p95 / me p95 with {args.workers} "
        f"workers = {p95:.2f}x (goal <= {P95_GOAL:.0f}x); errors {errors} (goal 0)"
    )
    # What the CPU each request costs allows on otherwise idle cores: one worker is one
    # interpreter (at most one core of server time), N workers share every core with the
    # clients and the database.
    cores = os.cpu_count() or 1
    cost1, costn = (
        {part: statistics.median(c[part] for c in per_request[w]) for part in per_request[w][0]}
        for w in (1, args.workers)
    )
    one_rate = min(1000 / cost1["server"], cores * 1000 / sum(cost1.values()))
    many_rate = cores * 1000 / sum(costn.values())
    print(
        f"CPU budget on {cores} idle cores (medians per request: 1 worker "
        f"{cost1['server']:.2f} / {cost1['clients']:.2f} / {cost1['database']:.2f} ms, "
        f"{args.workers} workers {costn['server']:.2f} / {costn['clients']:.2f} / "
        f"{costn['database']:.2f} ms server / clients / database): at most "
        f"{one_rate:.0f} and {many_rate:.0f} requests/s, {many_rate / one_rate:.2f}x"
    )
    failed = errors > 0 or ratio < THROUGHPUT_GOAL or p95 > P95_GOAL
    print("result: " + ("FAIL" if failed else "ok"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
