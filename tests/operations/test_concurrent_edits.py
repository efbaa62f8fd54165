"""`village apply` racing `approve` from separate processes: an edit that would make a
squad member unfit and the approval of that squad are judged under one write lock, so the
village never ends with an approved squad whose member cannot go."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

from cli.edit_support import SMALL_VILLAGE, Cli, office, write

MISSIONDESK = Path(sys.executable).with_name("missiondesk")

RETITLE = """\
format: missiondesk/village/v1
missions:
  - id: kusa-patrol
    title: Walk the road to Kusa, twice
    rank: D
    route: [konoha, kusa, konoha]
    window: {earliest: 2026-11-24}
"""


def test_apply_and_approve_racing_never_strand_a_squad(
    cli: Cli, db_url: str, tmp_path: Path
) -> None:
    office(cli, db_url, tmp_path)
    plan = json.loads(cli("--db", db_url, "plan", "--time-limit", "2", "--json").stdout)
    squad = next(s for s in plan["squads"] if s["mission"] == "tani-scroll")
    member = squad["members"][-1]["shinobi"]
    record = next(r for r in yaml.safe_load(SMALL_VILLAGE)["shinobi"] if r["id"] == member)
    hurt_record = {**record, "status": "injured", "available_from": "2026-12-20"}
    hurt = write(
        tmp_path,
        "hurt.json",
        json.dumps({"format": "missiondesk/village/v1", "shinobi": [hurt_record]}),
    )
    retitle = write(tmp_path, "retitle.yaml", RETITLE)
    env = {**os.environ, "MISSIONDESK_ACTOR": "racer"}
    commands = [
        ["village", "apply", str(hurt)],
        ["approve", "tani-scroll"],
        ["village", "apply", str(retitle)],
    ]
    processes = [
        subprocess.Popen(
            [str(MISSIONDESK), "--db", db_url, *command],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for command in commands
    ]
    outcomes = [p.communicate(timeout=120) for p in processes]
    codes = [p.returncode for p in processes]
    assert all(code in (0, 2) for code in codes), outcomes
    hurt_done, approved, retitled = (code == 0 for code in codes)
    assert retitled, outcomes[2]
    assert hurt_done != approved, outcomes  # exactly one of the two conflicting steps wins
    board = {m["id"]: m for m in json.loads(cli("--db", db_url, "board", "--json").stdout)}
    roster = {r["id"]: r for r in json.loads(cli("--db", db_url, "roster", "--json").stdout)}
    if approved:
        assert board["tani-scroll"]["status"] == "approved"
        assert roster[member]["status"] == "available"
        assert "approved squad of 'tani-scroll'" in outcomes[0][1]
    else:
        assert board["tani-scroll"]["status"] == "planned"
        assert roster[member]["status"] == "injured"
        assert "injured" in outcomes[1][1]
    assert board["kusa-patrol"]["title"] == "Walk the road to Kusa, twice"
