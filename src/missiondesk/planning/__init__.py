"""Planning: squads for a day's board under the standing orders (CP-SAT, with a greedy
start and candidate pruning), a validator written apart from the solver, and the reasons
behind every choice. docs/planning.md describes the model and its objective.
"""

from missiondesk.planning.candidates import PlanningError
from missiondesk.planning.model import ProgressEvent
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
from missiondesk.planning.validator import validate_plan

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
