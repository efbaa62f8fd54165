"""The outbox: notification rows written in the same transaction as the change they report.

A change that rolls back takes its rows with it; a change that commits has them on disk
before anyone is told it happened, so a delivery can be retried until it is acknowledged.
Any service may call `enqueue` inside its transaction; `services.events.record_event`
calls `notify_from_event` so that every logged change of a notified kind feeds it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select

from missiondesk.domain.ranks import MissionRank
from missiondesk.notifications.vocabulary import EVENT_NAMES, NotifyEvent
from missiondesk.store import tables as t

PENDING = "pending"
DELIVERED = "delivered"
FAILED = "failed"
CANCELLED = "cancelled"

RESCUE_KIND = "rescue"  # a mission of this kind that leaves is a rescue (SPEC section 12)

# Event-log kinds that are notification events under another name. Every other logged kind
# that is itself a notification event name (`mission.approved`, `shinobi.recovered`, ...)
# is notified as it is.
LOG_ALIASES: dict[str, NotifyEvent] = {
    "mission.reported": NotifyEvent.REPORT_FILED,
    "mission.overdue": NotifyEvent.CHECKIN_MISSED,
}
ASSESSED = "mission.assessed"  # notified as mission.escalated when the rank was raised


def utcnow() -> dt.datetime:
    """Machine time in UTC, naive (the outbox's clock for retries and latency)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class Subscriber:
    id: int
    events: frozenset[str]


MISSION_CONTEXT = ("id", "title", "rank", "effective_rank", "priority", "kind", "status")


# Built once: a step pays for one cached statement, the only cost when nobody subscribes.
_SUBSCRIBERS = (
    select(
        t.notify_endpoint.c.id,
        t.notify_endpoint.c.events,
        *[t.mission.c[name].label(f"mission_{name}") for name in MISSION_CONTEXT],
    )
    .select_from(t.notify_endpoint.outerjoin(t.mission, t.mission.c.id == bindparam("subject")))
    .where(t.notify_endpoint.c.removed_at.is_(None))
    .order_by(t.notify_endpoint.c.id)
)


def _subscribers(
    connection: Connection, subject: str | None
) -> tuple[list[Subscriber], dict[str, Any] | None]:
    """The active endpoints and, in the same query, the mission named `subject` if any."""
    rows = connection.execute(_SUBSCRIBERS, {"subject": subject or ""}).mappings().all()
    subscribers = [Subscriber(id=r["id"], events=frozenset(r["events"])) for r in rows]
    mission = None
    if rows and rows[0]["mission_id"] is not None:
        mission = {name: rows[0][f"mission_{name}"] for name in MISSION_CONTEXT}
    return subscribers, mission


def enqueue(
    connection: Connection,
    kind: str,
    subject: str | None,
    payload: Mapping[str, Any] | None,
    at: dt.datetime,
) -> int:
    """Queue notification event `kind` about `subject` for every endpoint subscribed to it,
    in the caller's transaction. `payload` is the event's own data (the body's `data`);
    the mission or shinobi it is about is added here. Returns the number of rows queued."""
    if kind not in EVENT_NAMES:
        raise ValueError(f"{kind!r} is not a notification event ({', '.join(EVENT_NAMES)})")
    endpoints, mission = _subscribers(connection, subject)
    if not any(kind in e.events for e in endpoints):
        return 0
    context = _context(connection, subject, mission)
    return _queue(connection, endpoints, kind, subject, payload, at, context)


def notify_from_event(
    connection: Connection,
    *,
    kind: str,
    subject: str | None,
    after: Any,
    at: dt.datetime,
) -> int:
    """Queue the notification a logged change stands for, if any endpoint wants it.

    Called by `record_event` before the event row is written. Costs one small query when
    nobody subscribes, and nothing at all for kinds that are never notified."""
    if kind == ASSESSED:
        candidates: set[str] = {NotifyEvent.MISSION_ESCALATED}
    elif kind in LOG_ALIASES:
        candidates = {LOG_ALIASES[kind]}
    elif kind == NotifyEvent.MISSION_DISPATCHED:
        candidates = {NotifyEvent.MISSION_DISPATCHED, NotifyEvent.RESCUE_DISPATCHED}
    elif kind in EVENT_NAMES:
        candidates = {kind}
    else:
        return 0
    endpoints, mission = _subscribers(connection, subject)
    if not any(e.events & candidates for e in endpoints):
        return 0
    context = _context(connection, subject, mission)
    event: str = next(iter(candidates))
    if kind == ASSESSED:
        if mission is None or not _newly_escalated(connection, subject, mission, after):
            return 0
    elif kind == NotifyEvent.MISSION_DISPATCHED:
        is_rescue = mission is not None and mission.get("kind") == RESCUE_KIND
        event = NotifyEvent.RESCUE_DISPATCHED if is_rescue else NotifyEvent.MISSION_DISPATCHED
    data = after if isinstance(after, Mapping) else ({} if after is None else {"value": after})
    return _queue(connection, endpoints, event, subject, data, at, context)


def plan_summary(plan: Any) -> dict[str, Any]:
    """What `plan.ready` tells: each squad (leader, members) and each unstaffed mission
    with its reasons, and the plan's total priority against its proven bound."""
    return {
        "status": plan.status,
        "objective": plan.objective,
        "bound": plan.bound,
        "squads": [
            {
                "mission": s.mission,
                "effective_rank": str(s.effective_rank),
                "leader": s.leader,
                "members": [m.shinobi for m in s.members if m.shinobi != s.leader],
            }
            for s in plan.squads
        ],
        "unstaffed": [{"mission": u.mission, "reasons": list(u.reasons)} for u in plan.unstaffed],
    }


def _queue(
    connection: Connection,
    endpoints: Sequence[Subscriber],
    kind: str,
    subject: str | None,
    data: Mapping[str, Any] | None,
    at: dt.datetime,
    context: Mapping[str, Any],
) -> int:
    wanted = [e for e in endpoints if kind in e.events]
    if not wanted:
        return 0
    mission = context.get("mission")
    order_key = mission["id"] if mission is not None else (subject or kind)
    body = {
        "event": kind,
        "at": at.isoformat(timespec="minutes"),
        "subject": subject,
        **context,
        "data": dict(data or {}),
    }
    now = utcnow()
    rows = [
        {
            "endpoint_id": e.id,
            "kind": kind,
            "subject": subject,
            "order_key": order_key,
            "payload": body,
            "at": at,
            "queued_at": now,
            "delivery_id": str(uuid.uuid4()),
            "status": PENDING,
            "attempts": 0,
            "next_attempt_at": now,
        }
        for e in wanted
    ]
    # One row (the usual case) as a plain execute: executemany costs more for one.
    connection.execute(insert(t.outbox), rows[0] if len(rows) == 1 else rows)
    return len(rows)


def _context(
    connection: Connection, subject: str | None, mission: dict[str, Any] | None
) -> dict[str, Any]:
    """What the event is about, as the receiver needs it: the mission, or the shinobi."""
    if mission is not None:
        return {"mission": mission}
    if subject is None:
        return {}
    s = t.shinobi.c
    person = (
        connection.execute(select(s.id, s.name, s.rank, s.status).where(s.id == subject))
        .mappings()
        .first()
    )
    return {"shinobi": dict(person)} if person is not None else {}


def _newly_escalated(
    connection: Connection, subject: str | None, mission: Mapping[str, Any], after: Any
) -> bool:
    """The judged rank is above the declared one, and was not already judged so: an
    escalation is news once, and again only when the judged rank moves."""
    effective = after.get("effective_rank") if isinstance(after, Mapping) else None
    if effective is None or MissionRank(effective) <= MissionRank(mission["rank"]):
        return False
    previous = connection.execute(
        select(t.event.c.after)
        .where(t.event.c.subject == subject, t.event.c.kind == ASSESSED)
        .order_by(t.event.c.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    return not (isinstance(previous, Mapping) and previous.get("effective_rank") == effective)
