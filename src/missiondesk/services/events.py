"""The append-only event log: every change, with when, who, what, before and after."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Connection, insert, select

from missiondesk.notifications.outbox import notify_from_event
from missiondesk.store import tables as t


class Event(BaseModel):
    id: int
    at: dt.datetime
    actor: str
    kind: str
    subject: str | None
    before: Any
    after: Any


def record_event(
    connection: Connection,
    *,
    actor: str,
    kind: str,
    subject: str | None,
    before: Any = None,
    after: Any = None,
    at: dt.datetime | None = None,
) -> None:
    """Append one change to the log; a change of a notified kind also feeds the outbox
    (missiondesk.notifications), in this same transaction."""
    event = {"actor": actor, "kind": kind, "subject": subject, "before": before, "after": after}
    record_events(connection, [{**event, "at": at}])


def _village_time(connection: Connection) -> dt.datetime:
    """When the caller gave no time: the village clock (story time, SPEC section 8), or
    the machine's for an office with no village yet (an account made first, say)."""
    row = connection.execute(select(t.village.c.now, t.village.c.clock)).first()
    if row is None or row.clock == "real":
        return dt.datetime.now().replace(microsecond=0)
    return row.now


def record_events(connection: Connection, events: list[dict[str, Any]]) -> None:
    """Several events in one statement; each dict takes `record_event`'s arguments. The
    village clock is read once, and only when an event has no time of its own."""
    if not events:
        return
    now = None if all(e.get("at") for e in events) else _village_time(connection)
    rows = [
        {
            "at": e.get("at") or now,
            "actor": e["actor"],
            "kind": e["kind"],
            "subject": e.get("subject"),
            "before": _jsonable(e.get("before")),
            "after": _jsonable(e.get("after")),
        }
        for e in events
    ]
    for row in rows:  # the outbox hears of bulk changes as of single ones
        notify_from_event(
            connection, kind=row["kind"], subject=row["subject"], after=row["after"], at=row["at"]
        )
    connection.execute(insert(t.event), rows)


def events_for(connection: Connection, subject: str) -> list[Event]:
    rows = connection.execute(
        select(t.event).where(t.event.c.subject == subject).order_by(t.event.c.id)
    ).mappings()
    return [Event.model_validate(dict(r)) for r in rows]


def _jsonable(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value
