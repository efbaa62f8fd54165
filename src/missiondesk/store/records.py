"""Each shinobi's record of missions done, kept beside the history it is counted from.

Counting every leader and member of 5,000 missions by shinobi and rank costs SQLite 60 ms,
most of the roster's time; the count changes only when the history does. So every write
of the history (an import, a report, a patch with history entries) ends with
`refresh_records`, in its own transaction, and the readers read one row per shinobi.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Connection, case, delete, func, insert, select, union_all

from missiondesk.domain.ranks import MissionRank, Outcome
from missiondesk.store import tables as t

RANK_COLUMNS = {rank.value: f"rank_{rank.value.lower()}" for rank in MissionRank}
"""Mission rank -> its column in `shinobi_record`, D to S."""


def refresh_records(connection: Connection) -> None:
    """Count the history again, whole, into `shinobi_record` (one INSERT ... SELECT)."""
    leaders = select(t.history.c.leader.label("shinobi"), t.history.c.rank, t.history.c.outcome)
    members = select(
        t.history_member.c.shinobi.label("shinobi"), t.history.c.rank, t.history.c.outcome
    ).join(t.history, t.history.c.position == t.history_member.c.history)
    squad = union_all(leaders, members).subquery()

    def count_where(condition: ColumnElement[bool]) -> ColumnElement[int]:
        return func.sum(case((condition, 1), else_=0))

    counted = select(
        squad.c.shinobi,
        *(count_where(squad.c.rank == rank) for rank in RANK_COLUMNS),
        count_where(squad.c.outcome == Outcome.SUCCESS.value),
    ).group_by(squad.c.shinobi)
    connection.execute(delete(t.shinobi_record))
    connection.execute(
        insert(t.shinobi_record).from_select(
            ["shinobi_id", *RANK_COLUMNS.values(), "successes"], counted
        )
    )
