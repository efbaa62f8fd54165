"""The village as one value: everything SPEC section 3 names, validated field by field.

These models are the domain's single shape. The village file is parsed into them, the
database is loaded into them, and the pure cores (risk, planning, wellbeing) take them.
Cross-references (a squad naming a shinobi who does not exist) are checked in
`missiondesk.villagefile.references`, because they need the whole document.
"""

import datetime as dt
from typing import Annotated, Any, Literal, Self

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
    FlagKindField,
    MissionRankField,
    MissionStatusField,
    OutcomeField,
    RankField,
    SeverityField,
    ShinobiStatusField,
)

FORMAT = "missiondesk/village/v2"
FORMAT_V1 = "missiondesk/village/v1"
"""v1 files still read: their `today` is `now` at 00:00, and they are held as v2 after."""

SkillLevel = Annotated[int, Field(ge=SKILL_MIN, le=SKILL_MAX, strict=True)]


EARLIEST_YEAR, LATEST_YEAR = 1900, 2199


def village_local(value: dt.datetime) -> dt.datetime:
    """The one rule for times, in every front end (docs/decisions.md): a time is the
    village's own local time, so a time with a zone is refused, never converted; and it
    falls in the years 1900 to 2199."""
    if value.tzinfo is not None:
        raise ValueError(
            "has a time zone, and times are the village's local time: write it without a "
            "time zone (e.g. 2026-11-24T06:00)"
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
    AfterValidator(village_local),
    WithJsonSchema(LOCAL_TIME_SCHEMA),
]
"""A moment in the village's own clock; a zone would make comparisons ambiguous."""

MAX_RECOVERY_DAYS = 36_500  # a hundred years: anything longer is a typo, not a recovery
Text = Annotated[str, Field(max_length=10_000)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


ClockMode = Literal["story", "real"]
"""`story`: time moves when the game master moves it; `real`: it follows the machine's clock."""


class VillageInfo(_Model):
    id: Ident
    name: Text
    now: LocalTime
    clock: ClockMode = "story"

    @model_validator(mode="before")
    @classmethod
    def _today_is_now_at_midnight(cls, data: object) -> object:
        """v1 wrote the village's day as `today`; it reads as `now` at 00:00."""
        if not isinstance(data, dict) or "today" not in data:
            return data
        if "now" in data:
            raise ValueError("give now (a date and time) or today (v1: a date), not both")
        data = dict(data)
        today = data.pop("today")
        if isinstance(today, str):
            try:
                today = dt.date.fromisoformat(today)
            except ValueError:
                raise ValueError(f"today: {today!r} is not a date (e.g. 2026-11-23)") from None
        if isinstance(today, dt.date) and not isinstance(today, dt.datetime):
            today = dt.datetime.combine(today, dt.time())
        data["now"] = today
        return data

    @property
    def today(self) -> dt.date:
        """The village's calendar day: the date of `now`."""
        return self.now.date()


class Place(_Model):
    id: Ident
    name: Text


class Road(_Model):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True, populate_by_name=True)
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
    def _recovery_has_a_date(self) -> Self:
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
    on_site_hours: Annotated[float, Field(ge=0.0, le=10_000.0, allow_inf_nan=False)] = 0.0
    """Hours the squad stays at the objective (SPEC section 8); the risk assessment counts
    them as time within reach of threats near it (docs/risk.md)."""


class Window(_Model):
    earliest: dt.date
    latest: dt.date | None = None  # the last day to leave; absent: the earliest day only
    due: dt.date | None = None

    @model_validator(mode="after")
    def _due_after_earliest(self) -> Self:
        if self.latest is not None and self.latest < self.earliest:
            raise ValueError("latest is before earliest")
        if self.due is not None and self.due < self.earliest:
            raise ValueError("due is before earliest")
        return self


class SquadCheckin(_Model):
    """A check-in received from a squad in the field: when, and where (if it said)."""

    place: Ident | None = None
    at: LocalTime


class RescueProposal(_Model):
    """The rescue proposed when an overdue squad's check-in was missed (SPEC section 12),
    kept with the mission while it is overdue: judged then, with what was known then, so
    an exported and imported office proposes the same. `rescue` is the proposal as
    `overdue` shows it (operations/rescue.Rescue)."""

    checkin_due: LocalTime
    last_place: Ident
    rescue: dict[str, Any]


class RankOverride(_Model):
    """The game master's word on a mission's effective rank (SPEC section 11): which rank,
    why, who said so and when. It replaces the judged rank wherever the rank is used."""

    rank: MissionRankField
    reason: Annotated[str, Field(min_length=1, max_length=10_000, pattern=r"\S")]
    by: Ident
    at: LocalTime


class Squad(_Model):
    leader: Ident
    members: list[Ident] = []

    @model_validator(mode="after")
    def _leader_not_member(self) -> Self:
        if self.leader in self.members:
            raise ValueError(f"the leader {self.leader!r} is also listed as a member")
        if len(set(self.members)) != len(self.members):
            raise ValueError("a member is listed twice")
        return self

    @property
    def everyone(self) -> list[str]:
        return [self.leader, *self.members]


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
    # The office's running state (v2): the rank as last judged, the squad planned or
    # committed, its departure (planned, then actual) and the check-ins received.
    effective_rank: MissionRankField | None = None
    squad: Squad | None = None
    departs: LocalTime | None = None
    checkins: list[SquadCheckin] = []
    rescue_of: Ident | None = None  # a rescue names the mission whose squad it went after
    override: RankOverride | None = None
    volunteers: list[Ident] = []  # shinobi who asked to go (SPEC section 13)
    rescue_proposal: RescueProposal | None = None  # an overdue squad's, when it went quiet

    @model_validator(mode="after")
    def _default_priority(self) -> Self:
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
    def _returned_after_departed(self) -> Self:
        if self.returned < self.departed:
            raise ValueError("returned is before departed")
        return self


class Clearance(_Model):
    """A wellbeing flag cleared by a person (`wellbeing clear`), kept with the village."""

    shinobi: Ident
    kind: FlagKindField
    on: dt.date
    by: Ident


class LedgerEntry(_Model):
    """A share of a reward a report paid (SPEC section 13), as the append-only ledger holds
    it; the village's cut names no shinobi."""

    at: LocalTime
    mission: Ident
    outcome: OutcomeField
    shinobi: Ident | None = None
    share: Literal["village", "leader", "member"]
    ryo: Annotated[int, Field(ge=0, le=2**31 - 1, strict=True)]  # an INTEGER column

    @model_validator(mode="after")
    def _only_the_village_cut_is_nobodys(self) -> Self:
        if self.share == "village" and self.shinobi is not None:
            raise ValueError("the village's share names no shinobi")
        if self.share != "village" and self.shinobi is None:
            raise ValueError(f"a {self.share}'s share names the shinobi it was paid to")
        return self


class VillageSections(_Model):
    """The village file's shape, every section optional: the one definition of the
    sections, shared by a whole village (`Village`) and a partial file (`village apply`'s
    `VillagePatch`, which adds or replaces records section by section)."""

    format: str
    village: VillageInfo | None = None
    settings: Settings | None = None
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
    wellbeing_clearances: list[Clearance] = []
    promotion: list[PromotionRule] = []  # SPEC section 13

    @field_validator("format", mode="before")
    @classmethod
    def _known_format(cls, value: object) -> object:
        if value == FORMAT_V1:
            return FORMAT  # what v1 says, v2 says the same way (`today` aside)
        if value != FORMAT:
            raise ValueError(
                f"{value!r} is not a known format (expected {FORMAT!r}, or {FORMAT_V1!r})"
            )
        return value


class Village(VillageSections):
    """A whole village: its record and settings, every section, and its ledger."""

    format: Literal["missiondesk/village/v2"]
    village: VillageInfo
    settings: Settings = Settings()
    ledger: list[LedgerEntry] = []  # rewards paid, oldest first (SPEC section 13)
