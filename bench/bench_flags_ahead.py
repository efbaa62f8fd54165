"""Benchmark of the wellbeing flags a plan reads at each squad's departure (SPEC section
9) on a generated village; prints a markdown table.

    .venv/bin/python bench/bench_flags_ahead.py [--shinobi 5000] [--missions 500] [--seed 0]

A plan judges `wellbeing_limit` on each day a squad may leave: every day from today to
the board's last window day. The baseline, in the same run, is the watch assessed once
per day (`active_flags(village, day)`, what the planner read for today alone before);
`FlagCalendar` reads each shinobi's flags once as spells and answers every day from them.
Both give the same flags on every day (checked here).
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

from missiondesk.villagefile.generate import generate_village
from missiondesk.wellbeing import FlagCalendar, active_flags


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shinobi", type=int, default=5000)
    parser.add_argument("--missions", type=int, default=500)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    village = generate_village(shinobi=args.shinobi, missions=args.missions, seed=args.seed)
    today = village.village.today
    last = max(
        (m.window.latest or m.window.earliest for m in village.missions if m.window),
        default=today,
    )
    days = [today + dt.timedelta(days=n) for n in range((last - today).days + 1)]

    began = time.perf_counter()
    each = {day: active_flags(village, day) for day in days}
    per_day = time.perf_counter() - began
    one_day = per_day / len(days)

    began = time.perf_counter()
    calendar = FlagCalendar.from_history(village)
    ahead = {day: calendar.on(day) for day in days}
    once = time.perf_counter() - began

    same = all(
        ahead[day] == {sid: frozenset(kinds) for sid, kinds in each[day].items()} for day in days
    )
    flagged = sum(len(found) for found in ahead.values())
    print(
        f"{args.shinobi} shinobi, {len(village.history)} history entries, "
        f"{len(days)} days ({days[0]} to {days[-1]}), {flagged} (shinobi, day) flagged, "
        f"same flags: {same}\n"
    )
    print("| flags for the plan's days | seconds | ratio to one day's watch |")
    print("|---|---:|---:|")
    print(f"| the watch for today alone (before) | {one_day:.2f} | 1.00x |")
    print(f"| the watch once per day | {per_day:.2f} | {per_day / one_day:.2f}x |")
    print(f"| `FlagCalendar`, every day | {once:.2f} | {once / one_day:.2f}x |")


if __name__ == "__main__":
    main()
