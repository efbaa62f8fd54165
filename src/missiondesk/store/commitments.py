"""Who is bound to which squad: the commitments approval writes, read with their missions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import NamedTuple

from sqlalchemy import ColumnElement, Connection, select

from missiondesk.store import tables as t


class Bound(NamedTuple):
    """One shinobi bound to one mission's squad, with what its span needs."""

    shinobi_id: str
    id: str  # the mission
    status: str
    departed_at: dt.datetime | None  # planned until dispatched, then the actual departure
    route: Sequence[str]
    on_site_hours: float | None
    effective_rank: str | None  # the rank its squad was planned and approved at


def commitments(connection: Connection, *where: ColumnElement[bool]) -> list[Bound]:
    """Every commitment with its mission, filtered by `where`, earliest departure first
    (those with none planned last)."""
    rows = connection.execute(
        select(
            t.commitment.c.shinobi_id,
            t.mission.c.id,
            t.mission.c.status,
            t.mission.c.departed_at,
            t.mission.c.route,
            t.mission.c.on_site_hours,
            t.mission.c.effective_rank,
        )
        .join(t.mission, t.mission.c.id == t.commitment.c.mission_id)
        .where(*where)
        .order_by(t.mission.c.departed_at.is_(None), t.mission.c.departed_at, t.mission.c.id)
    )
    return [Bound(*row) for row in rows]
