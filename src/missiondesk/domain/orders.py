"""Standing orders as data: the v1 vocabulary of SPEC section 4, one model per rule.

An order in a village file is flat: `{id, rule, <parameters>, when: {min_rank}}`. The
`rule` field picks the model, so a misspelt rule or a missing parameter is an error that
names the order. What each rule *means* lives in `missiondesk.planning.rules`.
"""

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from missiondesk.domain.vocabulary import FlagKindField, MissionRankField, RankField

ID_PATTERN = r"^[a-z0-9][a-z0-9._-]*$"
_ID = re.compile(ID_PATTERN)


def _an_id(value: str) -> str:
    """Ids become path segments of the web pages and words on the command line: one safe
    spelling only (`m-00004/../m-00005` once made an Approve button approve m-00005)."""
    if not _ID.match(value):
        raise ValueError(
            f"{value!r} is not an id: use a-z, 0-9, '-', '_' and '.', "
            "starting with a letter or a digit"
        )
    return value


Ident = Annotated[
    str,
    Field(min_length=1, max_length=200, json_schema_extra={"pattern": ID_PATTERN}),
    AfterValidator(_an_id),
]
"""An id, or any name the village file uses as one (skills, roles, tags, abilities)."""


class When(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    min_rank: MissionRankField


class _Order(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    id: Ident
    when: When | None = None


class RequireRole(_Order):
    rule: Literal["require_role"]
    role: Ident
    count: Annotated[int, Field(ge=1, strict=True)] = 1


class LeaderMinRank(_Order):
    rule: Literal["leader_min_rank"]
    rank: RankField


class RequireRank(_Order):
    rule: Literal["require_rank"]
    rank: RankField
    count: Annotated[int, Field(ge=1, strict=True)] = 1


class ForbidRank(_Order):
    rule: Literal["forbid_rank"]
    rank: RankField


class MinSize(_Order):
    rule: Literal["min_size"]
    size: Annotated[int, Field(ge=1, strict=True)]


class MaxSize(_Order):
    rule: Literal["max_size"]
    size: Annotated[int, Field(ge=1, strict=True)]


class MaxMissions(_Order):
    rule: Literal["max_missions"]
    count: Annotated[int, Field(ge=1, strict=True)]
    days: Annotated[int, Field(ge=1, strict=True)]


class MinRest(_Order):
    rule: Literal["min_rest"]
    days: Annotated[int, Field(ge=0, strict=True)]


class CounterThreats(_Order):
    rule: Literal["counter_threats"]
    min_probability: Annotated[float, Field(ge=0.0, le=1.0)]


class WellbeingLimit(_Order):
    rule: Literal["wellbeing_limit"]
    flag: FlagKindField
    forbid: Literal["lead", "join"]


class VolunteersOnly(_Order):
    """Only shinobi who volunteered for the mission are sent (SPEC section 13)."""

    rule: Literal["volunteers_only"]


class MaxRankAbove(_Order):
    """A shinobi goes only on missions whose effective rank is at most their grade plus
    `ranks` (grades: academy and genin D, chunin C, special_jonin B, jonin A, kage S)."""

    rule: Literal["max_rank_above"]
    ranks: Annotated[int, Field(ge=0, le=4, strict=True)]


class KeepTeams(_Order):
    """Members of one `team` are sent together or not at all (docs/planning.md)."""

    rule: Literal["keep_teams"]


StandingOrder = Annotated[
    RequireRole
    | LeaderMinRank
    | RequireRank
    | ForbidRank
    | MinSize
    | MaxSize
    | MaxMissions
    | MinRest
    | CounterThreats
    | WellbeingLimit
    | VolunteersOnly
    | MaxRankAbove
    | KeepTeams,
    Field(discriminator="rule"),
]

RULES: tuple[str, ...] = (
    "require_role",
    "leader_min_rank",
    "require_rank",
    "forbid_rank",
    "min_size",
    "max_size",
    "max_missions",
    "min_rest",
    "counter_threats",
    "wellbeing_limit",
    "volunteers_only",
    "max_rank_above",
    "keep_teams",
)

PLAYER_RULES: tuple[str, ...] = ("volunteers_only", "max_rank_above", "keep_teams")
"""The orders of SPEC section 13, for villages whose players volunteer and form teams."""
