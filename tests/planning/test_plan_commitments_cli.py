"""Approved squads outside a plan, through the command line on SQLite and PostgreSQL
(SPEC section 9): `plan --json` counts an approved squad's return for `min_rest` and its
departure (and a reported one's) for `max_missions`, naming it in the reasons and the
bench; `approve` refuses a squad that would break either, naming the rule and the other
mission."""

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

RESTING = """\
format: missiondesk/village/v2
village: {id: k, name: K, now: 2026-06-10T07:00}
places: [{id: k, name: K}, {id: f, name: F}]
roads: [{from: k, to: f, hours: 12}]
roles:
  medic: {medical: 2}
shinobi:
  - {id: medic, name: Medic, rank: jonin, status: available, skills: {medical: 3}}
missions:
  - {id: first, title: First, rank: C, route: [k, f, k], window: {earliest: 2026-06-11}}
  - {id: second, title: Second, rank: C, route: [k, f, k], window: {earliest: 2026-06-13}}
  - {id: third, title: Third, rank: C, route: [k, f, k], window: {earliest: 2026-06-15}}
standing_orders:
  - {id: medic, rule: require_role, role: medic, count: 1}
  - {id: rest, rule: min_rest, days: 2}
"""


def _plan(cli: Cli, db_url: str) -> dict:  # type: ignore[type-arg]
    out = cli("--db", db_url, "plan", "--time-limit", "5", "--json")
    assert out.code == 0, out.stderr
    return json.loads(out.stdout)


def _import(cli: Cli, db_url: str, tmp_path: Path, text: str) -> None:
    village = tmp_path / "village.yaml"
    village.write_text(text, encoding="utf-8")
    assert cli("--db", db_url, "village", "import", village).code == 0


def _move(db_url: str, mission: str, departs: dt.datetime) -> None:
    """As if another plan, made apart, had planned `mission` to leave at `departs`."""
    engine = create_engine(resolve_url(db_url))
    with engine.begin() as connection:
        connection.execute(
            update(t.mission).where(t.mission.c.id == mission).values(departed_at=departs)
        )
    engine.dispose()


def test_a_plan_rests_the_medic_after_an_approved_squad(
    cli: Cli, db_url: str, tmp_path: Path
) -> None:
    """first is approved (leaves 06-11, back 06-12): planning again, the medic may not
    leave on 06-13 (2 days of rest) but may on 06-15; approving that holds."""
    _import(cli, db_url, tmp_path, RESTING)
    plan = _plan(cli, db_url)
    assert {s["mission"] for s in plan["squads"]} == {"first", "third"}
    assert cli("--db", db_url, "approve", "first").code == 0
    again = _plan(cli, db_url)
    assert [(s["mission"], s["leader"]) for s in again["squads"]] == [("third", "medic")]
    (second,) = again["unstaffed"]
    why = " | ".join(second["reasons"])
    assert "medic is back from first on 2026-06-12" in why, why
    assert "less than 2 days before leaving (min_rest)" in why, why
    approved = cli("--db", db_url, "approve", "third")
    assert approved.code == 0, approved.stderr


def test_approve_refuses_a_squad_too_soon_after_another_approved_one(
    cli: Cli, db_url: str, tmp_path: Path
) -> None:
    _import(cli, db_url, tmp_path, RESTING)
    _plan(cli, db_url)
    assert cli("--db", db_url, "approve", "first").code == 0
    _move(db_url, "third", dt.datetime(2026, 6, 13, 8, 0))  # a day after first is back
    refused = cli("--db", db_url, "approve", "third")
    assert refused.code == 2
    assert "medic returned on 2026-06-12 from first" in refused.stderr, refused.stderr
    assert "(rest: min_rest)" in refused.stderr, refused.stderr


def test_approve_refuses_a_squad_that_leaves_the_approved_one_no_rest(
    cli: Cli, db_url: str, tmp_path: Path
) -> None:
    """third is approved first; first, moved to come back the day before third leaves,
    would cut the rest third's orders ask for: refused, naming third."""
    _import(cli, db_url, tmp_path, RESTING)
    _plan(cli, db_url)
    assert cli("--db", db_url, "approve", "third").code == 0
    _move(db_url, "first", dt.datetime(2026, 6, 13, 8, 0))  # back 06-14, third leaves 06-15
    refused = cli("--db", db_url, "approve", "first")
    assert refused.code == 2
    assert "medic would be back from first on 2026-06-14" in refused.stderr, refused.stderr
    assert "before leaving on third" in refused.stderr, refused.stderr
    assert "(rest: min_rest)" in refused.stderr, refused.stderr


CAPPED = """\
format: missiondesk/village/v2
village: {id: k, name: K, now: 2026-06-10T07:00}
places: [{id: k, name: K}]
shinobi:
  - {id: solo, name: Solo, rank: jonin, status: available}
  - {id: spare, name: Spare, rank: genin, status: available}
missions:
  - {id: m1, title: M1, rank: C, priority: 5, route: [k], window: {earliest: 2026-06-10}}
  - {id: m2, title: M2, rank: C, priority: 4, route: [k], window: {earliest: 2026-06-12}}
  - {id: m3, title: M3, rank: C, priority: 1, route: [k], window: {earliest: 2026-06-14}}
standing_orders:
  - {id: cap, rule: max_missions, count: 2, days: 7}
  - {id: lead, rule: leader_min_rank, rank: jonin}
"""


def test_max_missions_counts_a_reported_and_an_approved_squad(
    cli: Cli, db_url: str, tmp_path: Path
) -> None:
    """At most 2 missions in 7 days: solo went on m1 (dispatched, then reported: history)
    and is approved on m2, so the next plan cannot give solo m3, and says why."""
    _import(cli, db_url, tmp_path, CAPPED)
    plan = _plan(cli, db_url)
    assert {s["mission"]: s["leader"] for s in plan["squads"]} == {"m1": "solo", "m2": "solo"}
    assert cli("--db", db_url, "approve", "m1").code == 0
    assert cli("--db", db_url, "approve", "m2").code == 0
    assert cli("--db", db_url, "dispatch", "m1", "--at", "2026-06-10T08:00").code == 0
    report = tmp_path / "report.yaml"
    report.write_text("outcome: success\nreturned: 2026-06-10T12:00\n", encoding="utf-8")
    reported = cli("--db", db_url, "report", "m1", report)
    assert reported.code == 0, reported.stderr
    again = _plan(cli, db_url)
    assert again["squads"] == []
    (m3,) = again["unstaffed"]
    why = " | ".join(m3["reasons"])
    assert "solo already has 2 missions in the last 7 days (m1, m2) (order 'cap')" in why, why
    bench = {b["shinobi"]: b["reason"] for b in again["bench"]}
    assert "(m1, m2)" in bench["solo"], bench
    # m3 moved into the window by hand: approving it is refused, naming both.
    _move(db_url, "m3", dt.datetime(2026, 6, 14, 8, 0))
    engine = create_engine(resolve_url(db_url))
    with engine.begin() as connection:
        connection.execute(update(t.mission).where(t.mission.c.id == "m3").values(status="planned"))
        connection.execute(
            t.assignment.insert().values(
                mission_id="m3",
                shinobi_id="solo",
                is_leader=True,
                position=0,
                roles=[],
                reasons=[],
            )
        )
    engine.dispose()
    refused = cli("--db", db_url, "approve", "m3")
    assert refused.code == 2
    assert "solo would be on 3 missions in 7 days" in refused.stderr, refused.stderr
    assert "already on m1, m2" in refused.stderr and "(cap: max_missions)" in refused.stderr
