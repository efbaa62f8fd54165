"""Applying an after-action report: roster, intelligence, history and the risk data, at once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Connection, func, insert, select, update

from missiondesk.domain.ranks import IN_THE_FIELD, MissionStatus
from missiondesk.errors import BadInput, Conflict
from missiondesk.operations.reports import ReportFile, status_after
from missiondesk.operations.transitions import Step
from missiondesk.services.clock import act_at
from missiondesk.services.events import record_event
from missiondesk.services.lifecycle import release_commitments
from missiondesk.services.missions import mission_row, squad_on_record, transition
from missiondesk.services.players import pay_reward
from missiondesk.services.village import current_village
from missiondesk.services.wellbeing import flags_in_force, record_flags_raised
from missiondesk.store import tables as t
from missiondesk.store.database import Database
from missiondesk.store.records import refresh_records
from missiondesk.villagefile.parse import load_document


class ReportResult(BaseModel):
    mission: str
    outcome: str
    injured: list[dict[str, Any]]
    sightings_added: int
    interests_learned: list[str]


def apply_report_file(db: Database, mission_id: str, path: Path, *, actor: str) -> ReportResult:
    report = load_document(path, ReportFile)
    return apply_report(db, mission_id, report, actor=actor)


def apply_report(db: Database, mission_id: str, report: ReportFile, *, actor: str) -> ReportResult:
    with db.transaction() as connection:
        _check_reportable(mission_row(connection, mission_id))
        # The report is dated at the return (refused years ahead: a typo); what fell due
        # before it is recorded first, so the mission is read as that time left it.
        act_at(connection, report.returned, actor=actor)
        mission = mission_row(connection, mission_id)
        squad = squad_on_record(connection, mission_id)
        _check_report(connection, mission, squad, report)
        flags_before = flags_in_force(connection, current_village(connection))
        injured = _update_roster(connection, squad, report)
        sightings = _learn_encounters(connection, report)
        learned = _learn_interest(connection, mission, report, actor)
        _append_history(connection, mission, squad, report)
        refresh_records(connection)  # the roster's counts follow the history
        paid = pay_reward(connection, mission, squad, report.outcome, report.returned)
        transition(
            connection,
            mission,
            Step.REPORT,
            actor=actor,
            at=report.returned,
            after={
                "report": report.model_dump(mode="json"),
                "paid": [s.model_dump(mode="json") for s in paid],
            },
            returned_at=report.returned,
        )
        release_commitments(connection, mission_id)
        record_flags_raised(connection, flags_before, actor=actor, at=report.returned)
    return ReportResult(
        mission=mission_id,
        outcome=report.outcome.value,
        injured=injured,
        sightings_added=sightings,
        interests_learned=learned,
    )


def _check_reportable(mission: dict[str, Any]) -> None:
    status = mission["status"]
    if status == MissionStatus.CLOSED:
        raise Conflict(f"mission {mission['id']!r} already has its report", field="mission")
    if status not in IN_THE_FIELD:
        raise Conflict(
            f"mission {mission['id']!r} is {status}; a report is for a dispatched mission",
            field="mission",
        )


def _check_report(
    connection: Connection, mission: dict[str, Any], squad: list[str], report: ReportFile
) -> None:
    problems: list[tuple[str, str]] = []
    on_squad = set(squad)
    known = _ids(connection, t.shinobi, [i.shinobi for i in report.injuries])
    seen: set[str] = set()
    for n, injury in enumerate(report.injuries):
        where = f"injuries[{n}].shinobi"
        if injury.shinobi not in known:
            problems.append((where, f"no shinobi {injury.shinobi!r} on the roster"))
        elif injury.shinobi not in on_squad:
            problems.append(
                (where, f"{injury.shinobi!r} was not on the squad ({', '.join(squad)})")
            )
        elif injury.shinobi in seen:
            problems.append((where, f"{injury.shinobi!r} is listed twice"))
        seen.add(injury.shinobi)
    threats = [e.threat for e in report.encounters]
    if report.objective_taken_by:
        threats.append(report.objective_taken_by)
    known_threats = _ids(connection, t.threat, threats)
    known_places = _ids(connection, t.place, [e.place for e in report.encounters])
    for n, encounter in enumerate(report.encounters):
        if encounter.threat not in known_threats:
            problems.append((f"encounters[{n}].threat", f"no threat {encounter.threat!r}"))
        if encounter.place not in known_places:
            problems.append((f"encounters[{n}].place", f"no place {encounter.place!r}"))
    if report.objective_taken_by and report.objective_taken_by not in known_threats:
        problems.append(("objective_taken_by", f"no threat {report.objective_taken_by!r}"))
    departed = mission["departed_at"]
    if departed is not None and report.returned < departed:
        problems.append(("returned", f"is before the departure ({departed:%Y-%m-%dT%H:%M})"))
    if problems:
        field, _ = problems[0]
        raise BadInput("; ".join(f"{f}: {m}" for f, m in problems), field=field)


def _ids(connection: Connection, table: Any, wanted: list[str]) -> set[str]:
    if not wanted:
        return set()
    return {r[0] for r in connection.execute(select(table.c.id).where(table.c.id.in_(set(wanted))))}


def _update_roster(
    connection: Connection, squad: list[str], report: ReportFile
) -> list[dict[str, Any]]:
    by_shinobi = {i.shinobi: i for i in report.injuries}
    injured = []
    for shinobi_id in squad:
        injury = by_shinobi.get(shinobi_id)
        status, back = status_after(injury, report.returned.date())
        connection.execute(
            update(t.shinobi)
            .where(t.shinobi.c.id == shinobi_id)
            .values(status=status, available_from=back)
        )
        if injury is not None:
            injured.append(
                {
                    "shinobi": shinobi_id,
                    "severity": injury.severity.value,
                    "status": status.value,
                    "available_from": back.isoformat() if back else None,
                }
            )
    return injured


def _next_position(connection: Connection, table: Any) -> int:
    return (
        int(connection.execute(select(func.coalesce(func.max(table.c.position), -1))).scalar_one())
        + 1
    )


def _learn_encounters(connection: Connection, report: ReportFile) -> int:
    """Every threat met becomes a sighting, certain (confidence 1)."""
    start = _next_position(connection, t.sighting)
    rows = [
        {"position": start + n, "threat": e.threat, "place": e.place, "at": e.at, "confidence": 1.0}
        for n, e in enumerate(report.encounters)
    ]
    if rows:
        connection.execute(insert(t.sighting), rows)
    return len(rows)


def _learn_interest(
    connection: Connection, mission: dict[str, Any], report: ReportFile, actor: str
) -> list[str]:
    """A threat that took the objective teaches what its organisation wants: the tags."""
    if not report.objective_taken_by:
        return []
    org_id = connection.execute(
        select(t.threat.c.organization).where(t.threat.c.id == report.objective_taken_by)
    ).scalar_one_or_none()
    if org_id is None:
        return []
    interests = connection.execute(
        select(t.organization.c.interests).where(t.organization.c.id == org_id)
    ).scalar_one()
    learned = [tag for tag in mission["tags"] if tag not in interests]
    if learned:
        connection.execute(
            update(t.organization)
            .where(t.organization.c.id == org_id)
            .values(interests=[*interests, *learned])
        )
        record_event(
            connection,
            actor=actor,
            kind="organization.interests",
            subject=org_id,
            before={"interests": interests},
            after={"interests": [*interests, *learned], "from_mission": mission["id"]},
            at=report.returned,
        )
    return learned


def _append_history(
    connection: Connection, mission: dict[str, Any], squad: list[str], report: ReportFile
) -> None:
    position = _next_position(connection, t.history)
    connection.execute(
        insert(t.history).values(
            position=position,
            mission_id=mission["id"],
            title=mission["title"],
            rank=mission["rank"],
            route=mission["route"],
            kind=mission["kind"],
            tags=mission["tags"],
            on_site_hours=mission.get("on_site_hours"),
            leader=squad[0],
            departed=mission["departed_at"] or report.returned,
            returned=report.returned,
            outcome=report.outcome.value,
            objective_taken_by=report.objective_taken_by,
            notes=report.notes,
        )
    )
    members = [{"history": position, "position": n, "shinobi": s} for n, s in enumerate(squad[1:])]
    if members:
        connection.execute(insert(t.history_member), members)
    injuries = [
        {
            "history": position,
            "position": n,
            "shinobi": i.shinobi,
            "severity": i.severity.value,
            "recovery_days": i.recovery_days,
        }
        for n, i in enumerate(report.injuries)
    ]
    if injuries:
        connection.execute(insert(t.history_injury), injuries)
    encounters = [
        {"history": position, "position": n, "threat": e.threat, "place": e.place, "at": e.at}
        for n, e in enumerate(report.encounters)
    ]
    if encounters:
        connection.execute(insert(t.history_encounter), encounters)
