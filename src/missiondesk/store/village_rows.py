"""Bulk movement of a whole village between the domain model and the database.

Rows are built as plain dicts and written with one executemany per table; reading is one
SELECT per table, grouped in Python. No ORM object is made per row: a village of 20,000
shinobi and 50,000 history entries must import and export in seconds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Table, delete, func, insert, select

from missiondesk.domain.ranks import COMMITTED, IN_THE_FIELD, MissionStatus
from missiondesk.store import tables as t
from missiondesk.store.ledger import append_file_ledger, ledger_documents, new_book
from missiondesk.store.records import refresh_records

if TYPE_CHECKING:
    from missiondesk.domain.village import Mission, Village
    from missiondesk.risk.roads import RoadNetwork

_CHUNK = 20_000


def has_village(connection: Connection) -> bool:
    return bool(connection.execute(select(func.count()).select_from(t.village)).scalar())


def delete_village(connection: Connection) -> None:
    """Remove the village and its running state (for `--replace`, inside its transaction)."""
    for table in (*reversed(t.VILLAGE_TABLES), *t.OPERATION_TABLES):
        connection.execute(delete(table))


def insert_village(connection: Connection, village: Village) -> None:
    """Write the village, its running state, and its ledger into a new book (the ledger is
    append-only: a replaced village's rows stay, in their own book; store/ledger.py)."""
    book = new_book()
    for table, rows in _village_rows(village):
        if table is t.village:
            rows = [{**row, "ledger_book": book} for row in rows]
        _insert_many(connection, table, rows)
    for table, rows in _office_rows(village):
        _insert_many(connection, table, rows)
    append_file_ledger(connection, village, book)
    refresh_records(connection)


def _insert_many(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    statement = insert(table)
    for start in range(0, len(rows), _CHUNK):
        chunk = rows[start : start + _CHUNK]
        if chunk:
            connection.execute(statement, chunk)


def village_table_rows(village: Village) -> dict[Table, list[dict[str, Any]]]:
    """Each table's rows for `village`, positions counted from 0: the one mapping from
    records to rows, also used by partial writes (`village apply`)."""
    rows = dict(_village_rows(village))
    rows[t.wellbeing_clearance] = _clearance_rows(village)
    return rows


def _village_rows(v: Village) -> Iterable[tuple[Table, list[dict[str, Any]]]]:
    yield (
        t.village,
        [
            {
                "id": v.village.id,
                "name": v.village.name,
                "now": v.village.now,
                "clock": v.village.clock,
                "settings": v.settings.model_dump(mode="json"),
                "skills": list(v.skills),
            }
        ],
    )
    yield t.place, [{"id": p.id, "position": i, "name": p.name} for i, p in enumerate(v.places)]
    yield (
        t.road,
        [
            {"position": i, "from_place": r.from_, "to_place": r.to, "hours": r.hours}
            for i, r in enumerate(v.roads)
        ],
    )
    yield (
        t.role,
        [
            {"name": name, "position": i, "requirements": dict(req)}
            for i, (name, req) in enumerate(v.roles.items())
        ],
    )
    yield (
        t.shinobi,
        [
            {
                "id": s.id,
                "position": i,
                "name": s.name,
                "rank": s.rank.value,
                "skills": dict(s.skills),
                "techniques": list(s.techniques),
                "team": s.team,
                "status": s.status.value,
                "available_from": s.available_from,
            }
            for i, s in enumerate(v.shinobi)
        ],
    )
    in_the_field = any(m.status in IN_THE_FIELD for m in v.missions)
    # The road network (and NumPy behind it) loads only when a squad is out: reading the
    # board or the roster stays light.
    from missiondesk.risk.roads import RoadNetwork

    network = RoadNetwork.from_village(v) if in_the_field else None
    yield (
        t.mission,
        [
            {**mission_row(m, i), **mission_progress_row(m, v, network)}
            for i, m in enumerate(v.missions)
        ],
    )
    yield (
        t.organization,
        [
            {"id": o.id, "position": i, "name": o.name, "interests": list(o.interests)}
            for i, o in enumerate(v.organizations)
        ],
    )
    yield (
        t.threat,
        [
            {
                "id": th.id,
                "position": i,
                "name": th.name,
                "rank": th.rank.value,
                "organization": th.organization,
                "abilities": list(th.abilities),
            }
            for i, th in enumerate(v.threats)
        ],
    )
    yield (
        t.sighting,
        [
            {
                "position": i,
                "threat": s.threat,
                "place": s.place,
                "at": s.at,
                "confidence": s.confidence,
            }
            for i, s in enumerate(v.sightings)
        ],
    )
    yield (
        t.countermeasure,
        [
            {"position": i, "ability": c.ability, "advice": c.advice, "role": c.role}
            for i, c in enumerate(v.countermeasures)
        ],
    )
    yield (
        t.standing_order,
        [
            {
                "id": o.id,
                "position": i,
                "rule": o.rule,
                "definition": o.model_dump(mode="json", exclude_none=True),
            }
            for i, o in enumerate(v.standing_orders)
        ],
    )
    yield from _history_rows(v)
    yield from _player_rows(v)


def _player_rows(v: Village) -> Iterable[tuple[Table, list[dict[str, Any]]]]:
    """Volunteers and promotion rules (SPEC section 13)."""
    yield (
        t.volunteer,
        [
            {"mission": m.id, "shinobi": sid, "position": i}
            for m in v.missions
            for i, sid in enumerate(m.volunteers)
        ],
    )
    yield (
        t.promotion_rule,
        [
            {"position": i, "definition": r.model_dump(mode="json", by_alias=True)}
            for i, r in enumerate(v.promotion)
        ],
    )


def volunteers_by_mission(connection: Connection) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    rows = connection.execute(
        select(t.volunteer).order_by(t.volunteer.c.mission, t.volunteer.c.position)
    ).mappings()
    for r in rows:
        found.setdefault(r["mission"], []).append(r["shinobi"])
    return found


def mission_row(m: Any, position: int) -> dict[str, Any]:
    """The mission table's row for a domain Mission (file fields only)."""
    return {
        "id": m.id,
        "position": position,
        "title": m.title,
        "rank": m.rank.value,
        "priority": m.priority,
        "kind": m.kind,
        "client": m.client.model_dump(mode="json") if m.client else None,
        "tags": list(m.objective.tags),
        "route": list(m.route),
        "earliest": m.window.earliest if m.window else None,
        "latest": m.window.latest if m.window else None,
        "due": m.window.due if m.window else None,
        "on_site_hours": m.objective.on_site_hours,
        "reward_ryo": m.reward_ryo,
        "status": m.status.value,
        "rescue_of": getattr(m, "rescue_of", None),
        "override": m.override.model_dump(mode="json") if m.override else None,
        "rescue_proposal": m.rescue_proposal.model_dump(mode="json")
        if m.rescue_proposal and m.status == MissionStatus.OVERDUE
        else None,
    }


def mission_progress_row(
    m: Mission, village: Village, network: RoadNetwork | None
) -> dict[str, Any]:
    """The mission table's running-state columns for a v2 mission: its judged rank, its
    departure and, for a squad in the field, the check-ins due, recomputed from the
    departure and the route exactly as `dispatch` computes them."""
    due = None
    if m.status in IN_THE_FIELD and m.departs is not None and network is not None:
        from missiondesk.operations.schedule import planned_checkins

        due = planned_checkins(
            m.route,
            m.departs,
            network,
            village.settings.checkin_grace_hours,
            m.objective.on_site_hours,
        )
    return {
        "effective_rank": m.effective_rank.value if m.effective_rank else None,
        "departed_at": m.departs,
        "checkins_due": due,
    }


def _office_rows(v: Village) -> Iterable[tuple[Table, list[dict[str, Any]]]]:
    """The running state a v2 file carries: squads (and their commitments while in
    progress), the check-ins received, and the wellbeing clearances."""
    from missiondesk.domain.roles import fills_role

    skills = {s.id: s for s in v.shinobi}
    assignments: list[dict[str, Any]] = []
    commitments: list[dict[str, Any]] = []
    checkins: list[dict[str, Any]] = []
    for m in v.missions:
        if m.squad is not None:
            for position, shinobi_id in enumerate(m.squad.everyone):
                person = skills.get(shinobi_id)
                roles = (
                    sorted(r for r, need in v.roles.items() if fills_role(person, need))
                    if person is not None
                    else []
                )
                assignments.append(
                    {
                        "mission_id": m.id,
                        "shinobi_id": shinobi_id,
                        "is_leader": position == 0,
                        "position": position,
                        "roles": roles,
                        "reasons": [],
                    }
                )
                if m.status in COMMITTED:
                    commitments.append({"shinobi_id": shinobi_id, "mission_id": m.id})
        checkins.extend({"mission_id": m.id, "at": c.at, "place": c.place} for c in m.checkins)
    yield t.assignment, assignments
    yield t.commitment, commitments
    yield t.checkin, checkins
    yield t.wellbeing_clearance, _clearance_rows(v)


def _clearance_rows(v: Village) -> list[dict[str, Any]]:
    return [
        {"shinobi_id": c.shinobi, "kind": c.kind.value, "cleared_on": c.on, "by": c.by}
        for c in v.wellbeing_clearances
    ]


def _history_rows(v: Village) -> Iterable[tuple[Table, list[dict[str, Any]]]]:
    entries: list[dict[str, Any]] = []
    members: list[dict[str, Any]] = []
    injuries: list[dict[str, Any]] = []
    encounters: list[dict[str, Any]] = []
    for i, h in enumerate(v.history):
        entries.append(
            {
                "position": i,
                "mission_id": h.mission.id,
                "title": h.mission.title,
                "rank": h.mission.rank.value,
                "route": list(h.mission.route),
                "kind": h.mission.kind,
                "tags": list(h.mission.objective.tags),
                "on_site_hours": h.mission.objective.on_site_hours or None,
                "leader": h.squad.leader,
                "departed": h.departed,
                "returned": h.returned,
                "outcome": h.report.outcome.value,
                "objective_taken_by": h.report.objective_taken_by,
                "notes": h.report.notes,
            }
        )
        members.extend(
            {"history": i, "position": j, "shinobi": s} for j, s in enumerate(h.squad.members)
        )
        injuries.extend(
            {
                "history": i,
                "position": j,
                "shinobi": inj.shinobi,
                "severity": inj.severity.value,
                "recovery_days": inj.recovery_days,
            }
            for j, inj in enumerate(h.report.injuries)
        )
        encounters.extend(
            {"history": i, "position": j, "threat": e.threat, "place": e.place, "at": e.at}
            for j, e in enumerate(h.report.encounters)
        )
    yield t.history, entries
    yield t.history_member, members
    yield t.history_injury, injuries
    yield t.history_encounter, encounters


# --- Reading --------------------------------------------------------------------------


def _rows(connection: Connection, table: Table, order: Any) -> list[dict[str, Any]]:
    return [dict(r) for r in connection.execute(select(table).order_by(*order)).mappings()]


def load_village_document(connection: Connection) -> dict[str, Any]:
    """The stored village as a village-file document (plain data, not yet validated)."""
    # The village's models load when a whole village is read, not for the board's query.
    from missiondesk.domain.village import FORMAT

    head = connection.execute(select(t.village)).mappings().one()
    doc: dict[str, Any] = {
        "format": FORMAT,
        "village": {
            "id": head["id"],
            "name": head["name"],
            "now": head["now"],
            "clock": head["clock"],
        },
        "settings": head["settings"],
        "skills": head["skills"],
    }
    doc["places"] = [
        {"id": r["id"], "name": r["name"]} for r in _rows(connection, t.place, [t.place.c.position])
    ]
    doc["roads"] = [
        {"from": r["from_place"], "to": r["to_place"], "hours": r["hours"]}
        for r in _rows(connection, t.road, [t.road.c.position])
    ]
    doc["roles"] = {
        r["name"]: r["requirements"] for r in _rows(connection, t.role, [t.role.c.position])
    }
    doc["shinobi"] = [
        {
            "id": r["id"],
            "name": r["name"],
            "rank": r["rank"],
            "skills": r["skills"],
            "techniques": r["techniques"],
            "team": r["team"],
            "status": r["status"],
            "available_from": r["available_from"],
        }
        for r in _rows(connection, t.shinobi, [t.shinobi.c.position])
    ]
    doc["missions"] = _missions_in_progress(connection)
    doc["organizations"] = [
        {"id": r["id"], "name": r["name"], "interests": r["interests"]}
        for r in _rows(connection, t.organization, [t.organization.c.position])
    ]
    doc["threats"] = [
        {
            "id": r["id"],
            "name": r["name"],
            "rank": r["rank"],
            "organization": r["organization"],
            "abilities": r["abilities"],
        }
        for r in _rows(connection, t.threat, [t.threat.c.position])
    ]
    doc["sightings"] = [
        {"threat": r["threat"], "place": r["place"], "at": r["at"], "confidence": r["confidence"]}
        for r in _rows(connection, t.sighting, [t.sighting.c.position])
    ]
    doc["countermeasures"] = [
        {"ability": r["ability"], "advice": r["advice"], "role": r["role"]}
        for r in _rows(connection, t.countermeasure, [t.countermeasure.c.position])
    ]
    doc["standing_orders"] = [
        r["definition"] for r in _rows(connection, t.standing_order, [t.standing_order.c.position])
    ]
    doc["history"] = _history_documents(connection)
    doc["wellbeing_clearances"] = [
        {"shinobi": r["shinobi_id"], "kind": r["kind"], "on": r["cleared_on"], "by": r["by"]}
        for r in _rows(connection, t.wellbeing_clearance, [t.wellbeing_clearance.c.id])
    ]
    volunteers = volunteers_by_mission(connection)
    for mission in doc["missions"]:
        mission["volunteers"] = volunteers.get(mission["id"], [])
    doc["promotion"] = [
        r["definition"] for r in _rows(connection, t.promotion_rule, [t.promotion_rule.c.position])
    ]
    doc["ledger"] = ledger_documents(connection)
    return doc


def _missions_in_progress(connection: Connection) -> list[dict[str, Any]]:
    """Every mission's document with its squad and the check-ins received, if any."""
    squads: dict[str, list[str]] = defaultdict(list)
    order = [t.assignment.c.mission_id, t.assignment.c.is_leader.desc(), t.assignment.c.position]
    for r in _rows(connection, t.assignment, order):
        squads[r["mission_id"]].append(r["shinobi_id"])
    checkins: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in _rows(connection, t.checkin, [t.checkin.c.at, t.checkin.c.id]):
        checkins[r["mission_id"]].append({"place": r["place"], "at": r["at"]})
    out = []
    for r in _rows(connection, t.mission, [t.mission.c.position]):
        doc = mission_document(r)
        squad = squads.get(r["id"])
        if squad:
            doc["squad"] = {"leader": squad[0], "members": squad[1:]}
        doc["checkins"] = checkins.get(r["id"], [])
        out.append(doc)
    return out


def mission_document(r: dict[str, Any]) -> dict[str, Any]:
    window = None
    if r["earliest"] is not None:
        window = {"earliest": r["earliest"], "latest": r["latest"], "due": r["due"]}
    return {
        "id": r["id"],
        "title": r["title"],
        "rank": r["rank"],
        "priority": r["priority"],
        "kind": r["kind"],
        "client": r["client"],
        "objective": {"tags": r["tags"], "on_site_hours": r["on_site_hours"]},
        "route": r["route"],
        "window": window,
        "reward_ryo": r["reward_ryo"],
        "status": r["status"],
        "effective_rank": r["effective_rank"],
        "departs": r["departed_at"],
        "rescue_of": r["rescue_of"],
        "override": r["override"],
        # Kept only while the squad is overdue: a proposal for a squad heard from since
        # (or rescued, or home) is history, in the log.
        "rescue_proposal": r["rescue_proposal"] if r["status"] == MissionStatus.OVERDUE else None,
    }


def _grouped(connection: Connection, table: Table) -> dict[int, list[dict[str, Any]]]:
    groups: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for r in _rows(connection, table, [table.c.history, table.c.position]):
        groups[r["history"]].append(r)
    return groups


def _history_documents(connection: Connection) -> list[dict[str, Any]]:
    members = _grouped(connection, t.history_member)
    injuries = _grouped(connection, t.history_injury)
    encounters = _grouped(connection, t.history_encounter)
    out = []
    for r in _rows(connection, t.history, [t.history.c.position]):
        i = r["position"]
        report: dict[str, Any] = {
            "outcome": r["outcome"],
            "injuries": [
                {
                    "shinobi": x["shinobi"],
                    "severity": x["severity"],
                    "recovery_days": x["recovery_days"],
                }
                for x in injuries.get(i, [])
            ],
            "encounters": [
                {"threat": x["threat"], "place": x["place"], "at": x["at"]}
                for x in encounters.get(i, [])
            ],
        }
        if r["objective_taken_by"] is not None:
            report["objective_taken_by"] = r["objective_taken_by"]
        if r["notes"] is not None:
            report["notes"] = r["notes"]
        mission: dict[str, Any] = {
            "id": r["mission_id"],
            "title": r["title"],
            "rank": r["rank"],
            "route": r["route"],
            "objective": {"tags": r["tags"]},
        }
        if r.get("on_site_hours"):
            mission["objective"]["on_site_hours"] = r["on_site_hours"]
        if r["kind"] is not None:
            mission["kind"] = r["kind"]
        out.append(
            {
                "mission": mission,
                "squad": {
                    "leader": r["leader"],
                    "members": [m["shinobi"] for m in members.get(i, [])],
                },
                "departed": r["departed"],
                "returned": r["returned"],
                "report": report,
            }
        )
    return out


def load_village(connection: Connection) -> Village:
    from missiondesk.domain.village import Village

    return Village.model_validate(load_village_document(connection))


def road_network(connection: Connection) -> RoadNetwork:
    """The village's roads from the place and road tables alone (no history loaded); the
    road network, and NumPy behind it, load only when called."""
    from missiondesk.domain.village import Road
    from missiondesk.risk.roads import RoadNetwork

    places = connection.execute(select(t.place.c.id).order_by(t.place.c.position)).scalars()
    roads = [
        Road.model_construct(from_=r.from_place, to=r.to_place, hours=r.hours)
        for r in connection.execute(
            select(t.road.c.from_place, t.road.c.to_place, t.road.c.hours).order_by(
                t.road.c.position
            )
        )
    ]
    return RoadNetwork(list(places), roads)
