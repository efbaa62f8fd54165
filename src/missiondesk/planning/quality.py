"""The second objective: how good a plan is once its total priority is settled.

Terms, in integer points (docs/planning.md gives them with their reasons): expected
success from member scores, the leader's fit, an economy cost per person sent (more for
each member beyond the squad's base size), workload fairness, wellbeing, pairs who did
well together, a junior beside a senior, and keeping previous assignments when replanning.

The size rule: a squad's base size is the smallest squad its needs allow (`Requirements.
base`). A member beyond it costs `economy + padding` (90 points), more than any member
scoring 0.9 or less brings as success, and a squad beyond its base earns no pair or junior
bonus, so the bonuses never pay for padding.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import combinations

import numpy as np

from missiondesk.domain.assessment import Assessment
from missiondesk.domain.ranks import SHINOBI_RANK_AS_MISSION_RANK, MissionRank, Outcome, ShinobiRank
from missiondesk.domain.settings import Settings
from missiondesk.domain.village import HistoryEntry, Shinobi
from missiondesk.planning.roster import RANK_LEVEL, Roster

MemberScore = Callable[[Shinobi, Assessment], float]
"""How much a shinobi adds to a mission's chance of success, from 0 to 1."""


@dataclass(frozen=True)
class Weights:
    """Points per unit of each quality term (docs/planning.md, "Objective")."""

    success: int = 100  # x member score (0..1), per member
    lead: int = 40  # x leader score, for the leader
    economy: int = 65  # cost of each shinobi sent
    padding: int = 25  # more for each member beyond the squad's base size (see `base`)
    workload: int = 12  # per mission the member went on in the last workload_days
    wellbeing: int = 60  # per member with an active wellbeing flag
    wellbeing_lead: int = 60  # and again when such a member leads
    pair: int = 15  # per pair with 2+ clean successes together, per such mission (max 3)
    junior: int = 25  # per squad with a genin beside a jonin or special jonin
    keep: int = 100  # per member kept on the mission they had in the previous plan
    keep_lead: int = 40  # when the previous leader leads again
    volunteer: int = 30  # per member who volunteered (settings.planning.volunteer_weight)
    teammate: int = 10  # per pair of team-mates on one squad (settings.planning.teammate_weight)


WEIGHTS = Weights()


def village_weights(settings: Settings) -> Weights:
    """The weights with the village's own player terms."""
    return replace(
        WEIGHTS,
        volunteer=settings.planning.volunteer_weight,
        teammate=settings.planning.teammate_weight,
    )


def teammates(roster: Roster) -> list[tuple[int, int]]:
    """Pairs of roster indices (a < b) on the same `team`."""
    by_team: dict[str, list[int]] = {}
    for i, s in enumerate(roster.shinobi):
        if s.team is not None:
            by_team.setdefault(s.team, []).append(i)
    return [pair for members in by_team.values() for pair in combinations(members, 2)]


PAIR_CAP = 3
PAIR_MIN = 2  # clean successes together before a pair counts: one shared mission is chance
JUNIOR = RANK_LEVEL[ShinobiRank.GENIN]
SENIORS = (RANK_LEVEL[ShinobiRank.SPECIAL_JONIN], RANK_LEVEL[ShinobiRank.JONIN])

_MISSION_LEVEL = {rank: level for level, rank in enumerate(MissionRank)}
_EQUIVALENT = np.array(
    [_MISSION_LEVEL[SHINOBI_RANK_AS_MISSION_RANK[rank]] for rank in ShinobiRank], dtype=np.float64
)


def _score(equivalent: np.ndarray, top_skills: np.ndarray, effective: int) -> np.ndarray:
    fit = np.minimum(1.0, (equivalent + 1.0) / (effective + 1.0))
    return 0.6 * fit + 0.4 * top_skills / 5.0


def _top_skills(levels: np.ndarray) -> np.ndarray:
    """The mean of each row's three best skills."""
    if levels.shape[1] == 0:
        return np.zeros(levels.shape[0])
    best = np.sort(levels, axis=1)[:, ::-1][:, :3]
    return best.sum(axis=1) / 3.0


def default_member_score(shinobi: Shinobi, assessment: Assessment) -> float:
    """0.6 x how well the rank matches the effective rank (capped at 1) + 0.4 x the mean
    of the three best skills out of 5."""
    levels = np.array([list(shinobi.skills.values()) or [0]], dtype=np.float64)
    equivalent = _EQUIVALENT[RANK_LEVEL[shinobi.rank]]
    effective = _MISSION_LEVEL[assessment.effective_rank]
    return float(_score(np.array([equivalent]), _top_skills(levels), effective)[0])


def default_scores(roster: Roster, effective: MissionRank) -> np.ndarray:
    """`default_member_score` for the whole roster at once."""
    return _score(
        _EQUIVALENT[roster.rank],
        _top_skills(roster.skills.astype(np.float64)),
        _MISSION_LEVEL[effective],
    )


def good_pairs(history: Iterable[HistoryEntry]) -> Counter[tuple[str, str]]:
    """Pairs (sorted ids) who came back from at least `PAIR_MIN` successful missions with
    nobody injured, and how many."""
    found: Counter[tuple[str, str]] = Counter()
    for entry in history:
        if entry.report.outcome is Outcome.SUCCESS and not entry.report.injuries:
            for pair in combinations(sorted(entry.squad.everyone), 2):
                found[pair] += 1
    return Counter({pair: n for pair, n in found.items() if n >= PAIR_MIN})


def member_points(
    score: np.ndarray | float,
    workload: np.ndarray | int,
    flagged: np.ndarray | bool,
    kept: np.ndarray | bool,
    weights: Weights = WEIGHTS,
) -> np.ndarray:
    """Points a member brings to a squad (before leadership, pairs and juniors)."""
    return np.rint(
        weights.success * np.asarray(score, dtype=np.float64)
        - weights.economy
        - weights.workload * np.asarray(workload)
        - weights.wellbeing * np.asarray(flagged)
        + weights.keep * np.asarray(kept)
    ).astype(np.int64)


def leader_points(
    score: np.ndarray | float,
    flagged: np.ndarray | bool,
    kept: np.ndarray | bool,
    weights: Weights = WEIGHTS,
) -> np.ndarray:
    """Extra points for leading."""
    return np.rint(
        weights.lead * np.asarray(score, dtype=np.float64)
        - weights.wellbeing_lead * np.asarray(flagged)
        + weights.keep_lead * np.asarray(kept)
    ).astype(np.int64)


@dataclass(frozen=True)
class SquadPoints:
    """One squad's quality points by term."""

    success: int = 0
    economy: int = 0
    workload: int = 0
    wellbeing: int = 0
    pairs: int = 0
    juniors: int = 0
    continuity: int = 0
    volunteers: int = 0
    teams: int = 0

    @property
    def total(self) -> int:
        return (
            self.success
            + self.economy
            + self.workload
            + self.wellbeing
            + self.pairs
            + self.juniors
            + self.continuity
            + self.volunteers
            + self.teams
        )


def squad_points(
    everyone: Sequence[int],
    leader: int,
    scores: Mapping[int, float],
    workload: np.ndarray,
    roster: Roster,
    pairs: Mapping[tuple[str, str], int],
    previous_members: frozenset[int],
    previous_leader: int | None,
    base: int,
    weights: Weights = WEIGHTS,
    volunteered: frozenset[int] = frozenset(),
) -> SquadPoints:
    """The quality of one concrete squad by term, the same sum the model maximises. A squad
    larger than `base` pays `padding` per extra member and earns no pair or junior bonus."""
    success = sum(int(member_points(scores[i], 0, False, False, weights)) for i in everyone)
    success += weights.economy * len(everyone)
    success += int(leader_points(scores[leader], False, False, weights))
    flagged = sum(bool(roster.flagged[i]) for i in everyone)
    kept = sum(i in previous_members for i in everyone)
    ids = sorted(roster.ids[i] for i in everyone)
    together = sum(min(PAIR_CAP, pairs.get(p, 0)) for p in combinations(ids, 2))
    ranks = {int(roster.rank[i]) for i in everyone}
    junior = JUNIOR in ranks and any(r in ranks for r in SENIORS)
    mates = sum(
        1
        for a, b in combinations(everyone, 2)
        if roster.shinobi[a].team is not None and roster.shinobi[a].team == roster.shinobi[b].team
    )
    extra = max(0, len(everyone) - base)
    if extra:
        together, junior, mates = 0, False, 0
    return SquadPoints(
        success=success,
        economy=-weights.economy * len(everyone) - weights.padding * extra,
        workload=-weights.workload * int(sum(int(workload[i]) for i in everyone)),
        wellbeing=-weights.wellbeing * flagged
        - weights.wellbeing_lead * int(roster.flagged[leader]),
        pairs=weights.pair * together,
        juniors=weights.junior * junior,
        continuity=weights.keep * kept + weights.keep_lead * (leader == previous_leader),
        volunteers=weights.volunteer * sum(i in volunteered for i in everyone),
        teams=weights.teammate * mates,
    )
