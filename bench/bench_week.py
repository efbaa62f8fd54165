"""Benchmark of planning over time (SPEC section 9) on a generated week: 2,000 shinobi x
300 missions, windows of 1-3 days, 1-5 days away. Prints a markdown table.

    .venv/bin/python bench/bench_week.py [--shinobi 2000] [--missions 300] [--limit 60]
        [--workers 2] [--seed 7] [--baseline-src DIR]

The same run plans the same board twice: with the planner over time, and with the
one-day planner, where nobody serves twice in a plan and each mission leaves on its
window's first day. That baseline is the planner of part one; by default it is this
planner told that every squad is away all week (`--baseline-src DIR` runs instead the
src/ tree of an older commit in a subprocess, e.g. one exported with `git archive`). The
week's plan must staff at least the baseline's priority.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from bench_plan import simple_assessments
from missiondesk.domain.village import Village
from missiondesk.planning import plan_board
from missiondesk.villagefile.generate import generate_village

HERE = Path(__file__).resolve().parent


def fixed_first_day(village: Village, days_away: float) -> Village:
    """The one-day board: each mission on its window's first day only, away `days_away`
    days (longer than the board lasts, so every two squads overlap: nobody serves twice)."""
    return village.model_copy(
        update={
            "missions": [
                m.model_copy(
                    update={
                        "window": m.window.model_copy(update={"latest": None})
                        if m.window
                        else None,
                        "objective": m.objective.model_copy(
                            update={"on_site_hours": 24.0 * days_away}
                        ),
                    }
                )
                for m in village.missions
            ]
        }
    )


def plan_row(village: Village, limit: float, workers: int) -> dict[str, object]:
    began = time.monotonic()
    plan = plan_board(
        village,
        simple_assessments(village),
        missions=[m.id for m in village.missions],
        time_limit=limit,
        workers=workers,
    )
    shared = sum(
        1
        for sid, n in _counts([m.shinobi for s in plan.squads for m in s.members]).items()
        if n > 1
    )
    return {
        "objective": plan.objective,
        "bound": plan.bound,
        "scope": plan.bound_scope,
        "staffed": len(plan.squads),
        "proven_at": plan.seconds["priority_proven"],
        "total": round(time.monotonic() - began, 1),
        "quality": plan.quality.total,
        "quality_bound": plan.quality.bound,
        "greedy": plan.baseline.objective,
        "reused": shared,
        "bench": len(plan.bench) if hasattr(plan, "bench") else None,
    }


def _counts(ids: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for i in ids:
        found[i] = found.get(i, 0) + 1
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shinobi", type=int, default=2000)
    parser.add_argument("--missions", type=int, default=300)
    parser.add_argument("--limit", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--baseline-src", default=None)
    parser.add_argument("--baseline-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    village = generate_village(args.shinobi, args.missions, args.seed, week=True)
    one_day = fixed_first_day(village, days_away=30)
    if args.baseline_only:
        print(json.dumps(plan_row(one_day, args.limit, args.workers)))
        return
    rows = {"week": plan_row(village, args.limit, args.workers)}
    if args.baseline_src:
        out = subprocess.run(
            [sys.executable, __file__, *sys.argv[1:], "--baseline-only"],
            env={**os.environ, "PYTHONPATH": f"{args.baseline_src}:{HERE}"},
            capture_output=True,
            text=True,
            check=True,
        )
        rows["one-day (baseline src)"] = json.loads(out.stdout.strip().splitlines()[-1])
    else:
        rows["one-day"] = plan_row(one_day, args.limit, args.workers)
    print(
        "| plan | priority / bound | gap to bound | staffed | proven at s | total s "
        "| shinobi on 2+ squads | greedy priority |"
    )
    print("|" + "---|" * 8)
    for name, r in rows.items():
        gap = (int(r["bound"]) - int(r["objective"])) / max(1, int(r["bound"]))  # type: ignore[call-overload]
        print(
            f"| {name} | {r['objective']} / {r['bound']} ({r['scope']}) | {100 * gap:.2f}% "
            f"| {r['staffed']} | {r['proven_at']} | {r['total']} | {r['reused']} "
            f"| {r['greedy']} |"
        )
    week, base = rows["week"], list(rows.values())[1]
    print(
        f"\nweek / one-day priority: {int(week['objective']) / max(1, int(base['objective'])):.3f}"  # type: ignore[call-overload]
    )


if __name__ == "__main__":
    main()
