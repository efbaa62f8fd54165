"""Editing the village without re-importing it: `village apply`, `village remove`, and the
commonest edits as commands (`mission add/edit/cancel`, `shinobi add/edit`, `sighting add`).

Each is one transaction and logged. The commands build a one-record patch and go through
the same judgement as `village apply` (services/apply.py), so a command and a file can
never disagree about what an edit may do to a mission in progress.

Each is an act dated at its `at`, else at the clock (`services/clock.act_at`): one dated
later than the clock first records what fell due up to it, moves the clock, and is judged
against the village as it is then (an edit to a mission whose window closed meanwhile
finds it stale).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import Connection, delete, select

from missiondesk.domain.ranks import IN_THE_FIELD, REMOVABLE, MissionStatus
from missiondesk.domain.village import FORMAT, Mission, Shinobi, Sighting
from missiondesk.errors import BadInput, Conflict, NotFound
from missiondesk.operations.transitions import Step
from missiondesk.services.apply import (
    IN_PROGRESS,
    ApplySummary,
    PatchPlan,
    plan_patch,
    record_mission_events,
    write_patch,
)
from missiondesk.services.clock import act_at, acting_time
from missiondesk.services.events import record_event
from missiondesk.services.missions import (
    mission_row,
    missions_on,
    release_squad,
    squad_ids,
    transition,
)
from missiondesk.services.village import require_village
from missiondesk.store import tables as t
from missiondesk.store.database import Database
from missiondesk.store.village_rows import mission_document
from missiondesk.villagefile.errors import Loc, Problem, VillageFileError, field_path
from missiondesk.villagefile.patch import (
    VillagePatch,
    csv_patch,
    parse_patch,
    read_csv_roster,
)
from missiondesk.villagefile.plain import bad_input, problems


class EditResult(BaseModel):
    """What one edit did: the record, the fields that changed, and the mission's status."""

    kind: str
    id: str
    changed: list[str] = []
    status: str | None = None
    note: str | None = None


# --- village apply -------------------------------------------------------------------------


def apply_village_path(
    db: Database,
    path: Path,
    *,
    dry_run: bool = False,
    actor: str,
    at: dt.datetime | None = None,
) -> ApplySummary:
    try:
        data = path.read_bytes()
    except OSError as error:
        message = f"cannot be read ({error.strerror or error})"
        raise VillageFileError([Problem(str(path), None, "", message)]) from None
    return apply_village_file(db, data, str(path), dry_run=dry_run, actor=actor, at=at)


def apply_village_file(
    db: Database,
    data: bytes,
    filename: str,
    *,
    dry_run: bool = False,
    actor: str,
    at: dt.datetime | None = None,
) -> ApplySummary:
    """Add or replace the records of a partial village file (or a CSV roster), checked
    against the village it produces: every problem at once, and nothing written on any.
    Dated at `at` (else the clock). With `dry_run`, say what it would do to the village
    as it stands (nothing that would fall due before `at` is recorded) and write nothing."""
    context = db.reading() if dry_run else db.transaction()
    with context as connection:
        require_village(connection)
        at = acting_time(connection, at) if dry_run else act_at(connection, at, actor=actor)
        judged: list[PatchPlan] = []

        def check(patch: VillagePatch) -> list[tuple[Loc, str]]:
            judged.append(plan_patch(connection, patch))
            return judged[-1].findings

        if filename.lower().endswith(".csv"):
            rows = read_csv_roster(data, filename)
            if not rows.header_ok:
                raise VillageFileError(rows.problems)
            _keep_what_a_csv_lacks(connection, rows.records, rows.skill_columns)
            csv_patch(rows, check)
        else:
            parse_patch(data, filename, check)
        plan = judged[-1]
        summary = plan.summary()
        if dry_run:
            return summary
        write_patch(connection, plan)
        village = connection.execute(select(t.village.c.id)).scalar_one()
        record_event(
            connection,
            actor=actor,
            kind="village.applied",
            subject=village,
            after={
                "source": filename,
                **summary.model_dump(mode="json"),
                "back_to_board": plan.back_to_board,
            },
            at=at,
        )
        record_mission_events(connection, plan, actor=actor, at=at, extra={"source": filename})
    return summary


def _keep_what_a_csv_lacks(
    connection: Connection, records: list[dict[str, Any]], skill_columns: list[str]
) -> None:
    """A CSV row replaces the columns it has: a stored shinobi keeps their techniques and
    the skills that have no column."""
    ids = [r.get("id") for r in records if isinstance(r.get("id"), str)]
    if not ids:
        return
    stored = {
        r.id: r
        for r in connection.execute(
            select(t.shinobi.c.id, t.shinobi.c.skills, t.shinobi.c.techniques).where(
                t.shinobi.c.id.in_(ids)
            )
        )
    }
    for record in records:
        old = stored.get(record.get("id", ""))
        if old is None:
            continue
        kept = {k: v for k, v in (old.skills or {}).items() if k not in skill_columns}
        record["skills"] = {**kept, **record["skills"]}
        record["techniques"] = list(old.techniques or [])


# --- village remove ------------------------------------------------------------------------

_SHOWN = 5


def remove_record(
    db: Database, kind: str, ident: str, *, actor: str, at: dt.datetime | None = None
) -> EditResult:
    """Remove one record; refuse, naming them, while anything refers to it (a mission in
    progress, or records the village would be invalid without)."""
    kind = kind.replace("-", "_")
    if kind == "order":
        kind = "standing_order"
    if kind not in REMOVABLE:
        raise BadInput(f"{kind!r} is not a kind of record ({', '.join(REMOVABLE)})", field="kind")
    with db.transaction() as connection:
        require_village(connection)
        at = act_at(connection, at, actor=actor)
        note = _REMOVERS[kind](connection, ident, actor, at)
        record_event(
            connection,
            actor=actor,
            kind="village.removed",
            subject=ident,
            after={"kind": kind, "id": ident, "note": note},
            at=at,
        )
    return EditResult(kind=kind, id=ident, note=note)


def _refuse(kind: str, ident: str, referrers: list[str]) -> None:
    if not referrers:
        return
    shown = referrers[:_SHOWN]
    more = len(referrers) - len(shown)
    listed = "; ".join(shown) + (f"; and {more} more" if more > 0 else "")
    raise Conflict(f"{kind} {ident!r} cannot be removed: {listed}", field="id")


def _names(label: str, ids: list[str]) -> list[str]:
    if not ids:
        return []
    shown = ", ".join(ids[:_SHOWN]) + (
        f" and {len(ids) - _SHOWN} more" if len(ids) > _SHOWN else ""
    )
    return [f"{label} {shown}"]


def _must_exist(connection: Connection, column: Any, ident: str, kind: str) -> int:
    position = connection.execute(select(column.table.c.position).where(column == ident)).first()
    if position is None:
        raise NotFound(f"no {kind} {ident!r} in this village", field="id")
    return int(position[0])


def _remove_place(connection: Connection, ident: str, actor: str, at: dt.datetime) -> str | None:
    _must_exist(connection, t.place.c.id, ident, "place")
    roads = [
        f"{r.from_place}/{r.to_place}"
        for r in connection.execute(select(t.road.c.from_place, t.road.c.to_place))
        if ident in (r.from_place, r.to_place)
    ]
    missions = [
        r.id
        for r in connection.execute(select(t.mission.c.id, t.mission.c.route))
        if ident in r.route
    ]
    sightings = connection.execute(
        select(func_count()).select_from(t.sighting).where(t.sighting.c.place == ident)
    ).scalar_one()
    history = [
        r.mission_id
        for r in connection.execute(select(t.history.c.mission_id, t.history.c.route))
        if ident in r.route
    ]
    met = connection.execute(
        select(func_count())
        .select_from(t.history_encounter)
        .where(t.history_encounter.c.place == ident)
    ).scalar_one()
    referrers = (
        _names("roads", roads)
        + _names("the routes of missions", missions)
        + ([_count(sightings, "sighting")] if sightings else [])
        + _names("the routes of history entries", history)
        + ([_count(met, "encounter") + " in reports"] if met else [])
    )
    _refuse("place", ident, [f"used by {r}" for r in referrers])
    connection.execute(delete(t.place).where(t.place.c.id == ident))
    return None


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def func_count() -> Any:
    from sqlalchemy import func

    return func.count()


def _remove_road(connection: Connection, ident: str, actor: str, at: dt.datetime) -> str | None:
    from missiondesk.villagefile.patch import road_key

    ends = ident.split("/")
    if len(ends) != 2:
        raise BadInput(f"a road is named by its two ends, FROM/TO, not {ident!r}", field="id")
    key = road_key(*ends)
    positions = [
        r.position
        for r in connection.execute(
            select(t.road.c.position, t.road.c.from_place, t.road.c.to_place)
        )
        if road_key(r.from_place, r.to_place) == key
    ]
    if not positions:
        raise NotFound(f"no road {ident!r} in this village", field="id")
    connection.execute(delete(t.road).where(t.road.c.position.in_(positions)))
    return None


def _remove_role(connection: Connection, ident: str, actor: str, at: dt.datetime) -> str | None:
    _must_exist(connection, t.role.c.name, ident, "role")
    measures = [
        r.ability
        for r in connection.execute(select(t.countermeasure.c.ability, t.countermeasure.c.role))
        if r.role == ident
    ]
    orders = [
        r.id
        for r in connection.execute(select(t.standing_order.c.id, t.standing_order.c.definition))
        if r.definition.get("role") == ident
    ]
    _refuse(
        "role",
        ident,
        _names("needed by countermeasures for", measures) + _names("required by orders", orders),
    )
    connection.execute(delete(t.role).where(t.role.c.name == ident))
    return None


def _remove_shinobi(connection: Connection, ident: str, actor: str, at: dt.datetime) -> str | None:
    _must_exist(connection, t.shinobi.c.id, ident, "shinobi")
    committed = connection.execute(
        select(t.commitment.c.mission_id).where(t.commitment.c.shinobi_id == ident)
    ).scalar_one_or_none()
    referrers = []
    if committed is not None:
        referrers.append(f"on the squad of mission {committed!r}, which is in progress")
    led = list(
        connection.execute(
            select(t.history.c.mission_id).where(t.history.c.leader == ident)
        ).scalars()
    )
    served = list(
        connection.execute(
            select(t.history.c.mission_id)
            .join(t.history_member, t.history_member.c.history == t.history.c.position)
            .where(t.history_member.c.shinobi == ident)
        ).scalars()
    )
    referrers += _names("in the history of missions", list(dict.fromkeys(led + served)))
    accounts = list(
        connection.execute(
            select(t.account.c.name).where(t.account.c.shinobi_id == ident)
        ).scalars()
    )
    referrers += _names("linked to the accounts", accounts)
    _refuse("shinobi", ident, referrers)
    planned = missions_on(connection, ident)
    note = None
    for mission_id in planned:
        why = f"{ident} was removed from the roster"
        _back_to_board(connection, mission_id, why, actor, at)
    if planned:
        note = f"back to the board without a squad: {', '.join(planned)}"
    connection.execute(delete(t.shinobi).where(t.shinobi.c.id == ident))
    return note


def _back_to_board(
    connection: Connection, mission_id: str, why: str, actor: str, at: dt.datetime
) -> None:
    connection.execute(delete(t.assignment).where(t.assignment.c.mission_id == mission_id))
    transition(
        connection,
        mission_row(connection, mission_id),
        Step.UNPLAN,
        actor=actor,
        at=at,
        after={"back_to_board": f"its planned squad was dropped: {why}"},
        effective_rank=None,
        assessment=None,
    )


def _remove_mission(connection: Connection, ident: str, actor: str, at: dt.datetime) -> str | None:
    mission = mission_row(connection, ident)
    status = MissionStatus(mission["status"])
    if status in IN_PROGRESS:
        squad = squad_ids(connection, ident)
        instead = (
            "file its report first"
            if status in IN_THE_FIELD
            else "recall its squad first (recall), or cancel it (mission cancel)"
        )
        _refuse(
            "mission",
            ident,
            [
                f"it is {status.value} with its squad "
                f"({', '.join(squad) or 'none on record'}); {instead}"
            ],
        )
    for table in (t.assignment, t.commitment, t.checkin):
        connection.execute(delete(table).where(table.c.mission_id == ident))
    connection.execute(delete(t.mission).where(t.mission.c.id == ident))
    return None


def _remove_organization(
    connection: Connection, ident: str, actor: str, at: dt.datetime
) -> str | None:
    _must_exist(connection, t.organization.c.id, ident, "organization")
    threats = list(
        connection.execute(select(t.threat.c.id).where(t.threat.c.organization == ident)).scalars()
    )
    _refuse("organization", ident, _names("the organisation of threats", threats))
    connection.execute(delete(t.organization).where(t.organization.c.id == ident))
    return None


def _remove_threat(connection: Connection, ident: str, actor: str, at: dt.datetime) -> str | None:
    _must_exist(connection, t.threat.c.id, ident, "threat")
    sightings = connection.execute(
        select(func_count()).select_from(t.sighting).where(t.sighting.c.threat == ident)
    ).scalar_one()
    met = list(
        connection.execute(
            select(t.history.c.mission_id)
            .join(t.history_encounter, t.history_encounter.c.history == t.history.c.position)
            .where(t.history_encounter.c.threat == ident)
        ).scalars()
    )
    took = list(
        connection.execute(
            select(t.history.c.mission_id).where(t.history.c.objective_taken_by == ident)
        ).scalars()
    )
    referrers = ([f"seen in {_count(sightings, 'sighting')}"] if sightings else []) + _names(
        "met on the history of missions", list(dict.fromkeys(met + took))
    )
    _refuse("threat", ident, referrers)
    connection.execute(delete(t.threat).where(t.threat.c.id == ident))
    return None


def _remove_sighting(connection: Connection, ident: str, actor: str, at: dt.datetime) -> str | None:
    from missiondesk.villagefile.patch import sighting_key

    positions = [
        r.position
        for r in connection.execute(select(t.sighting))
        if sighting_key(r.threat, r.place, r.at) == ident
    ]
    if not positions:
        raise NotFound(
            f"no sighting {ident!r} in this village (name it THREAT@PLACE@YYYY-MM-DDTHH:MM)",
            field="id",
        )
    connection.execute(delete(t.sighting).where(t.sighting.c.position.in_(positions)))
    return None


def _remove_countermeasure(
    connection: Connection, ident: str, actor: str, at: dt.datetime
) -> str | None:
    _must_exist_any(connection, t.countermeasure.c.ability, ident, "countermeasure")
    connection.execute(delete(t.countermeasure).where(t.countermeasure.c.ability == ident))
    return None


def _must_exist_any(connection: Connection, column: Any, ident: str, kind: str) -> None:
    if connection.execute(select(column).where(column == ident)).first() is None:
        raise NotFound(f"no {kind} {ident!r} in this village", field="id")


def _remove_order(connection: Connection, ident: str, actor: str, at: dt.datetime) -> str | None:
    _must_exist(connection, t.standing_order.c.id, ident, "standing order")
    connection.execute(delete(t.standing_order).where(t.standing_order.c.id == ident))
    return None


_REMOVERS = {
    "place": _remove_place,
    "road": _remove_road,
    "role": _remove_role,
    "shinobi": _remove_shinobi,
    "mission": _remove_mission,
    "organization": _remove_organization,
    "threat": _remove_threat,
    "sighting": _remove_sighting,
    "countermeasure": _remove_countermeasure,
    "standing_order": _remove_order,
}


# --- One record at a time ------------------------------------------------------------------


Record = Callable[[Connection], Any]
"""A record to write, made in the edit's transaction from the village as the edit's time
finds it (an edit of a mission reads it after what fell due before the edit)."""


def _one_record(
    db: Database,
    section: str,
    record: Record,
    *,
    actor: str,
    at: dt.datetime | None,
    must_be_new: bool,
    event: str,
    noun: str,
) -> tuple[PatchPlan, EditResult]:
    """Apply a one-record patch in one transaction, dated at `at` (else the clock); its
    findings become BadInput naming the record's field."""
    with db.transaction() as connection:
        at = act_at(connection, at, actor=actor)
        patch = VillagePatch.model_validate({"format": FORMAT, section: [record(connection)]})
        plan = plan_patch(connection, patch)
        op = plan.ops[0]
        if must_be_new and op.stored is not None:
            instead = "edit it instead" if noun != "sighting" else "it is already recorded"
            raise Conflict(f"there is already a {noun} {op.key!r}; {instead}", field="id")
        if plan.findings:
            raise bad_input(
                [
                    (field_path(loc[2:]) if loc[:2] == (section, 0) else field_path(loc), m)
                    for loc, m in plan.findings
                ]
            )
        write_patch(connection, plan)
        if section == "missions":
            record_mission_events(
                connection, plan, actor=actor, at=at, added_kind=event, changed_kind=event
            )
        elif op.stored is None or op.changes:
            before = {c: old for c, (old, _) in op.changes.items()} or None
            after = {c: new for c, (_, new) in op.changes.items()} if op.stored else op.row
            record_event(
                connection,
                actor=actor,
                kind=event,
                subject=op.key,
                before=before,
                after={k: v for k, v in after.items() if k != "position"},
                at=at,
            )
    status = op.row.get("status") if section == "missions" else None
    return plan, EditResult(
        kind=op.kind.name,
        id=op.key,
        changed=op.fields if op.stored is not None else [],
        status=status,
        note=plan.back_to_board.get(op.key),
    )


def _validated(model: type[BaseModel], document: Mapping[str, Any]) -> Any:
    try:
        return model.model_validate(dict(document))
    except ValidationError as invalid:
        raise bad_input(problems(invalid)) from None


def add_mission(
    db: Database, document: Mapping[str, Any], *, actor: str, at: dt.datetime | None = None
) -> EditResult:
    """A new mission (the village file's fields); it starts on the board."""
    mission = _validated(Mission, _with_an_id(_without_blanks(document), "title"))
    _, result = _one_record(
        db,
        "missions",
        lambda _: mission,
        actor=actor,
        at=at,
        must_be_new=True,
        event="mission.added",
        noun="mission",
    )
    return result


def edit_mission(
    db: Database,
    mission_id: str,
    sets: Mapping[str, Any],
    *,
    actor: str,
    at: dt.datetime | None = None,
) -> EditResult:
    """Change fields of a mission (`window.due`, `route`, ...). A mission on the board that
    changes goes back to intake; one in progress keeps its route and squad."""
    if "squad" in sets:
        raise BadInput(
            "squad: a squad is chosen by plan and approve, not edited; to change an approved "
            f"squad, recall it (missiondesk recall {mission_id} --reason TEXT) and plan again",
            field="squad",
        )
    with db.reading() as connection:
        mission_row(connection, mission_id)  # unknown: named before any time

    def edited(connection: Connection) -> Mission:
        document = mission_document(mission_row(connection, mission_id))
        return _validated(Mission, _set_fields(document, sets, MISSION_FIELDS))

    _, result = _one_record(
        db,
        "missions",
        edited,
        actor=actor,
        at=at,
        must_be_new=False,
        event="mission.edited",
        noun="mission",
    )
    return result


def cancel_mission(
    db: Database, mission_id: str, reason: str, *, actor: str, at: dt.datetime | None = None
) -> EditResult:
    """Call a mission off: its planned or approved squad is released. A squad already out
    comes home through its report, not a cancellation."""
    reason = (reason or "").strip()
    if not reason:
        raise BadInput("reason: say why the mission is cancelled", field="reason")
    with db.transaction() as connection:
        mission_row(connection, mission_id)  # an unknown mission is named before any time
        at = act_at(connection, at, actor=actor)
        mission = mission_row(connection, mission_id)
        status = MissionStatus(mission["status"])
        if status in IN_THE_FIELD:
            raise Conflict(
                f"mission {mission_id!r} is {status.value}: its squad is out; when it is back, "
                "file its report (outcome aborted)",
                field="mission",
            )
        if status in (MissionStatus.RETURNED, MissionStatus.CLOSED, MissionStatus.CANCELLED):
            raise Conflict(f"mission {mission_id!r} is already {status.value}", field="mission")
        squad = release_squad(connection, mission_id)
        transition(
            connection,
            mission,
            Step.CANCEL,
            actor=actor,
            at=at,
            before={"squad": squad or None},
            after={"reason": reason, "released": squad},
        )
    note = f"released {', '.join(squad)}" if squad else None
    return EditResult(
        kind="mission", id=mission_id, changed=["status"], status="cancelled", note=note
    )


def add_shinobi(
    db: Database, document: Mapping[str, Any], *, actor: str, at: dt.datetime | None = None
) -> EditResult:
    shinobi = _validated(Shinobi, _with_an_id(_without_blanks(document), "name"))
    _, result = _one_record(
        db,
        "shinobi",
        lambda _: shinobi,
        actor=actor,
        at=at,
        must_be_new=True,
        event="shinobi.added",
        noun="shinobi",
    )
    return result


def edit_shinobi(
    db: Database,
    shinobi_id: str,
    sets: Mapping[str, Any],
    *,
    actor: str,
    at: dt.datetime | None = None,
) -> EditResult:
    """Change fields of a shinobi; one on a squad in progress may not be made unfit for it."""
    with db.reading() as connection:
        _shinobi_document(connection, shinobi_id)  # unknown: named before any time

    def edited(connection: Connection) -> Shinobi:
        document = _shinobi_document(connection, shinobi_id)
        return _validated(Shinobi, _set_fields(document, sets, SHINOBI_FIELDS))

    _, result = _one_record(
        db,
        "shinobi",
        edited,
        actor=actor,
        at=at,
        must_be_new=False,
        event="shinobi.edited",
        noun="shinobi",
    )
    return result


def _shinobi_document(connection: Connection, shinobi_id: str) -> dict[str, Any]:
    require_village(connection)
    row = connection.execute(select(t.shinobi).where(t.shinobi.c.id == shinobi_id)).mappings()
    found = row.one_or_none()
    if found is None:
        raise NotFound(f"no shinobi {shinobi_id!r} on the roster", field="shinobi")
    return {
        k: found[k]
        for k in ("id", "name", "rank", "skills", "techniques", "team", "status", "available_from")
    }


def add_sighting(
    db: Database,
    *,
    threat: str,
    place: str,
    confidence: Any,
    at: dt.datetime | str | None = None,
    actor: str,
) -> EditResult:
    """A threat seen at a place: new intelligence for every assessment from now on.

    `at` is when it was seen, and the act is dated then, as a check-in is dated when the
    squad reported: a sighting dated later than the clock moves the clock to it (what fell
    due before is recorded first), one dated earlier is recorded without moving anything.
    Without `at`, it was seen now, at the clock."""
    seen: dt.datetime | None = None
    if at not in (None, ""):
        document = {"threat": threat, "place": place, "at": at, "confidence": confidence}
        seen = _validated(Sighting, document).at

    def sighting(connection: Connection) -> Sighting:
        when = seen or connection.execute(select(t.village.c.now)).scalar_one()
        document = {"threat": threat, "place": place, "at": when, "confidence": confidence}
        return _validated(Sighting, document)

    _, result = _one_record(
        db,
        "sightings",
        sighting,
        actor=actor,
        at=seen,
        must_be_new=True,
        event="sighting.added",
        noun="sighting",
    )
    return result


# --- FIELD=VALUE ---------------------------------------------------------------------------

MISSION_FIELDS = {
    "title": "text",
    "rank": "text",
    "priority": "optional",
    "kind": "optional",
    "client": "optional",
    "client.name": "text",
    "client.min_team_size": "text",
    "objective.tags": "list",
    "objective.on_site_hours": "text",
    "tags": "list",
    "route": "list",
    "window": "optional",
    "window.earliest": "text",
    "window.latest": "optional",
    "window.due": "optional",
    "reward_ryo": "optional",
    "status": "text",
}
SHINOBI_FIELDS = {
    "name": "text",
    "rank": "text",
    "skills": "skills",
    "skills.*": "level",
    "techniques": "list",
    "team": "optional",
    "status": "text",
    "available_from": "optional",
}
_ALIASES = {"tags": "objective.tags"}
_LEVEL = re.compile(r"^\s*-?\d+\s*$")


def _set_fields(
    document: dict[str, Any], sets: Mapping[str, Any], allowed: Mapping[str, str]
) -> dict[str, Any]:
    """`document` with each FIELD=VALUE applied; a string value is read by the field's kind
    (a comma-separated list, empty for none, a skill level)."""
    document = {k: (dict(v) if isinstance(v, dict) else v) for k, v in document.items()}
    found: list[tuple[str, str]] = []
    for name, value in sets.items():
        kind = allowed.get(name) or (
            allowed.get("skills.*") if name.startswith("skills.") else None
        )
        if kind is None:
            listed = ", ".join(k for k in allowed if not k.endswith("*"))
            found.append((name, f"is not a field that can be set ({listed})"))
            continue
        path = _ALIASES.get(name, name).split(".")
        try:
            _put(document, path, _read(value, kind))
        except ValueError as error:
            found.append((name, str(error)))
    if found:
        raise bad_input(found)
    return document


def _read(value: Any, kind: str) -> Any:
    if not isinstance(value, str):
        return value
    text = value.strip()
    if kind == "list":
        return [part.strip() for part in text.split(",") if part.strip()]
    if kind == "optional":
        return None if text.lower() in ("", "null", "none") else text
    if kind == "level":
        if not _LEVEL.match(text):
            raise ValueError(f"a skill level is a whole number from 0 to 5, not {value!r}")
        return int(text)
    if kind == "skills":
        skills: dict[str, int] = {}
        for part in filter(None, (p.strip() for p in text.split(","))):
            skill, _, level = part.partition("=")
            if not _LEVEL.match(level):
                raise ValueError(f"write skills as name=level, comma-separated, not {part!r}")
            skills[skill.strip()] = int(level)
        return skills
    return text


def _put(document: dict[str, Any], path: list[str], value: Any) -> None:
    target = document
    for part in path[:-1]:
        inner = target.get(part)
        if not isinstance(inner, dict):
            inner = {}
            target[part] = inner
        target = inner
    if path[0] == "skills" and len(path) == 2 and value == 0:
        target.pop(path[-1], None)  # an absent skill is 0
        return
    target[path[-1]] = value


def _with_an_id(document: dict[str, Any], source: str) -> dict[str, Any]:
    """A record given without an id gets one made from its title or name
    ("Guard the gate" -> guard-the-gate)."""
    if "id" not in document and isinstance(document.get(source), str):
        slug = re.sub(r"[^a-z0-9]+", "-", document[source].lower()).strip("-")
        if slug:
            document["id"] = slug
    return document


def _without_blanks(document: Mapping[str, Any]) -> dict[str, Any]:
    """A form's or a command's empty fields are fields not given."""
    out: dict[str, Any] = {}
    for key, value in document.items():
        if value is None or value == "" or value == [] or value == {}:
            continue
        if isinstance(value, Mapping):
            inner = _without_blanks(value)
            if inner:
                out[key] = inner
            continue
        out[key] = value
    return out
