"""A seeded Monte Carlo model of a squad meeting the threats of its mission (SPEC section 5).

The model (docs/risk.md, "Simulation"): every threat of the assessment turns up, independently,
with its engagement probability; the strongest one that does decides the fight. A member's
rating is their rank on the mission scale (D=0 .. S=4) plus `skill_weight` times their mean
combat skill / 5; the squad's strength is `log2(sum 2^rating)` (two equal members are one rank
stronger than one). With `gap = threat level - squad strength`:

- success: `sigmoid(quiet_success_logit)` when nobody turns up, else
  `sigmoid(fight_logit - fight_slope * gap)`;
- each member is injured with `sigmoid(quiet_injury_logit)` when nobody turns up, else
  `sigmoid(injury_logit + injury_slope * gap + member_slope * (threat level - own rating))`;
- an injury's severity follows `severity` (minor .. fatal); with a medic in the squad each
  injury is one level milder (fatal to critical, ..., moderate to minor) with probability
  `medic_shift`.

`simulate_squad` is the vectorised engine; `simulate_reference_loop` is the same model as a
plain Python loop, kept for the benchmark and for a test that the two agree.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field, field_validator

from missiondesk.domain.assessment import Assessment
from missiondesk.domain.ranks import SHINOBI_RANK_AS_MISSION_RANK, MissionRank, Severity
from missiondesk.domain.roles import is_medic as is_medic
from missiondesk.domain.village import Mission, Shinobi, Village

SEVERITIES: tuple[Severity, ...] = tuple(Severity.order())
_LEVELS = len(MissionRank.order())
_SERIOUS = Severity.SERIOUS.level
_CHUNK_DRAWS = 1 << 20  # 32-bit uniforms per chunk: 4 MiB, small enough to stay in cache
_U32 = float(1 << 32)
DECIMALS = 4


class ModelParameters(BaseModel):
    """The simulator's parameters; defaults are a prior, `fit_model` learns them from reports.
    JSON-serialisable so the store can keep the fitted model."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    skill_weight: Annotated[float, Field(ge=0.0)] = 1.0
    combat_skills: tuple[str, ...] = ("taijutsu", "ninjutsu", "genjutsu", "tactics")
    quiet_success_logit: float = 2.5
    fight_logit: float = 1.0
    fight_slope: Annotated[float, Field(ge=0.0)] = 1.5
    quiet_injury_logit: float = -3.0
    injury_logit: float = -0.5
    injury_slope: Annotated[float, Field(ge=0.0)] = 0.8
    member_slope: Annotated[float, Field(ge=0.0)] = 0.4
    severity: tuple[float, float, float, float, float] = (0.4, 0.3, 0.17, 0.1, 0.03)
    medic_shift: Annotated[float, Field(ge=0.0, le=1.0)] = 0.5
    reports: Annotated[int, Field(ge=0)] = 0
    """How many after-action reports the parameters were fitted from (0: the defaults)."""

    @field_validator("severity")
    @classmethod
    def _a_distribution(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        if any(x < 0 for x in value) or not math.isclose(sum(value), 1.0, abs_tol=1e-6):
            raise ValueError("severity must be 5 non-negative probabilities summing to 1")
        return value


class MemberOutlook(BaseModel):
    model_config = ConfigDict(frozen=True)
    shinobi: str
    injury: float
    serious_or_worse: float


class SimulationResult(BaseModel):
    model_config = ConfigDict(frozen=True)
    mission: str
    squad: list[str]
    trials: int
    seed: int
    has_medic: bool
    engagement: float  # the share of trials in which at least one threat turned up
    success_probability: float
    members: list[MemberOutlook]
    expected_injuries: dict[str, float]  # severity -> expected count over the squad


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


def member_rating(shinobi: Shinobi, params: ModelParameters) -> float:
    """The shinobi on the mission-rank scale (D=0 .. S=4), plus skill."""
    rank = SHINOBI_RANK_AS_MISSION_RANK[shinobi.rank].level
    skills = params.combat_skills
    mean = sum(shinobi.skill(s) for s in skills) / len(skills) if skills else 0.0
    return rank + params.skill_weight * mean / 5.0


def squad_strength(ratings: Sequence[float]) -> float:
    return math.log2(sum(2.0**r for r in ratings)) if ratings else -math.inf


def shifted_severity(params: ModelParameters, medic: bool) -> npt.NDArray[np.float64]:
    """The severity distribution of an injury, after a medic's care when there is one."""
    p = np.array(params.severity, dtype=np.float64)
    if not medic:
        return p
    milder = np.append(p[1:], 0.0)
    milder[0] += p[0]
    return np.asarray((1.0 - params.medic_shift) * p + params.medic_shift * milder)


@dataclass(frozen=True)
class _Engine:
    """A squad against a mission's threats, reduced to tables over the fight's *state*:
    0 when nobody turns up, 1 + level of the strongest threat that does otherwise."""

    squad: list[str]
    medic: bool
    ratings: npt.NDArray[np.float64]
    threat_level: npt.NDArray[np.int64]
    threat_probability: npt.NDArray[np.float64]
    success: npt.NDArray[np.float64]  # [state]
    injury: npt.NDArray[np.float64]  # [state, member]
    at_least: npt.NDArray[np.float64]  # [state, member, k]: P(injured with severity >= k)

    @classmethod
    def build(
        cls,
        village: Village,
        squad_ids: Sequence[str],
        assessment: Assessment,
        params: ModelParameters,
    ) -> _Engine:
        roster = {s.id: s for s in village.shinobi}
        unknown = [i for i in squad_ids if i not in roster]
        if unknown:
            raise ValueError(f"not on the roster: {', '.join(unknown)}")
        if len(set(squad_ids)) != len(squad_ids):
            raise ValueError("a shinobi is listed twice in the squad")
        members = [roster[i] for i in squad_ids]
        threats = {t.id: t for t in village.threats}
        known = [tp for tp in assessment.threats if tp.threat in threats and tp.probability > 0]
        ratings = np.array([member_rating(m, params) for m in members], dtype=np.float64)
        strength = squad_strength(list(ratings))
        levels = np.arange(_LEVELS, dtype=np.float64)
        success = np.empty(_LEVELS + 1)
        success[0] = sigmoid(params.quiet_success_logit)
        success[1:] = [
            sigmoid(params.fight_logit - params.fight_slope * (lv - strength)) for lv in levels
        ]
        injury = np.empty((_LEVELS + 1, len(members)))
        injury[0, :] = sigmoid(params.quiet_injury_logit)
        for lv in range(_LEVELS):
            z = (
                params.injury_logit
                + params.injury_slope * (lv - strength)
                + params.member_slope * (lv - ratings)
            )
            injury[lv + 1, :] = 1.0 / (1.0 + np.exp(-z))
        medic = any(is_medic(m, village) for m in members)
        tail = np.cumsum(shifted_severity(params, medic)[::-1])[::-1]  # P(severity >= k)
        return cls(
            squad=list(squad_ids),
            medic=medic,
            ratings=ratings,
            threat_level=np.array([threats[tp.threat].rank.level for tp in known], dtype=np.int64),
            threat_probability=np.array([tp.probability for tp in known], dtype=np.float64),
            success=success,
            injury=injury,
            at_least=np.minimum(injury[:, :, None] * tail[None, None, :], 1.0),
        )

    def state_probabilities(self) -> npt.NDArray[np.float64]:
        """Exact P(state): a level is the strongest present when one of its threats turns
        up and none of a higher level does."""
        present = np.zeros(_LEVELS)
        for lv in range(_LEVELS):
            p = self.threat_probability[self.threat_level == lv]
            present[lv] = 1.0 - float(np.prod(1.0 - p))
        states = np.zeros(_LEVELS + 1)
        none_above = 1.0
        for lv in reversed(range(_LEVELS)):
            states[lv + 1] = present[lv] * none_above
            none_above *= 1.0 - present[lv]
        states[0] = none_above
        return states


def _thresholds(p: npt.NDArray[np.float64]) -> npt.NDArray[np.uint32]:
    """`u < threshold` for a uniform 32-bit `u` has probability p (to 2^-32)."""
    return np.minimum(np.round(p * _U32), _U32 - 1).astype(np.uint32)


def simulate_squad(
    village: Village,
    mission: Mission,
    squad_ids: Sequence[str],
    *,
    assessment: Assessment,
    params: ModelParameters | None = None,
    trials: int = 20_000,
    seed: int = 0,
) -> SimulationResult:
    """Monte Carlo of the squad on the mission: `trials` independent runs, seeded.

    Vectorised over trials: each trial draws one 32-bit uniform per threat (does it turn up),
    which gives its state (the strongest level present). Then, per state, one uniform per
    trial for success and one per trial and member, compared with the cumulative table
    `P(injured with severity >= k)`; a medic's care enters that table as the exact mixture
    of the plain and the one-level-milder severity distribution.
    """
    if trials < 1:
        raise ValueError("trials must be at least 1")
    params = params or ModelParameters()
    engine = _Engine.build(village, squad_ids, assessment, params)
    n_threats, n_members = len(engine.threat_level), len(engine.squad)
    order = np.argsort(engine.threat_level, kind="stable")
    levels = engine.threat_level[order]
    engage_threshold = _thresholds(engine.threat_probability[order])[:, None]
    groups = [(int(lv), np.flatnonzero(levels == lv)) for lv in np.unique(levels)]
    success_threshold = _thresholds(engine.success)
    member_threshold = _thresholds(engine.at_least)  # [state, member, k]

    chunk = max(1, _CHUNK_DRAWS // (n_threats + 1 + n_members))
    bits = np.random.SFC64(seed)  # the fastest of NumPy's bit generators here
    state_counts = np.zeros(_LEVELS + 1, dtype=np.int64)
    successes = 0
    at_least_counts = np.zeros((n_members, len(SEVERITIES)), dtype=np.int64)
    done = 0
    while done < trials:
        n = min(chunk, trials - done)
        counts = np.zeros(_LEVELS + 1, dtype=np.int64)
        if n_threats:
            u = _uniforms(bits, n_threats * n).reshape(n_threats, n)
            # Strongest level first: a trial's state is the strongest level present, so only
            # the counts per state are needed, never a per-trial state array.
            quiet: npt.NDArray[np.bool_] | None = None  # trials with nothing stronger yet
            for lv, rows in reversed(groups):
                # A level's threats are adjacent rows after the sort.
                first, last = int(rows[0]), int(rows[-1]) + 1
                if last - first == 1:
                    present = u[first] < engage_threshold[first, 0]
                else:
                    present = (u[first:last] < engage_threshold[first:last]).any(axis=0)
                if quiet is None:
                    counts[lv + 1] = np.count_nonzero(present)
                    quiet = ~present
                else:
                    counts[lv + 1] = np.count_nonzero(present & quiet)
                    quiet &= ~present
        counts[0] = n - int(counts.sum())
        state_counts += counts
        # Given the states, the trials of one state are alike: draw their success and member
        # uniforms as one block per state (the same distribution, no per-trial gathers).
        for st in np.flatnonzero(counts).tolist():
            k = int(counts[st])
            v = _uniforms(bits, (1 + n_members) * k).reshape(1 + n_members, k)
            successes += int(np.count_nonzero(v[0] < success_threshold[st]))
            for m in range(n_members):
                for level, threshold in enumerate(member_threshold[st, m].tolist()):
                    at_least_counts[m, level] += np.count_nonzero(v[1 + m] < threshold)
        done += n
    engaged_trials = int(trials - state_counts[0])
    return _result(mission, engine, trials, seed, engaged_trials, successes, at_least_counts)


def _uniforms(bits: np.random.BitGenerator, count: int) -> npt.NDArray[np.uint32]:
    """`count` independent uniform 32-bit integers (two from each 64-bit draw)."""
    raw: npt.NDArray[np.uint64] = bits.random_raw((count + 1) // 2)
    return raw.view(np.uint32)[:count]


def _result(
    mission: Mission,
    engine: _Engine,
    trials: int,
    seed: int,
    engaged_trials: int,
    successes: int,
    at_least_counts: npt.NDArray[np.int64],
) -> SimulationResult:
    at_least = at_least_counts.sum(axis=0)
    expected = (at_least - np.append(at_least[1:], 0)) / trials  # exactly severity k
    return SimulationResult(
        mission=mission.id,
        squad=engine.squad,
        trials=trials,
        seed=seed,
        has_medic=engine.medic,
        engagement=round(engaged_trials / trials, DECIMALS),
        success_probability=round(successes / trials, DECIMALS),
        members=[
            MemberOutlook(
                shinobi=shinobi,
                injury=round(float(at_least_counts[m, 0]) / trials, DECIMALS),
                serious_or_worse=round(float(at_least_counts[m, _SERIOUS]) / trials, DECIMALS),
            )
            for m, shinobi in enumerate(engine.squad)
        ],
        expected_injuries={
            s.value: round(float(expected[k]), DECIMALS) for k, s in enumerate(SEVERITIES)
        },
    )


def simulate_reference_loop(
    village: Village,
    mission: Mission,
    squad_ids: Sequence[str],
    *,
    assessment: Assessment,
    params: ModelParameters | None = None,
    trials: int = 20_000,
    seed: int = 0,
) -> SimulationResult:
    """The same model as `simulate_squad`, one trial, threat and member at a time, with
    Python's `random`. For the benchmark and the agreement test only: it is slow."""
    params = params or ModelParameters()
    roster = {s.id: s for s in village.shinobi}
    members = [roster[i] for i in squad_ids]
    threat_rank = {t.id: t.rank.level for t in village.threats}
    threats = [
        (threat_rank[tp.threat], tp.probability)
        for tp in assessment.threats
        if tp.threat in threat_rank and tp.probability > 0
    ]
    ratings = [member_rating(m, params) for m in members]
    strength = squad_strength(ratings)
    medic = any(is_medic(m, village) for m in members)
    severity = list(params.severity)
    rng = random.Random(seed)
    engaged_trials = successes = 0
    at_least_counts = np.zeros((len(members), len(SEVERITIES)), dtype=np.int64)
    for _ in range(trials):
        strongest = -1
        for level, probability in threats:
            if rng.random() < probability and level > strongest:
                strongest = level
        if strongest < 0:
            p_success = sigmoid(params.quiet_success_logit)
        else:
            engaged_trials += 1
            p_success = sigmoid(params.fight_logit - params.fight_slope * (strongest - strength))
        if rng.random() < p_success:
            successes += 1
        for m, rating in enumerate(ratings):
            if strongest < 0:
                p_injury = sigmoid(params.quiet_injury_logit)
            else:
                p_injury = sigmoid(
                    params.injury_logit
                    + params.injury_slope * (strongest - strength)
                    + params.member_slope * (strongest - rating)
                )
            if rng.random() >= p_injury:
                continue
            draw, level = rng.random(), 0
            while level < len(severity) - 1 and draw >= severity[level]:
                draw -= severity[level]
                level += 1
            if medic and level > 0 and rng.random() < params.medic_shift:
                level -= 1
            at_least_counts[m, : level + 1] += 1
    engine = _Engine.build(village, squad_ids, assessment, params)
    return _result(mission, engine, trials, seed, engaged_trials, successes, at_least_counts)


def squad_success(
    village: Village,
    squad_ids: Sequence[str],
    *,
    assessment: Assessment,
    params: ModelParameters | None = None,
) -> float:
    """The model's exact probability that the squad succeeds (no sampling): cheap and
    deterministic. Non-decreasing in every member's rank and skills, and in adding a member.
    The planner does not call it: its success term is `planning.quality.default_member_score`
    (rank fit and best skills), unless a caller passes its own `member_score`."""
    engine = _Engine.build(village, squad_ids, assessment, params or ModelParameters())
    return float(engine.state_probabilities() @ engine.success)


def squad_serious_injuries(
    village: Village,
    squad_ids: Sequence[str],
    *,
    assessment: Assessment,
    params: ModelParameters | None = None,
) -> dict[str, float]:
    """The model's exact P(serious or worse injury) per member, by shinobi id."""
    engine = _Engine.build(village, squad_ids, assessment, params or ModelParameters())
    serious = engine.state_probabilities() @ engine.at_least[:, :, _SERIOUS]
    return {s: float(p) for s, p in zip(engine.squad, serious, strict=True)}


def member_score(
    shinobi: Shinobi,
    assessment: Assessment,
    village: Village,
    params: ModelParameters | None = None,
) -> float:
    """How well this shinobi alone would fare on the assessed mission: the exact success
    probability of a squad of one. In [0, 1]; non-decreasing in rank and skills."""
    return squad_success(village, [shinobi.id], assessment=assessment, params=params)
