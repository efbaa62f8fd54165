"""Watching dispatched squads: who missed a check-in, and the rescue squad to send.

The rescue comes from the same planner as every other squad, in emergency mode: one
mission from the home place to the squad's last known place, assessed like any other
(so its briefing covers the threats likely there), under the village's standing orders
and with a medic required whatever they say.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Connection, select

from missiondesk.domain.assessment import BriefingItem
from missiondesk.domain.orders import RequireRole
from missiondesk.domain.ranks import IN_THE_FIELD, MissionRank, MissionStatus
from missiondesk.domain.village import Client, Mission, Village, Window
from missiondesk.operations.schedule import is_overdue, next_expected
from missiondesk.planning.candidates import PlanningError
from missiondesk.planning.planner import plan_board
from missiondesk.risk.assessment import assess_mission
from missiondesk.risk.roads import RoadNetwork
from missiondesk.services.events import record_event
from missiondesk.services.lifecycle import mission_checkins
from missiondesk.services.missions import now_minute, set_mission_status
from missiondesk.services.planning import (
    bound_elsewhere,
    committed_shinobi,
    departures_not_in_history,
)
from missiondesk.services.village import current_village
from missiondesk.services.wellbeing import flags_in_force
from missiondesk.store import tables as t
from missiondesk.store.database import Database

MEDIC_ROLE = "medic"
MEDIC_DEFAULT = {"medical": 2}  # SPEC section 2's example, used when a village defines no medic
RESCUE_MIN_SIZE = 3  # someone may have to be carried home: two to carry, one to guard


class RescueMember(BaseModel):
    shinobi: str
    roles: list[str]


class Rescue(BaseModel):
    """SPEC section 7's rescue: the leader, the others as members (with their roles)."""

    leader: str | None
    leader_roles: list[str] = []
    members: list[RescueMember]
    reasons: list[str]
    briefing: list[BriefingItem] = []


class OverdueSquad(BaseModel):
    mission: str
    checkin_due: dt.datetime
    last_place: str
    last_seen: dt.datetime
    squad: list[str]
    rescue: Rescue


def overdue(
    db: Database, *, actor: str, at: dt.datetime | None = None, rescue_time_limit: float = 5.0
) -> list[OverdueSquad]:
    """Squads past a due check-in at `at` (default now), each with a proposed rescue.
    Dispatched squads found overdue are marked `overdue` (an event each)."""
    at = at or now_minute()
    found: list[OverdueSquad] = []
    with db.transaction() as connection:
        village = current_village(connection)
        network = RoadNetwork.from_village(village)
        grace = village.settings.checkin_grace_hours
        rows = connection.execute(
            select(t.mission)
            .where(t.mission.c.status.in_(sorted(IN_THE_FIELD)))
            .order_by(t.mission.c.departed_at, t.mission.c.id)
        ).mappings()
        late = []
        for row in rows:
            if row["departed_at"] is None or not row["route"]:
                continue  # dispatched before Mission Desk knew it: no schedule to miss
            expected = next_expected(
                row["route"],
                row["departed_at"],
                mission_checkins(connection, row["id"]),
                network,
                grace,
            )
            if expected is None or not is_overdue(expected, at):
                continue
            late.append((dict(row), expected))
            if row["status"] == MissionStatus.DISPATCHED:
                set_mission_status(connection, row["id"], MissionStatus.OVERDUE)
        for lost, expected in late:
            squad = _squad(connection, lost["id"])
            rescue = propose_rescue(
                connection,
                village,
                network,
                lost,
                expected.last_place,
                at,
                time_limit=rescue_time_limit,
            )
            if lost["status"] == MissionStatus.DISPATCHED:
                # Logged with the rescue proposal, which the checkin.missed notification carries.
                record_event(
                    connection,
                    actor=actor,
                    kind="mission.overdue",
                    subject=lost["id"],
                    before={"status": lost["status"]},
                    after={
                        "status": "overdue",
                        "checkin_due": expected.due,
                        "last_place": expected.last_place,
                        "rescue": rescue,
                    },
                    at=at,
                )
            found.append(
                OverdueSquad(
                    mission=lost["id"],
                    checkin_due=expected.due,
                    last_place=expected.last_place,
                    last_seen=expected.last_seen,
                    squad=squad,
                    rescue=rescue,
                )
            )
    return found


def _squad(connection: Connection, mission_id: str) -> list[str]:
    rows = connection.execute(
        select(t.assignment.c.shinobi_id)
        .where(t.assignment.c.mission_id == mission_id)
        .order_by(t.assignment.c.is_leader.desc(), t.assignment.c.position)
    )
    return [r[0] for r in rows]


def propose_rescue(
    connection: Connection,
    village: Village,
    network: RoadNetwork,
    lost: Mapping[str, Any],  # the overdue mission's row
    last_place: str,
    at: dt.datetime,
    *,
    time_limit: float,
) -> Rescue:
    """A squad that can leave now for `last_place`, with a medic, planned by the planner."""
    home = network.home or last_place
    rank = MissionRank(lost["effective_rank"] or lost["rank"])
    roles = dict(village.roles)
    roles.setdefault(MEDIC_ROLE, MEDIC_DEFAULT)
    mission = Mission(
        id=f"rescue-{lost['id']}",
        title=f"Find and bring home the squad of {lost['id']}",
        rank=rank,
        priority=5,
        kind="rescue",
        client=Client(name="the rescue", min_team_size=RESCUE_MIN_SIZE),
        objective={"tags": []},
        route=[home, last_place, home] if home != last_place else [home],
        window=Window(earliest=at.date()),
        status=MissionStatus.ASSESSED,
    )
    medic = RequireRole(id="rescue-medic", rule="require_role", role=MEDIC_ROLE, count=1)
    emergency = bound_elsewhere(village, committed_shinobi(connection)).model_copy(
        update={
            "missions": [mission],
            "roles": roles,
            "standing_orders": [*village.standing_orders, medic],
        }
    )
    assessment = assess_mission(emergency, mission, network=network)
    hours = network.hours(home, last_place)
    travel = f"from {home}, {hours:g} h by road to {last_place}, the last known place"
    try:
        plan = plan_board(
            emergency,
            {mission.id: assessment},
            missions=[mission.id],
            flags=flags_in_force(connection, village),
            extra_history=departures_not_in_history(connection),
            time_limit=time_limit,
            workers=1,
        )
    except PlanningError as impossible:
        return Rescue(
            leader=None, members=[], reasons=[str(impossible)], briefing=assessment.briefing
        )
    if not plan.squads:
        reasons = plan.unstaffed[0].reasons if plan.unstaffed else ["no squad can be formed"]
        return Rescue(leader=None, members=[], reasons=[*reasons], briefing=assessment.briefing)
    squad = plan.squads[0]
    return Rescue(
        leader=squad.leader,
        leader_roles=next(m.roles for m in squad.members if m.shinobi == squad.leader),
        members=[
            RescueMember(shinobi=m.shinobi, roles=m.roles)
            for m in squad.members
            if m.shinobi != squad.leader
        ],
        reasons=[f"rank {squad.effective_rank} rescue {travel}", *squad.reasons],
        briefing=assessment.briefing,
    )
