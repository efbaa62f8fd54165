"""Promotion rules as data (SPEC section 13): `{from, to, missions: {rank: n}, successes}`.

A shinobi of rank `from` meets the rule when their record holds at least `missions[R]`
missions of each rank R and at least `successes` successful missions in all.
"""

from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from missiondesk.domain.vocabulary import MissionRankField, RankField


class PromotionRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)
    from_: RankField = Field(alias="from")
    to: RankField
    missions: dict[MissionRankField, Annotated[int, Field(ge=0, strict=True)]] = {}
    successes: Annotated[int, Field(ge=0, strict=True)] = 0

    @model_validator(mode="after")
    def _upwards(self) -> Self:
        if self.to <= self.from_:
            raise ValueError(f"promotes {self.from_.value} to {self.to.value}, which is not higher")
        return self
