"""Import and export of a large generated village, against bare YAML parsing in the same run.

    .venv/bin/python bench/bench_village_io.py [--shinobi 20000] [--history 50000] [--postgres URL]

Prints a markdown table: seconds for parsing the file alone with yaml.CSafeLoader (the
fastest YAML loader here; also with Python's cycle collector paused, as the import does),
for `village import` (parse, validate, check references, write
in one transaction) and for `village export` (read, build, write YAML), and each as a
ratio to bare parsing. docs/performance.md quotes it.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from missiondesk.services import village as village_service
from missiondesk.store.database import Database, resolve_url
from missiondesk.villagefile.bulk import collector_paused
from missiondesk.villagefile.generate import generate_village
from missiondesk.villagefile.write import write_village


def timed(action: Callable[[], object], repeat: int = 1) -> float:
    best = float("inf")
    for _ in range(repeat):
        began = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - began)
    return best


def run(shinobi: int, history: int, missions: int, postgres: str | None) -> None:
    folder = Path(tempfile.mkdtemp(prefix="md-bench-"))
    village = generate_village(shinobi=shinobi, missions=missions, seed=1, history=history)
    source = folder / "village.yaml"
    write_village(village, source)
    size = source.stat().st_size / 1e6

    def bare_parse() -> object:
        with source.open("rb") as handle:
            return yaml.load(handle, Loader=yaml.CSafeLoader)

    def bare_parse_collector_paused() -> object:
        with collector_paused():
            return bare_parse()

    parse = timed(bare_parse, repeat=2)
    paused = timed(bare_parse_collector_paused, repeat=2)
    rows = [("parse alone (CSafeLoader)", parse), ("parse alone, cycle collector paused", paused)]
    targets = [("SQLite", f"sqlite:///{folder / 'bench.sqlite'}")]
    if postgres:
        targets.append(("PostgreSQL", resolve_url(postgres)))
    for name, url in targets:
        db = Database(url)

        def do_import(db: Database = db) -> None:
            village_service.import_village(db, source, replace=True, actor="bench")

        def do_export(db: Database = db, name: str = name) -> None:
            write_village(village_service.export_village(db), folder / f"out-{name}.yaml")

        rows.append((f"import, {name}", timed(do_import, repeat=2)))
        rows.append((f"export, {name}", timed(do_export, repeat=2)))
        db.dispose()

    print(
        f"village: {shinobi} shinobi, {history} history entries, {missions} missions; "
        f"file {size:.1f} MB"
    )
    print()
    print("| step | seconds | ratio to bare parsing | ratio to parsing, collector paused |")
    print("|---|---:|---:|---:|")
    for label, seconds in rows:
        print(f"| {label} | {seconds:.2f} | {seconds / parse:.2f}x | {seconds / paused:.2f}x |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shinobi", type=int, default=20_000)
    parser.add_argument("--history", type=int, default=50_000)
    parser.add_argument("--missions", type=int, default=200)
    parser.add_argument("--postgres", help="also measure on this PostgreSQL database URL")
    args = parser.parse_args()
    run(args.shinobi, args.history, args.missions, args.postgres)


if __name__ == "__main__":
    main()
