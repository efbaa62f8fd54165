"""Planning: squads for a day's board under the standing orders (CP-SAT, with a greedy
start and candidate pruning), a validator written apart from the solver, and the reasons
behind every choice. docs/planning.md describes the model and its objective.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from missiondesk.planning.candidates import PlanningError
    from missiondesk.planning.plan import (
        Baseline,
        Plan,
        PlannedMember,
        PlannedSquad,
        Quality,
        UnstaffedMission,
        Violation,
    )
    from missiondesk.planning.planner import PlanningBug, board_missions, plan_board
    from missiondesk.planning.quality import WEIGHTS, MemberScore, Weights, default_member_score
    from missiondesk.planning.roster import Departure
    from missiondesk.planning.rules import RULES
    from missiondesk.planning.search import ProgressEvent
    from missiondesk.planning.validator import validate_plan

# Loaded on first use, not when the package is imported: OR-Tools (which brings pandas)
# and matplotlib cost seconds, and most commands never touch them.
_HOME = {
    "Baseline": "plan",
    "Departure": "roster",
    "MemberScore": "quality",
    "Plan": "plan",
    "PlannedMember": "plan",
    "PlannedSquad": "plan",
    "PlanningBug": "planner",
    "PlanningError": "candidates",
    "ProgressEvent": "search",
    "Quality": "plan",
    "RULES": "rules",
    "UnstaffedMission": "plan",
    "Violation": "plan",
    "WEIGHTS": "quality",
    "Weights": "quality",
    "board_missions": "planner",
    "default_member_score": "quality",
    "plan_board": "planner",
    "validate_plan": "validator",
}

__all__ = [
    "RULES",
    "WEIGHTS",
    "Baseline",
    "Departure",
    "MemberScore",
    "Plan",
    "PlannedMember",
    "PlannedSquad",
    "PlanningBug",
    "PlanningError",
    "ProgressEvent",
    "Quality",
    "UnstaffedMission",
    "Violation",
    "Weights",
    "board_missions",
    "default_member_score",
    "plan_board",
    "validate_plan",
]


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
