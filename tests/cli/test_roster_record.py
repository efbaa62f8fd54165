"""The roster a game master reads (SPEC section 13), on SQLite and PostgreSQL: who is on
which mission (or committed to it) and when they are due back, missions done by rank, ryo
and a pending promotion, beside the SPEC's fields; reading it writes nothing, and it costs
the same handful of queries for 20 shinobi as for 400."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import event, func, select

from md_support import DEMO_VILLAGE, Result
from missiondesk.domain.village import Village
from missiondesk.services import village as village_service
from missiondesk.store import tables as t
from missiondesk.store.database import Database, resolve_url
from missiondesk.villagefile.generate import generate_village

Cli = Callable[..., Result]
SCROLL = "tani-scroll"  # konoha -> tanigakure -> konoha: 14 road hours each way
SPEC_FIELDS = ["id", "name", "rank", "status", "available_from"]


def _demo(tmp_path: Path, **changes: Any) -> tuple[Path, dict[str, Any]]:
    doc = yaml.safe_load(DEMO_VILLAGE.read_text(encoding="utf-8"))
    doc.update(changes)
    for mission in doc["missions"]:
        if mission["id"] == SCROLL:
            mission["objective"]["on_site_hours"] = 5
    path = tmp_path / "village.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path, doc


def _roster(cli: Cli, db: str) -> dict[str, dict[str, Any]]:
    answer = cli("--db", db, "roster", "--json")
    assert answer.code == 0, answer.stderr
    return {r["id"]: r for r in json.loads(answer.stdout)}


def _plan_and_approve(cli: Cli, db: str) -> list[str]:
    result = cli("--db", db, "plan", "--time-limit", "5", "--json")
    assert result.code == 0, result.stderr
    squad = next(s for s in json.loads(result.stdout)["squads"] if s["mission"] == SCROLL)
    assert cli("--db", db, "approve", SCROLL).code == 0
    return [squad["leader"], *(m["shinobi"] for m in squad["members"])]


def test_the_roster_says_who_is_out_and_when_they_are_due_back(
    cli: Cli, db_url: str, tmp_path: Path
) -> None:
    path, doc = _demo(tmp_path)
    assert cli("--db", db_url, "village", "import", path).code == 0
    squad = _plan_and_approve(cli, db_url)
    committed = _roster(cli, db_url)
    for sid in squad:
        assert committed[sid]["mission"] == SCROLL
        assert committed[sid]["mission_status"] == "approved"
    assert cli("--db", db_url, "dispatch", SCROLL, "--at", "2026-11-24T06:00").code == 0
    answer = cli("--db", db_url, "roster", "--json")
    rows = json.loads(answer.stdout)
    assert [list(r)[:5] for r in rows] == [SPEC_FIELDS] * len(rows)  # the SPEC's, first
    assert [r["id"] for r in rows] == [s["id"] for s in doc["shinobi"]]
    out = {r["id"]: r for r in rows}
    # 06:00 + 14 h there + 5 h on site + 14 h home = 09:00 two days on.
    for sid in squad:
        assert out[sid]["mission"] == SCROLL and out[sid]["mission_status"] == "dispatched"
        assert out[sid]["departs"] == "2026-11-24T06:00:00"
        assert out[sid]["due_back"] == "2026-11-25T15:00:00"
    for sid, row in out.items():
        if sid not in squad:
            assert row["mission"] is None and row["due_back"] is None
    text = cli("--db", db_url, "roster").stdout
    assert SCROLL in text
    assert "due back" in text and "2026-11-25 15:00" in text


def test_the_roster_counts_missions_by_rank_ryo_and_pending_promotions(
    cli: Cli, db_url: str, tmp_path: Path
) -> None:
    rules = [{"from": "genin", "to": "chunin", "missions": {"C": 1}, "successes": 1}]
    path, doc = _demo(tmp_path, promotion=rules)
    assert cli("--db", db_url, "village", "import", path).code == 0
    done: dict[str, Counter[str]] = {s["id"]: Counter() for s in doc["shinobi"]}
    wins: Counter[str] = Counter()
    for entry in doc["history"]:
        for sid in [entry["squad"]["leader"], *entry["squad"].get("members", [])]:
            done[sid][entry["mission"]["rank"]] += 1
            wins[sid] += entry["report"]["outcome"] == "success"
    rows = _roster(cli, db_url)
    ranks = {s["id"]: s["rank"] for s in doc["shinobi"]}
    for sid, row in rows.items():
        assert row["missions_done"] == {r: done[sid][r] for r in "DCBAS"}
        assert row["successes"] == wins[sid]
        ready = ranks[sid] == "genin" and done[sid]["C"] >= 1 and wins[sid] >= 1
        expected = {"to": "chunin", "missions": {"C": 1}, "successes": 1} if ready else None
        assert row["promotion"] == expected, sid
    assert any(r["promotion"] for r in rows.values())
    assert {r["ryo"] for r in rows.values()} == {0}
    squad = _plan_and_approve(cli, db_url)
    assert cli("--db", db_url, "dispatch", SCROLL, "--at", "2026-11-24T06:00").code == 0
    report = tmp_path / "report.yaml"
    report.write_text("returned: 2026-11-26T10:00\noutcome: success\n", encoding="utf-8")
    assert cli("--db", db_url, "report", SCROLL, report).code == 0
    after = _roster(cli, db_url)
    ledger = {r["shinobi"]: r for r in json.loads(cli("--db", db_url, "ledger", "--json").stdout)}
    assert sum(after[s]["ryo"] for s in squad) == 60000 - 12000
    for sid in squad:
        assert after[sid]["ryo"] == ledger[sid]["ryo"] > 0
        assert after[sid]["missions_done"]["C"] == done[sid]["C"] + 1
        assert after[sid]["mission"] is None  # back home


def test_reading_the_roster_writes_nothing(cli: Cli, db_url: str, tmp_path: Path) -> None:
    path, _ = _demo(tmp_path)
    assert cli("--db", db_url, "village", "import", path).code == 0
    _plan_and_approve(cli, db_url)
    assert cli("--db", db_url, "dispatch", SCROLL, "--at", "2026-11-24T06:00").code == 0
    db = Database(resolve_url(db_url))
    with db.reading() as connection:
        events = connection.execute(select(func.count()).select_from(t.event)).scalar()
    exported = cli("--db", db_url, "village", "export").stdout
    for _ in range(2):
        assert cli("--db", db_url, "roster", "--json").code == 0
        assert cli("--db", db_url, "roster").code == 0
    with db.reading() as connection:
        assert connection.execute(select(func.count()).select_from(t.event)).scalar() == events
    assert cli("--db", db_url, "village", "export").stdout == exported
    db.dispose()


def _statements(db: Database) -> int:
    """How many SQL statements one reading of the roster sends."""
    seen: list[str] = []

    def count(*args: Any) -> None:
        seen.append(args[2])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        village_service.roster(db)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(seen)


def test_the_roster_costs_a_query_per_fact_not_per_shinobi(tmp_path: Path) -> None:
    counts = []
    for size in (20, 400):
        village = generate_village(shinobi=size, missions=5, seed=7, history=size * 2)
        # Two of them out on a squad: the mission's route and departure are read too.
        data = village.model_dump(by_alias=True)
        first, second = data["shinobi"][0], data["shinobi"][1]
        data["missions"][0].update(
            status="dispatched",
            squad={"leader": first["id"], "members": [second["id"]]},
            departs=dt.datetime.combine(village.village.today, dt.time(6)),
        )
        for person in (first, second):
            person.update(status="on_mission", available_from=None)
        village = Village.model_validate(data)
        db = Database(f"sqlite:///{tmp_path / f'{size}.sqlite'}")
        village_service.import_village_value(db, village, replace=False, actor="t", source="t")
        rows = village_service.roster(db)
        assert len(rows) == size and rows[0].mission == village.missions[0].id
        assert rows[0].due_back is not None
        counts.append(_statements(db))
        db.dispose()
    assert counts[0] == counts[1] <= 12, counts


TWO_TRIPS = """
format: missiondesk/village/v2
village: {id: mist, name: Mist, now: 2027-03-01T07:00}
places: [{id: home, name: Home}, {id: bay, name: Bay}]
roads: [{from: home, to: bay, hours: 2.51}]
shinobi:
  - {id: ao, name: Ao, rank: jonin, skills: {ninjutsu: 4}, status: available}
missions:
  - {id: first, title: First trip, rank: D, route: [home, bay, home],
     window: {earliest: 2027-03-01}}
  - {id: second, title: Second trip, rank: D, route: [home, bay, home],
     window: {earliest: 2027-03-03}}
"""


def test_the_roster_due_back_is_the_plans_return_and_names_the_next_squad(
    cli: Cli, db_url: str, tmp_path: Path
) -> None:
    """One answer to "when is the squad back": the roster's due back is the plan's
    `returns` to the minute (5.02 road hours round up), and someone on two approved squads
    is shown with the one that leaves first, then with the one in the field."""
    path = tmp_path / "mist.yaml"
    path.write_text(TWO_TRIPS, encoding="utf-8")
    assert cli("--db", db_url, "village", "import", path).code == 0
    assert cli("--db", db_url, "assess", "--all").code == 0
    plan = json.loads(cli("--db", db_url, "plan", "--time-limit", "5", "--json").stdout)
    returns = {s["mission"]: s["returns"] for s in plan["squads"]}
    assert returns == {"first": "2027-03-01T13:02:00", "second": "2027-03-03T13:02:00"}
    for mission in ("first", "second"):
        assert cli("--db", db_url, "approve", mission).code == 0
    ao = _roster(cli, db_url)["ao"]
    assert (ao["mission"], ao["due_back"]) == ("first", returns["first"])
    assert cli("--db", db_url, "dispatch", "first", "--at", "2027-03-01T08:00").code == 0
    ao = _roster(cli, db_url)["ao"]
    assert (ao["mission"], ao["mission_status"]) == ("first", "dispatched")
    assert ao["due_back"] == returns["first"]


def _history_patch(leader: str, members: list[str]) -> str:
    return f"""
format: missiondesk/village/v2
history:
  - mission: {{id: old-raid, title: An old raid, rank: A, route: [konoha]}}
    squad: {{leader: {leader}, members: [{", ".join(members)}]}}
    departed: 2026-01-01T08:00
    returned: 2026-01-02T08:00
    report: {{outcome: success}}
"""


def test_the_record_follows_every_write_of_the_history(
    cli: Cli, db_url: str, tmp_path: Path
) -> None:
    """The counts the roster reads are kept beside the history (store/records.py): a
    patch that adds a history entry, one that replaces it, and a replacing import each
    leave them equal to the history counted afresh."""
    path, doc = _demo(tmp_path)
    assert cli("--db", db_url, "village", "import", path).code == 0
    first, second, third = (s["id"] for s in doc["shinobi"][:3])
    before = _roster(cli, db_url)

    def apply(text: str) -> dict[str, dict[str, Any]]:
        patch = tmp_path / "patch.yaml"
        patch.write_text(text, encoding="utf-8")
        applied = cli("--db", db_url, "village", "apply", patch)
        assert applied.code == 0, applied.stderr
        return _roster(cli, db_url)

    added = apply(_history_patch(first, [second]))
    for sid in (first, second):
        assert added[sid]["missions_done"]["A"] == before[sid]["missions_done"]["A"] + 1
        assert added[sid]["successes"] == before[sid]["successes"] + 1
    assert added[third]["missions_done"] == before[third]["missions_done"]

    moved = apply(_history_patch(third, []))  # the same entry, another squad
    for sid in (first, second):
        assert moved[sid]["missions_done"] == before[sid]["missions_done"]
    assert moved[third]["missions_done"]["A"] == before[third]["missions_done"]["A"] + 1

    empty = dict(doc, history=[])
    bare = tmp_path / "bare.yaml"
    bare.write_text(yaml.safe_dump(empty, sort_keys=False), encoding="utf-8")
    assert cli("--db", db_url, "village", "import", bare, "--replace").code == 0
    assert all(set(r["missions_done"].values()) == {0} for r in _roster(cli, db_url).values())
