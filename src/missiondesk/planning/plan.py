"""The shape of a plan (SPEC section 7, `plan --json`), and of what the validator finds."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    SerializerFunctionWrapHandler,
    model_serializer,
    model_validator,
)

from missiondesk.domain.ranks import MissionRank
from missiondesk.domain.village import RankOverride, Squad


class _Shape(BaseModel):
    model_config = ConfigDict(frozen=True)


class PlannedMember(_Shape):
    shinobi: str
    roles: list[str]  # every village role this shinobi fills
    reasons: list[str]  # why they are on this squad


class PlannedSquad(_Shape):
    """A squad of the plan. In Python, `members` lists everyone, the leader first (so the
    leader's roles and reasons travel with the rest). Written out (JSON, the API, the
    stored plan) it takes SPEC section 4's shape: `members` are the others, and the
    leader's roles and reasons are `leader_roles` and `leader_reasons`."""

    mission: str
    effective_rank: MissionRank
    leader: str
    members: list[PlannedMember]  # everyone on the squad, the leader first
    reasons: list[str]  # how the squad meets each order that applies
    judged_rank: MissionRank | None = None  # what the evidence made of it
    override: RankOverride | None = None  # the game master's rank, used as effective_rank
    departs: dt.datetime | None = None  # village time; None only in plans stored before it
    returns: dt.datetime | None = None  # departs + road hours of the route + hours on site

    @model_serializer(mode="wrap")
    def _as_spec_says(self, write: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = write(self)
        everyone = data["members"]
        leader = next((m for m in everyone if m["shinobi"] == self.leader), None)
        data["members"] = [m for m in everyone if m["shinobi"] != self.leader]
        data["leader_roles"] = leader["roles"] if leader else []
        data["leader_reasons"] = leader["reasons"] if leader else []
        return data

    @model_validator(mode="before")
    @classmethod
    def _from_what_was_written(cls, data: Any) -> Any:
        if isinstance(data, dict) and "leader_roles" in data:
            data = dict(data)
            leader = {
                "shinobi": data["leader"],
                "roles": data.pop("leader_roles"),
                "reasons": data.pop("leader_reasons", []),
            }
            data["members"] = [leader, *data.get("members", [])]
        return data

    def squad(self) -> Squad:
        """As the domain's squad: the leader, and the others as members."""
        return Squad(
            leader=self.leader,
            members=[m.shinobi for m in self.members if m.shinobi != self.leader],
        )


class UnstaffedMission(_Shape):
    mission: str
    effective_rank: MissionRank
    reasons: list[str]  # which orders could not be met, and by what margin
    judged_rank: MissionRank | None = None
    override: RankOverride | None = None


class Benched(_Shape):
    """A shinobi available during the plan and on no squad, and why, in words."""

    shinobi: str
    reason: str


class Quality(_Shape):
    """The second objective's points (docs/planning.md), in total and by term."""

    total: int
    bound: int | None  # CP-SAT's proven bound on the total, when it has one
    terms: dict[str, int]


class Baseline(_Shape):
    """The greedy plan the search started from."""

    objective: int
    quality: int


class Plan(_Shape):
    status: Literal["optimal", "feasible"]
    objective: int  # total priority of the staffed missions
    bound: int  # proven upper bound on `objective`
    bound_scope: Literal["board", "candidates"]  # what the bound is proven over
    squads: list[PlannedSquad]
    unstaffed: list[UnstaffedMission]
    moved: int  # previous assignments (shinobi on mission) this plan changed
    quality: Quality
    baseline: Baseline
    seconds: dict[str, float | None]  # "total", "priority_proven" (None when not proven)
    bench: list[Benched] = []  # every available shinobi left idle, and why

    def squads_by_mission(self) -> dict[str, Squad]:
        return {s.mission: s.squad() for s in self.squads}

    def departures(self) -> dict[str, dt.datetime]:
        """Mission -> its squad's planned departure (squads that have one)."""
        return {s.mission: s.departs for s in self.squads if s.departs is not None}


class Violation(_Shape):
    """A broken rule in a plan: which mission, which order (or "always"), and a sentence."""

    mission: str
    order: str
    rule: str
    message: str
