"""Sending the rescue: the proposal for an overdue squad, approved and dispatched at once.

One transaction, taken under the village's write lock before the first read, so the
checks (the mission is overdue, no rescue is out, every rescuer is free) and the writes
(the rescue mission, its squad, the commitments, the members on their way, the event) are
one decision: a second rescue of the same mission, or an approval of the same person,
racing it from another process finds the first's rows and is refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from missiondesk.domain.assessment import BriefingItem
from missiondesk.domain.ranks import IN_THE_FIELD, MissionStatus, ShinobiStatus
from missiondesk.errors import BadInput, Conflict
from missiondesk.operations.fitness import may_leave_on
from missiondesk.operations.rescue import (
    Break,
    LostSquad,
    Recall,
    Rescue,
    RescueMember,
    rescue_mission,
)
from missiondesk.operations.schedule import Expected, is_overdue, planned_checkins
from missiondesk.services.clock import act_at
from missiondesk.services.events import record_event
from missiondesk.services.missions import mission_row, squad_rows
from missiondesk.services.tracking import (
    Watch,
    expected_checkin,
    propose,
    record_missed,
    rescue_under_way,
    watch,
)
from missiondesk.store import tables as t
from missiondesk.store.database import Database
from missiondesk.store.village_rows import mission_row as mission_table_row


class RescueRefused(Conflict):
    """A rescue that cannot go as asked, with whom a recall would free (`recall`), so each
    front end can say how to recall them."""

    def __init__(self, message: str, *, field: str, recall: Sequence[Recall]) -> None:
        super().__init__(message, field=field)
        self.recall = list(recall)


class Checkpoint(BaseModel):
    place: str
    due: dt.datetime


class RescueSent(BaseModel):
    """SPEC section 12's answer: the rescue mission, its squad, departure and check-ins;
    with what it breaks, and the reason it was sent anyway, when it was forced."""

    mission: str
    rescue_of: str
    leader: str
    leader_roles: list[str]
    members: list[RescueMember]
    departs: dt.datetime
    checkins: list[Checkpoint]
    breaks: list[Break] = []
    forced: bool = False
    reason: str | None = None
    briefing: list[BriefingItem] = []


class RescueSummary(BaseModel):
    """A rescue as the lost mission's page shows it: who went, and what they found."""

    mission: str
    status: str
    leader: str | None
    members: list[str]
    departs: dt.datetime | None
    forced: bool = False
    reason: str | None = None
    breaks: list[Break] = []
    outcome: str | None = None
    returned: dt.datetime | None = None
    notes: str | None = None


def rescue(
    db: Database,
    mission_id: str,
    *,
    actor: str,
    at: dt.datetime | None = None,
    pins: Sequence[str] = (),
    force: bool = False,
    reason: str | None = None,
    time_limit: float = 5.0,
) -> RescueSent:
    """Send the rescue for the overdue mission `mission_id`, leaving at `at` (default now).

    `pins`: shinobi who must go. A squad that breaks a standing order goes only with
    `force` and a `reason`, both logged; otherwise the refusal says what breaks and whom a
    recall would free."""
    reason = (reason or "").strip() or None
    if force and reason is None:
        raise BadInput(
            "reason: sending a rescue that breaks the standing orders needs a reason "
            "(it is logged with the orders broken)",
            field="reason",
        )
    if len(set(pins)) != len(pins):
        raise BadInput("pins: a shinobi is pinned twice", field="pins")
    with db.transaction() as connection:
        mission_row(connection, mission_id)  # an unknown mission is named before any time
        at = act_at(connection, at, actor=actor)
        lost = mission_row(connection, mission_id)  # as the time passed has left it
        seen = watch(connection)
        expected = _check_overdue(connection, lost, seen, at)
        _check_pins(connection, seen, pins, at)
        proposal = propose(connection, seen, lost, expected, at, pins=pins, time_limit=time_limit)
        if proposal.leader is None:
            raise RescueRefused(
                f"no rescue squad can be formed for {mission_id!r}: "
                + "; ".join(proposal.reasons)
                + _recall_words(proposal.recall),
                field="mission",
                recall=proposal.recall,
            )
        if proposal.breaks and not force:
            raise RescueRefused(
                f"the rescue squad for {mission_id!r} ({', '.join(_everyone(proposal))}) "
                "breaks the standing orders: "
                + "; ".join(f"{b.order}: {b.text}" for b in proposal.breaks)
                + _recall_words(proposal.recall)
                + "; to send it anyway, force it and give a reason",
                field="force",
                recall=proposal.recall,
            )
        if lost["status"] == MissionStatus.DISPATCHED:
            record_missed(connection, lost, expected, proposal, actor=actor, at=at)
        sent = _send(connection, seen, lost, expected, proposal, at, reason)
        record_event(
            connection,
            actor=actor,
            kind="rescue.dispatched",
            subject=sent.mission,
            before=None,
            after={
                "status": "dispatched",
                "rescue_of": mission_id,
                "squad": _everyone(proposal),
                "departed": at,
                "checkins_due": [c.model_dump(mode="json") for c in sent.checkins],
                "breaks": [b.model_dump() for b in proposal.breaks],
                "forced": bool(proposal.breaks),
                "reason": reason,
            },
            at=at,
        )
    return sent.model_copy(update={"forced": bool(proposal.breaks), "reason": reason})


def _everyone(proposal: Rescue) -> list[str]:
    assert proposal.leader is not None
    return [proposal.leader, *(m.shinobi for m in proposal.members)]


def _recall_words(recall: Sequence[Recall]) -> str:
    if not recall:
        return ""
    return (
        "; recalling "
        + ", ".join(f"{r.shinobi} (from {r.mission})" for r in recall)
        + (" would free a squad that obeys every order")
    )


def _check_overdue(
    connection: Connection, lost: dict[str, Any], seen: Watch, at: dt.datetime
) -> Expected:
    """The lost mission is overdue (or past its check-in at `at`) and nobody is out for it."""
    mission_id = lost["id"]
    if lost["status"] not in IN_THE_FIELD:
        raise Conflict(
            f"mission {mission_id!r} is {lost['status']}; only an overdue squad is rescued",
            field="mission",
        )
    out = rescue_under_way(connection, mission_id)
    if out is not None:
        raise Conflict(
            f"the rescue {out['id']!r} of {mission_id!r} is already on its way "
            f"(it left at {out['departed_at']:%Y-%m-%d %H:%M})",
            field="mission",
        )
    expected = expected_checkin(connection, lost, seen)
    if expected is None:
        raise Conflict(
            f"mission {mission_id!r} has no check-in to miss (no timed route on record); "
            "it cannot be overdue",
            field="mission",
        )
    if lost["status"] == MissionStatus.DISPATCHED and not is_overdue(expected, at):
        raise Conflict(
            f"mission {mission_id!r} is not overdue at {at:%Y-%m-%d %H:%M}: its check-in at "
            f"{expected.place} is due by {expected.due:%Y-%m-%d %H:%M}",
            field="mission",
        )
    return expected


def _check_pins(connection: Connection, seen: Watch, pins: Sequence[str], at: dt.datetime) -> None:
    """Everyone pinned can leave at `at`: on the roster, fit, and bound to no other squad."""
    people = {s.id: s for s in seen.village.shinobi}
    problems = []
    for sid in pins:
        person = people.get(sid)
        if person is None:
            problems.append(f"no shinobi {sid!r} on the roster")
        elif sid in seen.committed:
            problems.append(f"{sid} is committed to mission {seen.committed[sid]!r}")
        elif not may_leave_on(person, at.date()):
            until = f" until {person.available_from}" if person.available_from else ""
            problems.append(f"{sid} is {person.status.value.replace('_', ' ')}{until}")
    if problems:
        raise Conflict("pins: " + "; ".join(problems), field="pins")


def _send(
    connection: Connection,
    seen: Watch,
    lost: dict[str, Any],
    expected: Expected,
    proposal: Rescue,
    at: dt.datetime,
    reason: str | None,
) -> RescueSent:
    """The rescue mission, approved and dispatched: its row, squad, commitments, members."""
    assert proposal.leader is not None and proposal.assessment is not None
    home = seen.network.home or expected.last_place
    lost_squad = LostSquad(
        mission=lost["id"],
        rank=proposal.assessment.declared_rank,
        last_place=expected.last_place,
        next_place=expected.place,
    )
    mission = rescue_mission(lost_squad, proposal.mission, home, at)
    schedule = planned_checkins(mission.route, at, seen.network, seen.grace)
    position = connection.execute(
        select(func.coalesce(func.max(t.mission.c.position), -1))
    ).scalar_one()
    connection.execute(
        insert(t.mission).values(
            **mission_table_row(mission, int(position) + 1),
        )
    )
    connection.execute(
        update(t.mission)
        .where(t.mission.c.id == mission.id)
        .values(
            status=MissionStatus.DISPATCHED,
            effective_rank=proposal.assessment.effective_rank.value,
            assessment=proposal.assessment.model_dump(mode="json"),
            departed_at=at,
            checkins_due=schedule,
            rescue_of=lost["id"],
        )
    )
    everyone = _everyone(proposal)
    roles = {proposal.leader: proposal.leader_roles} | {
        m.shinobi: m.roles for m in proposal.members
    }
    connection.execute(
        insert(t.assignment),
        [
            {
                "mission_id": mission.id,
                "shinobi_id": sid,
                "is_leader": n == 0,
                "position": n,
                "roles": list(roles[sid]),
                "reasons": list(proposal.member_reasons.get(sid, [])),
            }
            for n, sid in enumerate(everyone)
        ],
    )
    try:
        connection.execute(
            insert(t.commitment), [{"shinobi_id": s, "mission_id": mission.id} for s in everyone]
        )
    except IntegrityError as taken:
        raise Conflict(
            f"a member of the rescue squad for {lost['id']!r} was just committed to another "
            "mission; try again",
            field="squad",
        ) from taken
    connection.execute(
        update(t.shinobi)
        .where(t.shinobi.c.id.in_(everyone))
        .values(status=ShinobiStatus.ON_MISSION)
    )
    return RescueSent(
        mission=mission.id,
        rescue_of=lost["id"],
        leader=proposal.leader,
        leader_roles=proposal.leader_roles,
        members=proposal.members,
        departs=at,
        checkins=[
            Checkpoint(place=c["place"], due=dt.datetime.fromisoformat(c["due"])) for c in schedule
        ],
        breaks=proposal.breaks,
        reason=reason,
        briefing=proposal.briefing,
    )


def rescues_of(connection: Connection, mission_id: str) -> list[RescueSummary]:
    """Every rescue sent for `mission_id`, oldest first, with its report when it has one."""
    rows = connection.execute(
        select(t.mission)
        .where(t.mission.c.rescue_of == mission_id)
        .order_by(t.mission.c.departed_at, t.mission.c.id)
    ).mappings()
    found = []
    for row in [dict(r) for r in rows]:
        squad = [s["shinobi_id"] for s in squad_rows(connection, row["id"])]
        sent = connection.execute(
            select(t.event.c.after)
            .where(t.event.c.subject == row["id"], t.event.c.kind == "rescue.dispatched")
            .order_by(t.event.c.id)
        ).scalar()
        report = connection.execute(
            select(t.history.c.outcome, t.history.c.returned, t.history.c.notes)
            .where(t.history.c.mission_id == row["id"])
            .order_by(t.history.c.position.desc())
        ).first()
        sent = sent or {}
        found.append(
            RescueSummary(
                mission=row["id"],
                status=row["status"],
                leader=squad[0] if squad else None,
                members=squad[1:],
                departs=row["departed_at"],
                forced=bool(sent.get("forced")),
                reason=sent.get("reason"),
                breaks=[Break.model_validate(b) for b in sent.get("breaks") or []],
                outcome=report.outcome if report else None,
                returned=report.returned if report else None,
                notes=report.notes if report else None,
            )
        )
    return found


def rescue_ids(connection: Connection, mission_id: str) -> list[str]:
    return [
        r[0]
        for r in connection.execute(
            select(t.mission.c.id).where(t.mission.c.rescue_of == mission_id)
        )
    ]
