"""Reading one mission and its squad from the database, for the lifecycle services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, delete, select, update

from missiondesk.domain.ranks import MissionStatus
from missiondesk.errors import Conflict, NotFound
from missiondesk.operations.scheduled import stale_reason
from missiondesk.operations.transitions import MOVES, Step, allows
from missiondesk.services.events import record_event
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
    if status == MissionStatus.STALE and status not in allowed:
        why = stale_reason(mission["latest"] or mission["earliest"])
        raise Conflict(f"mission {mission_id!r} is stale: {why}", field="mission")
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


def squads_of(
    connection: Connection, mission_ids: Iterable[str]
) -> dict[str, list[dict[str, Any]]]:
    """Each mission's squad as stored (its assignment rows), leader first: the one place
    squads are read from the database. A mission with no squad is left out."""
    rows = connection.execute(
        select(t.assignment)
        .where(t.assignment.c.mission_id.in_(list(mission_ids)))
        .order_by(
            t.assignment.c.mission_id, t.assignment.c.is_leader.desc(), t.assignment.c.position
        )
    ).mappings()
    grouped: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        grouped.setdefault(r["mission_id"], []).append(dict(r))
    return grouped


def missions_on(connection: Connection, shinobi_id: str) -> list[str]:
    """The missions whose squad has `shinobi_id` on it, by id: `squads_of` asked the other
    way round."""
    return list(
        connection.execute(
            select(t.assignment.c.mission_id)
            .where(t.assignment.c.shinobi_id == shinobi_id)
            .order_by(t.assignment.c.mission_id)
        ).scalars()
    )


def squad_rows(connection: Connection, mission_id: str) -> list[dict[str, Any]]:
    """The mission's squad, leader first."""
    return squads_of(connection, [mission_id]).get(mission_id, [])


def squad_ids(connection: Connection, mission_id: str) -> list[str]:
    """The ids of the mission's squad, leader first (empty when it has none)."""
    return [r["shinobi_id"] for r in squad_rows(connection, mission_id)]


def release_squad(connection: Connection, mission_id: str) -> list[str]:
    """Drop the squad of a mission that has not left (a cancellation, a recall): its stored
    squad and its members' commitments to it go, so they are free for other squads at once.
    Returns the squad released, leader first."""
    squad = squad_ids(connection, mission_id)
    for table in (t.assignment, t.commitment):
        connection.execute(delete(table).where(table.c.mission_id == mission_id))
    return squad


def transition(
    connection: Connection,
    mission: Mapping[str, Any],
    step: Step,
    *,
    actor: str,
    at: dt.datetime | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    **values: Any,
) -> MissionStatus:
    """Move a mission by `step` (operations/transitions.py) from the status and version it
    was read at, and log it: the one place a lifecycle step changes a mission's status.

    The event is the step's, with `before` and `after` its status plus what the caller adds.
    `values` are other columns the step sets (the departure time, say).

    The UPDATE names what the step read (`status` and `version`), so the database decides:
    if anything changed the mission since, no row matches and the step is refused instead
    of acting on a stale reading. Inside `Database.transaction` (one writer at a time) this
    never fires; it is the guard that keeps a step honest if ever called outside one.
    """
    status = mission["status"]
    if not allows(step, status):
        raise Conflict(
            f"mission {mission['id']!r} is {status}; it cannot {step.value}", field="mission"
        )
    to = MOVES[step].to
    changed = connection.execute(
        update(t.mission)
        .where(
            t.mission.c.id == mission["id"],
            t.mission.c.status == status,
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
    record_event(
        connection,
        actor=actor,
        kind=MOVES[step].event,
        subject=mission["id"],
        before={"status": str(status), **(before or {})},
        after={"status": to.value, **(after or {})},
        at=at,
    )
    return to
