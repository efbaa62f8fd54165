"""Reading one mission and its squad from the database, for the lifecycle services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
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
    connection: Connection,
    mission_id: str,
    allowed: Collection[str],
    needs: str,
    *,
    done: Collection[str] = (),
) -> dict[str, Any]:
    """The mission's row when its status is one of `allowed`; otherwise a Conflict that says
    what the step `needs` ("only a planned mission can be approved ..."), or that the step
    was `done` already (the loser of two identical steps hears "already dispatched")."""
    mission = mission_row(connection, mission_id)
    status = mission["status"]
    if status in done:
        raise Conflict(f"mission {mission_id!r} is already {status}", field="mission")
    if status not in allowed:
        raise Conflict(f"mission {mission_id!r} is {status}; {needs}", field="mission")
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


def transition(connection: Connection, mission: Mapping[str, Any], to: str, **values: Any) -> None:
    """Move a mission from the status and version it was read at to `to`.

    The UPDATE names what the step read (`status` and `version`), so the database decides:
    if anything changed the mission since, no row matches and the step is refused instead
    of acting on a stale reading. Inside `Database.transaction` (one writer at a time) this
    never fires; it is the guard that keeps a step honest if ever called outside one.
    """
    changed = connection.execute(
        update(t.mission)
        .where(
            t.mission.c.id == mission["id"],
            t.mission.c.status == mission["status"],
            t.mission.c.version == mission["version"],
        )
        .values(status=to, version=t.mission.c.version + 1, **values)
    ).rowcount
    if changed != 1:
        now = mission_row(connection, mission["id"])["status"]
        raise Conflict(
            f"mission {mission['id']!r} changed while this step ran (it is now {now}); "
            "look again and retry",
            field="mission",
        )


def advance_today(connection: Connection, at: dt.datetime) -> None:
    """The village's clock follows its operations: a step dated later moves `now` to it
    (never backwards)."""
    connection.execute(update(t.village).where(t.village.c.now < at).values(now=at))
