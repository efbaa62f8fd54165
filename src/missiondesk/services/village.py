"""Importing, exporting and reading the village: the board and the roster."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, select

from missiondesk.domain.ranks import COMMITTED, MissionStatus, ShinobiRank, ShinobiStatus
from missiondesk.errors import BadInput, named
from missiondesk.operations.scheduled import stale_reason
from missiondesk.services import record
from missiondesk.store import tables as t
from missiondesk.store.database import Database
from missiondesk.store.village_rows import (
    delete_village,
    has_village,
    insert_village,
    load_village,
    volunteers_by_mission,
)

if TYPE_CHECKING:
    from missiondesk.domain.village import Village


@dataclass(frozen=True)
class ImportSummary:
    village: str
    shinobi: int
    missions: int
    history: int
    replaced: bool


def validate_file(path: Path) -> Village:
    """The village in `path`, or a VillageFileError naming every problem (file, line, field)."""
    # The parser (YAML, NumPy's scan for nesting) loads only when a file is read, so the
    # board and the roster start light.
    from missiondesk.villagefile.parse import load_village as read_village_file

    return read_village_file(path)


def import_village(db: Database, path: Path, *, replace: bool = False, actor: str) -> ImportSummary:
    """Import a village file atomically; with `replace`, swap out the stored one in the same
    transaction. A bad file, or a database that already holds a village without `replace`,
    changes nothing."""
    village = validate_file(path)
    return import_village_value(db, village, replace=replace, actor=actor, source=str(path))


def import_village_value(
    db: Database, village: Village, *, replace: bool, actor: str, source: str
) -> ImportSummary:
    with db.transaction() as connection:
        replaced = has_village(connection)
        if replaced and not replace:
            raise BadInput(
                f"this database already holds a village; use {named('replace')} to swap it "
                "for the file's",
                field="replace",
            )
        if replaced:
            _check_nothing_in_progress_is_dropped(connection, village)
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
        # The log (and the outbox behind it) loads when something is written: the board
        # and the roster, which share this module, never write.
        from missiondesk.services.events import record_event

        record_event(
            connection,
            actor=actor,
            kind="village.replaced" if replaced else "village.imported",
            subject=village.village.id,
            after={"source": source, **summary.__dict__},
        )
    return summary


NAMED_AT_MOST = 20
"""Missions named in a refused replacement before "and N more"."""


def _check_nothing_in_progress_is_dropped(connection: Connection, village: Village) -> None:
    """Every mission approved, dispatched or overdue in the database must be in the file,
    still in progress, with the same squad: replacing must never lose a squad in the field
    (SPEC section 10). A refusal names every such mission."""
    stored = stored_squads_in_progress(connection)
    if not stored:
        return
    in_file = {m.id: m for m in village.missions}
    dropped = []
    for mission_id, (status, squad) in stored.items():
        mission = in_file.get(mission_id)
        if mission is None:
            dropped.append(f"{mission_id} ({status}) is not in the file")
        elif mission.status not in COMMITTED:
            dropped.append(f"{mission_id} ({status}) is {mission.status.value} in the file")
        elif mission.squad is None:
            dropped.append(f"{mission_id} ({status}) has no squad in the file")
        elif squad and (mission.squad.leader, sorted(mission.squad.members)) != (
            squad[0],
            sorted(squad[1:]),
        ):
            dropped.append(
                f"{mission_id} ({status}) has another squad in the file "
                f"({', '.join(mission.squad.everyone)}; on record: {', '.join(squad)})"
            )
    if dropped:
        named = dropped[:NAMED_AT_MOST]
        if len(dropped) > NAMED_AT_MOST:
            named.append(f"and {len(dropped) - NAMED_AT_MOST} more")
        raise BadInput(
            "this file would drop missions in progress: "
            + "; ".join(named)
            + ". Export the village (`missiondesk village export`) and edit that file, "
            "or finish those missions first",
            field="missions",
        )


def stored_squads_in_progress(connection: Connection) -> dict[str, tuple[str, list[str]]]:
    """mission -> (status, squad leader first) for every mission approved, dispatched or
    overdue in the database."""
    rows = connection.execute(
        select(t.mission.c.id, t.mission.c.status)
        .where(t.mission.c.status.in_(sorted(COMMITTED)))
        .order_by(t.mission.c.position)
    ).all()
    if not rows:
        return {}
    from missiondesk.services.missions import squads_of  # it reads villages through here

    squads = squads_of(connection, [r.id for r in rows])
    return {r.id: (r.status, [s["shinobi_id"] for s in squads.get(r.id, [])]) for r in rows}


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


# The board's and the roster's rows are read from the database, never from a person:
# plain dataclasses (no validation), which pydantic serialises for the JSON and the API as
# it does models. So the two commands a game master runs most never load pydantic's
# models, and validating 2,000 roster rows no longer costs 20 ms of each start.


@dataclass(frozen=True, slots=True)
class BoardOverride:
    """A rank override as the board shows it, read back from its stored record (the
    village's `RankOverride`, checked when it was made); a plain shape keeps the board from
    loading the whole village's models."""

    rank: str
    reason: str
    by: str
    at: dt.datetime

    @classmethod
    def read(cls, stored: dict[str, str]) -> BoardOverride:
        """From the mission's stored override (the village's `RankOverride` as JSON)."""
        at = dt.datetime.fromisoformat(stored["at"])
        return cls(rank=stored["rank"], reason=stored["reason"], by=stored["by"], at=at)


@dataclass(frozen=True, slots=True)
class BoardRow:
    id: str
    title: str
    rank: str
    effective_rank: str | None  # the override's rank when overruled, else the judged rank
    priority: int
    status: str
    note: str | None = None  # why a mission is where it is, when that is not obvious (stale)
    judged_rank: str | None = None  # what the evidence made of it (None: not assessed yet)
    override: BoardOverride | None = None  # the game master's word, beside the judged rank
    volunteers: list[str] = field(default_factory=list)  # who volunteered (SPEC section 13)


@dataclass(frozen=True, slots=True)
class PendingPromotion:
    """A promotion rule the shinobi's record meets: the rank it leads to, and what it asks."""

    to: str
    missions: dict[str, int]  # missions of each rank the rule asks for
    successes: int  # successful missions the rule asks for


@dataclass(frozen=True, slots=True)
class RosterRow:
    id: str
    name: str
    rank: str
    status: str
    available_from: dt.date | None
    # For the game master (SPEC section 13), beside the SPEC's fields: the mission they are
    # on or committed to and when they are due back, their record, ryo and a promotion due.
    mission: str | None = None
    mission_status: str | None = None  # approved (committed), dispatched or overdue
    departs: dt.datetime | None = None
    due_back: dt.datetime | None = None
    missions_done: dict[str, int] = field(default_factory=dict)  # {D, C, B, A, S}: by rank
    successes: int = 0
    ryo: int = 0
    promotion: PendingPromotion | None = None


def board(db: Database) -> list[BoardRow]:
    """Missions by status (the lifecycle order), then priority (highest first), then id."""
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
                t.mission.c.earliest,
                t.mission.c.latest,
                t.mission.c.override,
            )
        ).all()
        # The judged rank of an overruled mission is in its stored assessment; read only those.
        overruled = [r.id for r in rows if r.override is not None]
        judged = (
            {
                mid: (stored or {}).get("judged_rank")
                for mid, stored in connection.execute(
                    select(t.mission.c.id, t.mission.c.assessment).where(
                        t.mission.c.id.in_(overruled)
                    )
                ).all()
            }
            if overruled
            else {}
        )
        volunteers = volunteers_by_mission(connection)
    result = [
        BoardRow(
            id=r.id,
            title=r.title,
            rank=r.rank,
            effective_rank=r.override["rank"] if r.override else r.effective_rank,
            priority=r.priority,
            status=r.status,
            note=stale_reason(r.latest or r.earliest)
            if r.status == MissionStatus.STALE and r.earliest
            else None,
            judged_rank=judged.get(r.id) if r.override else r.effective_rank,
            override=BoardOverride.read(r.override) if r.override else None,
            volunteers=volunteers.get(r.id, []),
        )
        for r in rows
    ]
    result.sort(key=lambda b: (order.get(b.status, 99), -b.priority, b.id))
    return result


def roster(db: Database) -> list[RosterRow]:
    """Shinobi in the village file's order, each with where they are and their record
    (services/record.py: one query per fact, none per shinobi)."""
    with db.reading() as connection:
        require_village(connection)
        people = select(
            t.shinobi.c.id,
            t.shinobi.c.name,
            t.shinobi.c.rank,
            t.shinobi.c.status,
            t.shinobi.c.available_from,
        ).order_by(t.shinobi.c.position)
        rows = connection.execute(record.with_record(people)).all()
        where = record.whereabouts(connection)
        ryo = record.ryo_by_shinobi(connection)
        rules = record.promotion_rules(connection)
    out = []
    for ident, name, rank, status, available_from, successes, *by_rank in rows:
        out_on = where.get(ident)
        done = dict(zip(record.RANKS, by_rank, strict=True))
        rule = None
        # Most villages have no promotion rules: then nobody's rank needs reading as one.
        if rules:
            mine = record.MissionsDone(done, successes)
            rule = record.rule_met(ShinobiRank(rank), ShinobiStatus(status), mine, rules)
        out.append(
            RosterRow(
                id=ident,
                name=name,
                rank=rank,
                status=status,
                available_from=available_from,
                mission=out_on.mission if out_on else None,
                mission_status=out_on.status if out_on else None,
                departs=out_on.departs if out_on else None,
                due_back=out_on.due_back if out_on else None,
                missions_done=done,
                successes=successes,
                ryo=ryo.get(ident, 0),
                promotion=PendingPromotion(
                    to=rule.to.value,
                    missions={k.value: n for k, n in rule.missions.items()},
                    successes=rule.successes,
                )
                if rule
                else None,
            )
        )
    return out
