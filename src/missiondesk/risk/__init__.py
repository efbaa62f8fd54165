"""Risk: the road network, exposure along a route, the assessment of a mission and its
calibration, the engagement simulator and its fitting.

Pure functions on domain values; docs/risk.md gives the formulas.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

# Loaded on first use, not when the package is imported: OR-Tools (which brings pandas)
# and matplotlib cost seconds, and most commands never touch them.
_HOME = {
    "Calibration": "fitting",
    "EngagementCalibration": "engagement",
    "ModelParameters": "simulation",
    "RoadNetwork": "roads",
    "SimulationResult": "simulation",
    "assess_board": "assessment",
    "assess_mission": "assessment",
    "calibration": "fitting",
    "engagement_calibration": "engagement",
    "exposure_profile": "exposure",
    "fit_engagement": "engagement",
    "fit_model": "fitting",
    "itinerary": "exposure",
    "member_score": "simulation",
    "plot_reliability": "fitting",
    "simulate_reference_loop": "simulation",
    "simulate_squad": "simulation",
    "squad_success": "simulation",
}

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


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
