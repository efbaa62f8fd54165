"""`village apply` of a 100-record change to a large village, against importing a 100-record
village from scratch, in the same run.

    .venv/bin/python bench/bench_apply.py [--shinobi 20000] [--history 50000] [--repeat 5]
                                          [--postgres URL]

The change: 60 shinobi edited, 20 shinobi added, 10 missions edited, 10 missions added
(two versions of it alternate, so every run writes 100 records). The baseline: a generated
village of exactly 100 records (places, roads, roles, shinobi, missions, organisations,
threats, sightings, countermeasures, standing orders), imported into an empty database.
Both are timed through the service functions the commands call (read the file, parse,
validate, check, write, log), best of `--repeat`. Prints a markdown table that
docs/performance.md quotes; the goal is apply within 2x of the baseline.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from missiondesk.domain.village import FORMAT, Village
from missiondesk.services import edits
from missiondesk.services import village as village_service
from missiondesk.store.database import Database, resolve_url
from missiondesk.villagefile.generate import generate_village
from missiondesk.villagefile.write import write_village


def timed(action: Callable[[], object]) -> float:
    began = time.perf_counter()
    action()
    return time.perf_counter() - began


def records(village: Village) -> int:
    return sum(
        len(getattr(village, section))
        for section in (
            "places",
            "roads",
            "roles",
            "shinobi",
            "missions",
            "organizations",
            "threats",
            "sightings",
            "countermeasures",
            "standing_orders",
            "history",
        )
    )


def change(village: Village, version: str) -> dict[str, Any]:
    """100 records: 60 shinobi and 10 missions edited, 20 shinobi and 10 missions added."""
    shinobi: list[dict[str, Any]] = []
    for s in village.shinobi[:60]:
        doc = s.model_dump(mode="json")
        doc["name"] = f"{s.name} ({version})"
        shinobi.append(doc)
    template = village.shinobi[0].model_dump(mode="json")
    for n in range(20):
        shinobi.append({**template, "id": f"recruit-{n:02d}", "name": f"Recruit {n} ({version})"})
    missions: list[dict[str, Any]] = []
    open_missions = [m for m in village.missions if m.status.value == "intake"]
    for m in open_missions[:10]:
        doc = m.model_dump(mode="json", exclude_none=True)
        doc["title"] = f"{m.title} ({version})"
        missions.append(doc)
    base = open_missions[0].model_dump(mode="json", exclude_none=True)
    for n in range(10):
        missions.append({**base, "id": f"new-job-{n:02d}", "title": f"New job {n} ({version})"})
    return {"format": FORMAT, "shinobi": shinobi, "missions": missions}


class _Plain(yaml.SafeDumper):
    """Writes shared values out in full, as a person would, instead of as YAML aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def run(shinobi: int, history: int, repeat: int, postgres: str | None) -> None:
    folder = Path(tempfile.mkdtemp(prefix="md-bench-apply-"))
    big = generate_village(shinobi=shinobi, missions=200, seed=1, history=history)
    big_file = folder / "big.yaml"
    write_village(big, big_file)
    small = generate_village(shinobi=36, missions=9, seed=2, history=0)
    assert records(small) == 100, records(small)
    small_file = folder / "small.yaml"
    write_village(small, small_file)
    patches = []
    for version in ("a", "b"):
        path = folder / f"change-{version}.yaml"
        text = yaml.dump(change(big, version), Dumper=_Plain, sort_keys=False)
        path.write_text(text, encoding="utf-8")
        patches.append(path)

    targets = [("SQLite", lambda name: f"sqlite:///{folder / name}")]
    if postgres:
        targets.append(("PostgreSQL", lambda name: resolve_url(postgres)))
    print(
        f"| database | import 100 records, s | apply 100 records to {shinobi:,} shinobi, s |",
        end="",
    )
    print(" ratio |")
    print("|---|---:|---:|---:|")
    for name, url_of in targets:
        import_times = []
        baseline = Database(url_of("small.sqlite"))
        for n in range(repeat):
            if name == "SQLite":
                baseline.dispose()
                baseline = Database(url_of(f"small-{n}.sqlite"))
                replace = False
            else:
                replace = True  # one PostgreSQL database: swap the small village in again
            import_times.append(
                timed(
                    lambda db=baseline, replace=replace: village_service.import_village(
                        db, small_file, replace=replace, actor="bench"
                    )
                )
            )
        baseline.dispose()
        db = Database(url_of("big.sqlite"))
        village_service.import_village(db, big_file, replace=True, actor="bench")
        apply_times = []
        for n in range(repeat):
            patch = patches[n % 2]
            apply_times.append(
                timed(lambda db=db, patch=patch: edits.apply_village_path(db, patch, actor="bench"))
            )
        summary = edits.apply_village_path(db, patches[(repeat) % 2], dry_run=True, actor="bench")
        assert len(summary.changed) + len(summary.added) == 100, summary
        db.dispose()
        best_import, best_apply = min(import_times), min(apply_times)
        print(
            f"| {name} | {best_import:.3f} | {best_apply:.3f} | {best_apply / best_import:.2f}x |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shinobi", type=int, default=20_000)
    parser.add_argument("--history", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--postgres", default=None, help="A PostgreSQL URL (its data is replaced).")
    args = parser.parse_args()
    run(args.shinobi, args.history, args.repeat, args.postgres)


if __name__ == "__main__":
    main()
