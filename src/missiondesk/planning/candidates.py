"""The board compiled for search: each mission's needs as masks over the roster, and a
bounded list of candidates per mission (eligible, useful, diverse) for the CP-SAT model.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from missiondesk.domain.assessment import Assessment
from missiondesk.domain.ranks import MissionRank
from missiondesk.domain.village import HistoryEntry, Mission, Squad, Threat, Village
from missiondesk.domain.words import plural
from missiondesk.planning.quality import (
    WEIGHTS,
    MemberScore,
    Weights,
    default_scores,
    good_pairs,
    leader_points,
    member_points,
    village_weights,
)
from missiondesk.planning.roster import Departure, Roster
from missiondesk.planning.rules import (
    ALWAYS,
    DEFAULT_MAX_SIZE,
    MissionView,
    Need,
    limits_at,
    mission_needs,
    rest_at,
)
from missiondesk.planning.timing import Slot, cliques, make_slot, minutes, mission_slots
from missiondesk.risk.roads import RoadNetwork
from missiondesk.wellbeing.ahead import Flags

CANDIDATES = 40
"""Candidates kept per mission; a mission with fewer eligible people keeps them all."""


class PlanningError(ValueError):
    """A request the planner cannot honour (an impossible pin, an unknown mission...)."""


@dataclass
class Requirements:
    """One mission's needs on one departure day (its `slot`), compiled: who may serve and
    lead, what counts, what size. A mission with a window of several days has one per day
    (`Board.groups`); at most one of them is staffed."""

    mission: Mission
    assessment: Assessment
    view: MissionView
    needs: list[Need]
    eligible: np.ndarray  # may serve: every `serve` need, and not forbidden by the Hokage
    leads: np.ndarray  # may lead: eligible and every `lead` need
    lead_kind: np.ndarray  # every `lead` need, whoever is eligible
    counts: list[Need]
    low: int
    high: int
    forbidden: np.ndarray  # forbidden for this mission by the Hokage
    value: np.ndarray  # points each person would bring as a member (proxy scores)
    lead_value: np.ndarray  # extra points for leading
    pinned: list[int] = field(default_factory=list)
    previous: frozenset[int] = frozenset()
    previous_leader: int | None = None
    base: int = 1  # the base size: members beyond it are padding (quality.py)
    teams: list[np.ndarray] = field(default_factory=list)  # each goes whole or not at all
    volunteered: frozenset[int] = frozenset()  # who volunteered for it
    slot: Slot | None = None  # when it leaves and returns, and the time it claims
    group: int = 0  # which mission of the board (index into Board.mission_ids)

    @property
    def priority(self) -> int:
        return self.mission.effective_priority

    def feasible_alone(self) -> bool:
        """Necessary conditions for staffing it from the whole eligible pool."""
        pool = int(self.eligible.sum())
        return (
            self.low <= self.high
            and pool >= self.low
            and bool(self.leads.any())
            and all(int((n.mask & self.eligible).sum()) >= n.count for n in self.counts)
            and all(n.count <= self.high for n in self.counts)
        )


@dataclass
class Board:
    village: Village
    roster: Roster
    missions: list[Requirements]
    pairs: Mapping[tuple[str, str], int]
    workload: list[np.ndarray]  # per mission: missions each person went on recently
    weights: Weights = WEIGHTS
    mission_ids: list[str] = field(default_factory=list)  # the board's missions, in order
    groups: list[list[int]] = field(default_factory=list)  # per mission: its slots' indices
    passed: dict[str, str] = field(default_factory=dict)  # missions with no day left: why
    committed: dict[int, list[Commitment]] = field(default_factory=dict)  # person -> spans

    def mission_index(self) -> dict[str, int]:
        """Mission id -> its first (earliest) slot."""
        return {
            mid: slots[0] for mid, slots in zip(self.mission_ids, self.groups, strict=True) if slots
        }

    def slot(self, k: int) -> Slot:
        found = self.missions[k].slot
        assert found is not None
        return found

    def cliques(self) -> list[list[int]]:
        """The largest sets of slots that pairwise clash: one person serves at most one
        slot of each (a one-day board is a single clique)."""
        return cliques([(self.slot(k).claim, self.slot(k).end) for k in range(len(self.missions))])

    def clash(self, k: int, j: int) -> bool:
        """Slots k and j cannot share a person (their claims overlap)."""
        return self.slot(k).clashes(self.slot(j))


def compile_board(
    village: Village,
    assessments: Mapping[str, Assessment],
    mission_ids: Sequence[str],
    *,
    flags: Flags,
    extra_history: Iterable[HistoryEntry | Departure],
    pins: Mapping[str, str],
    forbids: Sequence[tuple[str, str | None]],
    previous: Mapping[str, Squad],
    commitments: Mapping[str, Sequence[Commitment]] | None = None,
) -> Board:
    """The board's missions, one `Requirements` per departure day. `commitments` are
    the spans shinobi are already committed to (approved squads): a slot whose span
    clashes with one may not take them."""
    commitments = commitments or {}
    roster = Roster(village, flags, [*extra_history, *committed_departures(commitments)])
    by_id = {m.id: m for m in village.missions}
    threats = {t.id: t for t in village.threats}
    for sid, mid in [*pins.items(), *forbids]:
        if sid not in roster.index:
            raise PlanningError(f"{sid!r} is not a shinobi of {village.village.id}")
        if mid is not None and mid not in mission_ids:
            raise PlanningError(
                f"{mid!r} is not a mission on the board ({sid!r} is pinned or forbidden there)"
            )
    proxy: dict[MissionRank, np.ndarray] = {}
    days = village.settings.wellbeing.workload_days
    weights = village_weights(village.settings)
    missions: list[Requirements] = []
    workload: list[np.ndarray] = []
    groups: list[list[int]] = []
    passed: dict[str, str] = {}
    network = RoadNetwork.from_village(village)
    for group, mid in enumerate(mission_ids):
        mission = by_id[mid]
        assessment = assessments[mid]
        slots = mission_slots(village, mission, assessment, network)
        if not slots:
            passed[mid] = _passed(mission, village)
        first = len(missions)
        compiled = [
            _compile_slot(
                village,
                roster,
                mission,
                assessment,
                slot,
                group,
                threats,
                proxy,
                weights,
                days,
                pins,
                forbids,
                previous,
                commitments,
            )
            for slot in slots
        ]
        for req, recent in _pinned_days(compiled):
            missions.append(req)
            workload.append(recent)
        groups.append(list(range(first, len(missions))))
    pairs = good_pairs(village.history)
    return Board(
        village,
        roster,
        missions,
        pairs,
        workload,
        weights,
        list(mission_ids),
        groups,
        passed,
        {
            roster.index[sid]: list(spans)
            for sid, spans in commitments.items()
            if sid in roster.index
        },
    )


@dataclass(frozen=True)
class Commitment:
    """A span a shinobi is committed to: an approved squad's departure and return, and
    the mission's effective rank (its own `min_rest` and `max_missions` orders are those
    that apply at it, judged at its departure)."""

    mission: str
    departs: dt.datetime
    returns: dt.datetime
    rank: MissionRank | None = None

    def departure(self, sid: str) -> Departure:
        """The commitment as a departure on record (SPEC section 9: it counts for
        `max_missions`, and its return starts a `min_rest`)."""
        return Departure((sid,), self.departs.date(), self.returns.date(), self.mission)


def committed_departures(commitments: Mapping[str, Sequence[Commitment]]) -> list[Departure]:
    return [c.departure(sid) for sid, spans in commitments.items() for c in spans]


def committed_need(
    roster: Roster,
    slot: Slot,
    commitments: Mapping[str, Sequence[Commitment]],
    orders: Sequence[Any],
) -> Need:
    """Nobody committed to an approved squad whose span clashes with this slot's: away at
    the time, back too recently for this slot's `min_rest` (its claim), or leaving on it
    too soon after this slot's return for its own `min_rest`; nor anyone whose departures
    on record would leave no room for this slot under the approved squad's `max_missions`
    (when the slot leaves in the days it counts)."""
    why: dict[int, str] = {}
    for sid, spans in commitments.items():
        i = roster.index.get(sid)
        if i is None:
            continue
        for c in spans:
            reason = _committed_clash(roster, sid, slot, c, orders)
            if reason is not None:
                why[i] = reason
                break
    mask = np.ones(len(roster), dtype=bool)
    mask[list(why)] = False
    return Need(
        ALWAYS,
        "committed",
        "serve",
        "not committed to an approved squad away at the time",
        mask=mask,
        why_not=lambda i: why[i],
    )


def _committed_clash(
    roster: Roster, sid: str, slot: Slot, c: Commitment, orders: Sequence[Any]
) -> str | None:
    when = f"leaves {c.departs:%Y-%m-%d %H:%M}, back {c.returns:%Y-%m-%d %H:%M}"
    back, leaves = minutes(c.returns), minutes(c.departs)
    if minutes(slot.departs) < back and leaves < slot.end:
        return f"is committed to {c.mission} ({when})"
    if slot.claim < back and leaves < slot.end:
        return (
            f"is back from {c.mission} on {c.returns.date().isoformat()} ({when}), less than "
            f"{plural(slot.rest, 'day')} before leaving (min_rest)"
        )
    rest = rest_at(c.rank, orders)
    if slot.clashes(make_slot(c.departs, c.returns, rest)):
        return (
            f"would be back less than {plural(rest, 'day')} before leaving on "
            f"{c.mission} ({when}; min_rest)"
        )
    day = c.departs.date()
    for count, days in limits_at(c.rank, orders):
        if 0 < (day - slot.day).days <= days:
            before = roster.record.missions_before(sid, day, days)
            if before + 2 > count:
                return (
                    f"would be on {plural(before + 2, 'mission')} in "
                    f"{plural(days, 'day')} by leaving on {c.mission} ({when}; "
                    f"max_missions at most {count})"
                )
    return None


def _passed(mission: Mission, village: Village) -> str:
    window = mission.window
    assert window is not None
    last = window.latest or window.earliest
    span = (
        window.earliest.isoformat()
        if last == window.earliest
        else f"{window.earliest.isoformat()} to {last.isoformat()}"
    )
    return (
        f"its window ({span}) has passed: the clock says {village.village.now:%Y-%m-%d %H:%M}; "
        "edit its window to plan it"
    )


def _pinned_days(
    slots: list[tuple[Requirements, np.ndarray]],
) -> list[tuple[Requirements, np.ndarray]]:
    """A mission with pins keeps the days on which every pinned shinobi may serve (all of
    its days when there is none: `check_pins` then says why)."""
    fit = [(r, w) for r, w in slots if all(r.eligible[i] for i in r.pinned)]
    return fit or slots


def _compile_slot(
    village: Village,
    roster: Roster,
    mission: Mission,
    assessment: Assessment,
    slot: Slot,
    group: int,
    threats: Mapping[str, Threat],
    proxy: dict[MissionRank, np.ndarray],
    weights: Weights,
    days: int,
    pins: Mapping[str, str],
    forbids: Sequence[tuple[str, str | None]],
    previous: Mapping[str, Squad],
    commitments: Mapping[str, Sequence[Commitment]],
) -> tuple[Requirements, np.ndarray]:
    """The mission's requirements on the day of `slot`, and each person's recent
    workload before that day."""
    mid = mission.id
    earliest = slot.day
    view = MissionView(
        mission, assessment, earliest, roster, village.roles, threats, village.countermeasures
    )
    needs = mission_needs(view, village.standing_orders)
    if commitments:
        needs.insert(1, committed_need(roster, slot, commitments, village.standing_orders))
    forbidden = np.zeros(len(roster), dtype=bool)
    for sid, fmid in forbids:
        if fmid is None or fmid == mid:
            forbidden[roster.index[sid]] = True
    eligible = ~forbidden
    leads = np.ones(len(roster), dtype=bool)
    low, high = 1, None
    groups: list[np.ndarray] = []
    for need in needs:
        if need.kind == "serve":
            assert need.mask is not None
            eligible = eligible & need.mask
        elif need.kind == "lead":
            assert need.mask is not None
            leads = leads & need.mask
        elif need.kind == "size":
            low = max(low, need.low)
            if need.high is not None:
                high = need.high if high is None else min(high, need.high)
        elif need.kind == "team":
            groups.extend(need.groups)
    # keep_teams binds only the teams the squad may hold whole (docs/planning.md).
    teams = [g for g in groups if high is None or len(g) <= high]
    if high is None:
        high = size_cap(low, [n.count for n in needs if n.kind == "count"])
        if teams:
            # A squad cut down to its leader, its counted people and its minimum
            # keeps each one's whole team: room for that many teams.
            widest = max(len(g) for g in teams)
            people = 1 + sum(n.count for n in needs if n.kind == "count") + low
            high = max(high, people * widest)
    prev = previous.get(mid)
    before = (
        frozenset(roster.index[s] for s in prev.everyone if s in roster.index)
        if prev
        else frozenset()
    )
    kept = np.zeros(len(roster), dtype=bool)
    kept[list(before)] = True
    prev_leader = roster.index.get(prev.leader) if prev else None
    kept_lead = np.zeros(len(roster), dtype=bool)
    if prev_leader is not None:
        kept_lead[prev_leader] = True
    rank = assessment.effective_rank
    if rank not in proxy:
        proxy[rank] = default_scores(roster, rank)
    recent = roster.missions_before(earliest, days)
    volunteered = np.zeros(len(roster), dtype=bool)
    volunteered[[roster.index[v] for v in mission.volunteers if v in roster.index]] = True
    req = Requirements(
        mission=mission,
        assessment=assessment,
        view=view,
        needs=needs,
        eligible=eligible,
        leads=leads & eligible,
        lead_kind=leads,
        counts=[n for n in needs if n.kind == "count"],
        low=low,
        high=high,
        forbidden=forbidden,
        value=member_points(proxy[rank], recent, roster.flagged, kept)
        + weights.volunteer * volunteered,
        lead_value=leader_points(proxy[rank], roster.flagged, kept_lead),
        pinned=sorted(roster.index[s] for s, m in pins.items() if m == mid),
        previous=before,
        previous_leader=prev_leader,
        teams=teams,
        volunteered=frozenset(np.flatnonzero(volunteered).tolist()),
        slot=slot,
        group=group,
    )
    req.base = smallest_squad(req)
    return req, recent


def smallest_squad(req: Requirements) -> int:
    """The fewest people who can meet the mission's counted needs and lead it, from its
    eligible pool (how many of each kind there are is not checked: a lower bound, exact
    whenever the pool is not short), at least its minimum size and its pins."""
    floor = max(req.low, len(req.pinned), 1)
    pool = np.flatnonzero(req.eligible)
    if not len(pool) or not req.leads[pool].any():
        return floor
    masks = []
    for need in req.counts:
        assert need.mask is not None
        masks.append(need.mask)
    rows = np.stack([*(m[pool] for m in masks), req.leads[pool]], axis=1)
    kinds = np.unique(rows, axis=0)
    start = (*(n.count for n in req.counts), 1)
    seen = {start}
    frontier = [start]
    size = 0
    while frontier:
        if any(not any(state) for state in frontier):
            return max(floor, size)
        size += 1
        step = []
        for state in frontier:
            for kind in kinds.tolist():
                after = tuple(
                    max(0, left - int(has)) for left, has in zip(state, kind, strict=True)
                )
                if after != state and after not in seen:
                    seen.add(after)
                    step.append(after)
        frontier = step
    return floor


def blocked_by(need: Need, i: int) -> str:
    """Why person i may not serve under a `serve` need, naming the order."""
    why = need.why_not(i) if need.why_not else f"does not meet {need.text}"
    return why if need.order == ALWAYS else f"{why} (order {need.order!r})"


def size_cap(low: int, counts: Sequence[int]) -> int:
    """The model's squad-size cap when no max_size order sets one. Any squad that meets
    the orders keeps meeting them when cut down to its leader, `count` people for each
    counted need and enough others to reach `low` (every rule holds for a subset that
    keeps those), so a cap of that size loses no staffable mission."""
    return max(DEFAULT_MAX_SIZE, low, 1 + sum(counts))


def check_pins(board: Board) -> None:
    """An impossible pin is the Hokage's to fix: say which and why."""
    roster = board.roster
    for req in board.missions:
        for i in req.pinned:
            if not req.eligible[i]:
                reasons = [
                    blocked_by(need, i)
                    for need in req.needs
                    if need.kind == "serve" and need.mask is not None and not need.mask[i]
                ]
                if req.forbidden[i]:
                    reasons.append("is also forbidden for it")
                raise PlanningError(
                    f"cannot pin {roster.ids[i]} to {req.mission.id}: {'; '.join(reasons)}"
                )
        if len(req.pinned) > req.high:
            raise PlanningError(
                f"cannot pin {len(req.pinned)} shinobi to {req.mission.id}: "
                f"its squad may have at most {req.high}"
            )
        if req.pinned and not req.feasible_alone():
            raise PlanningError(
                f"cannot pin anyone to {req.mission.id}: no squad can meet its orders"
            )


@dataclass
class Candidates:
    """The person-mission pairs the model may use, as parallel arrays."""

    mission: np.ndarray
    person: np.ndarray
    complete: bool  # True when no eligible pair was left out


def prune(
    board: Board, keep: Sequence[Iterable[int]], limit: int = CANDIDATES, seed: int = 0
) -> Candidates:
    """Per mission: everyone in `keep` (the greedy squad, pins, the previous squad), the
    people who fill each counted need (all of them when few), leaders, the best by value,
    and a seeded random sample of the rest so that missions do not all compete for the
    same few people."""
    rng = np.random.default_rng(seed)
    missions: list[np.ndarray] = []
    people: list[np.ndarray] = []
    complete = True
    for k, req in enumerate(board.missions):
        pool = np.flatnonzero(req.eligible)
        if len(pool) <= limit:
            chosen = pool
        else:
            complete = False
            value = req.value[pool]
            order = pool[np.argsort(-value, kind="stable")]
            picked: list[int] = [
                *keep[k],
                *req.pinned,
                *(i for i in req.previous if req.eligible[i]),
            ]
            for need in req.counts:
                assert need.mask is not None
                fit = order[need.mask[order]]
                if len(fit) <= 3 * need.count + 8:
                    picked.extend(fit.tolist())
                else:
                    picked.extend(fit[: need.count + 3].tolist())
                    picked.extend(rng.choice(fit, size=need.count + 4, replace=False).tolist())
            leaders = order[req.leads[order]]
            picked.extend(leaders[:4].tolist())
            if len(leaders) > 4:
                picked.extend(
                    rng.choice(leaders, size=min(4, len(leaders)), replace=False).tolist()
                )
            picked.extend(order[: limit // 4].tolist())
            seen = set(picked)
            rest = np.array(
                [i for i in order[: 8 * limit].tolist() if i not in seen], dtype=np.int64
            )
            room = limit - len(seen)
            if room > 0 and len(rest):
                picked.extend(rng.choice(rest, size=min(room, len(rest)), replace=False).tolist())
            for group in req.teams:
                if np.isin(group, picked).any():
                    picked.extend(group.tolist())
            chosen = np.unique(np.array(picked, dtype=np.int64))
        missions.append(np.full(len(chosen), k, dtype=np.int64))
        people.append(chosen.astype(np.int64))
    return Candidates(
        np.concatenate(missions) if missions else np.zeros(0, dtype=np.int64),
        np.concatenate(people) if people else np.zeros(0, dtype=np.int64),
        complete,
    )


def pair_scores(
    board: Board, candidates: Candidates, member_score: MemberScore | None
) -> np.ndarray:
    """The member score of each candidate pair: the caller's function, or the default."""
    if member_score is None:
        cache: dict[MissionRank, np.ndarray] = {}
        out = np.zeros(len(candidates.person))
        for k, req in enumerate(board.missions):
            rank = req.assessment.effective_rank
            if rank not in cache:
                cache[rank] = default_scores(board.roster, rank)
            sel = candidates.mission == k
            out[sel] = cache[rank][candidates.person[sel]]
        return out
    shinobi = board.roster.shinobi
    return np.array(
        [
            member_score(shinobi[int(p)], board.missions[int(m)].assessment)
            for m, p in zip(candidates.mission, candidates.person, strict=True)
        ],
        dtype=np.float64,
    )


@dataclass(frozen=True)
class Capacity:
    """A cut: the missions of `missions` together need `sum(need)` people of one kind when
    staffed, and only `capacity` such people can serve any of them."""

    missions: tuple[int, ...]
    need: tuple[int, ...]
    capacity: int


def capacities(
    board: Board, pools: Sequence[np.ndarray], within: Iterable[int] | None = None
) -> list[Capacity]:
    """Cuts that count people across missions: for each kind of counted need (the same
    role or rank), for each kind of leader, and for squads as a whole, the people who
    could serve are at most the size of the union of the missions' pools (`pools[k]`:
    roster indices). Each person serves one mission of `within` (by default the whole
    board: missions whose spans all overlap), so the cuts hold for every plan."""
    n = len(board.roster)
    # key -> (the union of the pools, mission -> how many of that kind the mission needs).
    groups: dict[bytes, tuple[np.ndarray, dict[int, int]]] = {}

    def add(key: bytes, mask: np.ndarray, k: int, count: int) -> None:
        if key not in groups:
            groups[key] = (np.zeros(n, dtype=bool), {})
        union, needs = groups[key]
        union[pools[k][mask[pools[k]]]] = True
        # Two orders of one mission asking for the same kind (a medic by require_role and
        # by counter_threats) are met by the same people: the mission needs the larger count,
        # not the sum.
        needs[k] = max(needs.get(k, 0), count)

    everyone = np.ones(n, dtype=bool)
    for k in range(len(board.missions)) if within is None else within:
        req = board.missions[k]
        add(b"size", everyone, k, req.low)
        add(b"lead" + np.packbits(req.lead_kind).tobytes(), req.leads, k, 1)
        for need in req.counts:
            assert need.mask is not None
            add(b"count" + np.packbits(need.mask).tobytes(), need.mask, k, need.count)
    return [
        Capacity(tuple(needs), tuple(needs.values()), int(union.sum()))
        for union, needs in groups.values()
        if int(union.sum()) < sum(needs.values())
    ]
