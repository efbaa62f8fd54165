"""The watch on people (SPEC section 6): injury burden, workload, rest and the shield pattern,
read from the village's history, as flags with evidence, a response and an end date."""

from missiondesk.wellbeing.ahead import FlagCalendar, Spell
from missiondesk.wellbeing.assess import Clearances, active_flags, assess_wellbeing, responses
from missiondesk.wellbeing.models import (
    FLAG_KINDS,
    Evidence,
    FlagKind,
    ShinobiWellbeing,
    WellbeingFlag,
)

__all__ = [
    "FLAG_KINDS",
    "Clearances",
    "Evidence",
    "FlagCalendar",
    "FlagKind",
    "ShinobiWellbeing",
    "Spell",
    "WellbeingFlag",
    "active_flags",
    "assess_wellbeing",
    "responses",
]
