"""Per-village tunables: risk-model parameters, check-in grace, wellbeing thresholds.

Optional in a village file (`settings:`); every field has a documented default so a
village without settings behaves as docs/risk.md, docs/operations.md and docs/wellbeing.md say.
"""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Probability = Annotated[float, Field(ge=0.0, le=1.0)]
Positive = Annotated[float, Field(gt=0.0)]


class RiskSettings(BaseModel):
    """Parameters of the assessment (docs/risk.md gives the formulas)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    interest_weight: Probability = 0.35
    sighting_weight: Probability = 0.8
    distance_half_life_hours: Positive = 4.0
    age_half_life_days: Positive = 7.0
    exposure_hours: Positive = 6.0
    pass_through_hours: Annotated[float, Field(ge=0.0, le=1000.0)] = 0.0
    likely_threshold: Probability = 0.25
    briefing_threshold: Probability = 0.1


class WellbeingSettings(BaseModel):
    """Thresholds of SPEC section 6's flags."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    shield_window: Annotated[int, Field(ge=1)] = 5
    shield_min_count: Annotated[int, Field(ge=1)] = 3
    burden_half_life_days: Positive = 60.0
    burden_threshold: Annotated[float, Field(ge=0.0)] = 6.0
    workload_days: Annotated[int, Field(ge=1)] = 30
    workload_threshold: Annotated[int, Field(ge=1)] = 6
    rest_threshold_days: Annotated[int, Field(ge=1)] = 45
    rest_gap_days: Annotated[int, Field(ge=1)] = 7  # a gap this long between missions is rest
    flag_days: Annotated[int, Field(ge=1)] = 30


class PlanningSettings(BaseModel):
    """Weights of the plan's player terms (docs/planning.md, "Objective")."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    volunteer_weight: Annotated[int, Field(ge=0, le=1000)] = 30  # per member who volunteered
    teammate_weight: Annotated[int, Field(ge=0, le=1000)] = 10  # per pair of team-mates


class RewardSettings(BaseModel):
    """How a report's reward is paid out (docs/operations.md, "Rewards")."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    village_share: Probability = 0.2
    split: Literal["equal", "leader_double"] = "equal"


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    risk: RiskSettings = RiskSettings()
    wellbeing: WellbeingSettings = WellbeingSettings()
    checkin_grace_hours: Annotated[float, Field(ge=0.0)] = 6.0
    # An act (dispatch, check-in, report ...) dated more than this many days after the
    # village clock is refused: moving the calendar that far is `clock set`'s job.
    act_ahead_days: Annotated[int, Field(ge=0)] = 60
    planning: PlanningSettings = PlanningSettings()
    rewards: RewardSettings = RewardSettings()
