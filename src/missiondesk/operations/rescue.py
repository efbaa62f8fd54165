"""The rescue squad for a squad gone quiet: one composition that `overdue` proposes and
`rescue` sends (pure: plain data in, a proposal out).

The rescue is a mission like any other, planned by the planner in emergency mode: from the
home place to the lost squad's last known place and back, at the lost mission's effective
rank, assessed (so its briefing covers the threats likely there), under every standing
order of the village plus two of its own: a medic, and at least three strong (someone may
have to be carried home: two to carry, one to guard). When no squad obeys every order, the
proposal is the squad that breaks the fewest (planning/fewest_breaks.py), what it breaks in
the rules' own words, and whom a recall from approved squads not yet dispatched would free
to form a squad that obeys them all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping, Sequence

import numpy as np
from pydantic import BaseModel, Field

from missiondesk.domain.assessment import Assessment, BriefingItem
from missiondesk.domain.orders import MinSize, RequireRole
from missiondesk.domain.ranks import MissionRank, MissionStatus
from missiondesk.domain.roles import MEDIC_ROLE, medic_minimums
from missiondesk.domain.village import Client, HistoryEntry, Mission, Shinobi, Village, Window
from missiondesk.operations.schedule import returns_at, route_span_hours
from missiondesk.planning.candidates import Board, PlanningError, compile_board
from missiondesk.planning.explain import explain_squad
from missiondesk.planning.fewest_breaks import least_broken_squad, what_breaks
from missiondesk.planning.planner import plan_board
from missiondesk.planning.roster import Departure, bound_elsewhere, fills_role
from missiondesk.risk.assessment import assess_mission
from missiondesk.risk.roads import RoadNetwork

RESCUE_MIN_SIZE = 3  # someone may have to be carried home: two to carry, one to guard
RESCUE_PRIORITY = 5
MEDIC_ORDER = "rescue-medic"
SIZE_ORDER = "rescue-three-strong"


class RescueMember(BaseModel):
    shinobi: str
    roles: list[str]


class Break(BaseModel):
    """A standing order the proposed squad breaks, in words."""

    order: str
    text: str


class Recall(BaseModel):
    """Someone on an approved squad not yet dispatched whose release would let a squad
    that obeys every order form."""

    shinobi: str
    mission: str


class Rescue(BaseModel):
    """The rescue for one lost squad: SPEC section 7's leader and members (the others, with
    their roles), why, what it breaks (nothing, when it obeys every order), and whom a
    recall would free. `sent` once it is on its way (`mission` is then its id)."""

    mission: str
    sent: bool = False
    leader: str | None
    leader_roles: list[str] = []
    members: list[RescueMember]
    reasons: list[str]
    breaks: list[Break] = []
    recall: list[Recall] = []
    briefing: list[BriefingItem] = []
    # For the services that store the squad, not for the reader:
    member_reasons: dict[str, list[str]] = Field(default={}, exclude=True)
    assessment: Assessment | None = Field(default=None, exclude=True)


class LostSquad(BaseModel):
    """What the rescue needs to know of the overdue mission: its rank, the last place it
    was known to be, and the waypoint it did not reach."""

    mission: str
    rank: MissionRank
    last_place: str
    next_place: str | None = None

    def search_place(self, home: str) -> str:
        """Where the rescue goes: the last known place; or, for a squad never heard from
        since it left home, the waypoint it was due at (a rescue that stays home finds
        nobody)."""
        if self.last_place == home and self.next_place is not None:
            return self.next_place
        return self.last_place


def rescue_mission(lost: LostSquad, rescue_id: str, home: str, at: dt.datetime) -> Mission:
    target = lost.search_place(home)
    return Mission(
        id=rescue_id,
        title=f"Find and bring home the squad of {lost.mission}",
        rank=lost.rank,
        priority=RESCUE_PRIORITY,
        kind="rescue",
        client=Client(name="the village", min_team_size=1),
        route=[home, target, home] if home != target else [home],
        window=Window(earliest=at.date()),
        status=MissionStatus.ASSESSED,
    )


def rescue_orders(village: Village) -> list[object]:
    """The village's standing orders and the rescue's own two, which hold whatever they say."""
    return [
        *village.standing_orders,
        RequireRole(id=MEDIC_ORDER, rule="require_role", role=MEDIC_ROLE, count=1),
        MinSize(id=SIZE_ORDER, rule="min_size", size=RESCUE_MIN_SIZE),
    ]


def emergency_village(
    village: Village, mission: Mission, spoken_for: Collection[str], at: dt.datetime
) -> Village:
    """The village as the rescue's planner sees it at `at`, when the rescue leaves (who is
    free, rested and recovered is judged then, and a rescue dated before the clock is not
    refused as a passed window): only the rescue on the board, the people in `spoken_for`
    away, a medic role even where the village names none."""
    roles = dict(village.roles)
    roles[MEDIC_ROLE] = dict(medic_minimums(village))
    return bound_elsewhere(village, spoken_for).model_copy(
        update={
            "village": village.village.model_copy(update={"now": at}),
            "missions": [mission],
            "roles": roles,
            "standing_orders": rescue_orders(village),
        }
    )


def compose_rescue(
    village: Village,
    network: RoadNetwork,
    lost: LostSquad,
    at: dt.datetime,
    *,
    rescue_id: str,
    committed: Mapping[str, str],
    recallable: Collection[str] = (),
    flags: Mapping[str, Collection[str]] | None = None,
    departures: Iterable[HistoryEntry | Departure] = (),
    pins: Sequence[str] = (),
    time_limit: float = 5.0,
) -> Rescue:
    """The rescue squad for `lost`, leaving at `at`. `committed`: shinobi -> the mission
    they are bound to (away); `recallable`: those of them on approved squads not yet
    dispatched; `pins`: people who must go (each free to, the caller has checked)."""
    home = network.home or lost.last_place
    mission = rescue_mission(lost, rescue_id, home, at)
    emergency = emergency_village(village, mission, committed, at)
    assessment = assess_mission(emergency, mission, network=network)
    target = lost.search_place(home)
    hours = network.hours(home, target)
    where = (
        "the last known place"
        if target == lost.last_place
        else f"where the squad was due after leaving {lost.last_place}"
    )
    travel = f"from {home}, {hours:g} h by road to {target}, {where}"
    back = returns_at(at, route_span_hours(mission.route, 0.0, network))
    leaves = f"leaves at once, {at:%Y-%m-%d %H:%M}; back {back:%Y-%m-%d %H:%M}"
    history = list(departures)
    flags = flags or {}
    try:
        plan = plan_board(
            emergency,
            {mission.id: assessment},
            missions=[mission.id],
            flags=flags,
            extra_history=history,
            pins=dict.fromkeys(pins, mission.id),
            time_limit=time_limit,
            workers=1,
        )
        unmet = [*plan.unstaffed[0].reasons] if plan.unstaffed else ["no squad obeys every order"]
    except PlanningError as impossible:
        plan, unmet = None, [str(impossible)]
    if plan is not None and plan.squads:
        squad = plan.squads[0]
        return Rescue(
            mission=mission.id,
            leader=squad.leader,
            leader_roles=next(m.roles for m in squad.members if m.shinobi == squad.leader),
            members=[
                RescueMember(shinobi=m.shinobi, roles=m.roles)
                for m in squad.members
                if m.shinobi != squad.leader
            ],
            reasons=[f"rank {squad.effective_rank} rescue {travel}", *_own(squad.reasons, leaves)],
            briefing=assessment.briefing,
            member_reasons={m.shinobi: list(m.reasons) for m in squad.members},
            assessment=assessment,
        )
    return _least_broken(
        emergency,
        village,
        mission,
        assessment,
        lost,
        committed=committed,
        recallable=recallable,
        flags=flags,
        history=history,
        pins=pins,
        unmet=unmet,
        travel=travel,
        leaves=leaves,
        at=at,
        time_limit=time_limit,
    )


def _least_broken(
    emergency: Village,
    village: Village,
    mission: Mission,
    assessment: Assessment,
    lost: LostSquad,
    *,
    committed: Mapping[str, str],
    recallable: Collection[str],
    flags: Mapping[str, Collection[str]],
    history: Sequence[HistoryEntry | Departure],
    pins: Sequence[str],
    unmet: list[str],
    travel: str,
    leaves: str,
    at: dt.datetime,
    time_limit: float,
) -> Rescue:
    """No squad obeys every order: the one that breaks them least, and the recall that
    would make a compliant one possible."""
    board = _board(emergency, mission, assessment, flags, history, pins)
    req, roster = board.missions[0], board.roster
    may_leave = roster.may_leave_on(req.view.earliest)
    squad = least_broken_squad(req, may_leave, time_limit=time_limit)
    recall = _recall(
        village, mission, assessment, committed, recallable, flags, history, pins, at, time_limit
    )
    if squad is None:
        return Rescue(
            mission=mission.id,
            leader=None,
            members=[],
            reasons=[*unmet, "nobody who is free to leave can go"],
            recall=recall,
            briefing=assessment.briefing,
        )
    breaks = what_breaks(req, squad, roster, emergency.standing_orders, flags)
    reasons, why = explain_squad(board, 0, squad, dict.fromkeys(squad.everyone, 0.0))
    broken = {b.order for b in breaks}
    kept = [r for r in reasons if not any(r.startswith(f"order {o!r}:") for o in broken)]
    return Rescue(
        mission=mission.id,
        leader=roster.ids[squad.leader],
        leader_roles=_roles(emergency, roster.shinobi[squad.leader]),
        members=[
            RescueMember(shinobi=roster.ids[i], roles=_roles(emergency, roster.shinobi[i]))
            for i in squad.everyone
            if i != squad.leader
        ],
        reasons=[
            f"rank {assessment.effective_rank} rescue {travel}",
            *unmet,
            "no squad obeys every order: this one breaks the fewest",
            *_own(kept, leaves),
        ],
        breaks=[Break(order=b.order, text=b.text) for b in breaks],
        recall=recall,
        briefing=assessment.briefing,
        member_reasons={roster.ids[i]: why[i] for i in squad.everyone},
        assessment=assessment,
    )


def _board(
    village: Village,
    mission: Mission,
    assessment: Assessment,
    flags: Mapping[str, Collection[str]],
    history: Sequence[HistoryEntry | Departure],
    pins: Sequence[str],
) -> Board:
    """The rescue alone on the board, compiled as the planner compiles it, at the moment
    the emergency village's clock says it leaves."""
    return compile_board(
        village,
        {mission.id: assessment},
        [mission.id],
        flags=flags,
        extra_history=history,
        pins=dict.fromkeys(pins, mission.id),
        forbids=[],
        previous={},
    )


def _recall(
    village: Village,
    mission: Mission,
    assessment: Assessment,
    committed: Mapping[str, str],
    recallable: Collection[str],
    flags: Mapping[str, Collection[str]],
    history: Sequence[HistoryEntry | Departure],
    pins: Sequence[str],
    at: dt.datetime,
    time_limit: float,
) -> list[Recall]:
    """The fewest people on approved squads not yet dispatched whose release lets a squad
    that obeys every order form (none when even that cannot)."""
    if not recallable:
        return []
    away = [s for s in committed if s not in recallable]
    freed = emergency_village(village, mission, away, at)
    board = _board(freed, mission, assessment, flags, history, pins)
    req, roster = board.missions[0], board.roster
    cost = np.array([sid in recallable for sid in roster.ids], dtype=bool)
    squad = least_broken_squad(
        req,
        roster.may_leave_on(req.view.earliest),
        strict=True,
        recall_cost=cost,
        time_limit=time_limit,
    )
    if squad is None:
        return []
    return [
        Recall(shinobi=roster.ids[i], mission=committed[roster.ids[i]])
        for i in sorted(squad.everyone, key=lambda i: roster.ids[i])
        if cost[i]
    ]


def _own(reasons: Iterable[str], leaves: str) -> list[str]:
    """The squad's reasons, less the client's (the village itself: its size is the rescue's
    own order, `rescue-three-strong`), and with when it leaves: at once, where a planned
    squad's line names its window and the 08:00 start of a day's departures."""
    return [
        leaves if r.startswith("leaves ") else r for r in reasons if not r.startswith("the client:")
    ]


def _roles(village: Village, shinobi: Shinobi) -> list[str]:
    return sorted(role for role, minimums in village.roles.items() if fills_role(shinobi, minimums))


def squad_of(rescue: Rescue) -> list[str]:
    """Everyone on the proposed squad, the leader first."""
    if rescue.leader is None:
        return []
    return [rescue.leader, *(m.shinobi for m in rescue.members)]
