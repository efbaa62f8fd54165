"""What each standing order means: one small function pair per rule, listed in `RULES`.

Every rule (a) checks a concrete squad, returning sentences a person can read (the
validator's second opinion), and (b) compiles, for one mission, into `Need`s over the
roster arrays: who may serve, who may lead, how many of whom, how many in all. The
model, the greedy start, the pruning and the explanation of an unmet order all read those
needs, so what is enforced and what is explained come from the same definitions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Generic, Literal, TypeVar

import numpy as np

from missiondesk.domain.assessment import Assessment
from missiondesk.domain.orders import (
    CounterThreats,
    ForbidRank,
    KeepTeams,
    LeaderMinRank,
    MaxMissions,
    MaxRankAbove,
    MaxSize,
    MinRest,
    MinSize,
    RequireRank,
    RequireRole,
    VolunteersOnly,
    WellbeingLimit,
)
from missiondesk.domain.ranks import SHINOBI_RANK_AS_MISSION_RANK, MissionRank, ShinobiRank
from missiondesk.domain.village import Countermeasure, Mission, Shinobi, Threat
from missiondesk.domain.words import plural
from missiondesk.operations.fitness import may_leave_on
from missiondesk.planning.roster import Record, Roster, fills_role
from missiondesk.wellbeing.ahead import FlagCalendar, Spell

DEFAULT_MAX_SIZE = 6
"""The model's cap on a squad when no `max_size` order sets one, raised to whatever the
mission's needs could require (see `candidates.size_cap`): it bounds the model, never
what the orders allow."""

NeedKind = Literal["serve", "lead", "count", "size", "team"]


@dataclass(frozen=True)
class Need:
    """One thing a mission's squad must satisfy, over the roster arrays.

    `serve`: only people in `mask` may be on the squad (`why_not(i)` says why i may not).
    `lead`: only people in `mask` may lead. `count`: at least `count` of the squad are in
    `mask`. `size`: the squad has between `low` and `high` shinobi.
    """

    order: str
    rule: str
    kind: NeedKind
    text: str
    mask: np.ndarray | None = None
    count: int = 0
    low: int = 1
    high: int | None = None  # None: no upper limit (only max_size sets one)
    why_not: Callable[[int], str] | None = None
    groups: tuple[np.ndarray, ...] = ()


@dataclass(frozen=True)
class MissionView:
    """What the rules read about one mission when compiling needs."""

    mission: Mission
    assessment: Assessment
    earliest: dt.date
    roster: Roster
    roles: Mapping[str, Mapping[str, int]]
    threats: Mapping[str, Threat]
    countermeasures: Sequence[Countermeasure]


@dataclass(frozen=True)
class SquadFacts:
    """What the rules read about one concrete squad when checking it."""

    mission: Mission
    assessment: Assessment
    earliest: dt.date
    leader: Shinobi
    everyone: tuple[Shinobi, ...]
    roles: Mapping[str, Mapping[str, int]]
    threats: Mapping[str, Threat]
    countermeasures: Sequence[Countermeasure]
    flags: FlagCalendar  # read on `earliest`, the day the squad leaves
    record: Record
    roster: Sequence[Shinobi] = ()  # the whole roster (keep_teams reads team-mates)
    size_limit: int | None = None  # the smallest max_size that applies (set by check_squad)


OrderT = TypeVar("OrderT")


@dataclass(frozen=True)
class Rule(Generic[OrderT]):
    check: Callable[[OrderT, SquadFacts], list[str]]
    needs: Callable[[OrderT, MissionView], list[Need]]


def applies(order: Any, assessment: Assessment) -> bool:
    """An order applies to missions whose effective rank is at least its `when.min_rank`."""
    return applies_at(order, assessment.effective_rank)


def applies_at(order: Any, rank: MissionRank | None) -> bool:
    """`applies` for a mission of effective `rank` (None: unknown, so only orders without
    a `when` apply)."""
    return order.when is None or (rank is not None and rank >= order.when.min_rank)


def rest_at(rank: MissionRank | None, orders: Sequence[Any]) -> int:
    """The longest `min_rest` (days) that applies to a mission of effective `rank`."""
    return max(
        (int(o.days) for o in orders if o.rule == "min_rest" and applies_at(o, rank)), default=0
    )


def limits_at(rank: MissionRank | None, orders: Sequence[Any]) -> list[tuple[int, int]]:
    """(count, days) of each `max_missions` order that applies at effective `rank`."""
    return [(o.count, o.days) for o in orders if o.rule == "max_missions" and applies_at(o, rank)]


def role_text(role: str, roles: Mapping[str, Mapping[str, int]]) -> str:
    if role not in roles:
        return f"{role} (a role the village does not define)"
    minimums = ", ".join(f"{skill} >= {level}" for skill, level in roles[role].items())
    return f"{role} ({minimums})" if minimums else role


def _role_mask(view: MissionView, role: str) -> np.ndarray:
    if role not in view.roles:
        return np.zeros(len(view.roster), dtype=bool)
    return view.roster.role_mask(view.roles[role])


def _fills(shinobi: Shinobi, role: str, roles: Mapping[str, Mapping[str, int]]) -> bool:
    return role in roles and fills_role(shinobi, roles[role])


def _names(people: Sequence[Shinobi]) -> str:
    return ", ".join(s.id for s in people) if people else "none"


# --- require_role -----------------------------------------------------------------------


def check_require_role(order: RequireRole, squad: SquadFacts) -> list[str]:
    fillers = [s for s in squad.everyone if _fills(s, order.role, squad.roles)]
    if len(fillers) >= order.count:
        return []
    return [
        f"needs {plural(order.count, role_text(order.role, squad.roles))}; "
        f"the squad has {len(fillers)} ({_names(fillers)})"
    ]


def needs_require_role(order: RequireRole, view: MissionView) -> list[Need]:
    return [
        Need(
            order.id,
            order.rule,
            "count",
            plural(order.count, role_text(order.role, view.roles)),
            mask=_role_mask(view, order.role),
            count=order.count,
        )
    ]


# --- leader_min_rank --------------------------------------------------------------------


def check_leader_min_rank(order: LeaderMinRank, squad: SquadFacts) -> list[str]:
    if squad.leader.rank >= order.rank:
        return []
    return [
        f"needs a leader of at least {order.rank.value}; "
        f"{squad.leader.id} is {squad.leader.rank.value}"
    ]


def needs_leader_min_rank(order: LeaderMinRank, view: MissionView) -> list[Need]:
    return [
        Need(
            order.id,
            order.rule,
            "lead",
            f"a leader of at least {order.rank.value}",
            mask=view.roster.rank_at_least(order.rank),
        )
    ]


# --- require_rank -----------------------------------------------------------------------


def check_require_rank(order: RequireRank, squad: SquadFacts) -> list[str]:
    holders = [s for s in squad.everyone if s.rank >= order.rank]
    if len(holders) >= order.count:
        return []
    return [f"needs {order.count} of at least {order.rank.value}; the squad has {len(holders)}"]


def needs_require_rank(order: RequireRank, view: MissionView) -> list[Need]:
    return [
        Need(
            order.id,
            order.rule,
            "count",
            f"{order.count} of at least {order.rank.value}",
            mask=view.roster.rank_at_least(order.rank),
            count=order.count,
        )
    ]


# --- forbid_rank ------------------------------------------------------------------------


def check_forbid_rank(order: ForbidRank, squad: SquadFacts) -> list[str]:
    return [
        f"{s.id} is {order.rank.value}, a rank this mission may not take"
        for s in squad.everyone
        if s.rank == order.rank
    ]


def needs_forbid_rank(order: ForbidRank, view: MissionView) -> list[Need]:
    return [
        Need(
            order.id,
            order.rule,
            "serve",
            f"no {order.rank.value}",
            mask=~view.roster.rank_is(order.rank),
            why_not=lambda i: f"is {order.rank.value}",
        )
    ]


# --- min_size / max_size ----------------------------------------------------------------


def check_min_size(order: MinSize, squad: SquadFacts) -> list[str]:
    size = len(squad.everyone)
    return [] if size >= order.size else [f"needs at least {order.size} shinobi; it has {size}"]


def needs_min_size(order: MinSize, view: MissionView) -> list[Need]:
    return [Need(order.id, order.rule, "size", f"at least {order.size} shinobi", low=order.size)]


def check_max_size(order: MaxSize, squad: SquadFacts) -> list[str]:
    size = len(squad.everyone)
    return [] if size <= order.size else [f"allows at most {order.size} shinobi; it has {size}"]


def needs_max_size(order: MaxSize, view: MissionView) -> list[Need]:
    return [
        Need(order.id, order.rule, "size", f"at most {order.size} shinobi", low=1, high=order.size)
    ]


# --- max_missions -----------------------------------------------------------------------


def check_max_missions(order: MaxMissions, squad: SquadFacts) -> list[str]:
    found = []
    for s in squad.everyone:
        before = squad.record.missions_before(s.id, squad.earliest, order.days)
        if before + 1 > order.count:
            found.append(
                f"{s.id} would be on {plural(before + 1, 'mission')} "
                f"in {plural(order.days, 'day')} "
                f"(at most {order.count}"
                + _already_on(squad.record.missions_named(s.id, squad.earliest, order.days))
                + ")"
            )
    return found


def needs_max_missions(order: MaxMissions, view: MissionView) -> list[Need]:
    before = view.roster.missions_before(view.earliest, order.days)
    record, ids = view.roster.record, view.roster.ids
    return [
        Need(
            order.id,
            order.rule,
            "serve",
            f"nobody on more than {plural(order.count, 'mission')} in {plural(order.days, 'day')}",
            mask=before + 1 <= order.count,
            why_not=lambda i: (
                f"already has {plural(before[i], 'mission')} "
                f"in the last {plural(order.days, 'day')}"
                + _on(record.missions_named(ids[i], view.earliest, order.days))
            ),
        )
    ]


def _already_on(missions: Sequence[str]) -> str:
    return f"; already on {', '.join(missions)}" if missions else ""


def _on(missions: Sequence[str]) -> str:
    return f" ({', '.join(missions)})" if missions else ""


def mission_limits(assessment: Assessment, orders: Sequence[Any]) -> list[tuple[int, int]]:
    """(count, days) of each `max_missions` order that applies at the mission's rank."""
    return limits_at(assessment.effective_rank, orders)


# --- min_rest ---------------------------------------------------------------------------


def check_min_rest(order: MinRest, squad: SquadFacts) -> list[str]:
    found = []
    for s in squad.everyone:
        last = squad.record.last_return_by(s.id, squad.earliest)
        if last is not None and (squad.earliest - last[0]).days < order.days:
            back, mission = last
            found.append(
                f"{s.id} returned on {back.isoformat()}"
                + (f" from {mission}" if mission else "")
                + f", less than {plural(order.days, 'day')} before {squad.earliest.isoformat()}"
            )
    return found


def needs_min_rest(order: MinRest, view: MissionView) -> list[Need]:
    rested = view.roster.days_since_return(view.earliest)
    record, ids = view.roster.record, view.roster.ids

    def why_not(i: int) -> str:
        last = record.last_return_by(ids[i], view.earliest)
        assert last is not None
        back, mission = last
        return (
            f"returned on {back.isoformat()}"
            + (f" from {mission}" if mission else "")
            + f" (rest until {(back + dt.timedelta(days=order.days)).isoformat()})"
        )

    return [
        Need(
            order.id,
            order.rule,
            "serve",
            f"{plural(order.days, 'day')} of rest since the last return",
            mask=rested >= order.days,
            why_not=why_not,
        )
    ]


# --- counter_threats --------------------------------------------------------------------


@dataclass(frozen=True)
class Demand:
    """A likely threat's ability and the role whose countermeasure covers it."""

    threat: str
    probability: float
    ability: str
    role: str


def counter_demands(
    order: CounterThreats,
    assessment: Assessment,
    threats: Mapping[str, Threat],
    countermeasures: Sequence[Countermeasure],
) -> list[Demand]:
    """For each threat at least `min_probability` likely, every countermeasure with a
    role for one of its abilities. A threat the assessment does not list has probability
    0, so `min_probability: 0` means every known threat."""
    found = []
    listed = {t.threat: t.probability for t in assessment.threats}
    ordered = sorted(threats.values(), key=lambda t: (-listed.get(t.id, 0.0), t.id))
    for threat in ordered:
        probability = listed.get(threat.id, 0.0)
        if probability < order.min_probability:
            continue
        for ability in threat.abilities:
            for measure in countermeasures:
                if measure.ability == ability and measure.role is not None:
                    found.append(Demand(threat.id, probability, ability, measure.role))
    return found


def _demand_text(demands: Sequence[Demand], roles: Mapping[str, Mapping[str, int]]) -> str:
    against = ", ".join(
        sorted({f"{d.threat}'s {d.ability} (probability {d.probability:.2f})" for d in demands})
    )
    return f"1 {role_text(demands[0].role, roles)} against {against}"


def check_counter_threats(order: CounterThreats, squad: SquadFacts) -> list[str]:
    demands = counter_demands(order, squad.assessment, squad.threats, squad.countermeasures)
    found = []
    for role in sorted({d.role for d in demands}):
        if not any(_fills(s, role, squad.roles) for s in squad.everyone):
            of_role = [d for d in demands if d.role == role]
            found.append(f"needs {_demand_text(of_role, squad.roles)}; nobody fills it")
    return found


def needs_counter_threats(order: CounterThreats, view: MissionView) -> list[Need]:
    demands = counter_demands(order, view.assessment, view.threats, view.countermeasures)
    return [
        Need(
            order.id,
            order.rule,
            "count",
            _demand_text([d for d in demands if d.role == role], view.roles),
            mask=_role_mask(view, role),
            count=1,
        )
        for role in sorted({d.role for d in demands})
    ]


# --- wellbeing_limit --------------------------------------------------------------------


# Judged on the day the squad leaves (SPEC section 9): a flag that lapses before then does
# not bind, and one that time alone raises by then (no-rest) does.


def flag_text(kind: str, spell: Spell | None, today: dt.date | None) -> str:
    """The words for a flag in the reasons: `has the wellbeing flag 'burden' until
    2026-12-05`, with `from DAY` when it starts after today, and `until a person clears
    it` for a flag with no end (a fixed calendar knows no dates: the kind alone)."""
    text = f"has the wellbeing flag '{kind}'"
    if spell is None:
        return text
    if today is not None and spell.since > today:
        text += f" from {spell.since.isoformat()}"
    if spell.until is None:
        return text + " until a person clears it"
    return text + f" until {spell.until.isoformat()}"


def check_wellbeing_limit(order: WellbeingLimit, squad: SquadFacts) -> list[str]:
    people = [squad.leader] if order.forbid == "lead" else list(squad.everyone)
    verb = "lead" if order.forbid == "lead" else "join"
    flags, day = squad.flags, squad.earliest
    return [
        f"{s.id} {flag_text(order.flag, flags.spell(s.id, order.flag, day), flags.today)} "
        f"and may not {verb}"
        for s in people
        if order.flag in flags.on(day).get(s.id, ())
    ]


def needs_wellbeing_limit(order: WellbeingLimit, view: MissionView) -> list[Need]:
    roster = view.roster
    flagged = roster.flag_mask(order.flag, view.earliest)
    verb = "lead" if order.forbid == "lead" else "join"
    watch, ids = roster.watch, roster.ids
    return [
        Need(
            order.id,
            order.rule,
            "lead" if order.forbid == "lead" else "serve",
            f"nobody flagged '{order.flag}' may {verb}",
            mask=~flagged,
            why_not=lambda i: flag_text(
                order.flag, watch.spell(ids[i], order.flag, view.earliest), watch.today
            ),
        )
    ]


# --- volunteers_only --------------------------------------------------------------------


def check_volunteers_only(order: VolunteersOnly, squad: SquadFacts) -> list[str]:
    return [
        f"{s.id} has not volunteered for {squad.mission.id}"
        for s in squad.everyone
        if s.id not in squad.mission.volunteers
    ]


def needs_volunteers_only(order: VolunteersOnly, view: MissionView) -> list[Need]:
    volunteers = set(view.mission.volunteers)
    return [
        Need(
            order.id,
            order.rule,
            "serve",
            "only volunteers",
            mask=np.array([sid in volunteers for sid in view.roster.ids], dtype=bool),
            why_not=lambda i: "has not volunteered for it",
        )
    ]


# --- max_rank_above ---------------------------------------------------------------------


def grade(rank: ShinobiRank) -> MissionRank:
    """A shinobi's grade as a mission rank: academy and genin D, chunin C, special_jonin
    B, jonin A, kage S."""
    return SHINOBI_RANK_AS_MISSION_RANK[rank]


def rank_allowed(rank: ShinobiRank, effective: MissionRank, ranks: int) -> bool:
    """Whether a shinobi of `rank` may go on a mission of `effective` rank when missions
    may be at most `ranks` above their grade."""
    return effective.level <= grade(rank).level + ranks


def _too_high(rank: ShinobiRank, effective: MissionRank, ranks: int) -> str:
    return (
        f"is {rank.value} (grade {grade(rank).value}); a {effective.value}-rank mission is "
        f"more than {plural(ranks, 'rank')} above it"
    )


def check_max_rank_above(order: MaxRankAbove, squad: SquadFacts) -> list[str]:
    effective = squad.assessment.effective_rank
    return [
        f"{s.id} {_too_high(s.rank, effective, order.ranks)}"
        for s in squad.everyone
        if not rank_allowed(s.rank, effective, order.ranks)
    ]


def needs_max_rank_above(order: MaxRankAbove, view: MissionView) -> list[Need]:
    effective = view.assessment.effective_rank
    people = view.roster.shinobi
    return [
        Need(
            order.id,
            order.rule,
            "serve",
            f"nobody more than {plural(order.ranks, 'rank')} below {effective.value}",
            mask=np.array([rank_allowed(s.rank, effective, order.ranks) for s in people], bool),
            why_not=lambda i: _too_high(people[i].rank, effective, order.ranks),
        )
    ]


# --- keep_teams -------------------------------------------------------------------------


def team_groups(
    people: Sequence[Shinobi], earliest: dt.date, size_limit: int | None
) -> dict[str, list[Shinobi]]:
    """The teams that must go whole: for each `team`, its members free to leave on the
    mission's earliest day, when there are at least two of them and no more than the
    squad may hold (`size_limit`, the smallest `max_size` that applies; None: no limit)."""
    found: dict[str, list[Shinobi]] = {}
    for s in people:
        if s.team is not None and may_leave_on(s, earliest):
            found.setdefault(s.team, []).append(s)
    return {
        team: members
        for team, members in sorted(found.items())
        if len(members) >= 2 and (size_limit is None or len(members) <= size_limit)
    }


def check_keep_teams(order: KeepTeams, squad: SquadFacts) -> list[str]:
    on = {s.id for s in squad.everyone}
    found = []
    for team, members in team_groups(squad.roster, squad.earliest, squad.size_limit).items():
        going = [s.id for s in members if s.id in on]
        left = [s.id for s in members if s.id not in on]
        if going and left:
            found.append(
                f"team {team} goes together or not at all: {_names_text(going)} "
                f"would go without {_names_text(left)}"
            )
    return found


def _names_text(ids: Sequence[str]) -> str:
    return ", ".join(ids)


def needs_keep_teams(order: KeepTeams, view: MissionView) -> list[Need]:
    # Every team free to leave; compile_board drops those larger than max_size allows.
    groups = team_groups(view.roster.shinobi, view.earliest, None)
    index = view.roster.index
    return [
        Need(
            order.id,
            order.rule,
            "team",
            "team-mates together or not at all",
            groups=tuple(
                np.array([index[s.id] for s in members], dtype=np.int64)
                for members in groups.values()
            ),
        )
    ]


RULES: dict[str, Rule[Any]] = {
    "require_role": Rule(check_require_role, needs_require_role),
    "leader_min_rank": Rule(check_leader_min_rank, needs_leader_min_rank),
    "require_rank": Rule(check_require_rank, needs_require_rank),
    "forbid_rank": Rule(check_forbid_rank, needs_forbid_rank),
    "min_size": Rule(check_min_size, needs_min_size),
    "max_size": Rule(check_max_size, needs_max_size),
    "max_missions": Rule(check_max_missions, needs_max_missions),
    "min_rest": Rule(check_min_rest, needs_min_rest),
    "counter_threats": Rule(check_counter_threats, needs_counter_threats),
    "wellbeing_limit": Rule(check_wellbeing_limit, needs_wellbeing_limit),
    "volunteers_only": Rule(check_volunteers_only, needs_volunteers_only),
    "max_rank_above": Rule(check_max_rank_above, needs_max_rank_above),
    "keep_teams": Rule(check_keep_teams, needs_keep_teams),
}
"""Every rule of the v1 vocabulary (SPEC section 4), by its `rule` name."""


# --- always true ------------------------------------------------------------------------

ALWAYS = "always"
CLIENT = "client"


def check_always(squad: SquadFacts) -> list[str]:
    """The rules that hold without an order: who may leave, and the client's minimum."""
    found = [
        f"{s.id} is {s.status.value}"
        + (f" until {s.available_from.isoformat()}" if s.available_from else "")
        + f" and cannot leave on {squad.earliest.isoformat()}"
        for s in squad.everyone
        if not may_leave_on(s, squad.earliest)
    ]
    minimum = squad.mission.min_team_size
    if len(squad.everyone) < minimum:
        found.append(
            f"the client asks for at least {minimum} shinobi; it has {len(squad.everyone)}"
        )
    return found


def always_needs(view: MissionView) -> list[Need]:
    roster = view.roster

    def why_not(i: int) -> str:
        s = roster.shinobi[i]
        if s.available_from is not None and s.status.value in ("injured", "resting"):
            return f"is {s.status.value} until {s.available_from.isoformat()}"
        return f"is {s.status.value.replace('_', ' ')}"

    size = view.mission.min_team_size
    return [
        Need(
            ALWAYS,
            "available",
            "serve",
            f"free to leave on {view.earliest.isoformat()}",
            mask=roster.may_leave_on(view.earliest),
            why_not=why_not,
        ),
        Need(
            CLIENT,
            "min_team_size",
            "size",
            f"at least {size} shinobi (the client asks)",
            low=size,
        ),
    ]


def mission_needs(view: MissionView, orders: Sequence[Any]) -> list[Need]:
    """Everything the mission's squad must satisfy: the always-true rules, then each
    standing order that applies at the mission's effective rank."""
    found = always_needs(view)
    for order in orders:
        if applies(order, view.assessment):
            found.extend(RULES[order.rule].needs(order, view))
    return found


def check_squad(squad: SquadFacts, orders: Sequence[Any]) -> list[tuple[str, str, str]]:
    """Every broken rule of a concrete squad, as (order id, rule, sentence)."""
    limits = [o.size for o in orders if o.rule == "max_size" and applies(o, squad.assessment)]
    squad = replace(squad, size_limit=min(limits) if limits else None)
    found = [(ALWAYS, "always", text) for text in check_always(squad)]
    for order in orders:
        if applies(order, squad.assessment):
            found.extend((order.id, order.rule, t) for t in RULES[order.rule].check(order, squad))
    return found
