"""The village file carries the ledger (SPEC section 13), on SQLite and PostgreSQL: export
writes it, import reads it, `import --replace` gives back exactly the same ledger (the
replaced village's rows stay in the append-only table, in their own book), and a bad
ledger entry is a file error with its line."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select

from md_support import DEMO_VILLAGE, Result
from missiondesk.store import tables as t
from missiondesk.store.database import Database, resolve_url

Cli = Callable[..., Result]
SCROLL = "tani-scroll"


def _paid_office(cli: Cli, db: str, tmp_path: Path) -> list[str]:
    """The demo village with the scroll mission sent and reported: the ledger holds it."""
    assert cli("--db", db, "village", "import", DEMO_VILLAGE).code == 0
    plan = json.loads(cli("--db", db, "plan", "--time-limit", "5", "--json").stdout)
    squad = next(s for s in plan["squads"] if s["mission"] == SCROLL)
    assert cli("--db", db, "approve", SCROLL).code == 0
    assert cli("--db", db, "dispatch", SCROLL, "--at", "2026-11-24T06:00").code == 0
    report = tmp_path / "report.yaml"
    report.write_text("returned: 2026-11-26T10:00\noutcome: partial\n", encoding="utf-8")
    assert cli("--db", db, "report", SCROLL, report).code == 0
    return [squad["leader"], *(m["shinobi"] for m in squad["members"])]


def _rows_in_table(db_url: str) -> int:
    db = Database(resolve_url(db_url))
    with db.reading() as connection:
        count = connection.execute(select(func.count()).select_from(t.ledger)).scalar_one()
    db.dispose()
    return int(count)


def test_export_writes_the_ledger_and_replace_gives_it_back_exactly(
    cli: Cli, db_url: str, tmp_path: Path
) -> None:
    squad = _paid_office(cli, db_url, tmp_path)
    exported = cli("--db", db_url, "village", "export").stdout
    doc = yaml.safe_load(exported)
    ledger = doc["ledger"]
    assert [e["share"] for e in ledger] == ["village", "leader"] + ["member"] * (len(squad) - 1)
    assert "shinobi" not in ledger[0]  # the village's cut names nobody
    assert [e.get("shinobi") for e in ledger[1:]] == squad
    assert sum(e["ryo"] for e in ledger) == 30000  # half of 60,000 on a partial
    assert all(e["mission"] == SCROLL and e["outcome"] == "partial" for e in ledger)
    totals = cli("--db", db_url, "ledger", "--json").stdout
    path = tmp_path / "office.yaml"
    path.write_text(exported, encoding="utf-8")
    for _ in range(2):  # replacing twice neither doubles nor loses a ryo
        assert cli("--db", db_url, "village", "import", "--replace", path).code == 0
        assert cli("--db", db_url, "village", "export").stdout == exported
        assert cli("--db", db_url, "ledger", "--json").stdout == totals
    # The ledger is append-only: the replaced villages' rows are still in the table.
    assert _rows_in_table(db_url) == 3 * len(ledger)


def test_a_fresh_database_reads_the_ledger_from_the_file(
    cli: Cli, db_url: str, tmp_path: Path
) -> None:
    first = f"sqlite:///{tmp_path / 'first.sqlite'}"
    _paid_office(cli, first, tmp_path)
    exported = cli("--db", first, "village", "export").stdout
    path = tmp_path / "office.yaml"
    path.write_text(exported, encoding="utf-8")
    assert cli("--db", db_url, "village", "import", path).code == 0
    assert cli("--db", db_url, "village", "export").stdout == exported
    for command in (["ledger", "--json"], ["roster", "--json"]):
        assert cli("--db", db_url, *command).stdout == cli("--db", first, *command).stdout


def _with_ledger(tmp_path: Path, ledger: list[dict[str, Any]]) -> Path:
    doc = yaml.safe_load(DEMO_VILLAGE.read_text(encoding="utf-8"))
    doc["ledger"] = ledger
    path = tmp_path / "village.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def test_a_bad_ledger_entry_is_a_file_error_with_its_line(
    cli: Cli, db_url: str, tmp_path: Path
) -> None:
    at = "2026-11-20T10:00"
    path = _with_ledger(
        tmp_path,
        [
            {"at": at, "mission": "m", "outcome": "success", "share": "village", "ryo": 100},
            {"at": at, "mission": "m", "outcome": "success", "share": "leader", "ryo": -5,
             "shinobi": "rock-lee"},
            {"at": at, "mission": "m", "outcome": "won", "share": "member", "ryo": 5,
             "shinobi": "tenten"},
            {"at": at, "mission": "m", "outcome": "success", "share": "member", "ryo": 5},
        ],
    )  # fmt: skip
    refused = cli("--db", db_url, "village", "import", path)
    assert refused.code == 2
    assert re.search(r"village\.yaml:\d+: ledger\[1\]\.ryo: ", refused.stderr)
    assert re.search(r"village\.yaml:\d+: ledger\[2\]\.outcome: 'won' is not", refused.stderr)
    assert re.search(r"village\.yaml:\d+: ledger\[3\]: a member's share names", refused.stderr)
    assert cli("--db", db_url, "board").code == 2  # nothing imported
