"""A small village for the rescue tests: one squad lost in the forest, a few people at
home, a patrol that can take the only free medic away. Squads are set by hand (as a plan
would leave them) so every test knows exactly who is free."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy import create_engine, select, text

from md_support import Result
from missiondesk.store import tables as t
from missiondesk.store.database import resolve_url

Cli = Callable[..., Result]

VILLAGE = """\
format: missiondesk/village/v1
village: {id: konoha, name: Konoha, today: 2026-06-10}
places: [{id: konoha, name: Konoha}, {id: forest, name: Forest}]
roads: [{from: konoha, to: forest, hours: 4}]
roles:
  medic: {medical: 2}
shinobi:
  - {id: kakashi, name: Kakashi, rank: jonin, status: available}
  - {id: naruto, name: Naruto, rank: genin, status: available}
  - {id: sakura, name: Sakura, rank: genin, skills: {medical: 3}, status: available}
  - {id: asuma, name: Asuma, rank: jonin, status: available}
  - {id: ino, name: Ino, rank: chunin, skills: {medical: 2}, status: available}
  - {id: choji, name: Choji, rank: genin, status: available}
  - {id: shino, name: Shino, rank: genin, status: available}
  - {id: neji, name: Neji, rank: chunin, status: injured, available_from: 2026-07-01}
missions:
  - {id: lost, title: Into the forest, rank: C, route: [konoha, forest, konoha],
     window: {earliest: 2026-06-10}}
  - {id: patrol, title: Patrol the wall, rank: D, route: [konoha, forest, konoha],
     window: {earliest: 2026-06-12}}
standing_orders:
  - {id: chunin-leads, rule: leader_min_rank, rank: chunin}
"""

LOST = "lost"
DEPART = "2026-06-10T08:00"
DUE = "2026-06-10T18:00"  # 4 h to the forest, 6 h of grace
LATE = "2026-06-10T19:00"
LOST_SQUAD = ("kakashi", "naruto", "sakura")


def plant_squad(db_url: str, mission: str, squad: Sequence[str]) -> None:
    """Leave `squad` (leader first) planned for `mission`, as `plan` would."""
    engine = create_engine(resolve_url(db_url))
    with engine.begin() as connection:
        for position, shinobi in enumerate(squad):
            connection.execute(
                text(
                    "INSERT INTO assignment"
                    " (mission_id, shinobi_id, is_leader, position, roles, reasons)"
                    " VALUES (:m, :s, :lead, :p, '[]', '[]')"
                ),
                {"m": mission, "s": shinobi, "lead": position == 0, "p": position},
            )
        connection.execute(
            text("UPDATE mission SET status = 'planned' WHERE id = :m"), {"m": mission}
        )
    engine.dispose()


def lost_squad(cli: Cli, db_url: str, tmp_path: Path) -> str:
    """The village imported and its `lost` squad dispatched at DEPART (not yet overdue)."""
    path = tmp_path / "village.yaml"
    path.write_text(VILLAGE, encoding="utf-8")
    assert cli("--db", db_url, "village", "import", path).code == 0
    plant_squad(db_url, LOST, LOST_SQUAD)
    assert cli("--db", db_url, "approve", LOST).code == 0
    sent = cli("--db", db_url, "dispatch", LOST, "--at", DEPART)
    assert sent.code == 0, sent.stderr
    return db_url


def patrol_takes_the_medic(cli: Cli, db_url: str) -> None:
    """Ino, the only free medic, approved onto the patrol (not yet dispatched)."""
    plant_squad(db_url, "patrol", ("ino", "choji"))
    assert cli("--db", db_url, "approve", "patrol").code == 0


def committed(db_url: str) -> dict[str, str]:
    engine = create_engine(resolve_url(db_url))
    with engine.connect() as connection:
        rows = connection.execute(select(t.commitment.c.shinobi_id, t.commitment.c.mission_id))
        found = {s: m for s, m in rows}
    engine.dispose()
    return found


def state(cli: Cli, db_url: str) -> tuple[str, ...]:
    """Everything a refused rescue must leave as it was."""
    return (
        cli("--db", db_url, "village", "export").stdout,
        cli("--db", db_url, "board", "--json").stdout,
        cli("--db", db_url, "roster", "--json").stdout,
        cli("--db", db_url, "timeline", LOST, "--json").stdout,
        json.dumps(committed(db_url), sort_keys=True),
    )
