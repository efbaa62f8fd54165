"""The village as one value: everything SPEC section 3 names, validated field by field.

These models are the domain's single shape. The village file is parsed into them, the
database is loaded into them, and the pure cores (risk, planning, wellbeing) take them.
Cross-references (a squad naming a shinobi who does not exist) are checked in
`missiondesk.villagefile.references`, because they need the whole document.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from missiondesk.domain.orders import Ident, StandingOrder
from missiondesk.domain.promotion import PromotionRule
from missiondesk.domain.ranks import (
    DEFAULT_PRIORITY,
    RECOVERING,
    SKILL_MAX,
    SKILL_MIN,
    MissionStatus,
)
from missiondesk.domain.settings import Settings
from missiondesk.domain.vocabulary import (
    MissionRankField,
    MissionStatusField,
    OutcomeField,
    RankField,
    SeverityField,
    ShinobiStatusField,
)

FORMAT = "missiondesk/village/v1"

SkillLevel = Annotated[int, Field(ge=SKILL_MIN, le=SKILL_MAX, strict=True)]


EARLIEST_YEAR, LATEST_YEAR = 1900, 2199


def _village_local(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is not None:
        raise ValueError(
            "times are the village's local time: write it without a time zone "
            "(e.g. 2026-11-24T06:00)"
        )
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        # Keeps the calendar arithmetic downstream (recovery, check-ins) from overflowing.
        raise ValueError(f"is outside the years {EARLIEST_YEAR} to {LATEST_YEAR}")
    return value


def iso_8601(value: object) -> object:
    """Times are written in ISO 8601 (2026-11-24T06:00), never as a count of seconds: a
    number or a string of digits would otherwise be read as a Unix timestamp."""
    if isinstance(value, bool | int | float):
        raise ValueError(
            f"{value!r} is a number, not a time: write it in ISO 8601 (e.g. 2026-11-24T06:00)"
        )
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value!r} is not an ISO 8601 time (e.g. 2026-11-24T06:00)") from None
    return value


LOCAL_TIME_PATTERN = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?$"
LOCAL_TIME_SCHEMA = {
    "type": "string",
    "pattern": LOCAL_TIME_PATTERN,
    "description": "The village's local time, ISO 8601 without a zone (2026-11-24T06:00).",
    "examples": ["2026-11-24T06:00:00"],
}

LocalTime = Annotated[
    dt.datetime,
    BeforeValidator(iso_8601),
    AfterValidator(_village_local),
    WithJsonSchema(LOCAL_TIME_SCHEMA),
]
"""A moment in the village's own clock; a zone would make comparisons ambiguous."""

MAX_RECOVERY_DAYS = 36_500  # a hundred years: anything longer is a typo, not a recovery
Text = Annotated[str, Field(max_length=10_000)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class VillageInfo(_Model):
    id: Ident
    name: Text
    today: dt.date


class Place(_Model):
    id: Ident
    name: Text


class Road(_Model):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    from_: Ident = Field(alias="from")
    to: Ident
    hours: Annotated[float, Field(gt=0)]


class Shinobi(_Model):
    id: Ident
    name: Text
    rank: RankField
    skills: dict[Ident, SkillLevel] = {}
    techniques: list[Ident] = []
    team: Ident | None = None
    status: ShinobiStatusField
    available_from: dt.date | None = None

    @model_validator(mode="after")
    def _recovery_has_a_date(self) -> Shinobi:
        if self.status in RECOVERING and self.available_from is None:
            raise ValueError(f"a shinobi who is {self.status.value} needs available_from")
        return self

    def skill(self, name: str) -> int:
        return self.skills.get(name, 0)


class Client(_Model):
    name: Text
    min_team_size: Annotated[int, Field(ge=1)] = 1


class Objective(_Model):
    tags: list[Ident] = []


class Window(_Model):
    earliest: dt.date
    due: dt.date | None = None

    @model_validator(mode="after")
    def _due_after_earliest(self) -> Window:
        if self.due is not None and self.due < self.earliest:
            raise ValueError("due is before earliest")
        return self


class Mission(_Model):
    id: Ident
    title: Text
    rank: MissionRankField
    priority: Annotated[int, Field(ge=1, le=5)] | None = None
    kind: Ident | None = None
    client: Client | None = None
    objective: Objective = Field(default_factory=Objective)
    route: Annotated[list[Ident], Field(min_length=1)]
    window: Window | None = None
    reward_ryo: Annotated[int, Field(ge=0)] | None = None
    status: MissionStatusField = MissionStatus.INTAKE
    volunteers: list[Ident] = []  # shinobi who asked to go (SPEC section 13)

    @model_validator(mode="after")
    def _default_priority(self) -> Mission:
        if self.priority is None:
            object.__setattr__(self, "priority", DEFAULT_PRIORITY[self.rank])
        return self

    @property
    def effective_priority(self) -> int:
        return self.priority if self.priority is not None else DEFAULT_PRIORITY[self.rank]

    @property
    def min_team_size(self) -> int:
        return self.client.min_team_size if self.client else 1

    def earliest(self, today: dt.date) -> dt.date:
        return self.window.earliest if self.window else today


class Organization(_Model):
    id: Ident
    name: Text
    interests: list[Ident] = []


class Threat(_Model):
    id: Ident
    name: Text
    rank: MissionRankField
    organization: Ident | None = None
    abilities: list[Ident] = []


class Sighting(_Model):
    threat: Ident
    place: Ident
    at: LocalTime
    confidence: Annotated[float, Field(ge=0.0, le=1.0)]


class Countermeasure(_Model):
    ability: Ident
    advice: Text
    role: Ident | None = None


class HistoryMission(_Model):
    id: Ident
    title: Text
    rank: MissionRankField
    route: Annotated[list[Ident], Field(min_length=1)]
    kind: Ident | None = None
    objective: Objective = Field(default_factory=Objective)


class Squad(_Model):
    leader: Ident
    members: list[Ident] = []

    @model_validator(mode="after")
    def _leader_not_member(self) -> Squad:
        if self.leader in self.members:
            raise ValueError(f"the leader {self.leader!r} is also listed as a member")
        if len(set(self.members)) != len(self.members):
            raise ValueError("a member is listed twice")
        return self

    @property
    def everyone(self) -> list[str]:
        return [self.leader, *self.members]


class Injury(_Model):
    shinobi: Ident
    severity: SeverityField
    recovery_days: Annotated[int, Field(ge=0, le=MAX_RECOVERY_DAYS)] = 0


class Encounter(_Model):
    threat: Ident
    place: Ident
    at: LocalTime


class Report(_Model):
    outcome: OutcomeField
    injuries: list[Injury] = []
    encounters: list[Encounter] = []
    objective_taken_by: Ident | None = None
    notes: Text | None = None


class HistoryEntry(_Model):
    mission: HistoryMission
    squad: Squad
    departed: LocalTime
    returned: LocalTime
    report: Report

    @model_validator(mode="after")
    def _returned_after_departed(self) -> HistoryEntry:
        if self.returned < self.departed:
            raise ValueError("returned is before departed")
        return self


class Village(_Model):
    format: Literal["missiondesk/village/v1"]
    village: VillageInfo
    settings: Settings = Settings()
    skills: list[Ident] = []
    places: list[Place] = []
    roads: list[Road] = []
    roles: dict[Ident, dict[Ident, SkillLevel]] = {}
    shinobi: list[Shinobi] = []
    missions: list[Mission] = []
    organizations: list[Organization] = []
    threats: list[Threat] = []
    sightings: list[Sighting] = []
    countermeasures: list[Countermeasure] = []
    standing_orders: list[StandingOrder] = []
    history: list[HistoryEntry] = []
    promotion: list[PromotionRule] = []  # SPEC section 13

    @field_validator("format", mode="before")
    @classmethod
    def _known_format(cls, value: object) -> object:
        if value != FORMAT:
            raise ValueError(f"{value!r} is not a known format (expected {FORMAT!r})")
        return value
