"""Players through the command line, on SQLite and PostgreSQL: volunteering (and each
refusal: exit 2, nothing changed), rewards paid by a report into the append-only ledger,
and promotion rules from the village file."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from md_support import DEMO_VILLAGE, Result
from missiondesk.store.database import Database, resolve_url

Cli = Callable[..., Result]
SCROLL = "tani-scroll"  # C-rank, 60,000 ryo in the demo village


def _village(tmp_path: Path, **changes: object) -> Path:
    doc = yaml.safe_load(DEMO_VILLAGE.read_text(encoding="utf-8"))
    doc.update(changes)
    path = tmp_path / "village.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def _state(cli: Cli, db: str) -> tuple[str, str]:
    return cli("--db", db, "village", "export").stdout, cli("--db", db, "board", "--json").stdout


def _volunteers(cli: Cli, db: str, mission: str) -> list[str]:
    board = json.loads(cli("--db", db, "board", "--json").stdout)
    return next(m["volunteers"] for m in board if m["id"] == mission)


def test_volunteer_and_withdraw(cli: Cli, db_url: str) -> None:
    assert cli("--db", db_url, "village", "import", DEMO_VILLAGE).code == 0
    done = cli("--db", db_url, "volunteer", SCROLL, "--as", "rock-lee", "--json")
    assert done.code == 0, done.stderr
    assert json.loads(done.stdout)["volunteers"] == ["rock-lee"]
    assert cli("--db", db_url, "volunteer", SCROLL, "--as", "tenten").code == 0
    assert _volunteers(cli, db_url, SCROLL) == ["rock-lee", "tenten"]
    assert "tenten" in cli("--db", db_url, "board").stdout
    # The village file carries them, and they come back on import.
    exported = yaml.safe_load(cli("--db", db_url, "village", "export").stdout)
    scroll = next(m for m in exported["missions"] if m["id"] == SCROLL)
    assert scroll["volunteers"] == ["rock-lee", "tenten"]
    assert cli("--db", db_url, "volunteer", SCROLL, "--as", "rock-lee", "--withdraw").code == 0
    assert _volunteers(cli, db_url, SCROLL) == ["tenten"]
    kinds = [
        e["kind"] for e in json.loads(cli("--db", db_url, "timeline", SCROLL, "--json").stdout)
    ]
    assert kinds == ["mission.volunteered", "mission.volunteered", "mission.withdrawn"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as", "nobody"], "no shinobi 'nobody'"),
        (["--as", "rock-lee", "--withdraw"], "rock-lee has not volunteered for tani-scroll"),
        (["--as", "tenten"], "tenten has already volunteered"),
    ],
)
def test_volunteer_refusals(cli: Cli, db_url: str, args: list[str], message: str) -> None:
    assert cli("--db", db_url, "village", "import", DEMO_VILLAGE).code == 0
    assert cli("--db", db_url, "volunteer", SCROLL, "--as", "tenten").code == 0
    before = _state(cli, db_url)
    refused = cli("--db", db_url, "volunteer", SCROLL, *args)
    assert refused.code == 2
    assert message in refused.stderr
    assert _state(cli, db_url) == before


def test_volunteering_above_max_rank_above_is_refused(
    cli: Cli, db_url: str, tmp_path: Path
) -> None:
    doc = yaml.safe_load(DEMO_VILLAGE.read_text(encoding="utf-8"))
    orders = [*doc["standing_orders"], {"id": "one-above", "rule": "max_rank_above", "ranks": 1}]
    assert (
        cli("--db", db_url, "village", "import", _village(tmp_path, standing_orders=orders)).code
        == 0
    )
    before = _state(cli, db_url)
    refused = cli("--db", db_url, "volunteer", "kusa-forbidden-scroll", "--as", "rock-lee")
    assert refused.code == 2
    assert "order 'one-above' (max_rank_above)" in refused.stderr
    assert "rock-lee is genin (grade D)" in refused.stderr
    assert _state(cli, db_url) == before
    assert cli("--db", db_url, "volunteer", SCROLL, "--as", "rock-lee").code == 0


def _report(tmp_path: Path, outcome: str) -> Path:
    path = tmp_path / "report.yaml"
    path.write_text(f"returned: 2026-11-26T10:00\noutcome: {outcome}\n", encoding="utf-8")
    return path


def _send(cli: Cli, db: str) -> list[str]:
    result = cli("--db", db, "plan", "--time-limit", "5", "--json")
    assert result.code == 0, result.stderr
    squad = next(s for s in json.loads(result.stdout)["squads"] if s["mission"] == SCROLL)
    assert cli("--db", db, "approve", SCROLL).code == 0
    assert cli("--db", db, "dispatch", SCROLL, "--at", "2026-11-24T06:00").code == 0
    return [squad["leader"], *(m["shinobi"] for m in squad["members"])]


def test_volunteering_after_approval_is_refused(cli: Cli, db_url: str) -> None:
    assert cli("--db", db_url, "village", "import", DEMO_VILLAGE).code == 0
    _send(cli, db_url)
    refused = cli("--db", db_url, "volunteer", SCROLL, "--as", "tenten")
    assert refused.code == 2
    assert "is dispatched; volunteers are taken only until its squad is approved" in refused.stderr


@pytest.mark.parametrize(("outcome", "paid"), [("success", 60000), ("partial", 30000)])
def test_a_report_pays_the_reward_into_the_ledger(
    cli: Cli, db_url: str, tmp_path: Path, outcome: str, paid: int
) -> None:
    assert cli("--db", db_url, "village", "import", DEMO_VILLAGE).code == 0
    squad = _send(cli, db_url)
    before = {r["shinobi"]: r for r in json.loads(cli("--db", db_url, "ledger", "--json").stdout)}
    assert cli("--db", db_url, "report", SCROLL, _report(tmp_path, outcome)).code == 0
    rows = {r["shinobi"]: r for r in json.loads(cli("--db", db_url, "ledger", "--json").stdout)}
    shares = sum(rows[s]["ryo"] for s in squad)
    assert shares == paid - paid // 5  # the village keeps 20 %
    assert {rows[s]["ryo"] for s in squad} <= {shares // len(squad), shares // len(squad) + 1}
    for s in squad:
        assert rows[s]["missions"]["C"] == before[s]["missions"]["C"] + 1
        assert rows[s]["successes"] == before[s]["successes"] + (outcome == "success")
    events = json.loads(cli("--db", db_url, "timeline", SCROLL, "--json").stdout)
    assert sum(s["ryo"] for s in events[-1]["after"]["paid"]) == paid  # logged with the report
    one = json.loads(cli("--db", db_url, "ledger", squad[0], "--json").stdout)
    assert one == [rows[squad[0]]]
    db = Database(resolve_url(db_url))
    with db.reading() as connection:
        assert connection.execute(text("SELECT sum(ryo) FROM ledger")).scalar() == paid
    for statement in ("UPDATE ledger SET ryo = 0", "DELETE FROM ledger"):
        with pytest.raises(DatabaseError, match="append-only"), db.transaction() as connection:
            connection.execute(text(statement))
    db.dispose()


def test_a_failure_pays_nothing(cli: Cli, db_url: str, tmp_path: Path) -> None:
    assert cli("--db", db_url, "village", "import", DEMO_VILLAGE).code == 0
    squad = _send(cli, db_url)
    assert cli("--db", db_url, "report", SCROLL, _report(tmp_path, "failure")).code == 0
    rows = {r["shinobi"]: r for r in json.loads(cli("--db", db_url, "ledger", "--json").stdout)}
    assert all(rows[s]["ryo"] == 0 for s in squad)


def test_unknown_shinobi_in_the_ledger_is_refused(cli: Cli, db_url: str) -> None:
    assert cli("--db", db_url, "village", "import", DEMO_VILLAGE).code == 0
    refused = cli("--db", db_url, "ledger", "nobody")
    assert refused.code == 2
    assert "no shinobi 'nobody'" in refused.stderr


def test_promotions_list_who_meets_the_rules(cli: Cli, db_url: str, tmp_path: Path) -> None:
    rules = [{"from": "genin", "to": "chunin", "missions": {"C": 1}, "successes": 1}]
    assert cli("--db", db_url, "village", "import", _village(tmp_path, promotion=rules)).code == 0
    ready = json.loads(cli("--db", db_url, "promotions", "--json").stdout)
    doc = yaml.safe_load(DEMO_VILLAGE.read_text(encoding="utf-8"))
    ranks = {s["id"]: s["rank"] for s in doc["shinobi"]}
    expected = set()
    for sid, rank in ranks.items():
        mine = [
            h
            for h in doc["history"]
            if sid in [h["squad"]["leader"], *h["squad"].get("members", [])]
        ]
        c = sum(h["mission"]["rank"] == "C" for h in mine)
        wins = sum(h["report"]["outcome"] == "success" for h in mine)
        if rank == "genin" and c >= 1 and wins >= 1:
            expected.add(sid)
    assert {r["shinobi"] for r in ready} == expected
    assert expected
    for r in ready:
        assert r["to"] == "chunin" and r["missions"]["C"] >= 1 and r["evidence"]
    exported = yaml.safe_load(cli("--db", db_url, "village", "export").stdout)
    assert exported["promotion"] == rules


def test_promotion_rules_naming_unknown_ranks_are_file_errors(
    cli: Cli, db_url: str, tmp_path: Path
) -> None:
    rules = [{"from": "genin", "to": "captain", "missions": {"Z": 1}}]
    refused = cli("--db", db_url, "village", "import", _village(tmp_path, promotion=rules))
    assert refused.code == 2
    assert re.search(r"village\.yaml:\d+: promotion\[0\]\.to: 'captain' is not", refused.stderr)
    assert re.search(r"village\.yaml:\d+: promotion\[0\]\.missions\.Z: 'Z' is not", refused.stderr)


def test_my_missions_shows_own_squads_briefings_and_ledger(cli: Cli, db_url: str) -> None:
    from missiondesk.services.players import my_missions

    assert cli("--db", db_url, "village", "import", DEMO_VILLAGE).code == 0
    squad = _send(cli, db_url)
    db = Database(resolve_url(db_url))
    mine = my_missions(db, squad[-1])
    (scroll,) = [m for m in mine.missions if m.mission == SCROLL]
    assert scroll.status == "dispatched" and scroll.squad == squad and scroll.leader == squad[0]
    assessment = json.loads(cli("--db", db_url, "assess", SCROLL, "--json").stdout)
    assert scroll.briefing == assessment["briefing"] and scroll.briefing
    assert mine.ledger.shinobi == squad[-1]
    outsider = next(s for s in ("tenten", "rock-lee", "mihoko") if s not in squad)
    assert all(m.mission != SCROLL for m in my_missions(db, outsider).missions)
    db.dispose()
