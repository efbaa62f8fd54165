"""Pydantic field types for the village's vocabularies, with errors a person can act on.

`'chuunin' is not a rank (academy, genin, ...)` reads better than pydantic's enum message,
so every vocabulary field validates through `vocabulary(Enum, noun)`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

from missiondesk.domain.ranks import (
    FlagKind,
    MissionRank,
    MissionStatus,
    Outcome,
    Severity,
    ShinobiRank,
    ShinobiStatus,
)


def _checker(enum: type[StrEnum], noun: str) -> BeforeValidator:
    allowed = ", ".join(m.value for m in enum)

    def check(value: Any) -> Any:
        if isinstance(value, enum):
            return value
        if isinstance(value, str) and value in enum._value2member_map_:
            return enum(value)
        raise PydanticCustomError(
            "vocabulary",
            "{value} is not {noun} ({allowed})",
            {"value": repr(value), "noun": noun, "allowed": allowed},
        )

    return BeforeValidator(check)


RankField = Annotated[ShinobiRank, _checker(ShinobiRank, "a rank")]
MissionRankField = Annotated[MissionRank, _checker(MissionRank, "a mission rank")]
ShinobiStatusField = Annotated[ShinobiStatus, _checker(ShinobiStatus, "a shinobi status")]
MissionStatusField = Annotated[MissionStatus, _checker(MissionStatus, "a mission status")]
SeverityField = Annotated[Severity, _checker(Severity, "a severity")]
OutcomeField = Annotated[Outcome, _checker(Outcome, "an outcome")]
FlagKindField = Annotated[FlagKind, _checker(FlagKind, "a wellbeing flag")]
