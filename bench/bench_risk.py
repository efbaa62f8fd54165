"""Benchmark of the risk core: simulation trials per second (vectorised engine against the
pure-Python loop of the same model, in the same run) and the assessment of a large board.

Run alone: `.venv/bin/python bench/bench_risk.py [--quick]`; prints a markdown table.
Goals (issue 3): >= 100x the loop and >= 2 million squad-vs-threat trials/s on one core;
a board of 1,000 missions against 500 threats and 10,000 sightings in under 2 s (issue 13:
reported beside today's one-by-one assessment, measured in the same run).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from legacy_assessment import assess_board as legacy_assess_board
from missiondesk.domain.village import Village
from missiondesk.risk.assessment import assess_board, assess_mission, evidence
from missiondesk.risk.roads import RoadNetwork
from missiondesk.risk.simulation import simulate_reference_loop, simulate_squad
from missiondesk.villagefile.bulk import collector_paused

TAGS = [f"tag-{i}" for i in range(24)] + ["sacred", "scroll", "forbidden-scroll"]
RANKS = ["D", "C", "B", "A", "S"]


def _best(run: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
    return best, result


def synthetic_board(
    missions: int = 1000,
    threats: int = 500,
    sightings: int = 10_000,
    places: int = 300,
    seed: int = 0,
) -> Village:
    """A village with a large board: a connected road map, organisations with interests,
    threats, sightings over the last 60 days, missions with 1-3 tags and 2-4 stops."""
    rng = random.Random(seed)
    place_ids = ["konoha"] + [f"place-{i}" for i in range(1, places)]
    roads = [  # a random spanning tree, then extra roads
        {"from": place_ids[i], "to": place_ids[rng.randrange(i)], "hours": rng.randint(2, 30)}
        for i in range(1, places)
    ] + [
        {"from": a, "to": b, "hours": rng.randint(2, 40)}
        for a, b in (rng.sample(place_ids, 2) for _ in range(2 * places))
    ]
    organizations = [
        {"id": f"org-{i}", "name": f"Organisation {i}", "interests": rng.sample(TAGS, 3)}
        for i in range(12)
    ]
    today = dt.date(2026, 11, 23)
    return Village.model_validate(
        {
            "format": "missiondesk/village/v1",
            "village": {"id": "konoha", "name": "Konohagakure", "today": today},
            "places": [{"id": p, "name": p.title()} for p in place_ids],
            "roads": roads,
            "organizations": organizations,
            "threats": [
                {
                    "id": f"threat-{i}",
                    "name": f"Threat {i}",
                    "rank": rng.choice(RANKS),
                    "organization": f"org-{rng.randrange(12)}",
                    "abilities": ["sharingan"],
                }
                for i in range(threats)
            ],
            "sightings": [
                {
                    "threat": f"threat-{rng.randrange(threats)}",
                    "place": rng.choice(place_ids),
                    "at": dt.datetime(2026, 11, 23, 12)
                    - dt.timedelta(hours=rng.randint(0, 60 * 24)),
                    "confidence": round(rng.random(), 2),
                }
                for _ in range(sightings)
            ],
            "countermeasures": [{"ability": "sharingan", "advice": "Never meet the eyes."}],
            "missions": [
                {
                    "id": f"mission-{i}",
                    "title": f"Mission {i}",
                    "rank": rng.choice(RANKS[:4]),
                    "objective": {"tags": rng.sample(TAGS, rng.randint(1, 3))},
                    "route": ["konoha", *rng.sample(place_ids[1:], rng.randint(1, 3)), "konoha"],
                    "window": {"earliest": today + dt.timedelta(days=rng.randint(1, 10))},
                }
                for i in range(missions)
            ],
        }
    )


def story_village(threats: int) -> Village:
    """The scroll mission with `threats` Akatsuki members sighted near the road."""
    members = [
        {
            "id": f"m{i}",
            "name": f"M{i}",
            "rank": r,
            "status": "available",
            "skills": {"taijutsu": 2 + i % 3, "medical": 2 if i == 0 else 0},
        }
        for i, r in enumerate(["chunin", "genin", "genin", "jonin", "special_jonin"])
    ]
    return Village.model_validate(
        {
            "format": "missiondesk/village/v1",
            "village": {"id": "konoha", "name": "Konohagakure", "today": "2026-11-23"},
            "places": [{"id": "konoha", "name": "K"}, {"id": "tanigakure", "name": "T"}],
            "roads": [{"from": "konoha", "to": "tanigakure", "hours": 14}],
            "roles": {"medic": {"medical": 2}},
            "shinobi": members,
            "organizations": [{"id": "akatsuki", "name": "Akatsuki", "interests": ["sacred"]}],
            "threats": [
                {"id": f"t{i}", "name": f"T{i}", "rank": RANKS[i % 5], "organization": "akatsuki"}
                for i in range(threats)
            ],
            "sightings": [
                {
                    "threat": f"t{i}",
                    "place": "tanigakure",
                    "at": "2026-11-20T12:00",
                    "confidence": round(0.2 + 0.6 * i / max(1, threats), 2),
                }
                for i in range(threats)
            ],
            "missions": [
                {
                    "id": "tani-scroll",
                    "title": "Scroll",
                    "rank": "C",
                    "objective": {"tags": ["scroll", "sacred"]},
                    "route": ["konoha", "tanigakure", "konoha"],
                    "window": {"earliest": "2026-11-24"},
                }
            ],
        }
    )


def bench_simulation(threats: int, members: int, trials: int, loop_trials: int) -> dict[str, Any]:
    village = story_village(threats)
    mission = village.missions[0]
    assessment = assess_mission(village, mission)
    squad = [s.id for s in village.shinobi[:members]]
    kwargs = {"assessment": assessment, "seed": 1}
    simulate_squad(village, mission, squad, trials=1000, **kwargs)  # warm-up
    fast_s, fast = _best(
        lambda: simulate_squad(village, mission, squad, trials=trials, **kwargs), 3
    )
    slow_s, slow = _best(
        lambda: simulate_reference_loop(village, mission, squad, trials=loop_trials, **kwargs), 1
    )
    fast_rate, slow_rate = trials / fast_s, loop_trials / slow_s
    return {
        "threats": len(assessment.threats),
        "members": members,
        "vector_trials_per_s": fast_rate,
        "loop_trials_per_s": slow_rate,
        "pairs_per_s": fast_rate * len(assessment.threats),
        "ratio": fast_rate / slow_rate,
        "success": (fast.success_probability, slow.success_probability),
    }


class _Forgetful(dict):  # type: ignore[type-arg]
    """A cache that keeps nothing: the assessment as it ran before the leg and road caches."""

    def __setitem__(self, key: object, value: object) -> None:
        return None


def assess_board_as_on_main(village: Village) -> dict[str, Any]:
    """Today's board (before this change): every mission assessed one by one, every factor
    written, each route's legs and roads worked out again for every mission."""
    found = evidence(village)
    found._legs = _Forgetful()
    found._roads = _Forgetful()
    with collector_paused():
        return {mission.id: found.assess(mission) for mission in village.missions}


def board_ranks(village: Village) -> dict[str, Any]:
    """What the board needs: ranks, threats and briefings of every mission, no factors."""
    return assess_board(village, factors=False)


def bench_board(repeat: int, assess: Callable[[Village], dict[str, Any]]) -> dict[str, Any]:
    village = synthetic_board()
    seconds, board = _best(lambda: assess(village), repeat)
    cpu = float("inf")
    for _ in range(repeat):  # CPU time too: on a shared machine wall time includes waiting
        start = time.process_time()
        assess(village)
        cpu = min(cpu, time.process_time() - start)
    network_s, _ = _best(lambda: RoadNetwork.from_village(village).route_hours(["konoha"]), 1)
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "missions": len(board),
        "understated": sum(a.understated for a in board.values()),
        "threats": sum(len(a.threats) for a in board.values()),
        "factors": sum(len(a.factors) for a in board.values()),
        "network_s": network_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller runs, for a smoke test")
    parser.add_argument(
        "--board-only", action="store_true", help="only the board assessment, new against old"
    )
    parser.add_argument(
        "--skip-legacy", action="store_true", help="leave out the model before issue 13"
    )
    args = parser.parse_args()
    trials, loop_trials = (100_000, 5_000) if args.quick else (1_000_000, 50_000)
    print(f"Python {platform.python_version()}, NumPy {np.__version__}, {platform.machine()}")
    print()
    print(
        "| simulation | threats | members | vectorised trials/s | squad-vs-threat trials/s "
        "| pure-Python loop trials/s | speed-up | P(success) vector / loop |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for name, threats, members in (
        ()
        if args.board_only
        else (
            ("one threat", 1, 3),
            ("ten threats", 10, 5),
            ("forty threats", 40, 5),
        )
    ):
        r = bench_simulation(threats, members, trials, loop_trials)
        print(
            f"| {name} | {r['threats']} | {r['members']} | {r['vector_trials_per_s']:,.0f} "
            f"| {r['pairs_per_s']:,.0f} | {r['loop_trials_per_s']:,.0f} | {r['ratio']:.0f}x "
            f"| {r['success'][0]:.3f} / {r['success'][1]:.3f} |"
        )
    print()
    repeat = 1 if args.quick else 3
    print(
        "| board | missions | threats | sightings | wall s | CPU s | road network s "
        "| understated | threats listed | factors |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    cpu: dict[str, float] = {}
    wall: dict[str, float] = {}
    boards = [
        ("today: one by one, every factor (as on main)", assess_board_as_on_main),
        ("assess_board: every factor", assess_board),
        ("assess_board(factors=False): the board's ranks", board_ranks),
    ]
    if not args.skip_legacy:
        boards.append(("legacy assess_board (before issue 13)", legacy_assess_board))
    for name, assess in boards:
        b = bench_board(repeat, assess)
        cpu[name], wall[name] = b["cpu_seconds"], b["seconds"]
        print(
            f"| {name} | {b['missions']:,} | 500 | 10,000 | {b['seconds']:.2f} "
            f"| {b['cpu_seconds']:.2f} | {b['network_s']:.3f} | {b['understated']} "
            f"| {b['threats']:,} | {b['factors']:,} |"
        )
    today, full, ranks = (cpu[name] for name, _ in boards[:3])
    print()
    print(
        f"CPU time against today's: every factor {full / today:.2f}x, "
        f"the board's ranks {ranks / today:.2f}x (goal: the board under 2 s of wall time: "
        f"{'met' if wall[boards[2][0]] < 2.0 else 'missed'})"
    )
    if not args.skip_legacy:
        print(f"every factor / legacy CPU time: {full / cpu[boards[3][0]]:.2f}x")
    print()
    print(
        f"(best of {1 if args.quick else 3}; load average {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} cores)"
    )


if __name__ == "__main__":
    main()
