"""The village as its players see it (SPEC section 13): volunteering for missions, the
rewards a report pays into the ledger, and who meets the promotion rules.

CLI, API and pages call these functions; who may act as which shinobi is decided by
`missiondesk.web.policy` before the call.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, TypeAdapter
from sqlalchemy import Connection, delete, func, insert, select

from missiondesk.domain.orders import MaxRankAbove, StandingOrder
from missiondesk.domain.ranks import MissionRank, MissionStatus, Outcome, ShinobiRank, ShinobiStatus
from missiondesk.domain.rewards import Share, payout
from missiondesk.domain.settings import Settings
from missiondesk.domain.village import LedgerEntry, Village
from missiondesk.domain.words import plural
from missiondesk.errors import Conflict, NotFound
from missiondesk.planning.rules import grade, rank_allowed
from missiondesk.services import record
from missiondesk.services.events import record_event
from missiondesk.services.missions import mission_row, missions_on, squads_of
from missiondesk.services.village import current_village, require_village
from missiondesk.store import tables as t
from missiondesk.store.database import Database
from missiondesk.store.ledger import current_book, in_book, ledger_documents
from missiondesk.store.village_rows import volunteers_by_mission

OPEN_FOR_VOLUNTEERS = (MissionStatus.INTAKE, MissionStatus.ASSESSED, MissionStatus.PLANNED)
"""A mission takes volunteers until its squad is approved."""

GONE = record.GONE


class Volunteered(BaseModel):
    mission: str
    shinobi: str
    withdrawn: bool
    volunteers: list[str]  # the mission's volunteers after the change


def volunteer(
    db: Database, mission_id: str, shinobi_id: str, *, withdraw: bool = False, actor: str
) -> Volunteered:
    """`shinobi_id` volunteers for the mission (or withdraws): one transaction, logged."""
    with db.transaction() as connection:
        mission = mission_row(connection, mission_id)
        person = connection.execute(
            select(t.shinobi).where(t.shinobi.c.id == shinobi_id)
        ).mappings()
        shinobi = person.one_or_none()
        if shinobi is None:
            raise NotFound(f"no shinobi {shinobi_id!r} in this village", field="shinobi")
        status = mission["status"]
        if status not in OPEN_FOR_VOLUNTEERS:
            raise Conflict(
                f"mission {mission_id!r} is {status}; volunteers are taken only until its "
                "squad is approved",
                field="mission",
            )
        current = volunteers_by_mission(connection).get(mission_id, [])
        if withdraw:
            if shinobi_id not in current:
                raise Conflict(
                    f"{shinobi_id} has not volunteered for {mission_id}", field="shinobi"
                )
            connection.execute(
                delete(t.volunteer).where(
                    t.volunteer.c.mission == mission_id, t.volunteer.c.shinobi == shinobi_id
                )
            )
            after = [s for s in current if s != shinobi_id]
        else:
            if shinobi_id in current:
                raise Conflict(
                    f"{shinobi_id} has already volunteered for {mission_id}", field="shinobi"
                )
            if ShinobiStatus(shinobi["status"]) in GONE:
                raise Conflict(f"{shinobi_id} is {shinobi['status']}", field="shinobi")
            _check_rank(connection, mission, shinobi)
            position = connection.execute(
                select(func.coalesce(func.max(t.volunteer.c.position), -1) + 1).where(
                    t.volunteer.c.mission == mission_id
                )
            ).scalar_one()
            connection.execute(
                insert(t.volunteer).values(
                    mission=mission_id, shinobi=shinobi_id, position=position
                )
            )
            after = [*current, shinobi_id]
        record_event(
            connection,
            actor=actor,
            kind="mission.withdrawn" if withdraw else "mission.volunteered",
            subject=mission_id,
            before={"volunteers": current},
            after={"volunteers": after, "shinobi": shinobi_id},
        )
    return Volunteered(mission=mission_id, shinobi=shinobi_id, withdrawn=withdraw, volunteers=after)


def volunteers_of(db: Database, mission_id: str) -> list[str]:
    """The mission's volunteers, in the order they volunteered."""
    with db.reading() as connection:
        mission_row(connection, mission_id)
        return volunteers_by_mission(connection).get(mission_id, [])


def _check_rank(connection: Connection, mission: dict[str, Any], shinobi: Any) -> None:
    """Refuse a mission above what a `max_rank_above` order allows this shinobi (at the
    mission's effective rank once assessed, its declared rank before)."""
    rank = MissionRank(mission["effective_rank"] or mission["rank"])
    person_rank = ShinobiRank(shinobi["rank"])
    definitions = connection.execute(select(t.standing_order.c.definition)).scalars()
    for definition in definitions:
        if definition.get("rule") != "max_rank_above":
            continue
        order = _ORDER.validate_python(definition)
        assert isinstance(order, MaxRankAbove)
        if order.when is not None and rank < order.when.min_rank:
            continue
        if not rank_allowed(person_rank, rank, order.ranks):
            raise Conflict(
                f"{shinobi['id']} is {person_rank.value} (grade {grade(person_rank).value}) "
                f"and mission {mission['id']!r} is {rank.value}-rank: order {order.id!r} "
                f"(max_rank_above) allows missions at most {plural(order.ranks, 'rank')} above "
                "one's grade",
                field="mission",
            )


_ORDER: TypeAdapter[Any] = TypeAdapter(StandingOrder)


# --- Rewards ----------------------------------------------------------------------------


def pay_reward(
    connection: Connection,
    mission: dict[str, Any],
    squad: list[str],
    outcome: Outcome,
    at: dt.datetime,
) -> list[Share]:
    """Pay the mission's `reward_ryo` for a report into the ledger (inside the report's
    transaction): the village's cut and the squad's shares (docs/operations.md)."""
    head = connection.execute(
        select(t.village.c.id, t.village.c.settings, t.village.c.ledger_book)
    ).one()
    rewards = Settings.model_validate(head.settings).rewards
    shares = payout(
        mission["reward_ryo"] or 0, outcome, squad, rewards.village_share, rewards.split
    )
    if shares:
        connection.execute(
            insert(t.ledger),
            [
                {
                    "at": at,
                    "village": head.id,
                    "book": head.ledger_book,
                    "mission": mission["id"],
                    "outcome": outcome.value,
                    "shinobi": s.shinobi,
                    "share": s.share,
                    "ryo": s.ryo,
                }
                for s in shares
            ],
        )
    return shares


class LedgerRow(BaseModel):
    shinobi: str
    ryo: int
    missions: dict[str, int]  # by mission rank, D to S
    successes: int


def ledger(db: Database, shinobi_id: str | None = None) -> list[LedgerRow]:
    """Each shinobi's ryo earned, missions by rank and successes (roster order)."""
    with db.reading() as connection:
        require_village(connection)
        query = select(t.shinobi.c.id).order_by(t.shinobi.c.position)
        if shinobi_id is not None:
            query = query.where(t.shinobi.c.id == shinobi_id)
        ids = list(connection.execute(query).scalars())
        if shinobi_id is not None and not ids:
            raise NotFound(f"no shinobi {shinobi_id!r} in this village", field="shinobi")
        paid = record.ryo_by_shinobi(connection)
        done = record.missions_done(connection)
    nothing = record.MissionsDone()
    return [
        LedgerRow(
            shinobi=sid,
            ryo=paid.get(sid, 0),
            missions=done.get(sid, nothing).as_ranks(),
            successes=done.get(sid, nothing).successes,
        )
        for sid in ids
    ]


def payments(db: Database, shinobi_id: str | None = None) -> list[LedgerEntry]:
    """The ledger's rows, oldest first: every share (the village's cut included), or one
    shinobi's own."""
    with db.reading() as connection:
        require_village(connection)
        if shinobi_id is not None:
            known = connection.execute(select(t.shinobi.c.id).where(t.shinobi.c.id == shinobi_id))
            if known.first() is None:
                raise NotFound(f"no shinobi {shinobi_id!r} in this village", field="shinobi")
        rows = ledger_documents(connection)
    return [
        LedgerEntry.model_validate(r)
        for r in rows
        if shinobi_id is None or r["shinobi"] == shinobi_id
    ]


def village_takings(db: Database) -> int:
    """The village's cut of every reward paid so far."""
    with db.reading() as connection:
        require_village(connection)
        total = connection.execute(
            select(func.coalesce(func.sum(t.ledger.c.ryo), 0)).where(
                in_book(*current_book(connection)), t.ledger.c.shinobi.is_(None)
            )
        ).scalar_one()
    return int(total)


# --- Promotions -------------------------------------------------------------------------


class Evidence(BaseModel):
    mission: str
    rank: str
    outcome: str
    returned: dt.datetime


class PromotionReady(BaseModel):
    shinobi: str
    rank: str
    to: str
    missions: dict[str, int]  # what the rule asks for, as the record holds it
    successes: int
    evidence: list[Evidence]  # the missions that count, oldest first


def promotions(db: Database) -> list[PromotionReady]:
    """Who meets a promotion rule of the village file, with the missions that count."""
    with db.reading() as connection:
        village = current_village(connection)
        done = record.missions_done(connection)
    return ready_for_promotion(village, done)


def ready_for_promotion(
    village: Village, done: dict[str, record.MissionsDone]
) -> list[PromotionReady]:
    """Each (shinobi, rule) met, judged by `record.rule_met`'s test, with the evidence."""
    nothing = record.MissionsDone()
    found = []
    for rule in village.promotion:
        for s in village.shinobi:
            mine = done.get(s.id, nothing)
            if record.rule_met(s.rank, s.status, mine, [rule]) is None:
                continue
            counted = {r.value for r in rule.missions}
            evidence = [
                Evidence(
                    mission=e.mission.id,
                    rank=e.mission.rank.value,
                    outcome=e.report.outcome.value,
                    returned=e.returned,
                )
                for e in sorted(village.history, key=lambda e: e.returned)
                if s.id in e.squad.everyone
                and (
                    e.mission.rank.value in counted
                    or (rule.successes and e.report.outcome is Outcome.SUCCESS)
                )
            ]
            found.append(
                PromotionReady(
                    shinobi=s.id,
                    rank=s.rank.value,
                    to=rule.to.value,
                    missions={r.value: mine.by_rank[r.value] for r in rule.missions},
                    successes=mine.successes,
                    evidence=evidence,
                )
            )
    return found


# --- My missions ------------------------------------------------------------------------


class MyMission(BaseModel):
    mission: str
    title: str
    rank: str
    effective_rank: str | None
    status: str
    earliest: dt.date | None
    departed_at: dt.datetime | None
    returned_at: dt.datetime | None
    leader: str
    squad: list[str]  # leader first
    briefing: list[dict[str, Any]]  # the assessment's briefing, when assessed


class MySchedule(BaseModel):
    shinobi: str
    missions: list[MyMission]  # where they are on the squad, most recent first
    volunteered: list[str]  # missions they offered to go on
    ledger: LedgerRow


def my_missions(db: Database, shinobi_id: str) -> MySchedule:
    """One shinobi's own schedule, squads and briefings, their offers and their ledger
    (what a player's "My missions" page shows; nobody else's private records)."""
    with db.reading() as connection:
        require_village(connection)
        ids = missions_on(connection, shinobi_id)
        rows = (
            connection.execute(select(t.mission).where(t.mission.c.id.in_(ids))).mappings().all()
            if ids
            else []
        )
        squads = squads_of(connection, ids)
        offered = [
            m for m, people in volunteers_by_mission(connection).items() if shinobi_id in people
        ]
    missions = [
        MyMission(
            mission=r["id"],
            title=r["title"],
            rank=r["rank"],
            effective_rank=r["effective_rank"],
            status=r["status"],
            earliest=r["earliest"],
            departed_at=r["departed_at"],
            returned_at=r["returned_at"],
            leader=squads[r["id"]][0]["shinobi_id"],  # leaders sort first
            squad=[s["shinobi_id"] for s in squads[r["id"]]],
            briefing=list((r["assessment"] or {}).get("briefing", [])),
        )
        for r in rows
    ]
    missions.sort(key=lambda m: (m.departed_at or dt.datetime.max, m.mission), reverse=True)
    (mine,) = ledger(db, shinobi_id)
    return MySchedule(shinobi=shinobi_id, missions=missions, volunteered=offered, ledger=mine)
