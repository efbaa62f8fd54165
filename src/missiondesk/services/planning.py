"""Planning the board: assess, solve under every standing order, store the squads.

Solving can take seconds, so it runs between a read and a short write: the read assesses
the board and gathers what the planner needs (writing nothing, so a refused pin or an
impossible request changes nothing); the write stores the assessments and the plan only
if the board did not change meanwhile (every mission's `version`, and the commitments).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel
from sqlalchemy import Connection, delete, insert, select, update

from missiondesk.domain.assessment import Assessment
from missiondesk.domain.ranks import IN_THE_FIELD, MissionRank, MissionStatus
from missiondesk.domain.village import Squad, Village
from missiondesk.errors import BadInput, Conflict, named
from missiondesk.notifications.outbox import enqueue, plan_summary
from missiondesk.notifications.vocabulary import NotifyEvent
from missiondesk.operations.schedule import returns_at
from missiondesk.operations.transitions import MOVES, Step
from missiondesk.planning.candidates import Commitment, PlanningError
from missiondesk.planning.plan import Plan, Violation
from missiondesk.planning.roster import Departure, bound_elsewhere
from missiondesk.planning.timing import span_hours
from missiondesk.planning.validator import validate_plan
from missiondesk.risk.assessment import assess_board, assess_mission
from missiondesk.risk.roads import RoadNetwork
from missiondesk.services.assessment import board_missions, find_mission, store_assessments
from missiondesk.services.clock import act_at, acting_time
from missiondesk.services.missions import squads_of, transition
from missiondesk.services.village import current_village
from missiondesk.services.wellbeing import flags_ahead
from missiondesk.store import tables as t
from missiondesk.store.commitments import commitments
from missiondesk.store.database import Database
from missiondesk.wellbeing.ahead import FlagCalendar

if TYPE_CHECKING:
    from missiondesk.planning.search import Progress


class PlanInputs(BaseModel):
    """What the planner reads, captured in one transaction."""

    model_config = {"arbitrary_types_allowed": True}
    village: Village
    assessments: dict[str, Assessment]
    flags: FlagCalendar  # judged at each squad's departure
    departures: list[Any]
    committed: dict[str, str]
    spans: dict[str, list[Commitment]]  # committed shinobi -> their approved squads' spans
    previous: dict[str, Squad]
    versions: dict[str, int]
    at: dt.datetime  # when the plan is made (its `--at`, else the clock)


def committed_shinobi(connection: Connection) -> dict[str, str]:
    """shinobi -> the approved or dispatched mission they are bound to."""
    return dict(
        connection.execute(select(t.commitment.c.shinobi_id, t.commitment.c.mission_id)).all()
    )


def stored_squads(connection: Connection, mission_ids: Sequence[str]) -> dict[str, Squad]:
    grouped = squads_of(connection, mission_ids)
    return {
        mid: Squad(leader=rows_[0]["shinobi_id"], members=[r["shinobi_id"] for r in rows_[1:]])
        for mid, rows_ in grouped.items()
        if rows_ and rows_[0]["is_leader"]
    }


def departures_not_in_history(connection: Connection) -> list[Departure]:
    """Squads that left and have no report yet count for `max_missions` and `min_rest`."""
    rows = connection.execute(
        select(t.mission.c.id, t.mission.c.departed_at).where(
            t.mission.c.status.in_(sorted(IN_THE_FIELD))
        )
    ).all()
    squads = stored_squads(connection, [r.id for r in rows])
    return [
        Departure(members=tuple(squads[r.id].everyone), departed=r.departed_at.date(), mission=r.id)
        for r in rows
        if r.id in squads and r.departed_at is not None
    ]


def committed_spans(connection: Connection, village: Village) -> dict[str, list[Commitment]]:
    """shinobi -> the spans of the approved (not yet dispatched) squads they are committed
    to that have a planned departure: they are busy then, and free before and after."""
    rows = commitments(
        connection,
        t.mission.c.status == MissionStatus.APPROVED,
        t.mission.c.departed_at.is_not(None),
    )
    missions = {m.id: m for m in village.missions}
    network = RoadNetwork.from_village(village)
    ranks: dict[str, MissionRank] = {}
    found: dict[str, list[Commitment]] = {}
    for row in rows:
        assert row.departed_at is not None  # selected so
        if row.id not in ranks:
            # The rank its squad was approved at (stored by the plan), else judged afresh.
            mission = missions[row.id]
            ranks[row.id] = (
                MissionRank(row.effective_rank)
                if row.effective_rank
                else assess_mission(village, mission).effective_rank
            )
        back = returns_at(row.departed_at, span_hours(missions[row.id], network))
        found.setdefault(row.shinobi_id, []).append(
            Commitment(row.id, row.departed_at, back, ranks[row.id])
        )
    return found


class _Rehearsed(Exception):
    """Carries what the planner read out of a transaction that must not commit."""

    def __init__(self, inputs: PlanInputs) -> None:
        super().__init__("rehearsed")
        self.inputs = inputs


def plan_inputs(db: Database, at: dt.datetime | None, *, actor: str) -> PlanInputs:
    """What the planner reads, writing nothing. A plan dated at or before the clock reads
    the village as it is (and never plans a departure before the clock). One dated later
    is made in the village as it will be then: what falls due before it (a window closing,
    a recovery, a missed check-in) is recorded, read, and rolled back; the plan's own
    write records it again for good (`act_at`), so a refused plan still changes nothing."""
    with db.reading() as connection:
        when = acting_time(connection, at)
        if when <= connection.execute(select(t.village.c.now)).scalar_one():
            return read_plan_inputs(connection, when)
    try:
        with db.transaction() as connection:
            raise _Rehearsed(read_plan_inputs(connection, act_at(connection, when, actor=actor)))
    except _Rehearsed as rehearsal:
        return rehearsal.inputs


def read_plan_inputs(connection: Connection, at: dt.datetime) -> PlanInputs:
    """What the planner reads, for a plan made at `at` (never after the village's `now`)."""
    village = current_village(connection)
    board = board_missions(village)
    # Ranks, threats and briefings: the planner reads no factor, and a stored assessment's
    # factors are never read back (a mission's page and `assess` judge it afresh).
    assessments = assess_board(village, board, factors=False)
    versions = dict(
        connection.execute(
            select(t.mission.c.id, t.mission.c.version).where(t.mission.c.id.in_(list(assessments)))
        ).all()
    )
    return PlanInputs(
        village=village,
        assessments=assessments,
        flags=flags_ahead(connection, village),
        departures=departures_not_in_history(connection),
        committed=committed_shinobi(connection),
        spans=committed_spans(connection, village),
        previous=stored_squads(connection, list(assessments)),
        versions=versions,
        at=at,
    )


Pins = Mapping[str, str] | Sequence[tuple[str, str]]
"""Who must go where: shinobi -> mission, or (shinobi, mission) pairs as a front end read them."""


def pin_map(pins: Pins | None) -> dict[str, str]:
    """The pins as shinobi -> mission. A shinobi named in two pairs is refused here, so the
    command line, the API and the pages give the same answer."""
    if pins is None:
        return {}
    if isinstance(pins, Mapping):
        return dict(pins)
    found: dict[str, str] = {}
    for shinobi, mission in pins:
        if shinobi in found:
            raise BadInput(f"a shinobi is pinned twice ({shinobi})", field="pins")
        found[shinobi] = mission
    return found


def plan(
    db: Database,
    *,
    actor: str,
    time_limit: float = 10.0,
    pins: Pins | None = None,
    forbids: Sequence[tuple[str, str | None]] | None = None,
    progress: Progress | None = None,
    workers: int = 2,
    at: dt.datetime | None = None,
) -> Plan:
    """Plan the board and store it: staffed missions become `planned` with their squads,
    missions left unstaffed go back to `assessed`."""
    pins = pin_map(pins)
    if time_limit <= 0:
        raise BadInput(f"{named('time_limit')} must be more than 0 seconds", field="time_limit")
    # Read only: a refused request (a bad pin) or an impossible plan changes nothing.
    inputs = plan_inputs(db, at, actor=actor)
    _check_people(inputs, pins, forbids or ())
    try:
        from missiondesk.planning.planner import plan_board  # OR-Tools: only to solve

        result = plan_board(
            # Committed with a planned span: busy during it only. Otherwise (a squad in the
            # field, or approved before departures were planned): away for the whole plan.
            bound_elsewhere(inputs.village, [s for s in inputs.committed if s not in inputs.spans]),
            inputs.assessments,
            missions=list(inputs.assessments),
            flags=inputs.flags,
            extra_history=inputs.departures,
            pins=pins or None,
            forbids=forbids,
            previous=inputs.previous,
            time_limit=time_limit,
            workers=workers,
            progress=progress,
            commitments=inputs.spans,
        )
    except PlanningError as impossible:
        raise BadInput(str(impossible), field="pins") from None
    with db.transaction() as connection:
        act_at(connection, inputs.at, actor=actor)  # what fell due first, as rehearsed
        _check_unchanged(connection, inputs)
        _store_plan(connection, inputs, result, actor)
    return result


def _check_people(
    inputs: PlanInputs, pins: Mapping[str, str], forbids: Sequence[tuple[str, str | None]]
) -> None:
    roster = {s.id for s in inputs.village.shinobi}
    for shinobi_id, mission_id in pins.items():
        if shinobi_id not in roster:
            raise BadInput(
                f"{named('pins')}: no shinobi {shinobi_id!r} on the roster", field="pins"
            )
        if mission_id not in inputs.assessments:
            raise BadInput(
                f"{named('pins')}: {mission_id!r} is not a mission on the board "
                f"({', '.join(inputs.assessments) or 'the board is empty'})",
                field="pins",
            )
        if shinobi_id in inputs.committed:
            raise BadInput(
                f"{named('pins')}: {shinobi_id} is committed to approved mission "
                f"{inputs.committed[shinobi_id]!r}",
                field="pins",
            )
    for shinobi_id, forbidden in forbids:
        if shinobi_id not in roster:
            raise BadInput(
                f"{named('forbids')}: no shinobi {shinobi_id!r} on the roster", field="forbids"
            )
        if forbidden is not None and forbidden not in inputs.assessments:
            raise BadInput(
                f"{named('forbids')}: {forbidden!r} is not a mission on the board", field="forbids"
            )


def _check_unchanged(connection: Connection, inputs: PlanInputs) -> None:
    versions = dict(
        connection.execute(
            select(t.mission.c.id, t.mission.c.version).where(
                t.mission.c.id.in_(list(inputs.versions))
            )
        ).all()
    )
    if versions != inputs.versions or committed_shinobi(connection) != inputs.committed:
        raise Conflict("the board changed while planning; plan again", field="board")


def _store_plan(connection: Connection, inputs: PlanInputs, result: Plan, actor: str) -> None:
    store_assessments(connection, inputs.assessments)
    board = list(inputs.assessments)
    connection.execute(delete(t.assignment).where(t.assignment.c.mission_id.in_(board)))
    rows = []
    for squad in result.squads:
        for position, member in enumerate(squad.members):
            rows.append(
                {
                    "mission_id": squad.mission,
                    "shinobi_id": member.shinobi,
                    "is_leader": member.shinobi == squad.leader,
                    "position": position,
                    "roles": list(member.roles),
                    "reasons": list(member.reasons),
                }
            )
    if rows:
        connection.execute(insert(t.assignment), rows)
    staffed = {s.mission for s in result.squads}
    missions = {
        r["id"]: dict(r)
        for r in connection.execute(
            select(t.mission.c.id, t.mission.c.status, t.mission.c.version).where(
                t.mission.c.id.in_(board)
            )
        ).mappings()
    }
    now = inputs.at
    leaves = result.departures()
    for mission_id in board:
        step = Step.PLAN if mission_id in staffed else Step.UNSTAFF
        before = inputs.previous.get(mission_id)
        after = result.squads_by_mission().get(mission_id)
        # The planned departure (SPEC 9) is the mission's departure until it is dispatched.
        connection.execute(
            update(t.mission)
            .where(t.mission.c.id == mission_id)
            .values(departed_at=leaves.get(mission_id))
        )
        if missions[mission_id]["status"] == MOVES[step].to and before == after:
            continue
        transition(
            connection,
            missions[mission_id],
            step,
            actor=actor,
            at=now,
            before={"squad": before.everyone if before else None},
            after={"squad": after.everyone if after else None},
        )
    connection.execute(insert(t.plan).values(created_at=now, result=result.model_dump(mode="json")))
    enqueue(connection, NotifyEvent.PLAN_READY, None, plan_summary(result), now)


def latest_plan(db: Database) -> Plan | None:
    with db.reading() as connection:
        row = connection.execute(
            select(t.plan.c.result).order_by(t.plan.c.id.desc()).limit(1)
        ).scalar_one_or_none()
    return Plan.model_validate(row) if row is not None else None


class SquadCheck(BaseModel):
    """A squad someone proposes, judged against every order at a given rank."""

    mission: str
    rank: str
    squad: list[str]
    violations: list[Violation]


def check_squad(
    db: Database, mission_id: str, squad: Squad, *, at_declared_rank: bool = False
) -> SquadCheck:
    """Check a proposed squad against the standing orders and the always-true rules, at the
    mission's effective rank (or, with `at_declared_rank`, as if the declared rank held)."""
    with db.reading() as connection:
        return squad_verdict(connection, mission_id, squad, at_declared_rank=at_declared_rank)


def squad_verdict(
    connection: Connection, mission_id: str, squad: Squad, *, at_declared_rank: bool = False
) -> SquadCheck:
    """`check_squad` inside the caller's transaction."""
    village = current_village(connection)
    flags = flags_ahead(connection, village)
    departures = departures_not_in_history(connection)
    mission = find_mission(village, mission_id)
    known = {s.id for s in village.shinobi}
    unknown = [s for s in squad.everyone if s not in known]
    if unknown:
        raise BadInput(
            f"{named('squad')}: no shinobi {', '.join(map(repr, unknown))}", field="squad"
        )
    assessment = assess_mission(village, mission)
    if at_declared_rank:
        assessment = assessment.model_copy(
            update={"effective_rank": assessment.declared_rank, "understated": False}
        )
    # Every other approved squad counts (SPEC 9): its span, its departure for
    # max_missions, its return for min_rest, and its own orders at its departure.
    others = {
        sid: [c for c in spans if c.mission != mission_id]
        for sid, spans in committed_spans(connection, village).items()
    }
    violations = validate_plan(
        village,
        {mission_id: assessment},
        {mission_id: squad},
        flags,
        departures,
        departs=_judged_departure(connection, mission_id, village),
        commitments=others,
    )
    return SquadCheck(
        mission=mission_id,
        rank=assessment.effective_rank.value,
        squad=squad.everyone,
        violations=violations,
    )


def _judged_departure(
    connection: Connection, mission_id: str, village: Village
) -> dict[str, dt.datetime] | None:
    """When a squad for the mission is judged to leave: its planned departure (SPEC
    section 9: rest, limits and fitness are judged there, not on the window's first day).
    None, judged on the window's first day as before departures were planned, for a
    mission not planned yet or whose planned departure the clock has passed (dispatch
    then judges who may leave when it really does)."""
    planned = connection.execute(
        select(t.mission.c.departed_at).where(
            t.mission.c.id == mission_id, t.mission.c.status.not_in(sorted(IN_THE_FIELD))
        )
    ).scalar_one_or_none()
    if planned is None or planned < village.village.now:
        return None
    return {mission_id: planned}
