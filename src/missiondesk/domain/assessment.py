"""What the risk assessment makes of a mission (SPEC sections 5 and 7, `assess --json`)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from missiondesk.domain.ranks import MissionRank


class ThreatProbability(BaseModel):
    model_config = ConfigDict(frozen=True)
    threat: str
    probability: float


class Factor(BaseModel):
    """One piece of evidence and how much it moved the risk, in words a person can read."""

    model_config = ConfigDict(frozen=True)
    kind: str  # "interest", "sighting", "client", ...
    subject: str  # the threat, organisation or place it is about
    contribution: float
    text: str


class BriefingItem(BaseModel):
    model_config = ConfigDict(frozen=True)
    threat: str
    ability: str
    advice: str


class Assessment(BaseModel):
    model_config = ConfigDict(frozen=True)
    mission: str
    declared_rank: MissionRank
    effective_rank: MissionRank
    understated: bool
    threats: list[ThreatProbability]  # every threat with a probability > 0, most likely first
    factors: list[Factor]
    briefing: list[BriefingItem]

    def probability(self, threat_id: str) -> float:
        for t in self.threats:
            if t.threat == threat_id:
                return t.probability
        return 0.0
