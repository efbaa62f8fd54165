"""Risk: the road network, the assessment of a mission, the engagement simulator and its fitting.

Pure functions on domain values; docs/risk.md gives the formulas.
"""

from missiondesk.risk.assessment import assess_board, assess_mission
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
    "ModelParameters",
    "RoadNetwork",
    "SimulationResult",
    "assess_board",
    "assess_mission",
    "calibration",
    "fit_model",
    "member_score",
    "plot_reliability",
    "simulate_reference_loop",
    "simulate_squad",
    "squad_success",
]
