"""Read-only views every front end shares: one mission with its squad, the bingo book.

They only gather what the services and the store already answer, so a page and its API
route can never disagree.
"""

from __future__ import annotations

from pydantic import BaseModel

from missiondesk.domain.village import (
    Countermeasure,
    Mission,
    Organization,
    Place,
    Road,
    Sighting,
    Threat,
)
from missiondesk.services import village as village_service
from missiondesk.services.missions import mission_row, squad_rows
from missiondesk.services.rescue import RescueSummary, rescues_of
from missiondesk.services.village import require_village
from missiondesk.store.database import Database
from missiondesk.store.village_rows import mission_document


class SquadMember(BaseModel):
    shinobi: str
    leader: bool
    roles: list[str]
    reasons: list[str]


class MissionDetail(BaseModel):
    mission: Mission
    effective_rank: str | None
    squad: list[SquadMember]
    rescue_of: str | None = None  # for a rescue: the mission whose squad it went to find
    rescues: list[RescueSummary] = []  # for a lost squad: the rescues sent, with their reports


def mission_detail(db: Database, mission_id: str) -> MissionDetail:
    """The mission as the village file has it, its effective rank and its squad (leader
    first), if one was planned."""
    with db.reading() as connection:
        require_village(connection)
        row = mission_row(connection, mission_id)
        squad = [
            SquadMember(
                shinobi=s["shinobi_id"],
                leader=bool(s["is_leader"]),
                roles=list(s["roles"] or []),
                reasons=list(s["reasons"] or []),
            )
            for s in squad_rows(connection, mission_id)
        ]
        rescues = rescues_of(connection, mission_id)
    mission = Mission.model_validate(mission_document(row))
    return MissionDetail(
        mission=mission,
        effective_rank=row["effective_rank"],
        squad=squad,
        rescue_of=row["rescue_of"],
        rescues=rescues,
    )


class BingoBook(BaseModel):
    organizations: list[Organization]
    threats: list[Threat]
    sightings: list[Sighting]
    countermeasures: list[Countermeasure]
    places: list[Place]
    roads: list[Road]


def bingo_book(db: Database) -> BingoBook:
    village = village_service.export_village(db)
    return BingoBook(
        organizations=village.organizations,
        threats=village.threats,
        sightings=village.sightings,
        countermeasures=village.countermeasures,
        places=village.places,
        roads=village.roads,
    )
