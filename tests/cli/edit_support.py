"""A small village with a squad in the field, and a byte-for-byte snapshot of a database,
for the tests of edits without re-import."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from md_support import Result

Cli = Callable[..., Result]

SMALL_VILLAGE = """\
format: missiondesk/village/v1
village: {id: konoha, name: Konohagakure, today: 2026-11-23}
places:
  - {id: konoha, name: Konohagakure}
  - {id: tanigakure, name: Tanigakure}
  - {id: kusa, name: Kusagakure}
roads:
  - {from: konoha, to: tanigakure, hours: 14}
  - {from: konoha, to: kusa, hours: 10}
roles:
  medic: {medical: 2}
shinobi:
  - {id: nara-shikamaru, name: Shikamaru, rank: chunin, skills: {tactics: 5}, status: available}
  - {id: akimichi-choji, name: Choji, rank: chunin, skills: {taijutsu: 4}, status: available}
  - {id: haruno-sakura, name: Haruno Sakura, rank: genin, skills: {medical: 2}, status: available}
  - {id: hyuga-neji, name: Hyuga Neji, rank: genin, skills: {taijutsu: 4}, status: available}
missions:
  - id: tani-scroll
    title: Bring the sacred scroll home from Tanigakure
    rank: C
    client: {name: Tanigakure village head, min_team_size: 3}
    objective: {tags: [scroll]}
    route: [konoha, tanigakure, konoha]
    window: {earliest: 2026-11-24, due: 2026-11-27}
  - id: kusa-patrol
    title: Walk the road to Kusa
    rank: D
    route: [konoha, kusa, konoha]
    window: {earliest: 2026-11-24}
organizations:
  - {id: akatsuki, name: Akatsuki, interests: [sacred]}
threats:
  - {id: uchiha-itachi, name: Itachi, rank: S, organization: akatsuki, abilities: [sharingan]}
sightings:
  - {threat: uchiha-itachi, place: kusa, at: 2026-01-02T16:00, confidence: 0.2}
countermeasures:
  - {ability: sharingan, advice: "Never meet the eyes.", role: null}
standing_orders:
  - {id: medic-from-c, rule: require_role, role: medic, count: 1, when: {min_rank: C}}
  - {id: max-three, rule: max_size, size: 3}
history:
  - mission: {id: old-errand, title: An old errand, rank: D, route: [konoha, kusa, konoha]}
    squad: {leader: nara-shikamaru, members: [hyuga-neji]}
    departed: 2025-10-01T06:00
    returned: 2025-10-02T18:00
    report: {outcome: success}
"""

DEPART = "2026-11-24T06:00"
REPORT = "outcome: success\nreturned: 2026-11-25T18:00\n"


def write(tmp_path: Path, name: str, content: str) -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def office(cli: Cli, db_url: str, tmp_path: Path) -> str:
    """The small village imported into `db_url`."""
    result = cli("--db", db_url, "village", "import", write(tmp_path, "v.yaml", SMALL_VILLAGE))
    assert result.code == 0, result.stderr
    return db_url


def squad_in_the_field(cli: Cli, db_url: str, tmp_path: Path) -> list[str]:
    """Plan the board, approve and dispatch tani-scroll; returns its squad."""
    office(cli, db_url, tmp_path)
    assert cli("--db", db_url, "plan", "--time-limit", "2").code == 0
    approved = cli("--db", db_url, "approve", "tani-scroll", "--json")
    assert approved.code == 0, approved.stderr
    sent = cli("--db", db_url, "dispatch", "tani-scroll", "--at", DEPART)
    assert sent.code == 0, sent.stderr
    import json

    squad: list[str] = json.loads(approved.stdout)["squad"]
    return squad


def snapshot(db_url: str) -> list[str]:
    """Everything in the database: `iterdump` for SQLite, every row of every table for
    PostgreSQL (sorted, so the comparison does not depend on physical order)."""
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        connection = sqlite3.connect(str(url.database))
        try:
            return list(connection.iterdump())
        finally:
            connection.close()
    engine = create_engine(db_url)
    try:
        lines: list[str] = []
        with engine.connect() as connection:
            for table in sorted(inspect(connection).get_table_names()):
                rows = connection.execute(text(f'SELECT * FROM "{table}"')).all()
                lines.extend(sorted(f"{table}: {tuple(row)!r}" for row in rows))
        return lines
    finally:
        engine.dispose()
