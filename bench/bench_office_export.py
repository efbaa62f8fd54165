"""Export of an office with missions in progress, against the same village without them.

    .venv/bin/python bench/bench_office_export.py [--shinobi 20000] [--history 50000]
        [--in-progress 200] [--postgres URL]

A generated village gets `--in-progress` missions put in progress (a third approved, a
third dispatched with two check-ins each, a third overdue; a squad of four each, nobody
on two); the baseline is the same village with those missions still on the board (no
squad, departure or check-in). Both are imported, then exported (`village export`: read
every table, build the village, write YAML), best of three, in the same run. The goal
(issue 9) is the office within 1.2x of the baseline. docs/performance.md quotes it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
from pathlib import Path

from bench_village_io import timed  # run as a script, bench/ is on the path
from missiondesk.domain.ranks import MissionRank, MissionStatus, ShinobiStatus
from missiondesk.domain.village import Mission, Squad, SquadCheckin, Village
from missiondesk.services import village as village_service
from missiondesk.store.database import Database, resolve_url
from missiondesk.store.village_rows import delete_village
from missiondesk.villagefile.generate import generate_village
from missiondesk.villagefile.write import dump_village, write_village

SQUAD_SIZE = 4


def office(village: Village, count: int) -> Village:
    """`village` with its first `count` missions in progress, each with its own squad."""
    if count > len(village.missions) or count * SQUAD_SIZE > len(village.shinobi):
        raise SystemExit("--in-progress: the village has too few missions or shinobi")
    cycle = (MissionStatus.APPROVED, MissionStatus.DISPATCHED, MissionStatus.OVERDUE)
    people = list(village.shinobi)
    missions: list[Mission] = []
    for i, mission in enumerate(village.missions):
        if i >= count:
            missions.append(mission)
            continue
        status = cycle[i % 3]
        ids = [p.id for p in people[i * SQUAD_SIZE : (i + 1) * SQUAD_SIZE]]
        departs = dt.datetime(2026, 11, 23, 6) + dt.timedelta(hours=i % 48)
        update: dict[str, object] = {
            "status": status,
            "effective_rank": MissionRank.B,
            "squad": Squad(leader=ids[0], members=ids[1:]),
        }
        if status != MissionStatus.APPROVED:
            update["departs"] = departs
            update["checkins"] = [
                SquadCheckin(place=mission.route[min(1, len(mission.route) - 1)], at=departs),
                SquadCheckin(at=departs + dt.timedelta(hours=6)),
            ]
            for n in range(i * SQUAD_SIZE, (i + 1) * SQUAD_SIZE):
                people[n] = people[n].model_copy(
                    update={"status": ShinobiStatus.ON_MISSION, "available_from": None}
                )
        missions.append(mission.model_copy(update=update))
    return village.model_copy(update={"missions": missions, "shinobi": people})


def run(shinobi: int, history: int, in_progress: int, postgres: str | None) -> None:
    folder = Path(tempfile.mkdtemp(prefix="md-bench-office-"))
    plain = generate_village(
        shinobi=shinobi, missions=max(in_progress, 200), seed=1, history=history
    )
    busy = office(plain, in_progress)
    files = {"without": folder / "without.yaml", "with": folder / "with.yaml"}
    write_village(plain, files["without"])
    write_village(busy, files["with"])
    targets = [("SQLite", lambda name: f"sqlite:///{folder / f'{name}.sqlite'}")]
    if postgres:
        targets.append(("PostgreSQL", lambda name: resolve_url(postgres)))
    print(
        f"village: {shinobi} shinobi, {history} history entries, {len(plain.missions)} "
        f"missions, {in_progress} of them in progress in the office"
    )
    print()
    print(
        "| database | export without (s) | export with (s) | ratio | lines without | lines with |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for name, url_for in targets:
        seconds: dict[str, float] = {}
        lines: dict[str, int] = {}
        for kind, source in files.items():
            db = Database(url_for(kind))
            with db.transaction() as connection:
                delete_village(connection)  # a fresh start: the office may not be replaced
            village_service.import_village(db, source, actor="bench")

            def export(db: Database = db) -> str:
                return dump_village(village_service.export_village(db))

            seconds[kind] = timed(export, repeat=3)
            lines[kind] = export().count("\n")
            db.dispose()
        ratio = seconds["with"] / seconds["without"]
        print(
            f"| {name} | {seconds['without']:.2f} | {seconds['with']:.2f} | {ratio:.2f}x "
            f"| {lines['without']} | {lines['with']} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shinobi", type=int, default=20_000)
    parser.add_argument("--history", type=int, default=50_000)
    parser.add_argument("--in-progress", type=int, default=200)
    parser.add_argument("--postgres", help="also measure on this PostgreSQL database URL")
    args = parser.parse_args()
    run(args.shinobi, args.history, args.in_progress, args.postgres)


if __name__ == "__main__":
    main()
