"""The assessment as it was before issue 13 (independent sightings, distance to the nearest
stop of the route), kept only so bench_risk.py can time the new model against it in the
same run. Not used by Mission Desk.

Judge a mission's real risk from the evidence: who wants its objective, who was seen near its
route, and what rank that makes it (SPEC section 5; formulas in docs/risk.md).

Every piece of evidence is an independent chance `q` that the threat turns up; a threat's
engagement probability is `p = 1 - prod(1 - q)`. Interest evidence gives `q =
interest_weight` per matching tag; a sighting gives `q = sighting_weight * confidence *
2^(-hours/distance_half_life) * 2^(-days/age_half_life)`. Each `q` is non-decreasing in its
evidence and `p` in each `q`, so more, nearer, newer or surer evidence never lowers a
probability; the effective rank is non-decreasing in every probability.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from missiondesk.domain.assessment import Assessment, BriefingItem, Factor
from missiondesk.domain.ranks import MissionRank
from missiondesk.domain.settings import RiskSettings
from missiondesk.domain.village import Countermeasure, Mission, Organization, Threat, Village
from missiondesk.risk.roads import RoadNetwork
from missiondesk.villagefile.bulk import collector_paused

DECIMALS = 4
"""Probabilities and contributions are rounded to this many decimals, for byte-stable JSON;
every decision (likely, briefed, effective rank) is taken on the rounded value, so a reader
of the output can reproduce it."""

FACTOR_FLOOR = 0.005
"""A sighting is listed as a factor when its contribution is at least this (half a percentage
point) and its threat is likely enough to be briefed ..."""

MAX_SIGHTING_FACTORS = 12
"""... and it is among the this many strongest such sightings of the mission. Fainter
evidence still counts in every probability; it is just not spelled out (on a crowded board
a mission would otherwise carry thousands of factors nobody reads)."""

USUAL_TEAM_SIZE: dict[MissionRank, int] = {
    MissionRank.D: 2,
    MissionRank.C: 2,
    MissionRank.B: 3,
    MissionRank.A: 4,
    MissionRank.S: 4,
}
"""The squad size a mission of each rank usually gets; a client asking for more is noted."""

_RANKS = MissionRank.order()
_SECONDS_PER_DAY = 86_400.0


def _epoch_days(moment: dt.datetime | dt.date) -> float:
    """Days since the Unix epoch; a naive time is read as UTC, a date as its midnight."""
    if not isinstance(moment, dt.datetime):
        moment = dt.datetime.combine(moment, dt.time())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.timestamp() / _SECONDS_PER_DAY


def _hours_text(hours: float) -> str:
    return f"{hours:.0f}" if float(hours).is_integer() else f"{hours:.1f}"


def _days_text(days: int) -> str:
    if days == 0:
        return "on the day of departure"
    if days < 0:
        return f"{-days} day{'s' if days != -1 else ''} after departure"
    return f"{days} day{'s' if days != 1 else ''} before departure"


@dataclass(frozen=True)
class _Evidence:
    """The village's threats and sightings as arrays, built once per board."""

    village: Village
    network: RoadNetwork
    settings: RiskSettings
    threats: list[Threat]
    threat_ids: list[str]
    threat_level: npt.NDArray[np.int64]
    organization: list[Organization | None]
    organizations: list[Organization]  # every organisation some threat belongs to
    threat_organization: npt.NDArray[np.int64]  # index into organizations, -1 for none
    organization_members: list[npt.NDArray[np.int64]]  # per organisation: its threats
    briefing: list[list[BriefingItem]]  # per threat: its abilities' countermeasures
    sighting_threat: npt.NDArray[np.int64]
    sighting_place: npt.NDArray[np.int64]
    sighting_day: npt.NDArray[np.float64]
    sighting_confidence: npt.NDArray[np.float64]
    sighting_rows: list[int]  # index into village.sightings for each array position
    place_names: dict[str, str]

    @classmethod
    def of(cls, village: Village, network: RoadNetwork, settings: RiskSettings) -> _Evidence:
        threats = sorted(village.threats, key=lambda t: t.id)
        position = {t.id: i for i, t in enumerate(threats)}
        organizations = {o.id: o for o in village.organizations}
        rows = [i for i, s in enumerate(village.sightings) if s.threat in position]
        sightings = [village.sightings[i] for i in rows]
        countermeasures: dict[str, list[Countermeasure]] = defaultdict(list)
        for cm in village.countermeasures:
            countermeasures[cm.ability].append(cm)
        belongs = [organizations.get(t.organization) if t.organization else None for t in threats]
        used = list({o.id: o for o in belongs if o is not None}.values())
        used_index = {o.id: i for i, o in enumerate(used)}
        threat_organization = np.array(
            [used_index[o.id] if o else -1 for o in belongs], dtype=np.int64
        )
        return cls(
            village=village,
            network=network,
            settings=settings,
            threats=threats,
            threat_ids=[t.id for t in threats],
            threat_level=np.array([t.rank.level for t in threats], dtype=np.int64),
            organization=belongs,
            organizations=used,
            threat_organization=threat_organization,
            organization_members=[
                np.flatnonzero(threat_organization == i) for i in range(len(used))
            ],
            briefing=[
                [
                    BriefingItem(threat=t.id, ability=ability, advice=cm.advice)
                    for ability in t.abilities
                    for cm in countermeasures.get(ability, [])
                ]
                for t in threats
            ],
            sighting_threat=np.array([position[s.threat] for s in sightings], dtype=np.int64),
            sighting_place=np.array([network.index(s.place) for s in sightings], dtype=np.int64),
            sighting_day=np.array([_epoch_days(s.at) for s in sightings], dtype=np.float64),
            sighting_confidence=np.array([s.confidence for s in sightings], dtype=np.float64),
            sighting_rows=rows,
            place_names={p.id: p.name for p in village.places},
        )

    def assess(self, mission: Mission) -> Assessment:
        s = self.settings
        n_threats = len(self.threats)
        today = self.village.village.today
        departure = mission.earliest(today)

        # Sightings: one q per sighting, as log(1 - q) so a threat's evidence is a sum.
        # A place the network does not know (index -1) picks the appended inf.
        route_hours = np.append(self.network.route_hours(mission.route), np.inf)
        distance = route_hours[self.sighting_place]
        age = np.maximum(0.0, _epoch_days(departure) - self.sighting_day)
        weight = (
            self.sighting_confidence
            * np.exp2(-distance / s.distance_half_life_hours)
            * np.exp2(-age / s.age_half_life_days)
        )
        q_sighting = s.sighting_weight * weight
        with np.errstate(divide="ignore"):
            log_sighting = np.log1p(-q_sighting)
            log_interest = math.log1p(-s.interest_weight)
        survival_sighting = np.bincount(
            self.sighting_threat, weights=log_sighting, minlength=n_threats
        )

        # Interests: k matching tags, each q = interest_weight.
        tags = set(mission.objective.tags)
        matches = {
            org.id: [tag for tag in org.interests if tag in tags] for org in self.organizations
        }
        k_organization = [len(matches[org.id]) for org in self.organizations]
        # A threat without an organisation (index -1) picks the appended 0.
        k = np.array([*k_organization, 0], dtype=np.float64)[self.threat_organization]
        survival_interest: npt.NDArray[np.float64] = np.where(k > 0, k * log_interest, 0.0)
        log_survival: npt.NDArray[np.float64] = survival_interest + survival_sighting
        probability = np.asarray(np.round(-np.expm1(log_survival), DECIMALS), dtype=np.float64)

        # Raised towards each likely, stronger threat: declared + round(p * gap), half up.
        declared = mission.rank.level
        likely = (probability >= s.likely_threshold) & (self.threat_level > declared)
        raised = declared + np.floor(probability * (self.threat_level - declared) + 0.5)
        effective = max(declared, int(raised[likely].max(initial=declared)))

        # Threats are indexed in id order, so this is "most likely first, then by id".
        positive = np.flatnonzero(probability > 0)
        ranked = positive[np.lexsort((positive, -probability[positive]))]
        listed: list[int] = ranked.tolist()
        listed_probability: list[float] = probability[ranked].tolist()
        factors = self._factors(
            mission,
            listed,
            probability,
            log_survival,
            matches,
            log_interest,
            log_sighting,
            distance,
            departure,
        )
        briefed = int(np.count_nonzero(probability[ranked] >= s.briefing_threshold))
        briefing = [item for t in listed[:briefed] for item in self.briefing[t]]  # a prefix
        ids = self.threat_ids
        # One validation call for the whole value: pydantic-core builds the threat list in
        # Rust, which keeps a board of 1,000 missions x 500 threats fast.
        return Assessment.model_validate(
            {
                "mission": mission.id,
                "declared_rank": mission.rank,
                "effective_rank": _RANKS[effective],
                "understated": effective > declared,
                "threats": [
                    {"threat": ids[t], "probability": p}
                    for t, p in zip(listed, listed_probability, strict=True)
                ],
                "factors": factors,
                "briefing": briefing,
            }
        )

    def _factors(
        self,
        mission: Mission,
        listed: list[int],
        probability: npt.NDArray[np.float64],
        log_survival: npt.NDArray[np.float64],
        matches: dict[str, list[str]],
        log_interest: float,
        log_sighting: npt.NDArray[np.float64],
        distance: npt.NDArray[np.float64],
        departure: dt.date,
    ) -> list[Factor]:
        """One factor per piece of evidence. A factor's contribution is its share of its
        threat's probability in proportion to `-log(1 - q)`, so a threat's factors add up to
        its probability (docs/risk.md, "Factors")."""
        factors: list[Factor] = []

        # A certain item (q = 1) makes its threat's total -inf: the certain items share p.
        n_threats = len(self.threats)
        n_certain = np.bincount(
            self.sighting_threat[np.isinf(log_sighting)], minlength=n_threats
        ).astype(np.float64)
        if math.isinf(log_interest):
            n_certain += np.array(
                [len(matches[o.id]) if o else 0 for o in self.organization], dtype=np.float64
            )

        def interest_share(t: int) -> float:
            total = float(log_survival[t])
            if math.isinf(total):
                return float(probability[t]) / n_certain[t] if math.isinf(log_interest) else 0.0
            return float(probability[t]) * log_interest / total if total < 0 else 0.0

        # Interests concern an organisation and every member alike: list each matching tag
        # once, with its share of the probability of the organisation's most likely member.
        for o, org in enumerate(self.organizations):
            if not matches[org.id]:
                continue
            members = self.organization_members[o]
            t = int(members[np.argmax(probability[members])])  # the first (lowest id) on ties
            if probability[t] <= 0:
                continue
            contribution = round(interest_share(t), DECIMALS)
            threat = self.threats[t]
            for tag in matches[org.id]:
                text = (
                    f"{org.name} wants what is {tag}: the objective is tagged {tag}, "
                    f"and {threat.name} is one of its members"
                )
                factors.append(
                    Factor(kind="interest", subject=org.id, contribution=contribution, text=text)
                )

        eligible = np.zeros(n_threats, dtype=bool)
        eligible[np.asarray(listed, dtype=np.int64)] = True
        eligible &= probability >= self.settings.briefing_threshold
        # A share p * log(1-q) / total reaches the floor only if -log(1-q) does (p <= -total):
        # a cheap first cut over all sightings.
        strong = log_sighting <= -0.99 * (FACTOR_FLOOR - 0.5 * 10**-DECIMALS)
        candidates = np.flatnonzero(strong & eligible[self.sighting_threat])
        owner = self.sighting_threat[candidates]
        total = log_survival[owner]
        q_log = log_sighting[candidates]
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(
                np.isinf(total),
                np.where(np.isinf(q_log), probability[owner] / np.maximum(1, n_certain[owner]), 0),
                probability[owner] * q_log / total,
            )
        share = np.round(share, DECIMALS)
        keep = share >= FACTOR_FLOOR
        candidates, share = candidates[keep], share[keep]
        # Strongest first; ties by sighting order, so the choice is deterministic.
        order = np.lexsort((candidates, -share))[:MAX_SIGHTING_FACTORS]
        for i, c in zip(candidates[order].tolist(), share[order].tolist(), strict=True):
            factors.append(self._sighting_factor(mission, i, c, float(distance[i]), departure))

        usual = USUAL_TEAM_SIZE[mission.rank]
        if mission.client is not None and mission.min_team_size > usual:
            factors.append(
                Factor(
                    kind="client",
                    subject=mission.client.name,
                    contribution=0.0,
                    text=(
                        f"{mission.client.name} asks for at least {mission.min_team_size} shinobi, "
                        f"more than the {usual} usual for a {mission.rank.value}-rank mission: "
                        f"the client expects trouble"
                    ),
                )
            )
        factors.sort(key=lambda f: (-f.contribution, f.kind, f.subject, f.text))
        return factors

    def _sighting_factor(
        self, mission: Mission, i: int, contribution: float, hours: float, departure: dt.date
    ) -> Factor:
        sighting = self.village.sightings[self.sighting_rows[i]]
        threat = self.threats[int(self.sighting_threat[i])]
        place = self.place_names.get(sighting.place, sighting.place)
        if hours == 0:
            where = "on the route"
        else:
            stop, _ = self.network.nearest_on_route(sighting.place, mission.route)
            where = f"{_hours_text(hours)} h from the route at {self.place_names.get(stop, stop)}"
        days = (departure - sighting.at.date()).days
        return Factor(
            kind="sighting",
            subject=threat.id,
            contribution=contribution,
            text=(
                f"{threat.name} was seen at {place}, {where}, {_days_text(days)} "
                f"(confidence {sighting.confidence:g})"
            ),
        )


def assess_mission(
    village: Village,
    mission: Mission,
    *,
    network: RoadNetwork | None = None,
    settings: RiskSettings | None = None,
) -> Assessment:
    """The assessment of one mission against every known threat of the village."""
    evidence = _Evidence.of(
        village,
        network or RoadNetwork.from_village(village),
        settings or village.settings.risk,
    )
    return evidence.assess(mission)


def assess_board(
    village: Village,
    missions: Iterable[Mission] | None = None,
    *,
    network: RoadNetwork | None = None,
    settings: RiskSettings | None = None,
) -> dict[str, Assessment]:
    """Assessments of `missions` (default: every mission of the village), keyed by mission id
    in the given order. The road network and the sighting arrays are built once."""
    evidence = _Evidence.of(
        village,
        network or RoadNetwork.from_village(village),
        settings or village.settings.risk,
    )
    chosen = village.missions if missions is None else list(missions)
    # Hundreds of thousands of small, acyclic objects: the cycle collector would walk the
    # growing heap over and over (about 40% of the time on 1,000 missions x 500 threats).
    with collector_paused():
        return {mission.id: evidence.assess(mission) for mission in chosen}
