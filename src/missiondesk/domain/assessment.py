"""What the risk assessment makes of a mission (SPEC sections 5 and 7, `assess --json`)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from missiondesk.domain.ranks import MissionRank
from missiondesk.domain.village import RankOverride


class ThreatProbability(BaseModel):
    model_config = ConfigDict(frozen=True)
    threat: str
    probability: float


class Factor(BaseModel):
    """One piece of evidence and how much it moved the risk, in words a person can read."""

    model_config = ConfigDict(frozen=True)
    kind: str  # "interest" or "sighting"
    subject: str  # the organisation (interest) or the threat (sighting) it is about
    contribution: float  # its share of its threat's probability (docs/risk.md, "Factors")
    text: str
    threat: str | None = None  # the threat whose probability it explains
    place: str | None = None  # a sighting's place (its name)
    age_days: float | None = None  # a sighting's age at departure, in days


class BriefingItem(BaseModel):
    model_config = ConfigDict(frozen=True)
    threat: str
    ability: str
    advice: str


class Assessment(BaseModel):
    model_config = ConfigDict(frozen=True)
    mission: str
    declared_rank: MissionRank
    effective_rank: MissionRank  # the rank used for orders: the override's, else the judged
    understated: bool  # the evidence says the declared rank is too low
    threats: list[ThreatProbability]  # every listed threat, most likely first
    factors: list[Factor]
    briefing: list[BriefingItem]
    judged_rank: MissionRank | None = None  # what the evidence makes of it
    override: RankOverride | None = None  # the game master's word, when given
    notes: list[str] = []  # what the reader should know that is not evidence of a threat

    def probability(self, threat_id: str) -> float:
        for t in self.threats:
            if t.threat == threat_id:
                return t.probability
        return 0.0
