"""Risk: the road network, exposure along a route, the assessment of a mission and its
calibration, the engagement simulator and its fitting.

Pure functions on domain values; docs/risk.md gives the formulas.
"""

from missiondesk.risk.assessment import assess_board, assess_mission
from missiondesk.risk.engagement import (
    EngagementCalibration,
    engagement_calibration,
    fit_engagement,
)
from missiondesk.risk.exposure import exposure_profile, itinerary
from missiondesk.risk.fitting import Calibration, calibration, fit_model, plot_reliability
from missiondesk.risk.roads import RoadNetwork
from missiondesk.risk.simulation import (
    ModelParameters,
    SimulationResult,
    member_score,
    simulate_reference_loop,
    simulate_squad,
    squad_success,
)

__all__ = [
    "Calibration",
    "EngagementCalibration",
    "ModelParameters",
    "RoadNetwork",
    "SimulationResult",
    "assess_board",
    "assess_mission",
    "calibration",
    "engagement_calibration",
    "exposure_profile",
    "fit_engagement",
    "fit_model",
    "itinerary",
    "member_score",
    "plot_reliability",
    "simulate_reference_loop",
    "simulate_squad",
    "squad_success",
]
