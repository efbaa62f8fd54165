"""Planning over time through the command line, on SQLite and PostgreSQL: departures and
returns in `plan --json`, the bench, and approval of squads that share a shinobi only
when their spans do not overlap."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, update

from md_support import Result
from missiondesk.store import tables as t
from missiondesk.store.database import resolve_url

Cli = Callable[..., Result]

WEEK = """\
format: missiondesk/village/v2
village: {id: k, name: K, now: 2026-06-10T07:00}
places: [{id: k, name: K}, {id: f, name: F}]
roads: [{from: k, to: f, hours: 12}]
roles:
  medic: {medical: 2}
shinobi:
  - {id: medic, name: Medic, rank: jonin, status: available, skills: {medical: 3}}
  - {id: idle, name: Idle, rank: genin, status: available}
missions:
  - {id: first, title: First, rank: C, route: [k, f, k], window: {earliest: 2026-06-10}}
  - {id: second, title: Second, rank: C, route: [k, f, k],
     window: {earliest: 2026-06-12}}
standing_orders:
  - {id: medic, rule: require_role, role: medic, count: 1}
"""


def _setup(cli: Cli, db_url: str, tmp_path: Path) -> dict:  # type: ignore[type-arg]
    village = tmp_path / "week.yaml"
    village.write_text(WEEK, encoding="utf-8")
    assert cli("--db", db_url, "village", "import", village).code == 0
    out = cli("--db", db_url, "plan", "--time-limit", "5", "--json")
    assert out.code == 0, out.stderr
    return json.loads(out.stdout)


def test_plan_json_has_departures_returns_and_the_bench(
    cli: Cli, db_url: str, tmp_path: Path
) -> None:
    plan = _setup(cli, db_url, tmp_path)
    spans = {s["mission"]: (s["departs"], s["returns"], s["leader"]) for s in plan["squads"]}
    assert spans["first"] == ("2026-06-10T08:00:00", "2026-06-11T08:00:00", "medic")
    assert spans["second"] == ("2026-06-12T08:00:00", "2026-06-13T08:00:00", "medic")
    (idle,) = plan["bench"]
    assert idle["shinobi"] == "idle"
    assert idle["reason"].startswith("not needed: every staffed squad is complete without a genin")
    table = cli("--db", db_url, "plan", "--time-limit", "5")
    assert "departs 2026-06-10 08:00, returns 2026-06-11 08:00" in table.stdout
    assert "Bench" in table.stdout and "idle:" in table.stdout


def test_approve_shares_a_shinobi_only_across_spans_that_do_not_overlap(
    cli: Cli, db_url: str, tmp_path: Path
) -> None:
    _setup(cli, db_url, tmp_path)
    assert cli("--db", db_url, "approve", "first").code == 0
    assert cli("--db", db_url, "approve", "second").code == 0  # days apart: both hold


def test_approve_refuses_a_shinobi_on_an_overlapping_squad(
    cli: Cli, db_url: str, tmp_path: Path
) -> None:
    _setup(cli, db_url, tmp_path)
    assert cli("--db", db_url, "approve", "first").code == 0
    # As if a second plan, made apart, sent `second` while the medic is still out.
    engine = create_engine(resolve_url(db_url))
    with engine.begin() as connection:
        connection.execute(
            update(t.mission)
            .where(t.mission.c.id == "second")
            .values(departed_at=dt.datetime(2026, 6, 10, 20, 0))
        )
    engine.dispose()
    refused = cli("--db", db_url, "approve", "second")
    assert refused.code == 2
    assert "medic is already committed to mission 'first'" in refused.stderr
    assert "back 2026-06-11 08:00" in refused.stderr


def test_dispatch_refuses_someone_in_the_field(cli: Cli, db_url: str, tmp_path: Path) -> None:
    _setup(cli, db_url, tmp_path)
    assert cli("--db", db_url, "approve", "first").code == 0
    assert cli("--db", db_url, "approve", "second").code == 0
    assert cli("--db", db_url, "dispatch", "first", "--at", "2026-06-10T08:00").code == 0
    early = cli("--db", db_url, "dispatch", "second", "--at", "2026-06-12T08:00")
    assert early.code == 2 and "medic is already on a mission" in early.stderr


def test_a_plan_dated_at_is_judged_and_logged_then(cli: Cli, db_url: str, tmp_path: Path) -> None:
    """SPEC section 8: `plan --at` dates the plan; nothing leaves before it."""
    village = tmp_path / "week.yaml"
    village.write_text(WEEK, encoding="utf-8")
    assert cli("--db", db_url, "village", "import", village).code == 0
    out = cli("--db", db_url, "plan", "--time-limit", "5", "--at", "2026-06-10T09:30", "--json")
    assert out.code == 0, out.stderr
    departs = {s["mission"]: s["departs"] for s in json.loads(out.stdout)["squads"]}
    assert departs["first"] == "2026-06-10T09:30:00"  # 08:00 has passed by the plan's time
    events = json.loads(cli("--db", db_url, "timeline", "first", "--json").stdout)
    assert [e["at"][:16] for e in events if e["kind"] == "mission.planned"] == ["2026-06-10T09:30"]
    far = cli("--db", db_url, "plan", "--at", "2199-01-01T00:00")
    assert far.code == 2 and "days after the village clock" in far.stderr


RESTING = """\
format: missiondesk/village/v2
village: {id: k, name: K, now: 2026-06-10T07:00}
places: [{id: k, name: K}, {id: f, name: F}]
roads: [{from: k, to: f, hours: 12}]
shinobi:
  - {id: aya, name: Aya, rank: jonin, status: available}
missions:
  - {id: later, title: Later, rank: C, route: [k, f, k],
     window: {earliest: 2026-06-10, latest: 2026-06-14}}
standing_orders:
  - {id: rest, rule: min_rest, days: 2}
history:
  - mission: {id: before, title: Before, rank: C, route: [k, f, k]}
    squad: {leader: aya, members: []}
    departed: 2026-06-08T08:00
    returned: 2026-06-09T08:00
    report: {outcome: success}
"""


def test_approval_judges_the_squad_at_its_planned_departure(
    cli: Cli, db_url: str, tmp_path: Path
) -> None:
    """Aya is back on 06-09 and must rest two days: the plan sends her on 06-11, and
    approving that squad judges her rest on 06-11, not on the window's first day."""
    village = tmp_path / "resting.yaml"
    village.write_text(RESTING, encoding="utf-8")
    assert cli("--db", db_url, "village", "import", village).code == 0
    out = cli("--db", db_url, "plan", "--time-limit", "5", "--json")
    assert out.code == 0, out.stderr
    (squad,) = json.loads(out.stdout)["squads"]
    assert squad["departs"] >= "2026-06-11"
    approved = cli("--db", db_url, "approve", "later")
    assert approved.code == 0, approved.stderr
