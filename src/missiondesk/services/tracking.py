"""Watching dispatched squads: who missed a check-in, and the rescue squad to send.

The proposal comes from `operations.rescue.compose_rescue`, the same composition `rescue`
sends (services/rescue.py), read from the database by `propose` below.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import Connection, select

from missiondesk.domain.ranks import IN_THE_FIELD, MissionRank, MissionStatus
from missiondesk.domain.village import Village
from missiondesk.operations.rescue import LostSquad, Rescue, RescueMember, compose_rescue
from missiondesk.operations.schedule import Expected, is_overdue
from missiondesk.operations.transitions import Step
from missiondesk.planning.roster import Departure
from missiondesk.risk.roads import RoadNetwork
from missiondesk.services.clock import clock_of, next_checkin
from missiondesk.services.missions import squad_rows, transition
from missiondesk.services.planning import committed_shinobi, departures_not_in_history
from missiondesk.services.village import current_village
from missiondesk.services.wellbeing import flags_in_force
from missiondesk.store import tables as t
from missiondesk.store.database import Database

__all__ = ["OverdueSquad", "Rescue", "RescueMember", "overdue"]


class OverdueSquad(BaseModel):
    mission: str
    checkin_due: dt.datetime
    last_place: str
    last_seen: dt.datetime
    squad: list[str]
    rescue: Rescue


@dataclass
class Watch:
    """What the rescue's planner reads, gathered once per transaction."""

    village: Village
    network: RoadNetwork
    grace: float
    committed: dict[str, str]
    recallable: set[str]
    flags: Mapping[str, set[str]]
    departures: list[Departure]


def watch(connection: Connection) -> Watch:
    village = current_village(connection)
    committed = committed_shinobi(connection)
    approved = {
        r[0]
        for r in connection.execute(
            select(t.mission.c.id).where(t.mission.c.status == MissionStatus.APPROVED)
        )
    }
    return Watch(
        village=village,
        network=RoadNetwork.from_village(village),
        grace=village.settings.checkin_grace_hours,
        committed=committed,
        recallable={s for s, m in committed.items() if m in approved},
        flags=flags_in_force(connection, village),
        departures=departures_not_in_history(connection),
    )


def expected_checkin(
    connection: Connection, row: Mapping[str, Any], seen: Watch
) -> Expected | None:
    """The next check-in the mission's squad owes (None: no schedule, or the route done)."""
    return next_checkin(connection, row, seen.network, seen.grace)


def rescue_id_for(connection: Connection, mission_id: str) -> str:
    """`rescue-MISSION`, or `rescue-MISSION-2`, ... when an earlier rescue came back."""
    taken = {
        r[0]
        for r in connection.execute(
            select(t.mission.c.id).where(t.mission.c.id.like(f"rescue-{mission_id}%"))
        )
    }
    candidate, n = f"rescue-{mission_id}", 1
    while candidate in taken:
        n += 1
        candidate = f"rescue-{mission_id}-{n}"
    return candidate


def rescue_under_way(connection: Connection, mission_id: str) -> dict[str, Any] | None:
    """The rescue of `mission_id` that is out now, if one is."""
    row = (
        connection.execute(
            select(t.mission)
            .where(
                t.mission.c.rescue_of == mission_id, t.mission.c.status.in_(sorted(IN_THE_FIELD))
            )
            .order_by(t.mission.c.departed_at)
        )
        .mappings()
        .first()
    )
    return dict(row) if row is not None else None


def propose(
    connection: Connection,
    seen: Watch,
    lost: Mapping[str, Any],
    expected: Expected,
    at: dt.datetime,
    *,
    pins: Sequence[str] = (),
    time_limit: float = 5.0,
) -> Rescue:
    """The rescue `overdue` proposes and `rescue` sends, for the lost mission's row."""
    return compose_rescue(
        seen.village,
        seen.network,
        LostSquad(
            mission=lost["id"],
            rank=MissionRank(lost["effective_rank"] or lost["rank"]),
            last_place=expected.last_place,
            next_place=expected.place,
        ),
        at,
        rescue_id=rescue_id_for(connection, lost["id"]),
        committed=seen.committed,
        recallable=seen.recallable,
        flags=seen.flags,
        departures=seen.departures,
        pins=pins,
        time_limit=time_limit,
    )


def sent_rescue(connection: Connection, row: Mapping[str, Any]) -> Rescue:
    """The rescue already on its way, as the overdue list shows it."""
    squad = squad_rows(connection, row["id"])
    leader = squad[0] if squad else None
    return Rescue(
        mission=row["id"],
        sent=True,
        leader=leader["shinobi_id"] if leader else None,
        leader_roles=list(leader["roles"]) if leader else [],
        members=[RescueMember(shinobi=s["shinobi_id"], roles=list(s["roles"])) for s in squad[1:]],
        reasons=[f"{row['id']} left at {row['departed_at']:%Y-%m-%d %H:%M}"],
    )


def proposed_when_missed(
    connection: Connection, mission_id: str, expected: Expected
) -> Rescue | None:
    """The rescue proposed when the squad was recorded overdue for this same missed
    check-in (the mission keeps it, and exports it), so reading it again runs no solver
    and an imported office proposes the same."""
    kept = connection.execute(
        select(t.mission.c.rescue_proposal).where(t.mission.c.id == mission_id)
    ).scalar_one_or_none()
    if not isinstance(kept, dict) or not isinstance(kept.get("rescue"), dict):
        return None
    try:
        if dt.datetime.fromisoformat(str(kept.get("checkin_due"))) != expected.due:
            return None  # recorded for an earlier miss; the squad was heard from since
        return Rescue.model_validate(kept["rescue"])
    except (ValueError, ValidationError):
        return None  # a hand-written file's proposal that does not read: propose afresh


def record_missed(
    connection: Connection,
    lost: Mapping[str, Any],
    expected: Expected,
    rescue: Rescue,
    *,
    actor: str,
    at: dt.datetime,
) -> None:
    """A dispatched squad past its check-in becomes overdue: `checkin.missed`, with the
    rescue proposed for it, which the mission keeps while it is overdue."""
    proposal = {
        "checkin_due": expected.due.isoformat(),
        "last_place": expected.last_place,
        "rescue": rescue.model_dump(mode="json"),
    }
    transition(
        connection,
        lost,
        Step.MISS_CHECKIN,
        actor=actor,
        at=at,
        after=proposal,
        rescue_proposal=proposal,  # kept with the mission (and exported) while it is overdue
    )


def overdue(
    db: Database, *, at: dt.datetime | None = None, rescue_time_limit: float = 5.0
) -> list[OverdueSquad]:
    """Squads past a due check-in at `at` (default: the village clock), each with a
    proposed rescue (or the one already sent). Reading only: a squad found late here is
    recorded `overdue` when the clock passes its due time (services/clock.py), or when
    its rescue is sent. A squad recorded overdue shows the rescue proposed then (kept in
    its `checkin.missed` event); only a late squad not yet recorded (or one whose event is
    not on record, as after an import) runs the solver, judging the rescue at the missed
    check-in's due time as the pass does."""
    found: list[OverdueSquad] = []
    with db.reading() as connection:
        at = at or clock_of(connection).now
        seen = watch(connection)
        rows = connection.execute(
            select(t.mission)
            .where(t.mission.c.status.in_(sorted(IN_THE_FIELD)))
            .order_by(t.mission.c.departed_at, t.mission.c.id)
        ).mappings()
        for row in [dict(r) for r in rows]:
            expected = expected_checkin(connection, row, seen)
            if expected is None or not is_overdue(expected, at):
                continue
            under_way = rescue_under_way(connection, row["id"])
            if under_way is not None:
                rescue = sent_rescue(connection, under_way)
            else:
                rescue = (
                    proposed_when_missed(connection, row["id"], expected)
                    if row["status"] == MissionStatus.OVERDUE
                    else None
                ) or propose(
                    # Judged when the check-in was missed, as the clock's pass records it:
                    # the same answer before and after that pass, or an export and import.
                    connection,
                    seen,
                    row,
                    expected,
                    expected.due,
                    time_limit=rescue_time_limit,
                )
            found.append(
                OverdueSquad(
                    mission=row["id"],
                    checkin_due=expected.due,
                    last_place=expected.last_place,
                    last_seen=expected.last_seen,
                    squad=[s["shinobi_id"] for s in squad_rows(connection, row["id"])],
                    rescue=rescue,
                )
            )
    return found
