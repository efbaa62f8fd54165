"""Approval, dispatch, check-ins and recall: the steps between a plan and a report.

Each step is one transaction and checks that it is legal before it writes; an illegal step
raises `Conflict` (exit 2) and changes nothing. A step dated later than the clock first
records what fell due up to its time (`services/clock.act_at`), so it is judged against
the village as it is then: a squad dispatched after its window closed finds its mission
stale, and is refused with everything the recording wrote.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel
from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from missiondesk.domain.ranks import IN_THE_FIELD, RECOVERING, MissionStatus, ShinobiStatus
from missiondesk.domain.settings import Settings
from missiondesk.domain.village import Squad
from missiondesk.errors import BadInput, Conflict, named
from missiondesk.operations.fitness import free_to_leave
from missiondesk.operations.schedule import planned_checkins, returns_at, route_span_hours
from missiondesk.operations.scheduled import stale_reason
from missiondesk.operations.transitions import MOVES, Step, allows
from missiondesk.services.clock import act_at
from missiondesk.services.events import record_event
from missiondesk.services.missions import (
    mission_in,
    mission_row,
    release_squad,
    squad_on_record,
    transition,
)
from missiondesk.services.planning import squad_verdict
from missiondesk.store import tables as t
from missiondesk.store.commitments import commitments
from missiondesk.store.database import Database
from missiondesk.store.village_rows import road_network

if TYPE_CHECKING:
    from missiondesk.risk.roads import RoadNetwork


class StepResult(BaseModel):
    mission: str
    status: str
    at: dt.datetime | None = None
    squad: list[str] = []
    checkins_due: list[dict[str, str]] = []


def approve(
    db: Database, mission_id: str, *, actor: str, at: dt.datetime | None = None
) -> StepResult:
    """Make a planned squad binding. Its members are committed to this mission; under
    the write lock, nobody may be committed to two squads whose spans overlap."""
    with db.transaction() as connection:
        at = act_at(connection, at, actor=actor)
        mission = mission_in(
            connection,
            mission_id,
            [MissionStatus.PLANNED],
            "only a planned mission can be approved (run `missiondesk plan` first)",
            done=[MissionStatus.APPROVED],
        )
        ids = squad_on_record(connection, mission_id)
        _check_still_free(connection, mission, ids)
        _check_orders_still_hold(connection, mission_id, ids)
        try:
            connection.execute(
                insert(t.commitment), [{"shinobi_id": s, "mission_id": mission_id} for s in ids]
            )
        except IntegrityError as taken:
            raise Conflict(
                f"a member of the squad for {mission_id!r} was just committed to another "
                "mission; plan again",
                field="mission",
            ) from taken
        transition(connection, mission, Step.APPROVE, actor=actor, at=at, after={"squad": ids})
    return StepResult(mission=mission_id, status="approved", at=at, squad=ids)


def _check_still_free(connection: Connection, mission: dict[str, Any], ids: list[str]) -> None:
    """Everyone on the squad can still go at its planned departure: not injured past it,
    not committed to another squad whose span overlaps its own (SPEC section 9)."""
    leaves = mission["departed_at"]
    day = (
        leaves.date()
        if leaves is not None
        else mission["earliest"] or connection.execute(select(t.village.c.now)).scalar_one().date()
    )
    people = {
        r.id: r
        for r in connection.execute(
            select(t.shinobi.c.id, t.shinobi.c.status, t.shinobi.c.available_from).where(
                t.shinobi.c.id.in_(ids)
            )
        )
    }
    problems = []
    for shinobi_id in ids:
        person = people.get(shinobi_id)
        if person is None:
            problems.append(f"{shinobi_id} is no longer on the roster")
        elif not free_to_leave(person.status, person.available_from, day):
            since = f" until {person.available_from}" if person.available_from else ""
            problems.append(f"{shinobi_id} is {person.status}{since}")
    problems += _overlapping_commitments(connection, mission, ids)
    if problems:
        raise Conflict(
            f"the squad for {mission['id']!r} cannot be approved: "
            + "; ".join(problems)
            + " (plan again)",
            field="squad",
        )


def _span(
    network: RoadNetwork, route: list[str], on_site_hours: float | None, leaves: dt.datetime | None
) -> tuple[dt.datetime, dt.datetime] | None:
    """A mission's span from `leaves` (its planned departure, or now when dispatching)."""
    if leaves is None:
        return None
    return leaves, returns_at(leaves, route_span_hours(route, on_site_hours or 0.0, network))


def _overlapping_commitments(
    connection: Connection,
    mission: dict[str, Any],
    ids: list[str],
    leaves: dt.datetime | None = None,
) -> list[str]:
    """Members committed to another squad whose span overlaps this one's. A squad in the
    field, or one without a planned departure, overlaps everything."""
    network = road_network(connection)
    ours = _span(
        network, list(mission["route"]), mission["on_site_hours"], leaves or mission["departed_at"]
    )
    taken = commitments(
        connection, t.commitment.c.shinobi_id.in_(ids), t.commitment.c.mission_id != mission["id"]
    )
    found = []
    for row in taken:
        theirs = _span(network, list(row.route), row.on_site_hours, row.departed_at)
        if row.status == MissionStatus.APPROVED and ours and theirs:
            if theirs[1] <= ours[0] or ours[1] <= theirs[0]:
                continue
            when = f" (leaves {theirs[0]:%Y-%m-%d %H:%M}, back {theirs[1]:%Y-%m-%d %H:%M})"
        else:
            when = ""
        found.append(f"{row.shinobi_id} is already committed to mission {row.id!r}{when}")
    return found


def _check_orders_still_hold(connection: Connection, mission_id: str, ids: list[str]) -> None:
    """The planned squad still obeys every standing order at the mission's rank as judged
    now: new intelligence since the plan may have raised it (SPEC: orders hold)."""
    verdict = squad_verdict(connection, mission_id, Squad(leader=ids[0], members=ids[1:]))
    if verdict.violations:
        raise Conflict(
            f"the squad for {mission_id!r} no longer obeys the standing orders at rank "
            f"{verdict.rank}: "
            + "; ".join(
                f"{v.message} ({v.order})"
                if v.order == v.rule
                else f"{v.message} ({v.order}: {v.rule})"
                for v in verdict.violations
            )
            + " (plan again)",
            field="squad",
        )


def _check_can_leave(
    connection: Connection, mission: dict[str, Any], ids: list[str], at: dt.datetime
) -> None:
    """Nobody leaves before the mission's window opens, nor before they are fit to go."""
    if mission["earliest"] is not None and at.date() < mission["earliest"]:
        raise Conflict(
            f"mission {mission['id']!r} may not leave before {mission['earliest']} "
            f"(its window opens then); dispatch it with {named('at')} on or after that day",
            field="at",
        )
    rows = connection.execute(
        select(t.shinobi.c.id, t.shinobi.c.status, t.shinobi.c.available_from).where(
            t.shinobi.c.id.in_(ids)
        )
    ).all()
    unfit = [
        f"{r.id} is {r.status} until {r.available_from}"
        for r in rows
        if r.status in RECOVERING and not free_to_leave(r.status, r.available_from, at.date())
    ]
    on_mission = [r.id for r in rows if r.status == ShinobiStatus.ON_MISSION]
    unfit += [f"{s} is already on a mission" for s in on_mission]
    unfit += _overlapping_commitments(connection, mission, ids, at)
    if unfit:
        raise Conflict(
            f"the squad for {mission['id']!r} cannot leave on {at.date()}: "
            + "; ".join(unfit)
            + f" (wait, or recall the squad: missiondesk recall {mission['id']} --reason TEXT, "
            "and plan again)",
            field="at",
        )


def village_settings(connection: Connection) -> Settings:
    return Settings.model_validate(connection.execute(select(t.village.c.settings)).scalar_one())


def dispatch(
    db: Database, mission_id: str, *, actor: str, at: dt.datetime | None = None
) -> StepResult:
    """The squad leaves: members go on_mission, check-ins are expected along the route."""
    with db.transaction() as connection:
        at = act_at(connection, at, actor=actor)
        mission = mission_in(
            connection,
            mission_id,
            [MissionStatus.APPROVED],
            "only an approved mission can be dispatched (approve it first)",
            done=IN_THE_FIELD,
        )
        ids = squad_on_record(connection, mission_id)
        _check_can_leave(connection, mission, ids, at)
        network = road_network(connection)
        route = list(mission["route"])
        grace = village_settings(connection).checkin_grace_hours
        schedule = planned_checkins(route, at, network, grace, mission["on_site_hours"] or 0.0)
        connection.execute(
            update(t.shinobi).where(t.shinobi.c.id.in_(ids)).values(status=ShinobiStatus.ON_MISSION)
        )
        transition(
            connection,
            mission,
            Step.DISPATCH,
            actor=actor,
            at=at,
            after={"departed": at, "checkins_due": schedule},
            departed_at=at,
            checkins_due=schedule,
        )
    return StepResult(
        mission=mission_id, status="dispatched", at=at, squad=ids, checkins_due=schedule
    )


def checkin(
    db: Database,
    mission_id: str,
    *,
    actor: str,
    at: dt.datetime | None = None,
    place: str | None = None,
) -> StepResult:
    """A dispatched squad reports in; an overdue one that reports is back on schedule."""
    with db.transaction() as connection:
        at = act_at(connection, at, actor=actor)
        mission = mission_in(
            connection, mission_id, IN_THE_FIELD, "only a dispatched squad checks in"
        )
        if mission["departed_at"] is not None and at < mission["departed_at"]:
            raise BadInput(
                f"check-in at {at:%Y-%m-%dT%H:%M} is before the departure "
                f"({mission['departed_at']:%Y-%m-%dT%H:%M})",
                field="at",
            )
        if place is not None:
            known = connection.execute(select(t.place.c.id).where(t.place.c.id == place)).first()
            if known is None:
                raise BadInput(f"no place {place!r} in this village", field="place")
        connection.execute(insert(t.checkin).values(mission_id=mission_id, at=at, place=place))
        status = mission["status"]
        heard = {"at": at, "place": place}
        if allows(Step.CHECK_IN, status):
            # The squad has been heard from: it is on its way again, timed from this check-in.
            status = transition(connection, mission, Step.CHECK_IN, actor=actor, at=at, after=heard)
        else:  # on schedule: the check-in is logged, the status stays
            record_event(
                connection,
                actor=actor,
                kind=MOVES[Step.CHECK_IN].event,
                subject=mission_id,
                before={"status": status},
                after={"status": status, **heard},
                at=at,
            )
    return StepResult(mission=mission_id, status=status, at=at)


def release_commitments(connection: Connection, mission_id: str) -> None:
    connection.execute(delete(t.commitment).where(t.commitment.c.mission_id == mission_id))


class Recalled(BaseModel):
    mission: str
    status: str
    released: list[str]


WHY_NOT_RECALLED: dict[MissionStatus, str] = {
    MissionStatus.INTAKE: "it has no squad to recall; plan the board to staff it",
    MissionStatus.ASSESSED: "it has no squad to recall; plan the board to staff it",
    MissionStatus.PLANNED: (
        "its squad is only planned, not committed: plan the board again to change it"
    ),
    MissionStatus.DISPATCHED: (
        "its squad is in the field and comes back through its report (outcome aborted to "
        "call the mission off)"
    ),
    MissionStatus.OVERDUE: (
        "its squad is in the field, late: send a rescue, and it comes back through its report"
    ),
    MissionStatus.RETURNED: "its squad is back; file its report",
    MissionStatus.CLOSED: "it is over; its squad is free already",
    MissionStatus.CANCELLED: "it was called off; its squad is free already",
}
"""Why a mission that is not approved cannot be recalled, and what to do instead."""


def _why_not_recalled(mission: dict[str, Any]) -> str:
    status = MissionStatus(mission["status"])
    if status == MissionStatus.STALE:
        closed = stale_reason(mission["latest"] or mission["earliest"])
        return f"{closed} (its squad was released when it closed)"
    return WHY_NOT_RECALLED[status]


def recall(
    db: Database, mission_id: str, reason: str, *, actor: str, at: dt.datetime | None = None
) -> Recalled:
    """Take an approved squad back before it leaves: its members are released (free for
    other squads at once) and the mission goes back to the board, `assessed`, for the next
    plan to staff again with whoever is fit. Logged with the released squad and `reason`."""
    reason = (reason or "").strip()
    if not reason:
        raise BadInput("reason: say why the squad is recalled (it is logged)", field="reason")
    with db.transaction() as connection:
        mission_row(connection, mission_id)  # an unknown mission is named before any time
        at = act_at(connection, at, actor=actor)
        mission = mission_row(connection, mission_id)  # as the time passed has left it
        if not allows(Step.RECALL, mission["status"]):
            raise Conflict(
                f"mission {mission_id!r} is {mission['status']}: only an approved squad, not "
                f"yet dispatched, can be recalled; {_why_not_recalled(mission)}",
                field="mission",
            )
        squad = release_squad(connection, mission_id)
        transition(
            connection,
            mission,
            Step.RECALL,
            actor=actor,
            at=at,
            before={"squad": squad},
            after={"reason": reason, "released": squad},
            departed_at=None,  # its planned departure goes with its squad
        )
    return Recalled(mission=mission_id, status=MissionStatus.ASSESSED.value, released=squad)
