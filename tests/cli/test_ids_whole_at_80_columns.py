"""At 80 columns (what Rich uses in a pipe) a table wraps titles and names, never an id:
people copy ids into the next command (issue 10)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from md_support import DEMO_VILLAGE

LONG_MISSION = "escort-the-daimyo-caravan-through-the-northern-passes"
LONG_SHINOBI = "sarutobi-konohamaru-the-honourable-grandson"


@pytest.fixture
def narrow(cli: Any, sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    """`missiondesk` at 80 columns on the demo village, with a long mission and a long name."""
    assert cli("--db", sqlite_url, "village", "import", DEMO_VILLAGE).code == 0
    added = cli(
        "--db", sqlite_url, "mission", "add", "--id", LONG_MISSION, "--rank", "B",
        "--title", "Escort the daimyo's caravan of silk and tea through the northern passes "
        "before the first snow closes them for the winter",
        "--route", "konoha,tanigakure,konoha",
    )  # fmt: skip
    assert added.code == 0, added.stderr
    named = "Sarutobi Konohamaru, the Third Hokage's honourable grandson"
    added = cli("--db", sqlite_url, "shinobi", "add", "--id", LONG_SHINOBI, "--rank", "genin",
                "--name", named)  # fmt: skip
    assert added.code == 0, added.stderr
    monkeypatch.setenv("COLUMNS", "80")
    return lambda *args: cli("--db", sqlite_url, *args)


def _whole(out: str, ids: list[str]) -> None:
    assert max(len(line) for line in out.splitlines()) <= 80, out
    for ident in ids:
        assert ident in out, f"{ident} cut in:\n{out}"


def test_board_keeps_every_mission_id_whole(narrow: Any) -> None:
    ids = [row["id"] for row in json.loads(narrow("board", "--json").stdout)]
    assert LONG_MISSION in ids
    _whole(narrow("board").stdout, ids)


def test_roster_keeps_every_shinobi_id_whole(narrow: Any) -> None:
    ids = [row["id"] for row in json.loads(narrow("roster", "--json").stdout)]
    assert LONG_SHINOBI in ids
    _whole(narrow("roster").stdout, ids)


def test_assessed_board_keeps_mission_and_threat_ids_whole(narrow: Any) -> None:
    rows = json.loads(narrow("assess", "--all", "--json").stdout)
    ids = [r["mission"] for r in rows] + [r["threats"][0]["threat"] for r in rows if r["threats"]]
    _whole(narrow("assess", "--all").stdout, ids)


def test_ledger_keeps_every_shinobi_id_whole(narrow: Any) -> None:
    ids = [row["shinobi"] for row in json.loads(narrow("ledger", "--json").stdout)]
    assert ids
    _whole(narrow("ledger").stdout, ids)
