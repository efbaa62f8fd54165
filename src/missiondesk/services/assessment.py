"""Assessing missions against the village's intelligence, and the simulator's fitted model."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import Connection, insert, select, update

from missiondesk.domain.assessment import Assessment
from missiondesk.domain.ranks import ON_THE_BOARD, MissionStatus
from missiondesk.domain.village import Mission, Village
from missiondesk.errors import BadInput, NotFound, named
from missiondesk.operations.transitions import MOVES, Step, allows
from missiondesk.risk.assessment import assess_board, assess_mission
from missiondesk.risk.engagement import EngagementCalibration, engagement_calibration
from missiondesk.risk.fitting import Calibration, calibration, fit_model
from missiondesk.risk.simulation import ModelParameters, SimulationResult, simulate_squad
from missiondesk.services.events import record_event
from missiondesk.services.missions import mission_row, transition
from missiondesk.services.village import current_village
from missiondesk.store import tables as t
from missiondesk.store.database import Database


def find_mission(village: Village, mission_id: str) -> Mission:
    for mission in village.missions:
        if mission.id == mission_id:
            return mission
    raise NotFound(f"no mission {mission_id!r} in this village", field="mission")


def assess(db: Database, mission_id: str) -> Assessment:
    """One mission's assessment, as of the intelligence stored now (changes nothing)."""
    with db.reading() as connection:
        village = current_village(connection)
    return assess_mission(village, find_mission(village, mission_id))


def store_assessment(connection: Connection, assessment: Assessment, **values: object) -> None:
    """Remember one mission's effective rank and assessment (and any other `values`)."""
    connection.execute(
        update(t.mission)
        .where(t.mission.c.id == assessment.mission)
        .values(
            effective_rank=assessment.effective_rank.value,
            assessment=assessment.model_dump(mode="json"),
            **values,
        )
    )


def store_assessments(connection: Connection, assessments: dict[str, Assessment]) -> None:
    """Remember each mission's effective rank; intake missions become `assessed`."""
    for assessment in assessments.values():
        store_assessment(connection, assessment)
    connection.execute(
        update(t.mission)
        .where(t.mission.c.id.in_(list(assessments)), t.mission.c.status == MissionStatus.INTAKE)
        .values(status=MissionStatus.ASSESSED, version=t.mission.c.version + 1)
    )


def board_missions(village: Village) -> list[Mission]:
    return [m for m in village.missions if m.status in ON_THE_BOARD]


def assess_all(db: Database, *, actor: str) -> list[Assessment]:
    """Assess the whole board; intake missions move to `assessed`."""
    with db.transaction() as connection:
        village = current_village(connection)
        missions = board_missions(village)
        assessments = assess_board(village, missions)
        for mission in missions:
            a = assessments[mission.id]
            store_assessment(connection, a)
            ranks = {"effective_rank": a.effective_rank.value, "understated": a.understated}
            if allows(Step.ASSESS, mission.status):
                row = mission_row(connection, mission.id)
                transition(connection, row, Step.ASSESS, actor=actor, after=ranks)
            else:  # assessed again: the new ranks are logged, the status stays
                record_event(
                    connection,
                    actor=actor,
                    kind=MOVES[Step.ASSESS].event,
                    subject=mission.id,
                    before={"status": mission.status.value},
                    after={"status": mission.status.value, **ranks},
                )
    return list(assessments.values())


def model_parameters(connection: Connection) -> ModelParameters:
    """The newest fitted model, or the documented defaults when none was fitted."""
    row = connection.execute(
        select(t.risk_model.c.parameters).order_by(t.risk_model.c.id.desc()).limit(1)
    ).scalar_one_or_none()
    return ModelParameters.model_validate(row) if row is not None else ModelParameters()


def simulate(
    db: Database, mission_id: str, squad: Sequence[str], *, trials: int = 20_000, seed: int = 0
) -> tuple[Assessment, SimulationResult]:
    with db.reading() as connection:
        village = current_village(connection)
        params = model_parameters(connection)
    mission = find_mission(village, mission_id)
    known = {s.id for s in village.shinobi}
    unknown = [s for s in squad if s not in known]
    if unknown:
        raise BadInput(
            f"{named('squad')}: no shinobi {', '.join(map(repr, unknown))}", field="squad"
        )
    if len(set(squad)) != len(squad):
        raise BadInput(f"{named('squad')}: a shinobi is listed twice", field="squad")
    assessment = assess_mission(village, mission)
    result = simulate_squad(
        village,
        mission,
        list(squad),
        assessment=assessment,
        params=params,
        trials=trials,
        seed=seed,
    )
    return assessment, result


def fit(db: Database, *, actor: str) -> ModelParameters:
    """Fit the simulator's parameters from the village's reports and keep them."""
    with db.transaction() as connection:
        village = current_village(connection)
        params = fit_model(village)
        connection.execute(
            insert(t.risk_model).values(
                fitted_at=dt.datetime.now().replace(microsecond=0),
                parameters=params.model_dump(mode="json"),
            )
        )
        record_event(
            connection,
            actor=actor,
            kind="model.fitted",
            subject=village.village.id,
            after=params.model_dump(mode="json"),
        )
    return params


def calibrate(db: Database, *, holdout_fraction: float = 0.3, seed: int = 0) -> Calibration:
    with db.reading() as connection:
        village = current_village(connection)
    return calibration(village, holdout_fraction=holdout_fraction, seed=seed)


def calibrate_engagement(db: Database) -> EngagementCalibration:
    """The engagement probabilities against the reports' encounters, with the fitted scales
    (changes nothing: a village adopts fitted values by setting them under settings.risk)."""
    with db.reading() as connection:
        village = current_village(connection)
    return engagement_calibration(village)
