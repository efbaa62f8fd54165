"""`village apply`: add or replace records of the stored village in one transaction.

A patch is judged against the village it produces, but without loading that village: a
record added or replaced keeps its identity, so nothing stored can lose what it refers
to, and the patch's own references are resolved against the stored ids plus its own.
That keeps the cost of an edit proportional to the edit, not to the village (a 100-record
change to a 20,000-shinobi village costs about what importing 100 records does).

What is in progress is never lost: a mission that is approved, dispatched or overdue keeps
its status, route and squad; a shinobi on such a squad may not be made unfit to go (or,
once out, anything but on a mission). A mission on the board that changes goes back to
`intake`: its assessment and planned squad no longer hold, and its event says so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from pydantic import BaseModel
from sqlalchemy import Connection, Table, bindparam, delete, func, insert, select, update

from missiondesk.domain.ranks import (
    IN_THE_FIELD,
    ON_THE_BOARD,
    RECOVERING,
    MissionStatus,
    ShinobiStatus,
)
from missiondesk.domain.settings import Settings
from missiondesk.domain.village import FORMAT, Village, VillageInfo
from missiondesk.errors import BadInput
from missiondesk.services.events import record_events
from missiondesk.store import tables as t
from missiondesk.store.records import refresh_records
from missiondesk.store.village_rows import village_table_rows
from missiondesk.villagefile.errors import Loc
from missiondesk.villagefile.patch import (
    VillagePatch,
    clearance_key,
    promotion_key,
    road_key,
    sighting_key,
)
from missiondesk.villagefile.references import check_references_within

IN_PROGRESS = frozenset({MissionStatus.APPROVED, *IN_THE_FIELD})
NEEDS_A_SQUAD = frozenset({MissionStatus.PLANNED, *IN_PROGRESS})
DONE = frozenset({MissionStatus.RETURNED, MissionStatus.CLOSED})


class RecordRef(BaseModel):
    kind: str
    id: str


class ChangedRecord(RecordRef):
    fields: list[str]


class ApplySummary(BaseModel):
    """What a patch does: SPEC section 10's `{added, changed, unchanged}`."""

    added: list[RecordRef] = []
    changed: list[ChangedRecord] = []
    unchanged: int = 0


@dataclass(frozen=True)
class _Kind:
    """How one kind of record is stored and recognised."""

    name: str
    section: str
    table: Table
    key_of_row: Callable[[dict[str, Any]], str]
    fields: dict[str, str] = field(default_factory=dict)  # column -> the file's field
    where: Callable[[list[str]], Any] | None = None  # rows that may match these keys

    def field_of(self, column: str) -> str:
        return self.fields.get(column, column)


def _by(column: str) -> Callable[[dict[str, Any]], str]:
    return lambda row: str(row[column])


KINDS: tuple[_Kind, ...] = (
    _Kind("place", "places", t.place, _by("id"), where=lambda keys: t.place.c.id.in_(keys)),
    _Kind(
        "road",
        "roads",
        t.road,
        lambda row: road_key(row["from_place"], row["to_place"]),
        {"from_place": "from", "to_place": "to"},
    ),
    _Kind(
        "role",
        "roles",
        t.role,
        _by("name"),
        {"requirements": "skills"},
        where=lambda keys: t.role.c.name.in_(keys),
    ),
    _Kind("shinobi", "shinobi", t.shinobi, _by("id"), where=lambda k: t.shinobi.c.id.in_(k)),
    _Kind(
        "mission",
        "missions",
        t.mission,
        _by("id"),
        # Columns named as the village file names them: an edit of `window.latest` changed
        # the mission's `window`, not a field called `latest`.
        {
            "tags": "objective",
            "on_site_hours": "objective",
            "earliest": "window",
            "latest": "window",
            "due": "window",
            "departed_at": "departs",
            "checkins_due": "checkins",
        },
        where=lambda keys: t.mission.c.id.in_(keys),
    ),
    _Kind(
        "organization",
        "organizations",
        t.organization,
        _by("id"),
        where=lambda keys: t.organization.c.id.in_(keys),
    ),
    _Kind("threat", "threats", t.threat, _by("id"), where=lambda k: t.threat.c.id.in_(k)),
    _Kind(
        "sighting",
        "sightings",
        t.sighting,
        lambda row: sighting_key(row["threat"], row["place"], row["at"]),
        where=lambda keys: t.sighting.c.threat.in_({k.split("@")[0] for k in keys}),
    ),
    _Kind(
        "countermeasure",
        "countermeasures",
        t.countermeasure,
        _by("ability"),
        where=lambda keys: t.countermeasure.c.ability.in_(keys),
    ),
    _Kind(
        "standing_order",
        "standing_orders",
        t.standing_order,
        _by("id"),
        where=lambda keys: t.standing_order.c.id.in_(keys),
    ),
    _Kind(
        "history",
        "history",
        t.history,
        _by("mission_id"),
        {
            "mission_id": "mission",
            "title": "mission",
            "rank": "mission",
            "route": "mission",
            "kind": "mission",
            "tags": "mission",
            "leader": "squad",
            "outcome": "report",
            "objective_taken_by": "report",
            "notes": "report",
            "history_member": "squad",
            "history_injury": "report",
            "history_encounter": "report",
        },
        where=lambda keys: t.history.c.mission_id.in_(keys),
    ),
    # A promotion rule is known by the ranks it promotes from and to; a wellbeing clearance
    # by whom, which flag and the day it was cleared (a later clearance is another record).
    _Kind(
        "promotion",
        "promotion",
        t.promotion_rule,
        lambda row: promotion_key(row["definition"]["from"], row["definition"]["to"]),
    ),
    _Kind(
        "wellbeing_clearance",
        "wellbeing_clearances",
        t.wellbeing_clearance,
        lambda row: clearance_key(row["shinobi_id"], row["kind"], row["cleared_on"]),
        {"shinobi_id": "shinobi", "cleared_on": "on"},
        where=lambda keys: t.wellbeing_clearance.c.shinobi_id.in_({k.split("/")[0] for k in keys}),
    ),
)
KIND_BY_NAME = {k.name: k for k in KINDS}
_CHILDREN = (t.history_member, t.history_injury, t.history_encounter)


@dataclass
class _Op:
    """One record of the patch: added (no stored row) or replacing `stored`."""

    kind: _Kind
    key: str
    index: int  # its place in the patch's section
    row: dict[str, Any]
    stored: dict[str, Any] | None = None
    extra_stored: list[dict[str, Any]] = field(default_factory=list)  # same key, stored twice
    children: dict[Table, list[dict[str, Any]]] = field(default_factory=dict)
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # column -> (old, new)

    @property
    def fields(self) -> list[str]:
        return list(dict.fromkeys(self.kind.field_of(c) for c in self.changes))


@dataclass
class PatchPlan:
    """What a patch will write, and what it found wrong (paths into the patch)."""

    ops: list[_Op] = field(default_factory=list)
    findings: list[tuple[Loc, str]] = field(default_factory=list)
    village_row: dict[str, Any] | None = None
    village_changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    back_to_board: dict[str, str] = field(default_factory=dict)  # mission -> what it lost

    def summary(self) -> ApplySummary:
        result = ApplySummary()
        if self.village_changes:
            village_id = str((self.village_row or {}).get("id", "village"))
            fields = list(dict.fromkeys(self.village_changes))
            result.changed.append(ChangedRecord(kind="village", id=village_id, fields=fields))
        for op in self.ops:
            if op.stored is None:
                result.added.append(RecordRef(kind=op.kind.name, id=op.key))
            elif op.changes:
                result.changed.append(ChangedRecord(kind=op.kind.name, id=op.key, fields=op.fields))
            else:
                result.unchanged += 1
        return result

    def changed_ops(self, kind: str) -> list[_Op]:
        return [op for op in self.ops if op.kind.name == kind and (op.changes or not op.stored)]


MISSION_RUNNING_STATE = frozenset(
    {"effective_rank", "departed_at", "checkins_due", "rescue_proposal"}
)
"""Mission columns written by the lifecycle (store/village_rows.mission_progress_row, and
the rescue proposed when a check-in is missed: services/tracking.record_missed)."""


def plan_patch(connection: Connection, patch: VillagePatch) -> PatchPlan:
    """Compare the patch with the stored village and judge the village it produces."""
    head = connection.execute(select(t.village)).mappings().one_or_none()
    if head is None:
        raise BadInput("this database holds no village yet; run `missiondesk village import FILE`")
    plan = PatchPlan()
    as_village = _as_village(patch, dict(head))
    rows = village_table_rows(as_village)
    plan.findings.extend(check_references_within(as_village, _known_names(connection, patch)))
    _village_head(plan, patch, dict(head), rows[t.village][0])
    for kind in KINDS:
        records = getattr(patch, kind.section)
        if not records:
            continue
        new_rows = rows[kind.table]
        keys = [kind.key_of_row(r) for r in new_rows]
        plan.findings.extend(_repeated_keys(kind, keys))
        stored = _stored_rows(connection, kind, keys)
        children = _children_by_history(rows) if kind.name == "history" else {}
        for index, (key, row) in enumerate(zip(keys, new_rows, strict=True)):
            matches = stored.get(key, [])
            if matches and kind.table is t.mission:
                # A patch edits the record, never the office's running state: the judged
                # rank, the departure and the check-ins due stay as the lifecycle left them.
                row = {k: v for k, v in row.items() if k not in MISSION_RUNNING_STATE}
            op = _Op(kind, key, index, row, children=children.get(index, {}))
            if matches:
                op.stored = matches[0]
                op.extra_stored = matches[1:]
                op.changes = _changes(connection, op)
            plan.ops.append(op)
    _judge_missions(connection, plan)
    _judge_shinobi(connection, plan)
    return plan


def _as_village(patch: VillagePatch, head: dict[str, Any]) -> Village:
    """The patch as a (partial) Village value, so the village file's row mapping and
    reference checks serve it unchanged."""
    info = patch.village or VillageInfo.model_construct(
        **{name: head[name] for name in VillageInfo.model_fields if name in head}
    )
    return Village.model_construct(
        format=cast(Any, FORMAT),
        village=info,
        settings=patch.settings or Settings(),
        skills=list(patch.skills),
        places=list(patch.places),
        roads=list(patch.roads),
        roles=dict(patch.roles),
        shinobi=list(patch.shinobi),
        missions=list(patch.missions),
        organizations=list(patch.organizations),
        threats=list(patch.threats),
        sightings=list(patch.sightings),
        countermeasures=list(patch.countermeasures),
        standing_orders=list(patch.standing_orders),
        history=list(patch.history),
        wellbeing_clearances=list(patch.wellbeing_clearances),
        promotion=list(patch.promotion),
    )


def _known_names(connection: Connection, patch: VillagePatch) -> dict[str, set[str]]:
    """The stored ids the patch may refer to (all of the small tables; only the shinobi
    the patch names, of the roster)."""
    named = {e.squad.leader for e in patch.history}
    named.update(c.shinobi for c in patch.wellbeing_clearances)
    for entry in patch.history:
        named.update(entry.squad.members)
        named.update(i.shinobi for i in entry.report.injuries)
    shinobi: set[str] = set()
    if named:
        found = connection.execute(select(t.shinobi.c.id).where(t.shinobi.c.id.in_(named)))
        shinobi = set(found.scalars())
    skills = connection.execute(select(t.village.c.skills)).scalar_one()
    return {
        "place": set(connection.execute(select(t.place.c.id)).scalars()),
        "threat": set(connection.execute(select(t.threat.c.id)).scalars()),
        "organization": set(connection.execute(select(t.organization.c.id)).scalars()),
        "role": set(connection.execute(select(t.role.c.name)).scalars()),
        "skill": set(skills or []),
        "shinobi": shinobi,
    }


def _village_head(
    plan: PatchPlan, patch: VillagePatch, head: dict[str, Any], new: dict[str, Any]
) -> None:
    """The village row: its record, settings (merged key by key) and skills (added to)."""
    row = dict(head)
    if patch.village is not None:
        row.update({k: v for k, v in new.items() if k not in ("settings", "skills")})
    if patch.settings is not None:
        given = patch.settings.model_dump(mode="json", exclude_unset=True)
        merged = dict(head["settings"] or {})
        for key, value in given.items():
            if isinstance(value, dict) and isinstance(merged.get(key), dict):
                merged[key] = {**merged[key], **value}
            else:
                merged[key] = value
        row["settings"] = Settings.model_validate(merged).model_dump(mode="json")
    if patch.skills:
        row["skills"] = list(dict.fromkeys([*(head["skills"] or []), *patch.skills]))
    plan.village_row = row
    plan.village_changes = {
        column: (head[column], row[column]) for column in row if row[column] != head[column]
    }


def _repeated_keys(kind: _Kind, keys: list[str]) -> Iterable[tuple[Loc, str]]:
    if kind.name not in ("road", "sighting", "countermeasure", "promotion", "wellbeing_clearance"):
        return  # ids: reported by the reference check
    first: dict[str, int] = {}
    for index, key in enumerate(keys):
        seen = first.setdefault(key, index)
        if seen != index:
            yield (kind.section, index), f"the same {kind.name} as {kind.section}[{seen}] ({key})"


def _stored_rows(connection: Connection, kind: _Kind, keys: list[str]) -> dict[str, list[Any]]:
    query = select(kind.table).order_by(*_order(kind.table))
    if kind.where is not None:
        query = query.where(kind.where(sorted(set(keys))))
    wanted = set(keys)
    found: dict[str, list[dict[str, Any]]] = {}
    for row in connection.execute(query).mappings():
        key = kind.key_of_row(dict(row))
        if key in wanted:
            found.setdefault(key, []).append(dict(row))
    return found


def _order(table: Table) -> list[Any]:
    """Rows in file order: by position, or by their id where the table keeps none."""
    return [table.c.position if "position" in table.c else table.c.id]


def _children_by_history(rows: dict[Table, list[dict[str, Any]]]) -> dict[int, Any]:
    grouped: dict[int, dict[Table, list[dict[str, Any]]]] = {}
    for table in _CHILDREN:
        for row in rows[table]:
            grouped.setdefault(row["history"], {t_: [] for t_ in _CHILDREN})[table].append(row)
    return grouped


def _changes(connection: Connection, op: _Op) -> dict[str, tuple[Any, Any]]:
    assert op.stored is not None
    changes = {
        column: (op.stored.get(column), value)
        for column, value in op.row.items()
        if column != "position" and op.stored.get(column) != value
    }
    if "definition" in changes:
        # A standing order's parameters are one column; name the ones that changed.
        old_order, new_order = changes.pop("definition")
        for name in dict.fromkeys([*(old_order or {}), *(new_order or {})]):
            before, after = (old_order or {}).get(name), (new_order or {}).get(name)
            if before != after:
                changes[name] = (before, after)
    if op.kind.name == "history":
        position = op.stored["position"]
        for table in _CHILDREN:
            old = [
                {k: v for k, v in r.items() if k not in ("history", "position")}
                for r in connection.execute(
                    select(table).where(table.c.history == position).order_by(table.c.position)
                ).mappings()
            ]
            new = [
                {k: v for k, v in r.items() if k not in ("history", "position")}
                for r in op.children.get(table, [])
            ]
            if old != new:
                changes[table.name] = (old, new)
    if op.extra_stored:
        changes.setdefault("duplicates", (len(op.extra_stored) + 1, 1))
    return changes


# --- What is in progress is never lost ---------------------------------------------------


def _judge_missions(connection: Connection, plan: PatchPlan) -> None:
    for op in [o for o in plan.ops if o.kind.name == "mission"]:
        asked = MissionStatus(op.row["status"])
        where: Loc = ("missions", op.index)
        if op.stored is None:
            if asked in NEEDS_A_SQUAD:
                plan.findings.append(
                    (
                        (*where, "status"),
                        f"a new mission cannot start {asked.value}: it has no squad on record "
                        "(add it as intake, then plan and approve it)",
                    )
                )
            continue
        was = MissionStatus(op.stored["status"])
        if not op.changes:
            continue
        if was in IN_PROGRESS:
            if "route" in op.changes:
                plan.findings.append(((*where, "route"), _in_progress(op.key, was, "its route")))
            if "status" in op.changes:
                plan.findings.append(((*where, "status"), _in_progress(op.key, was, "its status")))
            continue
        if was in DONE and "status" in op.changes:
            plan.findings.append(
                (
                    (*where, "status"),
                    f"mission {op.key!r} is {was.value}: its status is the record of what "
                    "happened and does not change",
                )
            )
            continue
        if asked in NEEDS_A_SQUAD and asked != was:
            plan.findings.append(
                (
                    (*where, "status"),
                    f"a mission becomes {asked.value} through plan and approve, not by an edit",
                )
            )
            continue
        if was == MissionStatus.STALE and {"earliest", "latest"} & set(op.changes):
            # A new window is what brings a stale mission back (SPEC section 8).
            op.row["status"] = MissionStatus.INTAKE.value
            plan.back_to_board[op.key] = "its window was edited, so it is back on the board"
            continue
        if was in ON_THE_BOARD or asked == MissionStatus.PLANNED:
            # The judgement and the squad were made for the mission as it was.
            new = (
                MissionStatus.CANCELLED
                if asked == MissionStatus.CANCELLED
                else MissionStatus.INTAKE
            )
            op.row["status"] = new.value
            if was == MissionStatus.PLANNED:
                plan.back_to_board[op.key] = "its planned squad and assessment were dropped"
            elif was == MissionStatus.ASSESSED:
                plan.back_to_board[op.key] = "its assessment was dropped"


def _in_progress(mission: str, status: MissionStatus, what: str) -> str:
    if status == MissionStatus.APPROVED:
        instead = (
            f"recall its squad first (missiondesk recall {mission} --reason TEXT): the "
            "mission goes back to the board, assessed, and can be edited there"
        )
    else:
        instead = "its squad is out: file its report (outcome aborted if need be) first"
    return f"mission {mission!r} is {status.value}, so {what} cannot change; {instead}"


def _judge_shinobi(connection: Connection, plan: PatchPlan) -> None:
    ops = [o for o in plan.ops if o.kind.name == "shinobi" and o.stored is not None]
    ops = [o for o in ops if {"status", "available_from"} & set(o.changes)]
    if not ops:
        return
    bound = dict(
        connection.execute(
            select(t.commitment.c.shinobi_id, t.commitment.c.mission_id).where(
                t.commitment.c.shinobi_id.in_([o.key for o in ops])
            )
        ).all()
    )
    if not bound:
        return
    missions = {
        r.id: r
        for r in connection.execute(
            select(t.mission.c.id, t.mission.c.status, t.mission.c.earliest).where(
                t.mission.c.id.in_(set(bound.values()))
            )
        )
    }
    today = connection.execute(select(t.village.c.now)).scalar_one().date()
    for op in ops:
        mission = missions.get(bound.get(op.key, ""))
        if mission is None:
            continue
        status = ShinobiStatus(op.row["status"])
        where: Loc = ("shinobi", op.index, "status")
        if mission.status in IN_THE_FIELD:
            if status != ShinobiStatus.ON_MISSION:
                plan.findings.append(
                    (
                        where,
                        f"{op.key} is out with the squad of {mission.id!r}; their status "
                        "changes with its report (missiondesk report)",
                    )
                )
            continue
        earliest = mission.earliest or today
        fit = status == ShinobiStatus.AVAILABLE or (
            status in RECOVERING
            and op.row["available_from"] is not None
            and op.row["available_from"] <= earliest
        )
        if not fit:
            plan.findings.append(
                (
                    where,
                    f"{op.key} is on the approved squad of {mission.id!r}, which leaves on "
                    f"{earliest}; recall that squad first (missiondesk recall {mission.id} "
                    "--reason TEXT), then change them",
                )
            )


# --- Writing -------------------------------------------------------------------------------


def write_patch(connection: Connection, plan: PatchPlan) -> None:
    """Write what `plan_patch` found to change (call only when it found nothing wrong).

    One executemany per table and kind of write: a 100-record patch is a handful of
    statements, not a hundred."""
    if plan.village_changes and plan.village_row is not None:
        head = connection.execute(select(t.village.c.id)).scalar_one()
        connection.execute(
            update(t.village)
            .where(t.village.c.id == head)
            .values({c: plan.village_row[c] for c in plan.village_changes})
        )
    for kind in KINDS:
        ops = [op for op in plan.ops if op.kind is kind and (op.stored is None or op.changes)]
        if ops:
            _write_kind(connection, kind, ops, plan)
            if kind.name == "history":
                refresh_records(connection)  # the roster's counts follow the history


def _write_kind(connection: Connection, kind: _Kind, ops: list[_Op], plan: PatchPlan) -> None:
    table = kind.table
    added = [op for op in ops if op.stored is None]
    replaced = [op for op in ops if op.stored is not None]
    if added and "position" not in table.c:  # kept in the order written (its id)
        connection.execute(insert(table), [op.row for op in added])
    elif added:
        top = connection.execute(select(func.max(table.c.position))).scalar()
        first = 0 if top is None else int(top) + 1
        rows = [{**op.row, "position": first + n} for n, op in enumerate(added)]
        connection.execute(insert(table), rows)
        for n, op in enumerate(added):
            _write_children(connection, op, first + n)
    if not replaced:
        return
    # Rows are found by their primary key (an id, or the position where there is none):
    # `position` alone carries no index on the tables that have ids.
    key = next(iter(table.primary_key.columns))
    columns = [c for c in replaced[0].row if c not in ("position", key.name)]
    values: dict[str, Any] = {c: bindparam(f"new_{c}") for c in columns}
    if kind.name == "mission":
        values["version"] = t.mission.c.version + 1
    statement = update(table).where(key == bindparam("old_key")).values(values)
    connection.execute(
        statement,
        [
            {"old_key": op.stored[key.name], **{f"new_{c}": op.row[c] for c in columns}}
            for op in replaced
            if op.stored is not None
        ],
    )
    extra = [e[key.name] for op in replaced for e in op.extra_stored]
    if extra:
        connection.execute(delete(table).where(key.in_(extra)))
    if kind.name == "mission":
        back = [op.key for op in replaced if op.key in plan.back_to_board]
        if back:
            connection.execute(delete(t.assignment).where(t.assignment.c.mission_id.in_(back)))
            connection.execute(
                update(t.mission)
                .where(t.mission.c.id.in_(back))
                .values(effective_rank=None, assessment=None)
            )
    if kind.name == "history":
        positions = [op.stored["position"] for op in replaced if op.stored is not None]
        for child in _CHILDREN:
            connection.execute(delete(child).where(child.c.history.in_(positions)))
        for op in replaced:
            if op.stored is not None:
                _write_children(connection, op, op.stored["position"])


def _write_children(connection: Connection, op: _Op, position: int) -> None:
    for table, rows in op.children.items():
        if rows:
            connection.execute(insert(table), [{**r, "history": position} for r in rows])


def record_mission_events(
    connection: Connection,
    plan: PatchPlan,
    *,
    actor: str,
    at: dt.datetime,
    added_kind: str = "mission.added",
    changed_kind: str = "mission.edited",
    extra: dict[str, Any] | None = None,
) -> None:
    """One event per mission the patch adds or changes, on the mission's own timeline,
    saying what changed and, for a mission sent back to the board, what it lost."""
    events = []
    for op in plan.changed_ops("mission"):
        after: dict[str, Any] = {"status": op.row["status"], **(extra or {})}
        event: dict[str, Any] = {"actor": actor, "subject": op.key, "at": at, "after": after}
        if op.stored is None:
            after.update({c: v for c, v in op.row.items() if c not in ("position", "status")})
            events.append({**event, "kind": added_kind})
            continue
        before = {c: old for c, (old, _) in op.changes.items()}
        before["status"] = op.stored["status"]
        after["changed"] = {c: new for c, (_, new) in op.changes.items()}
        after["fields"] = op.fields
        if op.key in plan.back_to_board:
            after["back_to_board"] = plan.back_to_board[op.key]
        events.append({**event, "kind": changed_kind, "before": before})
    record_events(connection, events)


def only_ops(plan: PatchPlan, kind: str) -> Sequence[_Op]:
    return [op for op in plan.ops if op.kind.name == kind]
