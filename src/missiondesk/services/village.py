"""Importing, exporting and reading the village: the board and the roster."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel
from sqlalchemy import Connection, select

from missiondesk.domain.village import Village
from missiondesk.errors import BadInput
from missiondesk.services.events import record_event
from missiondesk.store import tables as t
from missiondesk.store.database import Database
from missiondesk.store.village_rows import (
    delete_village,
    has_village,
    insert_village,
    load_village,
    volunteers_by_mission,
)
from missiondesk.villagefile.parse import load_village as read_village_file


@dataclass(frozen=True)
class ImportSummary:
    village: str
    shinobi: int
    missions: int
    history: int
    replaced: bool


def validate_file(path: Path) -> Village:
    """The village in `path`, or a VillageFileError naming every problem (file, line, field)."""
    return read_village_file(path)


def import_village(db: Database, path: Path, *, replace: bool = False, actor: str) -> ImportSummary:
    """Import a village file atomically; with `replace`, swap out the stored one in the same
    transaction. A bad file, or a database that already holds a village without `replace`,
    changes nothing."""
    village = read_village_file(path)
    return import_village_value(db, village, replace=replace, actor=actor, source=str(path))


def import_village_value(
    db: Database, village: Village, *, replace: bool, actor: str, source: str
) -> ImportSummary:
    with db.transaction() as connection:
        replaced = has_village(connection)
        if replaced and not replace:
            raise BadInput(
                "this database already holds a village; use --replace to swap it for the file's"
            )
        # Without a village the file tables are empty; clearing them anyway costs nothing
        # and keeps a database that was tampered with by hand from half-merging.
        delete_village(connection)
        insert_village(connection, village)
        summary = ImportSummary(
            village=village.village.id,
            shinobi=len(village.shinobi),
            missions=len(village.missions),
            history=len(village.history),
            replaced=replaced,
        )
        record_event(
            connection,
            actor=actor,
            kind="village.replaced" if replaced else "village.imported",
            subject=village.village.id,
            after={"source": source, **summary.__dict__},
        )
    return summary


def require_village(connection: Connection) -> None:
    if not has_village(connection):
        raise BadInput("this database holds no village yet; run `missiondesk village import FILE`")


def export_village(db: Database) -> Village:
    with db.reading() as connection:
        require_village(connection)
        return load_village(connection)


def current_village(connection: Connection) -> Village:
    require_village(connection)
    return load_village(connection)


class BoardRow(BaseModel):
    id: str
    title: str
    rank: str
    effective_rank: str | None
    priority: int
    status: str
    volunteers: list[str] = []  # who volunteered for it (SPEC section 13)


class RosterRow(BaseModel):
    id: str
    name: str
    rank: str
    status: str
    available_from: dt.date | None


def board(db: Database) -> list[BoardRow]:
    """Missions by status (the lifecycle order), then priority (highest first), then id."""
    from missiondesk.domain.ranks import MissionStatus

    order = {s.value: i for i, s in enumerate(MissionStatus)}
    with db.reading() as connection:
        require_village(connection)
        rows = connection.execute(
            select(
                t.mission.c.id,
                t.mission.c.title,
                t.mission.c.rank,
                t.mission.c.effective_rank,
                t.mission.c.priority,
                t.mission.c.status,
            )
        ).all()
        volunteers = volunteers_by_mission(connection)
    result = [
        BoardRow(
            id=r.id,
            title=r.title,
            rank=r.rank,
            effective_rank=r.effective_rank,
            priority=r.priority,
            status=r.status,
            volunteers=volunteers.get(r.id, []),
        )
        for r in rows
    ]
    result.sort(key=lambda b: (order.get(b.status, 99), -b.priority, b.id))
    return result


def roster(db: Database) -> list[RosterRow]:
    """Shinobi in the village file's order."""
    with db.reading() as connection:
        require_village(connection)
        rows = connection.execute(
            select(
                t.shinobi.c.id,
                t.shinobi.c.name,
                t.shinobi.c.rank,
                t.shinobi.c.status,
                t.shinobi.c.available_from,
            ).order_by(t.shinobi.c.position)
        ).all()
    return [
        RosterRow(
            id=r.id, name=r.name, rank=r.rank, status=r.status, available_from=r.available_from
        )
        for r in rows
    ]
