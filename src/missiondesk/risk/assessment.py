"""Judge a mission's real risk from the evidence: who wants its objective, who was seen where
the squad will be, and what rank that makes it (SPEC sections 5 and 11; docs/risk.md).

For each threat, two ways of meeting it, each counted once: its organisation wants the
objective (a motive: `q_interest = 1 - (1 - interest_weight)^k` for `k` matching tags), or it
is near where the squad will be (an opportunity). Its sightings are evidence about one
whereabouts, not independent chances: each sighting `i` says the threat may be around its
place, believed `c_i 2^(-age_i / age_half_life_days)`, and the squad spends `E_i` exposure
hours within reach of there (`risk.exposure`); the opportunity is the strongest of
`q_i = sighting_weight * belief_i * (1 - exp(-E_i / exposure_hours))`. Then
`p = 1 - (1 - q_interest)(1 - max_i q_i)`. Every step is non-decreasing in its evidence, so
more, nearer, fresher or surer evidence never lowers a probability, and a duplicate sighting
changes nothing.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from missiondesk.domain.assessment import Assessment, BriefingItem
from missiondesk.domain.ranks import MissionRank
from missiondesk.domain.settings import RiskSettings
from missiondesk.domain.village import Countermeasure, Mission, Organization, Threat, Village
from missiondesk.risk.exposure import exposure_profile, itinerary
from missiondesk.risk.roads import RoadNetwork
from missiondesk.villagefile.bulk import collector_paused

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

DECIMALS = 4
"""Probabilities and contributions are rounded to this many decimals, for byte-stable JSON;
every decision (listed, likely, briefed, effective rank) is taken on the rounded value, so a
reader of the output can reproduce it."""

LIST_FLOOR = 0.05
"""A threat is listed (with the factors that explain its probability) when its rounded
probability is at least this (five percent); below it, it would only bury the threats that
matter on a crowded board. With the default thresholds nothing below it raises a rank or is
briefed; a village that sets `likely_threshold` or `briefing_threshold` lower still gets
only listed threats raised and briefed."""

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


def epoch_days(moment: dt.datetime | dt.date) -> float:
    """Days since the Unix epoch; a naive time is read as UTC, a date as its midnight."""
    if not isinstance(moment, dt.datetime):
        moment = dt.datetime.combine(moment, dt.time())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.timestamp() / _SECONDS_PER_DAY


def _hours_text(hours: float) -> str:
    return f"{hours:.0f}" if float(hours).is_integer() else f"{hours:.1f}"


def age_text(days: float) -> str:
    """A sighting's age at departure as a person says it: '5 hours old', '1 day old'."""
    if days < 1:
        hours = max(0, round(days * 24))
        return f"{hours} hour{'s' if hours != 1 else ''} old"
    whole = int(days)
    return f"{whole} day{'s' if whole != 1 else ''} old"


@dataclass(frozen=True)
class Engagement:
    """One mission's engagement probabilities, before rounding, with what explains them.
    Sighting arrays follow `_Evidence`'s sighting order (grouped by threat)."""

    probability: FloatArray  # per threat
    log_interest: FloatArray  # per threat: log(1 - q_interest)
    log_sighting: FloatArray  # per threat: log(1 - max_i q_i)
    strongest: IntArray  # per threat: the sighting with the largest q_i, -1 for none
    sighting_q: FloatArray  # per sighting
    exposure: FloatArray  # per sighting: exposure hours to its place
    interest_tags: dict[str, list[str]]  # organisation id -> its interests among the tags


@dataclass
class _Evidence:
    """The village's threats and sightings as arrays, built once per board."""

    village: Village
    network: RoadNetwork
    settings: RiskSettings
    threats: list[Threat]
    threat_ids: list[str]
    threat_level: IntArray
    organization: list[Organization | None]
    organizations: list[Organization]  # every organisation some threat belongs to
    threat_organization: IntArray  # index into organizations, -1 for none
    briefing: list[list[BriefingItem]]  # per threat: its abilities' countermeasures
    sighting_threat: IntArray  # sightings grouped by threat, file order within a threat
    sighting_place: IntArray  # -1 for a place the network does not know
    sighting_day: FloatArray
    sighting_confidence: FloatArray
    sighting_rows: list[int]  # index into village.sightings for each array position
    segment_start: IntArray  # where each threat's run of sightings starts
    segment_threat: IntArray  # which threat each run belongs to
    segment_length: IntArray
    place_names: dict[str, str]
    sighting_place_name: list[str]  # per sighting: its place's name
    sighting_seen: list[str]  # per sighting: "Uchiha Itachi was seen at Tanigakure"
    sighting_confidence_text: list[str]  # per sighting: "(confidence 0.6); the squad ..."
    _profiles: dict[tuple[tuple[str, ...], float, float, float], FloatArray] = field(
        default_factory=dict
    )
    _beliefs: dict[float, FloatArray] = field(default_factory=dict)  # per departure day
    _legs: dict[tuple[int, int], tuple[tuple[int, int, float], ...]] = field(default_factory=dict)
    _roads: dict[tuple[int, int, float, float], FloatArray] = field(default_factory=dict)

    @classmethod
    def of(cls, village: Village, network: RoadNetwork, settings: RiskSettings) -> _Evidence:
        threats = sorted(village.threats, key=lambda t: t.id)
        position = {t.id: i for i, t in enumerate(threats)}
        organizations = {o.id: o for o in village.organizations}
        known = [i for i, s in enumerate(village.sightings) if s.threat in position]
        owner = np.array([position[village.sightings[i].threat] for i in known], dtype=np.int64)
        order = np.argsort(owner, kind="stable")
        rows = [known[i] for i in order.tolist()]
        sightings = [village.sightings[i] for i in rows]
        sighting_threat = owner[order]
        segment_start = np.asarray(
            np.flatnonzero(np.r_[True, np.diff(sighting_threat) != 0]) if rows else [],
            dtype=np.int64,
        )
        countermeasures: dict[str, list[Countermeasure]] = defaultdict(list)
        for cm in village.countermeasures:
            countermeasures[cm.ability].append(cm)
        belongs = [organizations.get(t.organization) if t.organization else None for t in threats]
        used = list({o.id: o for o in belongs if o is not None}.values())
        used_index = {o.id: i for i, o in enumerate(used)}
        place_names = {p.id: p.name for p in village.places}
        return cls(
            village=village,
            network=network,
            settings=settings,
            threats=threats,
            threat_ids=[t.id for t in threats],
            threat_level=np.array([t.rank.level for t in threats], dtype=np.int64),
            organization=belongs,
            organizations=used,
            threat_organization=np.array(
                [used_index[o.id] if o else -1 for o in belongs], dtype=np.int64
            ),
            briefing=[
                [
                    BriefingItem(threat=t.id, ability=ability, advice=cm.advice)
                    for ability in t.abilities
                    for cm in countermeasures.get(ability, [])
                ]
                for t in threats
            ],
            sighting_threat=np.asarray(sighting_threat, dtype=np.int64),
            sighting_place=np.array([network.index(s.place) for s in sightings], dtype=np.int64),
            sighting_day=np.array([epoch_days(s.at) for s in sightings], dtype=np.float64),
            sighting_confidence=np.array([s.confidence for s in sightings], dtype=np.float64),
            sighting_rows=rows,
            segment_start=segment_start,
            segment_threat=np.asarray(sighting_threat, dtype=np.int64)[segment_start],
            segment_length=np.diff(np.r_[segment_start, len(rows)]).astype(np.int64),
            place_names=place_names,
            sighting_place_name=[place_names.get(s.place, s.place) for s in sightings],
            sighting_seen=[
                f"{threats[position[s.threat]].name} was seen at "
                f"{place_names.get(s.place, s.place)}"
                for s in sightings
            ],
            sighting_confidence_text=[
                f"(confidence {s.confidence:g}); the squad is within reach of there"
                for s in sightings
            ],
        )

    def profile(self, route: list[str], on_site_hours: float) -> FloatArray:
        """Exposure hours per place (and a trailing 0 for unknown places), cached per trip."""
        s = self.settings
        key = (tuple(route), on_site_hours, s.distance_half_life_hours, s.pass_through_hours)
        cached = self._profiles.get(key)
        if cached is None:
            trip = itinerary(
                self.network,
                route,
                on_site_hours=on_site_hours,
                pass_through_hours=self.settings.pass_through_hours,
                legs=self._legs,
            )
            profile = exposure_profile(
                self.network, trip, self.settings.distance_half_life_hours, self._roads
            )
            cached = self._profiles[key] = np.append(profile, 0.0)
        return cached

    def engagement(
        self,
        route: list[str],
        tags: Iterable[str],
        on_site_hours: float,
        departure_day: float,
        *,
        known_before: float | None = None,
    ) -> Engagement:
        """Engagement probabilities of every threat for a trip leaving at `departure_day`
        (epoch days); with `known_before`, only sightings made before that moment count."""
        s = self.settings
        n_threats = len(self.threats)
        profile = self.profile(route, on_site_hours)
        exposure = profile[self.sighting_place]
        reach = -np.expm1(-profile / s.exposure_hours)  # per place: a few hundred, not 10,000
        belief = self._belief(departure_day)  # missions of one board share a few days
        q = belief * reach[self.sighting_place]
        if known_before is not None:
            q = np.where(self.sighting_day < known_before, q, 0.0)
        best = np.zeros(n_threats)
        strongest = np.full(n_threats, -1, dtype=np.int64)
        if len(q):
            top = np.maximum.reduceat(q, self.segment_start)
            at_top = np.where(q == np.repeat(top, self.segment_length), np.arange(len(q)), len(q))
            first = np.minimum.reduceat(at_top, self.segment_start)
            best[self.segment_threat] = top
            strongest[self.segment_threat] = np.where(top > 0, first, -1)
        with np.errstate(divide="ignore"):
            log_sighting = np.log1p(-best)
            log_weight = math.log1p(-s.interest_weight)
        tag_set = set(tags)
        interest_tags = {
            org.id: [tag for tag in org.interests if tag in tag_set] for org in self.organizations
        }
        k = np.array(
            [*(len(interest_tags[o.id]) for o in self.organizations), 0], dtype=np.float64
        )[self.threat_organization]
        log_interest = np.where(k > 0, k * log_weight, 0.0)
        probability = -np.expm1(log_interest + log_sighting)
        return Engagement(
            probability=np.asarray(probability, dtype=np.float64),
            log_interest=np.asarray(log_interest, dtype=np.float64),
            log_sighting=np.asarray(log_sighting, dtype=np.float64),
            strongest=strongest,
            sighting_q=np.asarray(q, dtype=np.float64),
            exposure=np.asarray(exposure, dtype=np.float64),
            interest_tags=interest_tags,
        )

    def assess(self, mission: Mission) -> Assessment:
        """One mission's assessment, factors included: the reference path, one mission's
        engagement at a time (`assess_board` takes every mission at once)."""
        departure = mission.earliest(self.village.village.today)
        found = self.engagement(
            mission.route,
            mission.objective.tags,
            mission.objective.on_site_hours,
            epoch_days(departure),
        )
        return self._assessment(mission, found.probability, found, departure)

    def _assessment(
        self,
        mission: Mission,
        unrounded: FloatArray,
        found: Engagement | None,
        departure: dt.date,
    ) -> Assessment:
        """The assessment of `mission` from its engagement probabilities per threat; with
        `found` (its engagement), the factors that explain them, else no factors."""
        s = self.settings
        probability = np.round(unrounded, DECIMALS)

        # Raised towards each likely, stronger threat: declared + round(p * gap), half up.
        declared = mission.rank.level
        likely = (probability >= max(s.likely_threshold, LIST_FLOOR)) & (
            self.threat_level > declared
        )
        raised = declared + np.floor(probability * (self.threat_level - declared) + 0.5)
        judged = max(declared, int(raised[likely].max(initial=declared)))
        effective = mission.override.rank if mission.override else _RANKS[judged]

        # Threats are indexed in id order, so this is "most likely first, then by id".
        shown = np.flatnonzero(probability >= LIST_FLOOR)
        ranked = shown[np.lexsort((shown, -probability[shown]))]
        listed: list[int] = ranked.tolist()
        factors = (
            [] if found is None else self._factors(mission, listed, probability, found, departure)
        )
        briefed = int(np.count_nonzero(probability[ranked] >= s.briefing_threshold))
        briefing = [item for t in listed[:briefed] for item in self.briefing[t]]  # a prefix
        ids = self.threat_ids
        # One validation call for the whole value: pydantic-core builds the lists in Rust,
        # which keeps a board of 1,000 missions x 500 threats fast.
        return Assessment.model_validate(
            {
                "mission": mission.id,
                "declared_rank": mission.rank,
                "effective_rank": effective,
                "judged_rank": _RANKS[judged],
                "override": mission.override,
                "understated": judged > declared,
                "threats": [
                    {"threat": ids[t], "probability": p}
                    for t, p in zip(listed, probability[ranked].tolist(), strict=True)
                ],
                "factors": factors,
                "briefing": briefing,
                "notes": self._notes(mission),
            }
        )

    def board_probabilities(self, missions: Sequence[Mission], chunk: int = 128) -> FloatArray:
        """(missions, threats): the engagement probabilities of `engagement` for every
        mission at once, unrounded. The same elementwise arithmetic on the same arrays,
        only stacked: mission `m`'s row equals `engagement(...)`'s `probability` for it
        bit for bit (tests/risk/test_board_fast_path.py). Missions are taken `chunk` at a
        time so the (missions x sightings) intermediate stays a few megabytes."""
        s = self.settings
        n_threats, n_sightings = len(self.threats), len(self.sighting_place)
        out = np.zeros((len(missions), n_threats))
        if not missions:
            return out
        with np.errstate(divide="ignore"):
            log_weight = math.log1p(-s.interest_weight)
        interests = [o.interests for o in self.organizations]
        today = self.village.village.today
        for begin in range(0, len(missions), chunk):
            part = missions[begin : begin + chunk]
            profiles = np.stack([self.profile(m.route, m.objective.on_site_hours) for m in part])
            reach = -np.expm1(-profiles / s.exposure_hours)
            best = np.zeros((len(part), n_threats))
            if n_sightings:
                beliefs = np.stack([self._belief(epoch_days(m.earliest(today))) for m in part])
                q = beliefs * reach[:, self.sighting_place]
                best[:, self.segment_threat] = np.maximum.reduceat(q, self.segment_start, axis=1)
            with np.errstate(divide="ignore"):
                log_sighting = np.log1p(-best)
            counts = np.zeros((len(part), len(self.organizations) + 1))
            for row, m in enumerate(part):
                tags = set(m.objective.tags)
                counts[row, :-1] = [sum(t in tags for t in wanted) for wanted in interests]
            k = counts[:, self.threat_organization]
            log_interest = np.where(k > 0, k * log_weight, 0.0)
            out[begin : begin + len(part)] = -np.expm1(log_interest + log_sighting)
        return out

    def _belief(self, departure_day: float) -> FloatArray:
        """Per sighting: `sighting_weight * c_i * 2^(-age_i / age_half_life_days)` for a
        departure on `departure_day` (cached: a board's missions share a few days)."""
        belief = self._beliefs.get(departure_day)
        if belief is None:
            s = self.settings
            age = np.maximum(0.0, departure_day - self.sighting_day)
            belief = (
                s.sighting_weight * self.sighting_confidence * np.exp2(-age / s.age_half_life_days)
            )
            self._beliefs[departure_day] = belief
        return belief

    def _factors(
        self,
        mission: Mission,
        listed: list[int],
        probability: FloatArray,
        found: Engagement,
        departure: dt.date,
    ) -> list[dict[str, object]]:
        """Per listed threat, its interest and its strongest sighting, each with its share of
        the threat's probability in proportion to `-log(1 - q)`; the shares add up to the
        probability exactly (the sighting's is the remainder after rounding), and a share
        that rounds to 0 is not listed (docs/risk.md, "Factors")."""
        if not listed:
            return []
        chosen = np.asarray(listed, dtype=np.int64)
        p = probability[chosen]
        li, ls = found.log_interest[chosen], found.log_sighting[chosen]
        with np.errstate(invalid="ignore", divide="ignore"):
            # A certain piece of evidence (log = -inf) takes the whole probability; two
            # certain ones share it.
            share = np.where(
                np.isinf(li) & np.isinf(ls),
                0.5,
                np.where(np.isinf(li), 1.0, np.where(np.isinf(ls), 0.0, li / (li + ls))),
            )
        interest = np.round(p * np.nan_to_num(share), DECIMALS)
        sighting = np.round(p - interest, DECIMALS)
        strongest = found.strongest[chosen]
        ids = self.threat_ids

        # Interest factors, one per listed threat whose organisation wants the objective.
        has_interest = interest > 0
        interest_threats = chosen[has_interest]
        org_prefix: dict[int, tuple[str, str]] = {}
        for o, org in enumerate(self.organizations):
            tags = found.interest_tags[org.id]
            if tags:
                wanted = ", ".join(tags)
                org_prefix[o] = (
                    f"{org.name} wants what is {wanted}: the objective is tagged {wanted}, and ",
                    org.id,
                )
        owner = self.threat_organization[interest_threats].tolist()
        made: list[dict[str, object]] = [
            {
                "kind": "interest",
                "subject": org_prefix[o][1],
                "threat": ids[t],
                "contribution": c,
                "text": f"{org_prefix[o][0]}{self.threats[t].name} is one of its members",
            }
            for t, c, o in zip(
                interest_threats.tolist(), interest[has_interest].tolist(), owner, strict=True
            )
        ]

        # Sighting factors: the strongest sighting of each listed threat that has one.
        has_sighting = (sighting > 0) & (strongest >= 0)
        sighting_threats = chosen[has_sighting]
        rows = strongest[has_sighting]
        age = np.maximum(0.0, epoch_days(departure) - self.sighting_day[rows])
        if len(rows):
            made += self._sighting_factors(
                sighting_threats,
                sighting[has_sighting],
                rows,
                age,
                self.network.route_nearest(mission.route),
                found,
            )
        # Largest first, then interest before sighting, then by threat id (index order).
        contribution = np.concatenate([interest[has_interest], sighting[has_sighting]])
        kind = np.repeat([0, 1], [len(interest_threats), len(sighting_threats)])
        threat = np.concatenate([interest_threats, sighting_threats])
        return [made[i] for i in np.lexsort((threat, kind, -contribution)).tolist()]

    def _sighting_factors(
        self,
        threats: IntArray,
        contributions: FloatArray,
        rows: IntArray,
        age: FloatArray,
        route: tuple[FloatArray, npt.NDArray[np.intp], list[str]],
        found: Engagement,
    ) -> list[dict[str, object]]:
        """The strongest sighting of each threat in `threats` (its row in `rows`) as a factor.
        Texts are made once per distinct place and per distinct age wording, then indexed."""
        hours, nearest, stops = route
        ids, names = self.threat_ids, self.place_names
        place = self.sighting_place[rows]
        spots, spot_of = np.unique(place, return_inverse=True)
        where = []
        for x in spots.tolist():
            d, k = (float(hours[x]), int(nearest[x])) if x >= 0 else (math.inf, 0)
            stop = stops[k]
            where.append(
                "on the route"
                if d == 0
                else f"{_hours_text(d)} h from the route at {names.get(stop, stop)}"
            )
        wording = np.where(age >= 1, np.floor(age), -np.round(age * 24) - 1)
        ages, age_of = np.unique(wording, return_inverse=True)
        aged = [age_text(w if w >= 0 else (-w - 1) / 24) for w in ages.tolist()]
        seen, conf = self.sighting_seen, self.sighting_confidence_text
        return [
            {
                "kind": "sighting",
                "subject": ids[t],
                "threat": ids[t],
                "contribution": c,
                "place": self.sighting_place_name[i],
                "age_days": a,
                "text": f"{seen[i]}, {where[w]}, {aged[g]} at departure {conf[i]} for {e:.1f} h",
            }
            for t, c, i, w, g, a, e in zip(
                threats.tolist(),
                contributions.tolist(),
                rows.tolist(),
                np.ravel(spot_of).tolist(),
                np.ravel(age_of).tolist(),
                np.round(age, 2).tolist(),
                found.exposure[rows].tolist(),
                strict=True,
            )
        ]

    def _notes(self, mission: Mission) -> list[str]:
        usual = USUAL_TEAM_SIZE[mission.rank]
        if mission.client is not None and mission.min_team_size > usual:
            return [
                f"{mission.client.name} asks for at least {mission.min_team_size} shinobi, "
                f"more than the {usual} usual for a {mission.rank.value}-rank mission: "
                f"the client expects trouble"
            ]
        return []


def evidence(
    village: Village,
    *,
    network: RoadNetwork | None = None,
    settings: RiskSettings | None = None,
) -> _Evidence:
    """The village's evidence as arrays, for assessing many missions (or one many times)."""
    return _Evidence.of(
        village,
        network or RoadNetwork.from_village(village),
        settings or village.settings.risk,
    )


def assess_mission(
    village: Village,
    mission: Mission,
    *,
    network: RoadNetwork | None = None,
    settings: RiskSettings | None = None,
) -> Assessment:
    """The assessment of one mission against every known threat of the village."""
    return evidence(village, network=network, settings=settings).assess(mission)


def assess_board(
    village: Village,
    missions: Iterable[Mission] | None = None,
    *,
    network: RoadNetwork | None = None,
    settings: RiskSettings | None = None,
    factors: bool = True,
) -> dict[str, Assessment]:
    """Assessments of `missions` (default: every mission of the village), keyed by mission id
    in the given order. The road network and the sighting arrays are built once, and the
    assessments equal `assess_mission`'s. Without `factors`, the assessments carry no factors
    (the board needs ranks, threats and briefings; one mission's factors come from
    `assess_mission`): the probabilities of every mission against every threat are then
    computed at once (`_Evidence.board_probabilities`), and no factor text is written, which
    is most of the work on a large board. Everything else is equal to `assess_mission`'s
    (tests/risk/test_board_fast_path.py)."""
    found = evidence(village, network=network, settings=settings)
    chosen = village.missions if missions is None else list(missions)
    # Hundreds of thousands of small, acyclic objects: the cycle collector would walk the
    # growing heap over and over (about 40% of the time on 1,000 missions x 500 threats).
    with collector_paused():
        if factors:
            return {mission.id: found.assess(mission) for mission in chosen}
        probability = found.board_probabilities(chosen)
        today = village.village.today
        return {
            mission.id: found._assessment(mission, probability[row], None, mission.earliest(today))
            for row, mission in enumerate(chosen)
        }
