"""Reading one mission and its squad from the database, for the lifecycle services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from sqlalchemy import Connection, select, update

from missiondesk.errors import Conflict, NotFound
from missiondesk.services.village import require_village
from missiondesk.store import tables as t


def now_minute() -> dt.datetime:
    return dt.datetime.now().replace(second=0, microsecond=0)


def mission_row(connection: Connection, mission_id: str) -> dict[str, Any]:
    row = connection.execute(select(t.mission).where(t.mission.c.id == mission_id)).mappings()
    found = row.one_or_none()
    if found is None:
        require_village(connection)  # an empty database deserves its own message
        raise NotFound(f"no mission {mission_id!r} in this village", field="mission")
    return dict(found)


def mission_in(
    connection: Connection, mission_id: str, allowed: Collection[str], needs: str
) -> dict[str, Any]:
    """The mission's row when its status is one of `allowed`; otherwise a Conflict that says
    what the step `needs` ("only a planned mission can be approved ...")."""
    mission = mission_row(connection, mission_id)
    if mission["status"] not in allowed:
        raise Conflict(f"mission {mission_id!r} is {mission['status']}; {needs}", field="mission")
    return mission


def squad_on_record(connection: Connection, mission_id: str) -> list[str]:
    """The mission's squad, leader first; a Conflict when Mission Desk never recorded one
    (a mission marked approved or dispatched in the village file)."""
    ids = [s["shinobi_id"] for s in squad_rows(connection, mission_id)]
    if not ids:
        raise Conflict(
            f"mission {mission_id!r} has no squad on record (was it approved or dispatched "
            "outside Mission Desk?); plan and approve it here first",
            field="mission",
        )
    return ids


def squad_rows(connection: Connection, mission_id: str) -> list[dict[str, Any]]:
    """The mission's squad, leader first."""
    rows = connection.execute(
        select(t.assignment)
        .where(t.assignment.c.mission_id == mission_id)
        .order_by(t.assignment.c.is_leader.desc(), t.assignment.c.position)
    ).mappings()
    return [dict(r) for r in rows]


def set_mission_status(connection: Connection, mission_id: str, status: str, **values: Any) -> None:
    connection.execute(
        update(t.mission)
        .where(t.mission.c.id == mission_id)
        .values(status=status, version=t.mission.c.version + 1, **values)
    )


def advance_today(connection: Connection, at: dt.datetime) -> None:
    """The village's clock follows its operations: a step dated later moves `now` to it
    (never backwards)."""
    connection.execute(update(t.village).where(t.village.c.now < at).values(now=at))
