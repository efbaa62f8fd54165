"""The village clock (SPEC section 8): what time it is, moving it, and recording what
became true while it moved.

In `story` mode time moves only when the game master moves it (`clock advance`, `clock
set`); in `real` mode it follows the machine's clock, and `tick` (or the server's
scheduled pass) catches the record up. Every act is dated at its `at`, else at the
clock (`act_at`). Moving the clock, by a clock command or by an act dated later than it,
runs the pass (operations/scheduled.py) in the same transaction: missed check-ins,
recoveries and closed windows are recorded in time order, each as an event dated when it
happened. Reading the clock, the board or the overdue list never writes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel
from sqlalchemy import Connection, delete, select, update

from missiondesk.domain.ranks import RECOVERING, MissionStatus, ShinobiStatus
from missiondesk.domain.settings import Settings
from missiondesk.errors import BadInput, Conflict
from missiondesk.operations.schedule import Checkin, Expected, next_expected
from missiondesk.operations.scheduled import Happening, Kind, due_happenings, stale_reason
from missiondesk.operations.transitions import MOVES, Step
from missiondesk.services.events import record_event
from missiondesk.services.village import require_village
from missiondesk.store import tables as t
from missiondesk.store.database import Database
from missiondesk.store.village_rows import road_network

if TYPE_CHECKING:
    from missiondesk.risk.roads import RoadNetwork
    from missiondesk.services.tracking import Watch

ClockMode = Literal["story", "real"]

STALE_FROM = sorted(MOVES[Step.EXPIRE].source)
"""Missions that have not left; their window can pass."""

RESCUE_SECONDS = 5.0
"""Time the pass gives the solver for the rescue proposed with each missed check-in."""


class Clock(BaseModel):
    now: dt.datetime
    mode: ClockMode


class Recorded(BaseModel):
    at: dt.datetime
    kind: str
    subject: str


class ClockMoved(BaseModel):
    before: dt.datetime
    now: dt.datetime
    mode: ClockMode
    recorded: list[Recorded]


def machine_minute() -> dt.datetime:
    return dt.datetime.now().replace(second=0, microsecond=0)


def clock_of(connection: Connection) -> Clock:
    row = connection.execute(select(t.village.c.now, t.village.c.clock)).first()
    if row is None:
        require_village(connection)
        raise AssertionError("unreachable: require_village raises on an empty database")
    mode: ClockMode = "real" if row.clock == "real" else "story"
    return Clock(now=machine_minute() if mode == "real" else row.now, mode=mode)


def read_clock(db: Database) -> Clock:
    with db.reading() as connection:
        return clock_of(connection)


def acting_time(connection: Connection, at: dt.datetime | None) -> dt.datetime:
    """When an act happens: its `at`, else the clock. An act dated further past the clock
    than the village allows (settings.act_ahead_days) is refused: a typo of a year must
    not move the village's calendar to 2199 for good."""
    clock = clock_of(connection)
    if at is None:
        return clock.now
    limit = Settings.model_validate(
        connection.execute(select(t.village.c.settings)).scalar_one()
    ).act_ahead_days
    if at > clock.now + dt.timedelta(days=limit):
        raise BadInput(
            f"{at:%Y-%m-%dT%H:%M} is more than {limit} days after the village clock "
            f"({clock.now:%Y-%m-%dT%H:%M}); move the clock first if that much time has passed",
            field="at",
        )
    return at


def act_at(connection: Connection, at: dt.datetime | None, *, actor: str) -> dt.datetime:
    """An act at `at` (else at the clock) happens now: the one rule every act follows.

    Its time is `acting_time`'s (refused too far ahead). When that is later than the
    stored clock, what fell due up to it is recorded first, in time order and dated when
    it happened (a check-in missed, a recovery, a window closed), and the clock moves to
    it; the act then applies to the village as it is at its time. All of it is in the
    caller's transaction, so an act refused after the recording leaves nothing behind.
    An act dated at or before the clock records nothing and moves nothing."""
    when = acting_time(connection, at)
    stored = connection.execute(select(t.village.c.now)).scalar_one()
    if when > stored:
        record_time_passing(connection, until=when, actor=actor)
        connection.execute(update(t.village).values(now=when))
    return when


def advance(db: Database, by: dt.timedelta, *, actor: str) -> ClockMoved:
    """Move a story clock forward by `by`, recording what happens on the way."""
    with db.transaction() as connection:
        clock = _story_clock(connection)
        return _move(connection, clock, clock.now + by, actor=actor)


def set_clock(db: Database, to: dt.datetime, *, actor: str) -> ClockMoved:
    """Move a story clock to `to`; never backwards."""
    with db.transaction() as connection:
        clock = _story_clock(connection)
        if to < clock.now:
            raise Conflict(
                f"the clock never moves backwards: it is {clock.now:%Y-%m-%dT%H:%M}, "
                f"and {to:%Y-%m-%dT%H:%M} is before that",
                field="time",
            )
        return _move(connection, clock, to, actor=actor)


def tick(db: Database, *, actor: str) -> ClockMoved:
    """One pass, for cron and the server: a real clock catches up with the machine's;
    a story clock records whatever fell due up to its own `now` (a village imported with
    its clock past something due, say)."""
    with db.transaction() as connection:
        clock = clock_of(connection)
        return _move(connection, clock, clock.now, actor=actor)


def _story_clock(connection: Connection) -> Clock:
    clock = clock_of(connection)
    if clock.mode == "real":
        raise Conflict(
            "this village's clock follows the machine's (clock: real); it moves by itself, "
            "and `tick` records what fell due",
            field="clock",
        )
    return clock


def _move(connection: Connection, clock: Clock, to: dt.datetime, *, actor: str) -> ClockMoved:
    stored = connection.execute(select(t.village.c.now)).scalar_one()
    recorded = record_time_passing(connection, until=to, actor=actor)
    if to > stored:
        connection.execute(update(t.village).values(now=to))
        record_event(
            connection,
            actor=actor,
            kind="clock.moved",
            subject=None,
            before={"now": stored},
            after={"now": to, "recorded": len(recorded)},
            at=to,
        )
    return ClockMoved(before=stored, now=max(to, stored), mode=clock.mode, recorded=recorded)


def record_time_passing(
    connection: Connection, *, until: dt.datetime, actor: str
) -> list[Recorded]:
    """Record, in time order, everything that fell due at or before `until`.

    Light unless a check-in was missed: the rescue proposed with it needs the rescue
    planner (OR-Tools), loaded and fed the village only then."""
    field = [
        dict(r)
        for r in connection.execute(
            select(t.mission).where(t.mission.c.status == MissionStatus.DISPATCHED)
        ).mappings()
    ]
    expected = expected_checkins(connection, field)
    recovering = connection.execute(
        select(t.shinobi.c.id, t.shinobi.c.available_from).where(
            t.shinobi.c.status.in_(sorted(RECOVERING)), t.shinobi.c.available_from.is_not(None)
        )
    ).all()
    waiting = connection.execute(
        select(t.mission.c.id, t.mission.c.earliest, t.mission.c.latest).where(
            t.mission.c.status.in_(STALE_FROM), t.mission.c.earliest.is_not(None)
        )
    ).all()
    happenings = due_happenings(
        until,
        checkins_due=[(m, e.due) for m, e in expected.items() if e is not None],
        recoveries=[(r.id, r.available_from) for r in recovering],
        last_days=[(r.id, r.latest or r.earliest) for r in waiting],
    )
    rows = {row["id"]: row for row in field}
    seen: Watch | None = None
    for happening in happenings:
        if happening.kind == Kind.CHECKIN_MISSED:
            from missiondesk.services import tracking  # the rescue planner: only when needed

            # What the rescue knows: the village as the pass has brought it so far.
            seen = seen or tracking.watch(connection)
            lost, due = rows[happening.subject], expected[happening.subject]
            assert due is not None
            rescue = tracking.propose(
                connection, seen, lost, due, happening.at, time_limit=RESCUE_SECONDS
            )
            tracking.record_missed(connection, lost, due, rescue, actor=actor, at=happening.at)
        elif happening.kind == Kind.SHINOBI_RECOVERED:
            _recovered(connection, happening, actor)
        else:
            _stale(connection, happening, actor)
    return [Recorded(at=h.at, kind=h.kind.event, subject=h.subject) for h in happenings]


def fell_due(db: Database, after: dt.datetime, until: dt.datetime) -> list[Recorded]:
    """What the clock recorded as falling due in (`after`, `until`], in time order, read back
    from the log: an act dated past the clock records it first (`act_at`), and a person
    is told of it as `clock advance` tells them."""
    kinds = [kind.event for kind in Kind]
    with db.reading() as connection:
        rows = connection.execute(
            select(t.event.c.at, t.event.c.kind, t.event.c.subject)
            .where(t.event.c.kind.in_(kinds), t.event.c.at > after, t.event.c.at <= until)
            .order_by(t.event.c.at, t.event.c.id)
        ).all()
    return [Recorded(at=r.at, kind=r.kind, subject=r.subject or "") for r in rows]


def expected_checkins(
    connection: Connection, rows: Sequence[Mapping[str, Any]]
) -> dict[str, Expected | None]:
    """The next check-in each of these dispatched missions' squads owes."""
    if not rows:
        return {}
    network = road_network(connection)
    grace = Settings.model_validate(
        connection.execute(select(t.village.c.settings)).scalar_one()
    ).checkin_grace_hours
    return {row["id"]: next_checkin(connection, row, network, grace) for row in rows}


def next_checkin(
    connection: Connection, row: Mapping[str, Any], network: RoadNetwork, grace: float
) -> Expected | None:
    """The next check-in the mission's squad owes (None: no schedule, or the route done)."""
    if row["departed_at"] is None or not row["route"]:
        return None  # dispatched before Mission Desk knew it: no schedule to miss
    return next_expected(
        row["route"],
        row["departed_at"],
        mission_checkins(connection, row["id"]),
        network,
        grace,
        row["on_site_hours"] or 0.0,
    )


def mission_checkins(connection: Connection, mission_id: str) -> list[Checkin]:
    rows = connection.execute(
        select(t.checkin.c.at, t.checkin.c.place)
        .where(t.checkin.c.mission_id == mission_id)
        .order_by(t.checkin.c.at, t.checkin.c.id)
    )
    return [Checkin(at=r.at, place=r.place) for r in rows]


def _recovered(connection: Connection, happening: Happening, actor: str) -> None:
    before = connection.execute(
        select(t.shinobi.c.status, t.shinobi.c.available_from).where(
            t.shinobi.c.id == happening.subject
        )
    ).one()
    connection.execute(
        update(t.shinobi)
        .where(t.shinobi.c.id == happening.subject)
        .values(status=ShinobiStatus.AVAILABLE, available_from=None)
    )
    record_event(
        connection,
        actor=actor,
        kind="shinobi.recovered",
        subject=happening.subject,
        before={"status": before.status, "available_from": before.available_from},
        after={"status": ShinobiStatus.AVAILABLE.value},
        at=happening.at,
    )


def _stale(connection: Connection, happening: Happening, actor: str) -> None:
    from missiondesk.services.missions import mission_row, squad_ids, transition

    mission = mission_row(connection, happening.subject)
    last_day = mission["latest"] or mission["earliest"]
    released = squad_ids(connection, mission["id"])
    connection.execute(delete(t.assignment).where(t.assignment.c.mission_id == mission["id"]))
    connection.execute(delete(t.commitment).where(t.commitment.c.mission_id == mission["id"]))
    transition(
        connection,
        mission,
        Step.EXPIRE,
        actor=actor,
        at=happening.at,
        before={"squad": released or None},
        after={"reason": stale_reason(last_day)},
    )
