"""Wellbeing limits judged at each squad's departure, through the command line on SQLite
and PostgreSQL (SPEC section 9): `plan --json` staffs a later mission with a shinobi whose
flag ends before it, keeps one whose flag time alone raises by then off it, and says why;
`approve` judges the squad at its planned departure the same way."""

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

HEAD = """\
format: missiondesk/village/v2
village: {id: k, name: K, now: 2026-06-10T07:00}
places: [{id: k, name: K}]
standing_orders:
  - {id: burden-rest, rule: wellbeing_limit, flag: burden, forbid: join}
  - {id: no-rest, rule: wellbeing_limit, flag: no-rest, forbid: join}
"""


def _sortie(mid: str, who: str, departed: str, returned: str, hurt: bool = False) -> str:
    injuries = f"[{{shinobi: {who}, severity: critical, recovery_days: 3}}]" if hurt else "[]"
    return (
        f"  - mission: {{id: {mid}, title: {mid}, rank: C, route: [k]}}\n"
        f"    squad: {{leader: {who}, members: []}}\n"
        f"    departed: {departed}T06:00\n"
        f"    returned: {returned}T18:00\n"
        f"    report: {{outcome: success, injuries: {injuries}}}\n"
    )


# Back on 2026-05-13 with a critical injury: a burden flag until 2026-06-12.
HURT = (
    HEAD
    + """\
shinobi:
  - {id: kotetsu, name: Kotetsu, rank: chunin, status: available}
missions:
  - {id: soon, title: Soon, rank: C, route: [k], window: {earliest: 2026-06-10}}
  - {id: later, title: Later, rank: C, route: [k], window: {earliest: 2026-06-13}}
history:
"""
    + _sortie("hurt", "kotetsu", "2026-05-12", "2026-05-13", hurt=True)
)

# A mission every 6 days since 2026-04-27, the last back on 2026-06-09: 45 days on duty on
# 2026-06-11, before a week of rest: no-rest from 2026-06-11 until 2026-07-11.
TIRED = (
    HEAD
    + """\
shinobi:
  - {id: izumo, name: Izumo, rank: chunin, status: available}
missions:
  - {id: soon, title: Soon, rank: C, route: [k],
     window: {earliest: 2026-06-10, latest: 2026-06-13}}
  - {id: later, title: Later, rank: C, route: [k], window: {earliest: 2026-06-12}}
history:
"""
    + "".join(
        _sortie(
            f"run{n}",
            "izumo",
            (dt.date(2026, 4, 27) + dt.timedelta(days=6 * n)).isoformat(),
            (dt.date(2026, 4, 28) + dt.timedelta(days=6 * n)).isoformat(),
        )
        for n in range(8)
    )
)


def _import(cli: Cli, db_url: str, tmp_path: Path, text: str) -> None:
    village = tmp_path / "village.yaml"
    village.write_text(text, encoding="utf-8")
    imported = cli("--db", db_url, "village", "import", village)
    assert imported.code == 0, imported.stderr


def _plan(cli: Cli, db_url: str) -> dict:  # type: ignore[type-arg]
    out = cli("--db", db_url, "plan", "--time-limit", "5", "--json")
    assert out.code == 0, out.stderr
    return json.loads(out.stdout)


def _why(plan: dict, mission: str) -> str:  # type: ignore[type-arg]
    return " | ".join(next(u["reasons"] for u in plan["unstaffed"] if u["mission"] == mission))


def test_a_flag_ending_first_leaves_its_shinobi_free_for_a_later_mission(
    cli: Cli, db_url: str, tmp_path: Path
) -> None:
    _import(cli, db_url, tmp_path, HURT)
    plan = _plan(cli, db_url)
    assert [(s["mission"], s["leader"], s["departs"]) for s in plan["squads"]] == [
        ("later", "kotetsu", "2026-06-13T08:00:00")
    ]
    why = _why(plan, "soon")
    assert "has the wellbeing flag 'burden' until 2026-06-12 (order 'burden-rest')" in why, why
    approved = cli("--db", db_url, "approve", "later")
    assert approved.code == 0, approved.stderr


def test_a_flag_time_raises_keeps_its_shinobi_off_a_later_mission(
    cli: Cli, db_url: str, tmp_path: Path
) -> None:
    _import(cli, db_url, tmp_path, TIRED)
    watch = cli("--db", db_url, "wellbeing", "--json")
    assert [p["flags"] for p in json.loads(watch.stdout) if p["shinobi"] == "izumo"] == [[]]
    plan = _plan(cli, db_url)
    assert [(s["mission"], s["leader"], s["departs"]) for s in plan["squads"]] == [
        ("soon", "izumo", "2026-06-10T08:00:00")
    ]
    why = _why(plan, "later")
    assert (
        "has the wellbeing flag 'no-rest' from 2026-06-11 until 2026-07-11 (order 'no-rest')" in why
    ), why
    # As if another plan had moved soon's squad to 2026-06-12: approve judges it there.
    engine = create_engine(resolve_url(db_url))
    with engine.begin() as connection:
        connection.execute(
            update(t.mission)
            .where(t.mission.c.id == "soon")
            .values(departed_at=dt.datetime(2026, 6, 12, 8, 0))
        )
    engine.dispose()
    refused = cli("--db", db_url, "approve", "soon")
    assert refused.code == 2
    assert (
        "izumo has the wellbeing flag 'no-rest' from 2026-06-11 until 2026-07-11 "
        "and may not join (no-rest: wellbeing_limit)"
    ) in refused.stderr, refused.stderr
