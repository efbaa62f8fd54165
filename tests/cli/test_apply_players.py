"""`village apply` takes every section of the village file (one definition, the village
model's): promotion rules are added or replaced by their ranks, wellbeing clearances are
added, and the ledger, which only reports write, is not a section a patch may carry."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from md_support import DEMO_VILLAGE, Result
from missiondesk.domain.village import Village, VillageSections
from missiondesk.villagefile.patch import VillagePatch

Cli = Callable[..., Result]
FORMAT = "format: missiondesk/village/v2\n"


def _apply(cli: Cli, db: str, tmp_path: Path, text: str, *extra: str) -> Result:
    path = tmp_path / "patch.yaml"
    path.write_text(FORMAT + text, encoding="utf-8")
    return cli("--db", db, "village", "apply", path, *extra)


def _exported(cli: Cli, db: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(cli("--db", db, "village", "export").stdout)
    return loaded


def test_a_patch_has_every_section_of_the_village_but_the_ledger() -> None:
    sections = set(VillageSections.model_fields)
    assert set(VillagePatch.model_fields) == sections
    assert set(Village.model_fields) - sections == {"ledger"}
    assert {"promotion", "wellbeing_clearances"} <= sections


def test_apply_adds_and_replaces_promotion_rules(cli: Cli, db_url: str, tmp_path: Path) -> None:
    assert cli("--db", db_url, "village", "import", DEMO_VILLAGE).code == 0
    added = _apply(
        cli,
        db_url,
        tmp_path,
        "promotion:\n"
        "  - {from: genin, to: chunin, missions: {C: 1}, successes: 1}\n"
        "  - {from: chunin, to: jonin, missions: {B: 5, A: 2}, successes: 6}\n",
        "--json",
    )
    assert added.code == 0, added.stderr
    assert json.loads(added.stdout)["added"] == [
        {"kind": "promotion", "id": "genin->chunin"},
        {"kind": "promotion", "id": "chunin->jonin"},
    ]
    ready = json.loads(cli("--db", db_url, "promotions", "--json").stdout)
    assert ready and {r["to"] for r in ready} == {"chunin"}
    changed = _apply(
        cli,
        db_url,
        tmp_path,
        "promotion:\n  - {from: genin, to: chunin, missions: {C: 50}, successes: 1}\n",
        "--json",
    )
    assert json.loads(changed.stdout) == {
        "added": [],
        "changed": [{"kind": "promotion", "id": "genin->chunin", "fields": ["missions"]}],
        "unchanged": 0,
    }
    assert json.loads(cli("--db", db_url, "promotions", "--json").stdout) == []
    assert _exported(cli, db_url)["promotion"] == [
        {"from": "genin", "to": "chunin", "missions": {"C": 50}, "successes": 1},
        {"from": "chunin", "to": "jonin", "missions": {"B": 5, "A": 2}, "successes": 6},
    ]


def test_apply_adds_a_wellbeing_clearance(cli: Cli, db_url: str, tmp_path: Path) -> None:
    assert cli("--db", db_url, "village", "import", DEMO_VILLAGE).code == 0
    text = (
        "wellbeing_clearances:\n"
        "  - {shinobi: rock-lee, kind: shield, 'on': 2026-11-20, by: tsunade}\n"
    )
    done = _apply(cli, db_url, tmp_path, text, "--json")
    assert done.code == 0, done.stderr
    assert json.loads(done.stdout)["added"] == [
        {"kind": "wellbeing_clearance", "id": "rock-lee/shield/2026-11-20"}
    ]
    clearances = _exported(cli, db_url)["wellbeing_clearances"]
    assert {"shinobi": "rock-lee", "kind": "shield", "on": "2026-11-20", "by": "tsunade"} in [
        {**c, "on": str(c["on"])} for c in clearances
    ]
    again = _apply(cli, db_url, tmp_path, text, "--json")
    assert json.loads(again.stdout) == {"added": [], "changed": [], "unchanged": 1}


def test_bad_promotion_and_clearance_records_are_refused_with_their_lines(
    cli: Cli, db_url: str, tmp_path: Path
) -> None:
    assert cli("--db", db_url, "village", "import", DEMO_VILLAGE).code == 0
    before = cli("--db", db_url, "village", "export").stdout
    refused = _apply(cli, db_url, tmp_path, "promotion:\n  - {from: genin, to: captain}\n")
    assert refused.code == 2
    assert re.search(r"patch\.yaml:3: promotion\[0\]\.to: 'captain' is not", refused.stderr)
    refused = _apply(
        cli,
        db_url,
        tmp_path,
        "wellbeing_clearances:\n"
        "  - {shinobi: nobody, kind: shield, 'on': 2026-11-20, by: tsunade}\n",
    )
    assert refused.code == 2
    assert re.search(r"patch\.yaml:3: wellbeing_clearances\[0\]\.shinobi: .*nobody", refused.stderr)
    assert cli("--db", db_url, "village", "export").stdout == before


def test_a_patch_cannot_write_the_ledger(cli: Cli, db_url: str, tmp_path: Path) -> None:
    assert cli("--db", db_url, "village", "import", DEMO_VILLAGE).code == 0
    refused = _apply(
        cli,
        db_url,
        tmp_path,
        "ledger:\n  - {at: 2026-11-20T10:00, mission: m, outcome: success, share: village, "
        "ryo: 1}\n",
    )
    assert refused.code == 2
    assert re.search(r"patch\.yaml:2: ledger: unknown field", refused.stderr)
