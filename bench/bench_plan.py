"""Benchmark of the planner on generated boards S, M, L and XL; prints a markdown table.

    .venv/bin/python bench/bench_plan.py [--sizes S,M,L,XL] [--workers 2] [--seed 7] [--repeat 1]
        [--one-day]

With `--one-day` every mission leaves on the clock's day (a fixed window on one day): the
board of part one, for comparing the planner over time with the one-day planner
(docs/performance.md, "Planning over time").

Figures (docs/planning.md, "Performance"): the time to a plan whose total priority equals
its proven bound (goal under 30 s for L), the quality gap at the time limit (goal under 1%
for XL at 60 s), and the greedy start of the same run as a baseline (ratios).
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass

from missiondesk.domain.assessment import Assessment
from missiondesk.domain.village import Village
from missiondesk.planning import ProgressEvent, plan_board
from missiondesk.villagefile.generate import generate_village

SIZES = {
    "S": (100, 15, 10.0),
    "M": (400, 60, 20.0),
    "L": (2_000, 200, 30.0),
    "XL": (5_000, 500, 60.0),
}


def simple_assessments(village: Village) -> dict[str, Assessment]:
    """Effective rank = declared rank, no threats: the bench measures the planner alone."""
    return {
        m.id: Assessment(
            mission=m.id,
            declared_rank=m.rank,
            effective_rank=m.rank,
            understated=False,
            threats=[],
            factors=[],
            briefing=[],
        )
        for m in village.missions
    }


@dataclass
class Row:
    size: str
    shinobi: int
    missions: int
    limit: float
    generate: float
    objective: int
    bound: int
    scope: str
    staffed: int
    proven_at: float | None
    total: float
    quality: int
    quality_bound: int | None
    greedy_objective: int
    greedy_quality: int

    @property
    def gap(self) -> float | None:
        if self.quality_bound is None or self.quality_bound == 0:
            return None
        return (self.quality_bound - self.quality) / abs(self.quality_bound)


def one_day(village: Village) -> Village:
    """Every mission's window: the clock's day only."""
    today = village.village.now.date()
    return village.model_copy(
        update={
            "missions": [
                m.model_copy(update={"window": m.window.model_copy(update={"earliest": today})})
                if m.window is not None
                else m
                for m in village.missions
            ]
        }
    )


def run(size: str, workers: int, seed: int, single_day: bool = False) -> Row:
    shinobi, missions, limit = SIZES[size]
    began = time.monotonic()
    village = generate_village(shinobi, missions, seed)
    if single_day:
        village = one_day(village)
    generated = time.monotonic() - began
    assessments = simple_assessments(village)
    events: list[ProgressEvent] = []
    plan = plan_board(
        village,
        assessments,
        missions=[m.id for m in village.missions],
        time_limit=limit,
        workers=workers,
        progress=events.append,
    )
    return Row(
        size,
        shinobi,
        missions,
        limit,
        generated,
        plan.objective,
        plan.bound,
        plan.bound_scope,
        len(plan.squads),
        plan.seconds["priority_proven"],
        plan.seconds["total"] or 0.0,
        plan.quality.total,
        plan.quality.bound,
        plan.baseline.objective,
        plan.baseline.quality,
    )


def table(rows: list[Row]) -> str:
    head = (
        "| board | shinobi | missions | limit s | priority / bound (over) | staffed "
        "| priority proven at s | total s | quality (bound) | quality gap "
        "| greedy priority ratio | greedy quality ratio |"
    )
    lines = [head, "|" + "---|" * 12]
    for r in rows:
        gap = "n/a" if r.gap is None else f"{100 * r.gap:.2f}%"
        proven = "not proven" if r.proven_at is None else f"{r.proven_at:.2f}"
        lines.append(
            f"| {r.size} | {r.shinobi} | {r.missions} | {r.limit:.0f} "
            f"| {r.objective} / {r.bound} ({r.scope}) | {r.staffed} | {proven} | {r.total:.1f} "
            f"| {r.quality} ({r.quality_bound}) | {gap} "
            f"| {r.greedy_objective / max(1, r.objective):.3f} "
            f"| {r.greedy_quality / r.quality if r.quality else float('nan'):.3f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="S,M,L,XL")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each size (one row each)")
    parser.add_argument("--one-day", action="store_true", help="every mission leaves today")
    args = parser.parse_args()
    rows = [
        run(size, args.workers, args.seed, args.one_day)
        for size in args.sizes.split(",")
        for _ in range(args.repeat)
    ]
    print(table(rows))


if __name__ == "__main__":
    main()
