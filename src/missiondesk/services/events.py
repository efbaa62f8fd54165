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
    at = at or dt.datetime.now().replace(microsecond=0)
    after = _jsonable(after)
    notify_from_event(connection, kind=kind, subject=subject, after=after, at=at)
    connection.execute(
        insert(t.event).values(
            at=at,
            actor=actor,
            kind=kind,
            subject=subject,
            before=_jsonable(before),
            after=after,
        )
    )


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
