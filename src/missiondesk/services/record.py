"""Each shinobi's record as a game master reads it (SPEC section 13): where they are and
when they are due back, missions done by rank, successes, ryo, and a promotion they are
ready for.

Every fact is one query over the whole roster (grouped in the database, or one SELECT
folded in Python), never one query per shinobi: the roster of a 2,000-shinobi village
reads in a handful of statements. Nothing here writes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Connection, Select, func, select

from missiondesk.domain.ranks import (
    COMMITTED,
    IN_THE_FIELD,
    MissionRank,
    ShinobiRank,
    ShinobiStatus,
)
from missiondesk.operations.schedule import due_back
from missiondesk.store import tables as t
from missiondesk.store.commitments import commitments
from missiondesk.store.ledger import current_book, in_book
from missiondesk.store.records import RANK_COLUMNS
from missiondesk.store.village_rows import road_network

if TYPE_CHECKING:
    from missiondesk.domain.promotion import PromotionRule

GONE = frozenset({ShinobiStatus.MISSING, ShinobiStatus.DECEASED, ShinobiStatus.DEFECTED})
"""Nobody missing, dead or defected is listed as ready for promotion."""


RANKS = tuple(r.value for r in MissionRank)
"""Mission ranks in order, D to S: the keys of every record."""


@dataclass
class MissionsDone:
    """One shinobi's past missions: how many of each rank, and how many succeeded."""

    by_rank: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RANKS, 0))
    """`{D: n, C: n, B: n, A: n, S: n}`, every rank present."""
    successes: int = 0

    def as_ranks(self) -> dict[str, int]:
        return dict(self.by_rank)

    @classmethod
    def of(cls, successes: int, *by_rank: int) -> MissionsDone:
        """From `done_columns()`: the successes, then the counts D to S."""
        return cls(dict(zip(RANKS, by_rank, strict=True)), successes)


def done_columns() -> list[ColumnElement[int]]:
    """Successes, then the missions of each rank D to S, from `shinobi_record` outer-joined
    to the roster (`with_record`): 0 for someone with no history."""
    record = t.shinobi_record.c
    columns = [record.successes, *(record[RANK_COLUMNS[rank]] for rank in RANKS)]
    return [func.coalesce(c, 0) for c in columns]


def with_record(roster: Select[Any]) -> Select[Any]:
    """`roster` (a SELECT from `shinobi`) with each shinobi's record beside their row, in
    one statement: `done_columns()` then read by `MissionsDone.of`."""
    return roster.add_columns(*done_columns()).outerjoin(
        t.shinobi_record, t.shinobi_record.c.shinobi_id == t.shinobi.c.id
    )


def missions_done(connection: Connection) -> dict[str, MissionsDone]:
    """Everyone's history, leaders and members alike: the counts every write of the history
    keeps (store/records.py), one row per shinobi."""
    return {
        shinobi: MissionsDone.of(*counts)
        for shinobi, *counts in connection.execute(
            select(t.shinobi_record.c.shinobi_id, *done_columns())
        )
    }


def ryo_by_shinobi(connection: Connection) -> dict[str, int]:
    """Ryo paid to each shinobi in the current ledger book (one grouped query)."""
    return {
        sid: int(total or 0)
        for sid, total in connection.execute(
            select(t.ledger.c.shinobi, func.sum(t.ledger.c.ryo))
            .where(in_book(*current_book(connection)), t.ledger.c.shinobi.is_not(None))
            .group_by(t.ledger.c.shinobi)
        )
    }


def meets(rule: PromotionRule, done: MissionsDone) -> bool:
    """The record holds the rule's missions of each rank and its successes."""
    return done.successes >= rule.successes and all(
        done.by_rank[rank.value] >= count for rank, count in rule.missions.items()
    )


def promotion_rules(connection: Connection) -> list[PromotionRule]:
    """The village file's `promotion` rules, in file order."""
    definitions = (
        connection.execute(
            select(t.promotion_rule.c.definition).order_by(t.promotion_rule.c.position)
        )
        .scalars()
        .all()
    )
    # Read as models (pydantic) only when there are rules: the roster of a village
    # without them never loads the models.
    if not definitions:
        return []
    from missiondesk.domain.promotion import PromotionRule

    return [PromotionRule.model_validate(definition) for definition in definitions]


def rule_met(
    rank: ShinobiRank, status: ShinobiStatus, done: MissionsDone, rules: Iterable[PromotionRule]
) -> PromotionRule | None:
    """The first rule from `rank` this record meets (None: none, or they are gone)."""
    if status in GONE:
        return None
    return next((r for r in rules if r.from_ == rank and meets(r, done)), None)


@dataclass(frozen=True, slots=True)
class Whereabouts:
    """The mission a shinobi is on (or committed to), and when they are due back."""

    mission: str
    status: str  # approved (committed, not yet gone), dispatched or overdue
    departs: dt.datetime | None  # planned until dispatched, then the actual departure
    due_back: dt.datetime | None  # departs + the route's road hours + on_site_hours


def whereabouts(connection: Connection) -> dict[str, Whereabouts]:
    """Who is bound to a squad approved or in the field, in two queries (the commitments
    with their missions, and the map when anyone is out). Someone committed to several
    squads is shown with the one in the field, else the one that leaves first."""
    rows = commitments(connection, t.mission.c.status.in_(sorted(COMMITTED)))
    if not rows:
        return {}
    network = road_network(connection)
    back: dict[str, dt.datetime | None] = {}
    found: dict[str, Whereabouts] = {}
    for r in rows:  # earliest departure first
        if r.id not in back:
            back[r.id] = (
                due_back(r.route, r.departed_at, network, r.on_site_hours or 0.0)
                if r.departed_at is not None and r.route
                else None
            )
        held = found.get(r.shinobi_id)
        if held is not None and (held.status in IN_THE_FIELD or r.status not in IN_THE_FIELD):
            continue
        found[r.shinobi_id] = Whereabouts(
            mission=r.id, status=r.status, departs=r.departed_at, due_back=back[r.id]
        )
    return found
