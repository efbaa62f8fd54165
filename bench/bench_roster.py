"""Benchmark of the game master's roster (SPEC section 13) on a generated village; prints a
markdown table.

    .venv/bin/python bench/bench_roster.py [--shinobi 2000] [--repeat 5] [--seed 1]

The roster reads, beside the SPEC's five fields, where each shinobi is and when they are
due back, missions done by rank, ryo and a pending promotion (services/record.py, one
query per fact). Its baseline, measured in the same run on the same database, is the
roster of part one: the five fields alone, one SELECT. A tenth of the roster is out on
squads, the ledger holds a payment per squad member, and the village has promotion rules.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from missiondesk.domain.village import Village
from missiondesk.services import village as village_service
from missiondesk.store import tables as t
from missiondesk.store.database import Database
from missiondesk.villagefile.generate import generate_village


def office(shinobi: int, seed: int) -> Village:
    """A generated village with squads out, a paid ledger and promotion rules."""
    village = generate_village(shinobi=shinobi, missions=shinobi // 10, seed=seed)
    data = village.model_dump(by_alias=True)
    leave = dt.datetime.combine(village.village.today, dt.time(6))
    people = iter(data["shinobi"])
    for mission in data["missions"][: shinobi // 40]:
        squad = [next(people) for _ in range(4)]
        for person in squad:
            person.update(status="on_mission", available_from=None)
        mission.update(
            status="dispatched",
            squad={"leader": squad[0]["id"], "members": [p["id"] for p in squad[1:]]},
            departs=leave,
        )
    data["ledger"] = [
        {"at": leave, "mission": "paid", "outcome": "success", "shinobi": s["id"],
         "share": "member", "ryo": 1000 + i}
        for i, s in enumerate(data["shinobi"])
    ]  # fmt: skip
    data["promotion"] = [
        {"from": "genin", "to": "chunin", "missions": {"C": 2}, "successes": 2},
        {"from": "chunin", "to": "jonin", "missions": {"B": 2, "A": 1}, "successes": 4},
    ]
    return Village.model_validate(data)


def spec_roster(db: Database) -> list[tuple[object, ...]]:
    """Part one's roster: the five SPEC fields, one SELECT (the baseline)."""
    with db.reading() as connection:
        columns = (
            t.shinobi.c.id,
            t.shinobi.c.name,
            t.shinobi.c.rank,
            t.shinobi.c.status,
            t.shinobi.c.available_from,
        )
        rows = connection.execute(select(*columns).order_by(t.shinobi.c.position)).all()
    return [tuple(r) for r in rows]


def timed(work: object, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        began = time.perf_counter()
        work()  # type: ignore[operator]
        samples.append(time.perf_counter() - began)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shinobi", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    village = office(args.shinobi, args.seed)
    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite:///{Path(folder) / 'roster.sqlite'}")
        village_service.import_village_value(db, village, replace=False, actor="b", source="b")
        rows = village_service.roster(db)
        out = sum(r.mission is not None for r in rows)
        ready = sum(r.promotion is not None for r in rows)
        baseline = timed(lambda: spec_roster(db), args.repeat)
        full = timed(lambda: village_service.roster(db), args.repeat)
        db.dispose()
    print("| shinobi | history | out | ready for promotion | SPEC fields s | roster s | ratio |")
    print("|---|---|---|---|---|---|---|")
    print(
        f"| {args.shinobi} | {len(village.history)} | {out} | {ready} "
        f"| {baseline:.3f} | {full:.3f} | {full / baseline:.1f}x |"
    )


if __name__ == "__main__":
    main()
