"""Load test of the web API on 127.0.0.1: the board of a generated village (2,000 shinobi,
200 missions) against trivial endpoints of the same server, in the same run.

    .venv/bin/python bench/bench_web.py [--requests 600] [--concurrency 4]

The server runs in its own process (uvicorn, one worker) so the load generator does not
share its interpreter. Requests are interleaved across endpoints, so a slow moment of the
machine hits all of them alike. Prints a markdown table; exits 1 on any error or when the
board's p95 is more than 3x the trivial endpoint's.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from missiondesk.services import accounts
from missiondesk.services.village import import_village_value
from missiondesk.store.database import Database
from missiondesk.villagefile.generate import generate_village

GOAL = 3.0
SERVER = """
import sys, uvicorn
from missiondesk.store.database import Database
from missiondesk.web import create_app
uvicorn.run(create_app(Database(sys.argv[1])), host="127.0.0.1", port=int(sys.argv[2]),
            log_level="warning", access_log=False)
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def prepare(folder: Path, shinobi: int, missions: int, seed: int) -> tuple[str, str]:
    url = f"sqlite:///{folder / 'bench.sqlite'}"
    db = Database(url)
    village = generate_village(shinobi=shinobi, missions=missions, seed=seed)
    import_village_value(db, village, replace=False, actor="bench", source="generated")
    accounts.add_user(db, "bench", "viewer", "bench password")
    token = accounts.issue_token(db, "bench", "api")
    db.dispose()
    return url, token


def wait_until_up(base: str, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit("the server did not start")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
    return ordered[index]


def run(base: str, token: str, endpoints: list[str], requests: int, concurrency: int) -> dict:
    headers = {"Authorization": f"Bearer {token}"}
    timings: dict[str, list[float]] = {e: [] for e in endpoints}
    errors: dict[str, int] = {e: 0 for e in endpoints}
    sizes: dict[str, int] = {}
    plan = [endpoints[n % len(endpoints)] for n in range(requests * len(endpoints))]

    with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
        for endpoint in endpoints:  # warm up: connections, caches, first-call imports
            for _ in range(20):
                client.get(endpoint)

        def one(endpoint: str) -> None:
            began = time.perf_counter()
            answer = client.get(endpoint)
            elapsed = time.perf_counter() - began
            timings[endpoint].append(elapsed * 1000)
            sizes[endpoint] = len(answer.content)
            if answer.status_code != 200:
                errors[endpoint] += 1

        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            list(pool.map(one, plan))
    return {"timings": timings, "errors": errors, "sizes": sizes}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shinobi", type=int, default=2000)
    parser.add_argument("--missions", type=int, default=200)
    parser.add_argument("--requests", type=int, default=600, help="per endpoint")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        began = time.monotonic()
        url, token = prepare(Path(tmp), args.shinobi, args.missions, args.seed)
        print(
            f"village: {args.shinobi} shinobi, {args.missions} missions "
            f"(generated and imported in {time.monotonic() - began:.1f} s)"
        )
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-c", SERVER, url, str(port)],
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(base, time.monotonic() + 60)
            endpoints = ["/health", "/api/me", "/api/board"]
            began = time.monotonic()
            result = run(base, token, endpoints, args.requests, args.concurrency)
            wall = time.monotonic() - began
        finally:
            server.terminate()
            server.wait(timeout=10)

    timings, errors, sizes = result["timings"], result["errors"], result["sizes"]
    total = sum(len(v) for v in timings.values())
    print(
        f"{total} requests in {wall:.1f} s, {args.concurrency} concurrent, {os.cpu_count()} CPUs\n"
    )
    print("| endpoint | requests | errors | bytes | median ms | p95 ms | p99 ms |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for endpoint in timings:
        values = timings[endpoint]
        print(
            f"| `GET {endpoint}` | {len(values)} | {errors[endpoint]} | {sizes.get(endpoint, 0)} "
            f"| {statistics.median(values):.2f} | {percentile(values, 95):.2f} "
            f"| {percentile(values, 99):.2f} |"
        )
    board = percentile(timings["/api/board"], 95)
    trivial = percentile(timings["/health"], 95)
    authed = percentile(timings["/api/me"], 95)
    print(
        f"\nboard p95 / health p95 = {board / trivial:.2f}x; "
        f"board p95 / me p95 = {board / authed:.2f}x (goal: within {GOAL:.0f}x)"
    )
    failed = sum(errors.values()) > 0 or board > GOAL * trivial
    print("result: " + ("FAIL" if failed else "ok"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
