"""Every ordered vocabulary of the village, defined once: ranks, statuses, severities, outcomes."""

from __future__ import annotations

from enum import StrEnum
from typing import Self


class _Ordered(StrEnum):
    """A string enum whose members compare by their declaration order."""

    @classmethod
    def order(cls) -> list[Self]:
        return list(cls)

    @property
    def level(self) -> int:
        return type(self).order().index(self)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, type(self)):
            return NotImplemented
        return self.level < other.level

    def __le__(self, other: object) -> bool:
        if not isinstance(other, type(self)):
            return NotImplemented
        return self.level <= other.level

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, type(self)):
            return NotImplemented
        return self.level > other.level

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, type(self)):
            return NotImplemented
        return self.level >= other.level

    def __hash__(self) -> int:
        return str.__hash__(self)


class ShinobiRank(_Ordered):
    ACADEMY = "academy"
    GENIN = "genin"
    CHUNIN = "chunin"
    SPECIAL_JONIN = "special_jonin"
    JONIN = "jonin"
    KAGE = "kage"


class MissionRank(_Ordered):
    D = "D"
    C = "C"
    B = "B"
    A = "A"
    S = "S"


class ShinobiStatus(StrEnum):
    AVAILABLE = "available"
    ON_MISSION = "on_mission"
    INJURED = "injured"
    RESTING = "resting"
    MISSING = "missing"
    DECEASED = "deceased"
    DEFECTED = "defected"


class MissionStatus(StrEnum):
    INTAKE = "intake"
    ASSESSED = "assessed"
    PLANNED = "planned"
    APPROVED = "approved"
    DISPATCHED = "dispatched"
    OVERDUE = "overdue"
    RETURNED = "returned"
    CLOSED = "closed"
    CANCELLED = "cancelled"
    STALE = "stale"  # its window passed without a departure (SPEC section 8)


class Severity(_Ordered):
    MINOR = "minor"
    MODERATE = "moderate"
    SERIOUS = "serious"
    CRITICAL = "critical"
    FATAL = "fatal"


class FlagKind(StrEnum):
    """The patterns a shinobi's record is watched for (SPEC section 6), in listing order."""

    SHIELD = "shield"
    BURDEN = "burden"
    WORKLOAD = "workload"
    NO_REST = "no-rest"


class Outcome(StrEnum):
    SUCCESS = "success"
    PARTIAL = "partial"
    FAILURE = "failure"
    ABORTED = "aborted"


SKILLS: tuple[str, ...] = (
    "taijutsu",
    "ninjutsu",
    "genjutsu",
    "medical",
    "sensory",
    "tracking",
    "sealing",
    "tactics",
    "stealth",
)
"""The standard skills; a village file may add more."""

SKILL_MIN, SKILL_MAX = 0, 5

DEFAULT_PRIORITY: dict[MissionRank, int] = {
    MissionRank.D: 1,
    MissionRank.C: 2,
    MissionRank.B: 3,
    MissionRank.A: 4,
    MissionRank.S: 5,
}
"""A mission's priority when the file gives none (SPEC section 3)."""

# The mission rank a shinobi of each rank is roughly a match for; used to compare a
# threat (ranked like missions: D..S) with the people sent against it.
SHINOBI_RANK_AS_MISSION_RANK: dict[ShinobiRank, MissionRank] = {
    ShinobiRank.ACADEMY: MissionRank.D,
    ShinobiRank.GENIN: MissionRank.D,
    ShinobiRank.CHUNIN: MissionRank.C,
    ShinobiRank.SPECIAL_JONIN: MissionRank.B,
    ShinobiRank.JONIN: MissionRank.A,
    ShinobiRank.KAGE: MissionRank.S,
}

# Statuses from which a shinobi can be sent, given a date (SPEC section 4).
RECOVERING = frozenset({ShinobiStatus.INJURED, ShinobiStatus.RESTING})

ON_THE_BOARD = frozenset({MissionStatus.INTAKE, MissionStatus.ASSESSED, MissionStatus.PLANNED})
"""The board: missions not yet approved (waiting to be assessed, assessed, or planned)."""

READY_TO_PLAN = frozenset({MissionStatus.ASSESSED, MissionStatus.PLANNED})
"""The part of the board the planner staffs: its missions assessed (an intake mission is
assessed before it is planned)."""

# Mission statuses of a squad that has left and not yet reported back.
IN_THE_FIELD = frozenset({MissionStatus.DISPATCHED, MissionStatus.OVERDUE})

# Mission statuses whose squad is committed: approved, or in the field. These are the
# missions "in progress" that a village file must never drop (SPEC section 10).
COMMITTED = frozenset({MissionStatus.APPROVED, *IN_THE_FIELD})

REMOVABLE = (
    "place",
    "road",
    "role",
    "shinobi",
    "mission",
    "organization",
    "threat",
    "sighting",
    "countermeasure",
    "standing_order",
)
"""The kinds of record `village remove` takes (the CLI's help names them without loading
the services)."""
