"""One-day planning, before and after planning over time: the L board of bench_plan.py with
every mission on the clock's day, planned `--repeat` times; prints the time to the greedy
start (compiling and the start) and to the proven priority of each run.

    .venv/bin/python bench/bench_one_day.py [--limit 12] [--repeat 2]
    PYTHONPATH=/tmp/base/src .venv/bin/python bench/bench_one_day.py   # an older src/ tree

Run both, alternately, in one session (docs/performance.md, "Planning over time").
"""

from __future__ import annotations

import argparse
import time

from bench_plan import one_day, simple_assessments
from missiondesk.planning import ProgressEvent, plan_board
from missiondesk.villagefile.generate import generate_village


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=float, default=12.0)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    village = one_day(generate_village(2000, 200, 7))
    assessments = simple_assessments(village)
    for _ in range(args.repeat):
        events: list[ProgressEvent] = []
        began = time.monotonic()
        plan = plan_board(
            village,
            assessments,
            missions=[m.id for m in village.missions],
            time_limit=args.limit,
            workers=2,
            progress=events.append,
        )
        setup = next(e.seconds for e in events if e.phase == "greedy")
        print(
            f"setup {setup:.2f} s, priority {plan.objective} / {plan.bound} proven at "
            f"{plan.seconds['priority_proven']} s, total {time.monotonic() - began:.1f} s"
        )


if __name__ == "__main__":
    main()
