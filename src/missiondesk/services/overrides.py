"""The game master overrules the judged rank (SPEC section 11): set or clear a mission's rank
override, one transaction each, logged with who, why and when.

The override lives on the mission (the village file's `override: {rank, reason, by, at}`),
so everything that reads the effective rank (the board, the planner, approval, a rescue)
reads it through the assessment, which returns the override's rank as the effective one
beside the judged rank.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, update

from missiondesk.domain.assessment import Assessment
from missiondesk.domain.ranks import ON_THE_BOARD, MissionRank, MissionStatus
from missiondesk.domain.village import RankOverride
from missiondesk.errors import BadInput, Conflict
from missiondesk.risk.assessment import assess_mission
from missiondesk.services.assessment import find_mission, store_assessment
from missiondesk.services.events import record_event
from missiondesk.services.missions import mission_row, now_minute
from missiondesk.services.village import current_village
from missiondesk.store import tables as t
from missiondesk.store.database import Database

MAX_REASON = 2000


def _rank(value: str) -> MissionRank:
    try:
        return MissionRank(value.strip().upper())
    except ValueError:
        ranks = ", ".join(r.value for r in MissionRank)
        raise BadInput(f"rank: {value!r} is not a mission rank ({ranks})", field="rank") from None


def _reason(value: str | None) -> str:
    text = (value or "").strip()
    if not text:
        raise BadInput(
            "reason: say why the rank is overruled (a reason is required)", field="reason"
        )
    if len(text) > MAX_REASON:
        raise BadInput(f"reason: at most {MAX_REASON} characters", field="reason")
    return text


def _overridable(status: str, mission_id: str) -> None:
    if MissionStatus(status) not in ON_THE_BOARD:
        raise Conflict(
            f"mission {mission_id!r} is {status}; only a mission on the board (intake, "
            "assessed or planned) can have its rank overruled",
            field="mission",
        )


def set_override(
    db: Database,
    mission_id: str,
    *,
    rank: str,
    reason: str | None,
    actor: str,
    at: dt.datetime | None = None,
) -> Assessment:
    """Overrule the mission's rank: `rank` becomes its effective rank until cleared. Returns
    the mission's assessment with the override in force."""
    chosen, why = _rank(rank), _reason(reason)
    with db.transaction() as connection:
        row = mission_row(connection, mission_id)
        _overridable(row["status"], mission_id)
        override = RankOverride(rank=chosen, reason=why, by=actor, at=at or now_minute())
        return _store(connection, mission_id, override, row.get("override"), actor)


def clear_override(db: Database, mission_id: str, *, actor: str) -> Assessment:
    """Remove the override: the judged rank is the effective rank again."""
    with db.transaction() as connection:
        row = mission_row(connection, mission_id)
        if row.get("override") is None:
            raise Conflict(f"mission {mission_id!r} has no rank override to clear", field="mission")
        _overridable(row["status"], mission_id)
        return _store(connection, mission_id, None, row["override"], actor)


def _store(
    connection: Connection,
    mission_id: str,
    override: RankOverride | None,
    before: object,
    actor: str,
) -> Assessment:
    """Write the override, then the mission's assessment as it now reads, and log it."""
    stored = override.model_dump(mode="json") if override else None
    connection.execute(
        update(t.mission).where(t.mission.c.id == mission_id).values(override=stored)
    )
    village = current_village(connection)
    assessment = assess_mission(village, find_mission(village, mission_id))
    store_assessment(connection, assessment, version=t.mission.c.version + 1)
    record_event(
        connection,
        actor=actor,
        kind="mission.rank_overridden" if override else "mission.override_cleared",
        subject=mission_id,
        before={"override": before},
        after={
            "override": stored,
            "judged_rank": assessment.judged_rank.value if assessment.judged_rank else None,
            "effective_rank": assessment.effective_rank.value,
        },
        at=override.at if override else None,
    )
    return assessment
